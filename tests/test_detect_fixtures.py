"""Detection code paths for Linux, Windows, macOS and NVIDIA hosts, on recorded outputs of real machines.

Each ``tests/fixtures/detect/*.yaml`` holds outputs copied from a public report (its ``source``) and
what they prove (``expect``). The fixture's commands are replayed as recorded, with two faithful
translations for commands a user ran in another form than the probe does:

- every recorded ``sysctl ...`` output (``name: value`` lines) is replayed for the probe's
  ``sysctl machdep.cpu hw.optional``: sysctl prints the same lines for a node as for its leaves;
- a recorded ``nvidia-smi --query-gpu=<columns> --format=csv`` (with header) is replayed for the
  probe's own query: the parser reads columns by header name, whatever their order;
- ``nvcc -V`` is ``nvcc --version``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kbsolver.detect import RecordedSystem, detect
from kbsolver.detect.probes import QUERY, SYSCTL

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "detect").glob("*.yaml"))


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def system_for(data: dict[str, Any]) -> RecordedSystem:
    commands = dict(data.get("commands") or {})
    sysctl = "".join(out.get("stdout", "") for argv, out in commands.items() if argv.startswith("sysctl "))
    if sysctl:
        commands[" ".join(SYSCTL)] = {"returncode": 0, "stdout": sysctl}
    query = next((out for argv, out in commands.items() if argv.startswith("nvidia-smi --query-gpu=")
                  and "--format=csv" in argv and "noheader" not in argv), None)
    if query is not None:
        commands["nvidia-smi " + " ".join(QUERY)] = query
    if "nvcc -V" in commands:
        commands.setdefault("nvcc --version", commands["nvcc -V"])
    return RecordedSystem.from_fixture({**data, "commands": commands})


def test_fixtures_are_sourced_and_named() -> None:
    assert len(FIXTURES) >= 15
    for path in FIXTURES:
        data = load(path)
        assert data["id"] == path.stem
        assert data["source"] and data["expect"]


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_detection_reads_what_the_recorded_outputs_prove(path: Path) -> None:
    data = load(path)
    expect = data["expect"]
    snapshot = detect(system_for(data), use_nvml=False)
    checked = 0
    if "gpus" in expect:
        gpus = snapshot.get("nvidia", "gpus")
        assert gpus is not None, snapshot.field("nvidia", "gpus")
        assert [g["name"] for g in gpus] == [g["name"] for g in expect["gpus"]]
        for got, want in zip(gpus, expect["gpus"]):
            if "memory_mib" in want:
                assert got["memory_mib"] == want["memory_mib"]
            if "compute_cap" in want:
                assert got["compute_capability"] == want["compute_cap"]
        checked += 1
    for key, section, name in (("driver", "nvidia", "driver"), ("cuda_driver_max", "nvidia", "cuda_driver_max"),
                               ("cpu_model", "cpu", "model"), ("nvcc", "cuda", "nvcc"), ("cudnn", "cudnn", "version"),
                               ("wsl", "os", "wsl")):
        if key in expect:
            assert snapshot.get(section, name) == expect[key], (key, snapshot.field(section, name))
            checked += 1
    if "cpu_flags" in expect:
        flags = snapshot.get("cpu", "flags")
        assert flags is not None, snapshot.field("cpu", "flags")
        for flag, value in expect["cpu_flags"].items():
            if flag in flags:
                assert flags[flag] == value, flag
        checked += 1
    if "cuda_toolkit" in expect:
        assert [t["version"] for t in snapshot.get("cuda", "toolkits")] == [expect["cuda_toolkit"]]
        checked += 1
    for key in ("version", "pretty_name"):  # sw_vers ProductVersion; /etc/os-release PRETTY_NAME
        if isinstance(expect.get("os"), dict) and key in expect["os"]:
            assert snapshot.get("os", "version") == expect["os"][key]
            checked += 1
    assert checked, f"{path.stem}: no expectation this test knows how to check"


# The VC++ runtime registry key as Microsoft documents it ("Redistributing Visual C++ files":
# HKLM\SOFTWARE\Microsoft\VisualStudio\14.0\VC\Runtimes\x64, DWORD Installed = 1, Version "v14.x..."):
# https://learn.microsoft.com/en-us/cpp/windows/redistributing-visual-cpp-files
MSVC_KEY = "HKLM\\SOFTWARE\\Microsoft\\VisualStudio\\14.0\\VC\\Runtimes\\x64"
SYSTEM32 = "C:\\Windows\\System32\\"


def windows(registry: dict[str, Any], dlls: tuple[str, ...]) -> RecordedSystem:
    return RecordedSystem(platform="windows", registry_values=registry, files={SYSTEM32 + name: "" for name in dlls},
                          features={"sse2": True, "avx": True, "avx2": True, "avx512f": False})


def test_windows_registry_and_system32_show_the_msvc_runtime() -> None:
    system = windows({MSVC_KEY: {"Installed": 1, "Version": "v14.40.33810.00", "Major": 14, "Minor": 40, "Bld": 33810}},
                     ("msvcp140.dll", "msvcp140_1.dll", "vcruntime140.dll", "vcruntime140_1.dll"))
    snapshot = detect(system, use_nvml=False)
    assert snapshot.get("msvc", "runtime") == "14.40.33810.00"
    assert snapshot.get("msvc", "dlls") == {"msvcp140.dll": True, "msvcp140_1.dll": True, "vcruntime140.dll": True,
                                            "vcruntime140_1.dll": True}
    assert snapshot.get("cpu", "flags") == {"sse2": True, "avx": True, "avx2": True, "avx512f": False}


def test_windows_without_the_2019_runtime_is_diagnosed_from_the_snapshot_alone(kb: Any) -> None:
    from kbsolver.doctor import diagnose, read_error

    snapshot = detect(windows({}, ("msvcp140.dll", "vcruntime140.dll")), use_nvml=False)
    runtime = snapshot.field("msvc", "runtime")
    assert runtime is not None and runtime.value is None and "not found" in (runtime.reason or "")
    assert snapshot.get("msvc", "dlls")["msvcp140_1.dll"] is False
    error = "ImportError: DLL load failed while importing _pywrap_tensorflow_internal: The specified module could not be found."
    report = diagnose(kb, snapshot, {"tensorflow": "2.10.0"}, read_error(error))
    assert report.findings[0].id == "msvc-runtime-missing"
    assert any("msvcp140_1.dll" in e for e in report.findings[0].evidence)


def test_cudnn_major_from_library_names_when_no_header() -> None:
    system = RecordedSystem(platform="linux", env={"LD_LIBRARY_PATH": "/opt/cudnn/lib"},
                            files={"/opt/cudnn/lib/libcudnn.so.8": "", "/opt/cudnn/lib/libcudnn.so.8.6.0": ""})
    snapshot = detect(system, use_nvml=False)
    assert snapshot.get("cudnn", "version") == "8"
    assert "libcudnn.so.8" in (snapshot.field("cudnn", "version").source or "")  # type: ignore[union-attr]
