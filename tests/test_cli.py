"""The kbsolve command line: output, JSON contract, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbsolver.cli import app
from kbsolver.knowledge.schema import validate_output

try:  # click < 8.2 mixes stderr into stdout unless told not to
    runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
except TypeError:
    runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def plan_json(*args: str) -> tuple[int, dict]:
    result = run("plan", *args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def test_rtx3060_python38_windows_gives_tf_2_10_with_cuda_11_2_and_msvc_2019() -> None:
    code, data = plan_json("--gpu", "rtx3060", "--python", "3.8", "--os", "windows")
    assert code == 0 and validate_output(data, "plan") == []
    components = {c["name"]: c for c in data["plan"]["components"]}
    assert components["tensorflow"]["version"].startswith("2.10.")
    assert (components["cuda"]["version"], components["cudnn"]["version"]) == ("11.2", "8.1")
    assert components["msvc-redist"]["version"] == "2019"
    assert data["query"]["compute_capability"] == "8.6"


def test_rtx3060_python38_linux_gives_tf_2_13_with_cuda_11_8() -> None:
    code, data = plan_json("--gpu", "rtx3060", "--python", "3.8", "--os", "linux")
    components = {c["name"]: c for c in data["plan"]["components"]}
    assert code == 0 and components["tensorflow"]["version"].startswith("2.13.")
    assert (components["cuda"]["version"], components["cudnn"]["version"]) == ("11.8", "8.6")
    assert "msvc-redist" not in components


def test_python312_on_native_windows_gpu_is_a_conflict_with_verified_suggestions() -> None:
    code, data = plan_json("--gpu", "rtx3060", "--python", "3.12", "--os", "windows")
    assert code == 1 and data["status"] == "conflict" and validate_output(data, "plan") == []
    messages = " | ".join(r["message"] for r in data["conflict"]["reasons"])
    assert "Python 3.12 needs TensorFlow >= 2.16" in messages
    assert "native-Windows GPU builds end at 2.10" in messages
    changes = [s["change"] for s in data["conflict"]["suggestions"]]
    assert {"os": "wsl2"} in changes and any("python" in c for c in changes)
    for change in changes:  # each suggestion solves when applied
        flags = ["--gpu", "rtx3060", "--python", change.get("python", "3.12"), "--os", change.get("os", "windows")]
        if change.get("cpu_only"):
            flags.append("--cpu-only")
        again, solved = plan_json(*flags)
        assert again == 0 and solved["status"] == "ok", change


def test_text_output_is_readable() -> None:
    result = run("plan", "--gpu", "rtx3060", "--python", "3.8", "--os", "linux")
    assert result.exit_code == 0
    assert "Components:" in result.stdout and "Steps:" in result.stdout and "1. " in result.stdout
    assert "pip install" in result.stdout


def test_conflict_text_names_the_clash() -> None:
    result = run("plan", "--gpu", "rtx3060", "--python", "3.12", "--os", "windows")
    assert result.exit_code == 1
    assert "Why:" in result.stdout and "--os wsl2" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gpu", "rtx3600"], "unknown GPU 'rtx3600'; did you mean 'GeForce RTX 3060'?"),
        (["--python", "three"], "--python: 'three' is not a Python version"),
        (["--os", "windoze"], "--os: unknown value 'windoze'; did you mean 'windows'?"),
        (["--arch", "amd46"], "--arch: unknown value 'amd46'"),
        (["--compute-capability", "eight"], "--compute-capability: 'eight' is not X.Y"),
        (["--gpu", "rtx3060", "--compute-capability", "7.5"], "contradicts --gpu"),
        (["--tensorflow", "2.x!"], "--tensorflow: '2.x!' is not a version specifier"),
        (["--driver", "new"], "--driver: 'new' is not a driver version"),
        (["--matrix", "/nonexistent/matrix"], "no such file or directory"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = run("plan", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_validate_bundled_matrix_passes() -> None:
    result = run("validate")
    assert result.exit_code == 0 and result.stdout.startswith("ok:")


def test_validate_reports_duplicate_key_and_schema_violation_by_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "cudnn.yaml"
    bad.write_text(
        "kind: cudnn\nrecords:\n  - id: cudnn-8.1.0\n    version: \"8.1.0\"\n    series: 8.1\n"
        "    cuda: [\"11.2\"]\n    cuda: [\"11.0\"]\n    sources: [{url: \"https://developer.nvidia.com/rdp/cudnn-archive\"}]\n",
        encoding="utf-8",
    )
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:7:5: duplicate key 'cuda'" in result.stdout
    assert f"{bad}:5:13: records.0.series: 8.1 is not of type 'string'" in result.stdout


def test_validate_missing_path_exits_2() -> None:
    result = run("validate", "/nonexistent.yaml")
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_plan_with_invalid_matrix_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "gpus.yaml"
    bad.write_text("kind: gpus\nrecords:\n  - id: x\n    name: X\n", encoding="utf-8")
    result = run("plan", "--matrix", str(bad), "--python", "3.8")
    assert result.exit_code == 1 and "is a required property" in result.stderr


@pytest.mark.parametrize(
    ("kind", "keys", "minimum"),
    [
        ("tensorflow", {"package", "version", "os", "device", "python", "compiler", "bazel", "cuda", "cudnn"}, 170),
        ("wheels", {"package", "version", "python", "platform"}, 1000),
        ("cuda", {"version", "min_driver", "compute_capabilities"}, 60),
        ("cudnn", {"version", "cuda"}, 60),
        ("gpus", {"name", "aliases", "compute_capability", "architecture"}, 300),
        ("msvc", {"version", "dlls"}, 4),
        ("python", {"version", "end_of_life"}, 10),
    ],
)
def test_matrix_json_lists_records_with_their_fields(kind: str, keys: set[str], minimum: int) -> None:
    result = run("matrix", kind, "--format", "json")
    rows = json.loads(result.stdout)
    assert result.exit_code == 0 and len(rows) >= minimum
    assert all(keys <= set(row) for row in rows)


def test_matrix_filters() -> None:
    rows = json.loads(run("matrix", "wheels", "--package", "tensorflow", "--tensorflow", "2.3.*", "--python", "3.5",
                          "--os", "linux", "--format", "json").stdout)
    assert {r["version"] for r in rows} == {"2.3.0", "2.3.1"}
    rows = json.loads(run("matrix", "cuda", "--gpu", "rtx5090", "--format", "json").stdout)
    assert rows and all("12.0" in r["compute_capabilities"] for r in rows) and rows[0]["version"] == "12.8.0"
    rows = json.loads(run("matrix", "tensorflow", "--os", "windows", "--device", "gpu", "--format", "json").stdout)
    assert max(rows, key=lambda r: tuple(map(int, r["version"].split("."))))["version"] == "2.10.0"
    assert run("matrix", "gpu").exit_code == 2


def test_plan_detect_fills_this_machine() -> None:
    result = run("plan", "--detect", "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code in (0, 1) and validate_output(data, "plan") == []
    assert data["query"]["python"] == ".".join(map(str, __import__("sys").version_info[:2]))


def test_install_steps_install_the_plans_cuda() -> None:
    # The guide's recipe for TF < 1.13 installs CUDA 9.0; TF 1.4 was built with CUDA 8.0, so the generic steps are used.
    _, data = plan_json("--gpu", "gtx1080", "--os", "linux", "--tensorflow", "1.4.*")
    commands = " ".join(step.get("command", "") + step["description"] for step in data["plan"]["steps"])
    assert "cuda9.0" not in commands and "CUDA Toolkit 8.0" in commands


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--gpu", ""], "--gpu: empty value"), (["--python", "10.0"], "'10.0' is not a Python version"),
     (["--compute-capability", "99.9"], "no NVIDIA GPU or CUDA toolkit in the matrix has compute capability 99.9"),
     (["--gpu", "3060"], "did you mean one of: 'GeForce RTX 3060', ")],
)
def test_more_bad_input(args: list[str], message: str) -> None:
    result = run("plan", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_a_fermi_gpu_gets_no_gpu_plan_and_the_lowest_compute_capability_any_build_covers() -> None:
    code, data = plan_json("--gpu", "GTX 580", "--python", "3.6", "--os", "linux")
    assert code == 1 and data["status"] == "conflict" and validate_output(data, "plan") == []
    assert data["query"]["compute_capability"] == "2.0"  # NVIDIA: GeForce GTX 580 = 2.0
    reason = data["conflict"]["reasons"][0]["message"]
    assert "GeForce GTX 580 (compute capability 2.0) is supported by no TensorFlow GPU build" in reason
    assert "cover is 3.0" in reason  # the oldest GPU wheels ship sm_30 / compute_30 (tf-cuda-targets)
    assert any(s["change"] == {"cpu_only": True} for s in data["conflict"]["suggestions"])


def test_a_kepler_cc30_gpu_still_gets_an_old_gpu_plan() -> None:
    code, data = plan_json("--gpu", "GRID K520", "--python", "3.6", "--os", "linux")
    assert code == 0 and data["query"]["compute_capability"] == "3.0"
    components = {c["name"]: c for c in data["plan"]["components"]}
    assert components["tensorflow"]["version"].startswith("1.")  # TF 2.x GPU builds start at 3.5


def test_doctor_blames_the_compute_capability_when_a_fermi_gpu_is_not_seen() -> None:
    result = run("doctor", "--no-detect", "--os", "windows", "--gpu", "GT 610", "--tensorflow", "2.3.0", "--package",
                 "tensorflow-gpu", "--error", "Num GPUs Available: 0", "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["status"] == "findings" and validate_output(data, "doctor") == []
    first = data["findings"][0]
    assert first["id"] == "compute-capability"
    assert "compute capability 2.1 (declared (from the matrix))" in first["evidence"]  # NVIDIA: GeForce GT 610 = 2.1
    assert "error line 1: Num GPUs Available: 0" in first["evidence"]
    assert "No TensorFlow GPU build for windows runs on compute capability 2.1" in first["fix"][0]
    assert first["plan"]["status"] == "ok" and first["plan"]["query"]["cpu_only"] is True
