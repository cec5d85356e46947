"""Each row of issue 8's table of hostile inputs: it ends, exits 0/1/2 with one clear line, and prints no traceback.

Small limits and fake tools keep these fast; ``scripts/hostile_inputs.py`` runs the same rows with
the real limits and reports their time and memory.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbsolver import guards
from kbsolver.cli import app
from kbsolver.detect import RealSystem, RecordedSystem, detect
from kbsolver.detect.probes import QUERY, probe_cuda, toolkit_version
from kbsolver.errors import DataError
from kbsolver.knowledge import load, matrix_files
from kbsolver.knowledge.loader import parse_text, read_document
from kbsolver.knowledge.paths import matrix_dir

try:  # click < 8.2 mixes stderr into stdout unless told not to
    runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
except TypeError:
    runner = CliRunner()

posix = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, /dev/zero, symlinks and process groups are POSIX")
BIG = "x" * 100_000
DIGITS = "1" * 5000


def _invoke(args: list[str], **kwargs):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, args, **kwargs)
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


# -- YAML --------------------------------------------------------------------------------------

def test_self_referencing_alias_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "cudnn.yaml").write_text("kind: cudnn\nrecords: &r\n- *r\n")
    document, problems = read_document(tmp_path / "cudnn.yaml", "cudnn.yaml")
    assert document is None
    assert [str(p) for p in problems] == ["cudnn.yaml:2:10: an alias refers to a node that contains it (a cycle)"]
    result = _invoke(["plan", "--matrix", str(tmp_path), "--python", "3.8"])
    assert result.exit_code == 1 and "(a cycle)" in result.stderr


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    text = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9))
    (tmp_path / "laughs.yaml").write_text(text)
    result = _invoke(["plan", "--matrix", str(tmp_path)])
    assert result.exit_code == 1 and "aliases expand to more than 100000 nodes" in result.stderr


def test_matrix_aliases_within_the_bound_still_load() -> None:
    for name in ("cudnn.yaml", "libraries.yaml"):  # the bundled files that use anchors
        document, problems = read_document(matrix_dir() / name)
        assert document is not None and problems == []


@pytest.mark.parametrize(
    ("text", "message"),
    [("a: " + "[" * 40 + "]" * 40, "x.yaml:1:"), ("a:\n" + "".join("  " * i + "- \n" for i in range(40)), "x.yaml:"),
     ("a: " + DIGITS, "x.yaml:1:4: a number longer than 64 digits")],
    ids=["deep-flow", "deep-block", "5000-digit-number"],
)
def test_yaml_depth_and_numbers_are_bounded(text: str, message: str) -> None:
    document, problems = parse_text(text, "x.yaml")
    assert document is None and len(problems) == 1 and str(problems[0]).startswith(message)


def test_5000_digit_version_in_yaml_is_not_a_version(tmp_path: Path) -> None:
    text = (matrix_dir() / "cuda_majors.yaml").read_text(encoding="utf-8").replace('major: "11"', f'major: "{DIGITS}"', 1)
    (tmp_path / "cuda_majors.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load([tmp_path / "cuda_majors.yaml"])
    messages = [p.message for p in caught.value.problems]
    assert any("is not a version" in m for m in messages) and not any(DIGITS in m for m in messages)


@posix
@pytest.mark.parametrize("args", [["validate", "/dev/zero"], ["plan", "--matrix", "/dev/zero"]])
def test_dev_zero_as_matrix_is_refused(args: list[str]) -> None:
    result = _invoke(args)
    assert result.exit_code == 1
    assert "/dev/zero: cannot read file: is not a regular file" in result.stdout + result.stderr


def test_matrix_file_over_the_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guards, "MATRIX_FILE_LIMIT", 100)
    (tmp_path / "big.yaml").write_text("kind: cudnn\nrecords: []\n" + "#" * 200)
    result = _invoke(["plan", "--matrix", str(tmp_path / "big.yaml")])
    assert result.exit_code == 1 and "big.yaml: cannot read file: is too large (224 bytes; at most 100 bytes)" in result.stderr


@posix
def test_symlink_loop_in_a_matrix_directory_is_a_problem(tmp_path: Path) -> None:
    os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
    os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
    with pytest.raises(DataError) as caught:
        load([tmp_path])
    assert [p.message for p in caught.value.problems] == ["cannot read file: Too many levels of symbolic links"] * 2
    result = _invoke(["plan", "--matrix", str(tmp_path), "--python", "3.8"])
    assert result.exit_code == 1 and "Too many levels of symbolic links" in result.stderr


@posix
def test_unlistable_matrix_directory_is_a_problem(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user who reads any directory")
        with pytest.raises(DataError) as caught:
            load([locked])
        assert "cannot list directory: Permission denied" in caught.value.problems[0].message
    finally:
        locked.chmod(0o755)


def _matrix_copy(directory: Path) -> None:
    for path in matrix_dir().glob("*.yaml"):
        (directory / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")


def test_one_bad_record_gives_one_problem(tmp_path: Path) -> None:
    _matrix_copy(tmp_path)
    cudnn = tmp_path / "cudnn.yaml"
    text = cudnn.read_text(encoding="utf-8")
    assert 'version: "5.1"' in text
    cudnn.write_text(text.replace('version: "5.1"', "version: 5.1", 1), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load([tmp_path])
    assert [p.reference for p in caught.value.problems] == ["schema"]


def test_a_broken_yaml_file_gives_no_follow_on_reference_problems(tmp_path: Path) -> None:
    _matrix_copy(tmp_path)
    (tmp_path / "cuda_toolkits.yaml").write_text("kind: cuda-toolkits\nrecords: [\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load([tmp_path])
    assert [p.reference for p in caught.value.problems] == ["yaml-syntax"]


def test_a_bad_version_gives_no_follow_on_reference_problem(tmp_path: Path) -> None:
    _matrix_copy(tmp_path)
    tested = tmp_path / "tested_builds.yaml"
    text = tested.read_text(encoding="utf-8")
    assert 'cuda: "11.2"' in text
    tested.write_text(text.replace('cuda: "11.2"', 'cuda: "11.2.y"', 1), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load([tmp_path])
    assert [(p.reference, p.message) for p in caught.value.problems] == [("version", "cuda: '11.2.y' is not a version")]


def test_yml_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "cudnn.yml").write_text((matrix_dir() / "cudnn.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert matrix_files([tmp_path]) == [tmp_path / "cudnn.yml"]
    with pytest.raises(DataError) as caught:  # read and valid: only the kinds a plan needs are missing
        load([tmp_path])
    assert {p.reference for p in caught.value.problems} == {"missing-kind"}
    assert "no 'cudnn' records" not in str([p.message for p in caught.value.problems])


# -- snapshots, error texts --------------------------------------------------------------------

def _snapshot() -> dict:  # type: ignore[type-arg]
    return detect(RecordedSystem(platform="linux")).to_dict()


@posix
def test_dev_zero_as_snapshot_or_error_file_is_refused() -> None:
    result = _invoke(["doctor", "--snapshot", "/dev/zero"])
    assert result.exit_code == 2 and "--snapshot: cannot read /dev/zero: is not a regular file" in result.stderr
    result = _invoke(["doctor", "--no-detect", "--error-file", "/dev/zero"])
    assert result.exit_code == 2 and "--error-file: cannot read /dev/zero: is not a regular file" in result.stderr


def test_endless_standard_input_is_read_up_to_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    from kbsolver.cli import _read_error_input

    class Zeros(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            buffer[:] = bytes(len(buffer))
            return len(buffer)

    class Stdin:
        buffer = io.BufferedReader(Zeros())

    monkeypatch.setattr(guards, "ERROR_TEXT_LIMIT", 2 * 1024 * 1024)
    monkeypatch.setattr(sys, "stdin", Stdin())
    text = _read_error_input(None, "-")
    assert text.truncated and text.binary


def test_snapshot_nested_100000_deep_is_refused(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    result = _invoke(["doctor", "--snapshot", str(tmp_path / "deep.json")])
    assert result.exit_code == 2 and "is nested too deeply (more than 32 levels)" in result.stderr


def test_snapshot_over_the_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guards, "SNAPSHOT_LIMIT", 100)
    (tmp_path / "s.json").write_text(json.dumps(_snapshot()))
    result = _invoke(["doctor", "--snapshot", str(tmp_path / "s.json")])
    assert result.exit_code == 2 and "is too large" in result.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_snapshot_saved_by_powershell_is_read(tmp_path: Path, encoding: str) -> None:
    data = _snapshot()
    data["os"]["name"] = {"value": "windows", "source": "sys.platform"}
    (tmp_path / "s.json").write_bytes(json.dumps(data).encode(encoding))
    result = _invoke(["doctor", "--snapshot", str(tmp_path / "s.json"), "--format", "json"])
    assert result.exit_code in (0, 1)
    assert json.loads(result.stdout)["snapshot"]["os"]["name"]["value"] == "windows"


def test_snapshot_with_5000_digit_values_is_diagnosed(tmp_path: Path) -> None:
    data = _snapshot()
    data["nvidia"]["driver"] = {"value": DIGITS, "source": "x"}
    data["nvidia"]["gpus"] = {"value": [{"name": BIG, "compute_capability": "8.6"}], "source": "x"}
    data["python"]["version"] = {"value": "3." + DIGITS, "source": "x"}
    (tmp_path / "s.json").write_text(json.dumps(data))
    result = _invoke(["doctor", "--snapshot", str(tmp_path / "s.json"), "--error", "Illegal instruction"])
    assert result.exit_code in (0, 1)


# -- flag values -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "args",
    [["plan", "--gpu", BIG], ["doctor", "--no-detect", "--gpu", BIG], ["matrix", "cuda", "--gpu", BIG],
     ["matrix", "gpus", "--gpu", BIG]],
)
def test_100kb_gpu_name_is_too_long(args: list[str]) -> None:
    result = _invoke(args)
    assert result.exit_code == 2 and "--gpu: value too long (100000 characters; at most 100)" in result.stderr


def test_100kb_matrix_kind_is_too_long() -> None:
    result = _invoke(["matrix", BIG])
    assert result.exit_code == 2 and "KIND: value too long (100000 characters; at most 200)" in result.stderr


@pytest.mark.parametrize(
    ("args", "flag"),
    [(["plan", "--driver", DIGITS], "--driver"), (["plan", "--tensorflow", DIGITS], "--tensorflow"),
     *[(["doctor", "--no-detect", f"--{f}", DIGITS], f"--{f}") for f in ("cuda", "cudnn", "tensorflow", "driver")],
     (["matrix", "tensorflow", "--tensorflow", DIGITS], "--tensorflow")],
)
def test_5000_digit_versions_are_too_long(args: list[str], flag: str) -> None:
    result = _invoke(args)
    assert result.exit_code == 2 and f"{flag}: value too long (5000 characters; at most 64)" in result.stderr


EMPTY = [["plan", "--gpu", ""], ["plan", "--python", ""], ["plan", "--driver", " "],
         *[["doctor", "--no-detect", f"--{f}", ""] for f in ("os", "arch", "python", "gpu", "driver", "tensorflow", "package",
                                                             "cuda", "cudnn")],
         *[["matrix", "gpus", f"--{f}", ""] for f in ("os", "python", "gpu", "package", "tensorflow", "device")]]


@pytest.mark.parametrize("args", EMPTY, ids=[" ".join(a[:1] + a[-2:-1]) for a in EMPTY])
def test_empty_values_are_rejected_by_every_command(args: list[str]) -> None:
    result = _invoke(args)
    assert result.exit_code == 2 and f"{args[-2]}: empty value" in result.stderr


@pytest.mark.parametrize("args", [["plan", "--python", "3.８"], ["doctor", "--no-detect", "--python", "３.8"],
                                  ["plan", "--compute-capability", "８.6"], ["doctor", "--no-detect", "--cuda", "1١.2"]])
def test_non_ascii_digits_are_rejected(args: list[str]) -> None:
    result = _invoke(args)
    assert result.exit_code == 2 and "has non-ASCII characters" in result.stderr


def test_library_normalisers_refuse_non_ascii_digits() -> None:
    from kbsolver.errors import InputError
    from kbsolver.knowledge.model import safe_version
    from kbsolver.knowledge.platforms import normalize_python
    from kbsolver.solve.query import compute_capability, driver_version

    for function, value in ((normalize_python, "3.８"), (compute_capability, "８6"), (driver_version, "５35.1")):
        with pytest.raises(InputError):
            function(value)
    assert safe_version("3.８") is None and safe_version(DIGITS) is None and safe_version("3.8") is not None


# -- detection ---------------------------------------------------------------------------------

NVIDIA_ODD = (
    "name, compute_cap, memory.total [MiB], driver_version\n"
    ", 9.0, 100 MiB, 535.104.05\n"
    "\U0001f600 GPU, 9.0, 100 MiB, 535.104.05\n"
    "NVIDIA H100 80GB HBM3, 9.0, -5 MiB, 535.104.05\n"
)


def test_odd_values_from_nvidia_smi_are_not_used() -> None:
    system = RecordedSystem(platform="linux", commands={f"nvidia-smi {' '.join(QUERY)}": {"stdout": NVIDIA_ODD}})
    snapshot = detect(system)
    assert snapshot.get("nvidia", "gpus") == [{"name": "NVIDIA H100 80GB HBM3", "compute_capability": "9.0", "memory_mib": None}]
    assert "not used: odd GPU name ''; odd GPU name" in (snapshot.field("nvidia", "gpus").source or "")  # type: ignore[union-attr]
    digits = NVIDIA_ODD.splitlines()[0] + f"\nNVIDIA H100, 9.0, 81559 MiB, {DIGITS}\n"
    snapshot = detect(RecordedSystem(platform="linux", commands={f"nvidia-smi {' '.join(QUERY)}": {"stdout": digits}}))
    assert snapshot.get("nvidia", "driver") is None
    assert "odd driver version" in (snapshot.field("nvidia", "driver").reason or "")  # type: ignore[union-attr]


@pytest.mark.parametrize("content", ["[" * 100_000, json.dumps({"cuda": {"version": DIGITS}}), '{"cuda": {"version": []}}'],
                         ids=["nested", "5000-digits", "list"])
def test_odd_version_json_is_not_used(content: str) -> None:
    system = RecordedSystem(platform="linux", files={"/opt/cuda/version.json": content})
    assert toolkit_version(system, "/opt/cuda") is None


@posix
def test_fifo_version_json_does_not_block_detection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(tmp_path / "version.json")
    (tmp_path / "version.txt").write_text("CUDA Version 10.1.243\n")
    monkeypatch.setenv("CUDA_HOME", str(tmp_path))
    monkeypatch.setenv("PATH", "")
    started = time.monotonic()
    result = probe_cuda(RealSystem())
    assert time.monotonic() - started < 10
    found = [t for t in result["toolkits"].value if t["path"] == str(tmp_path)]
    assert [(t["version"], t["source"]) for t in found] == [("10.1.243", str(tmp_path / "version.txt"))]  # json refused


def _tools(directory: Path, body: str, names: tuple[str, ...]) -> None:
    directory.mkdir(exist_ok=True)
    for name in names:
        path = directory / name
        path.write_text("#!/bin/sh\n" + body + "\n")
        path.chmod(0o755)


def _running(pids: list[int]) -> list[int]:
    """The processes of ``pids`` still running after up to 3 s (zombies count as ended)."""
    deadline = time.monotonic() + 3
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            stat = Path(f"/proc/{pid}/stat")
            if not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"):
                alive.append(pid)
        time.sleep(0.05)
    return alive


@posix
def test_hanging_tools_end_within_the_budget_and_leave_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pids = tmp_path / "pids"
    _tools(tmp_path / "bin", f"/bin/sleep 60 & echo $! >> {pids}; echo $$ >> {pids}; exec /bin/sleep 60",
           ("nvidia-smi", "nvcc", "ldconfig", "ldd", "uname"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    started = time.monotonic()
    snapshot = detect(RealSystem(command_timeout=0.3, budget=1.0), use_nvml=False)
    assert time.monotonic() - started < 5
    reasons = [snapshot.field("nvidia", "gpus").reason, snapshot.field("cuda", "nvcc").reason]  # type: ignore[union-attr]
    assert all("did not answer" in (r or "") or "budget" in (r or "") for r in reasons), reasons
    started_pids = [int(n) for n in pids.read_text().split()]
    assert started_pids and _running(started_pids) == []


@posix
def test_nvidia_smi_that_never_stops_printing_is_cut_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tools(tmp_path / "bin", f"exec {shutil.which('yes') or '/usr/bin/yes'}", ("nvidia-smi",))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(guards, "COMMAND_OUTPUT_LIMIT", 256 * 1024)
    system = RealSystem()
    system.runner.output_limit = 256 * 1024
    snapshot = detect(system, use_nvml=False)
    assert "printed more than" in (snapshot.field("nvidia", "gpus").reason or "")  # type: ignore[union-attr]


@posix
def test_nvcc_in_the_current_directory_is_never_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tools(tmp_path, f"touch {tmp_path / 'ran'}; echo 'Cuda compilation tools, release 99.9'", ("nvcc",))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f".{os.pathsep}{os.pathsep}")
    result = probe_cuda(RealSystem())
    assert result["nvcc"].value is None and result["nvcc"].reason == "nvcc not found"
    assert not (tmp_path / "ran").exists()


@posix
@pytest.mark.parametrize("output", ["[]", "{}", '{"version": "3.8.10", "bits": 64, "tensorflow": 5}', "[" * 5000, "not json"])
def test_python_exe_printing_odd_json_is_a_probe_problem(tmp_path: Path, output: str) -> None:
    (tmp_path / "out").write_text(output)
    _tools(tmp_path, f"cat {tmp_path / 'out'}", ("python",))
    result = _invoke(["detect", "--python-exe", str(tmp_path / "python"), "--format", "json"])
    assert result.exit_code == 0
    version = json.loads(result.stdout)["python"]["version"]
    assert version["value"] is None and "printed no Python facts" in version["reason"]
