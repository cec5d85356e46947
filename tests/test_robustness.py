"""No input makes detect or doctor crash: empty, binary, huge, non-UTF-8 texts; missing, hanging commands; unreadable files."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbsolver.cli import app
from kbsolver.detect import RealSystem, RecordedSystem, detect
from kbsolver.detect.probes import QUERY, QUERY_OLD
from kbsolver.doctor import read_error

try:  # click < 8.2 mixes stderr into stdout unless told not to
    runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
except TypeError:
    runner = CliRunner()


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n\n", b"\x00\x01\x02\xff\xfe" * 1000, "caf\xe9 DLL load failed".encode("latin-1"),
     "Illegal instruction (core dumped)".encode("utf-16"), b"A" * 5_000_000],
    ids=["empty", "newlines", "binary", "latin-1", "utf-16", "one-5MB-line"],
)
def test_doctor_survives_odd_error_texts(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "error.txt"
    path.write_bytes(data)
    result = runner.invoke(app, ["doctor", "--no-detect", "--os", "linux", "--error-file", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert isinstance(report["findings"], list)


def test_huge_error_file_is_read_in_bounded_memory_and_still_diagnosed(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    filler = b"I tensorflow/core/common_runtime/process_util.cc:146] Creating new thread pool with default inter op setting\n"
    with path.open("wb") as handle:
        for _ in range(100 * 1024 * 1024 // (len(filler) * 1000)):
            handle.write(filler * 1000)
        handle.write(b"W dso_loader.cc:64] Could not load dynamic library 'cudart64_110.dll'; "
                     b"dlerror: cudart64_110.dll not found\n")
        for _ in range(10):
            handle.write(filler * 1000)
    assert path.stat().st_size >= 100 * 1024 * 1024
    result = runner.invoke(app, ["doctor", "--no-detect", "--os", "windows", "--tensorflow", "2.10.0", "--cuda", "10.1",
                                 "--error-file", str(path), "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["findings"][0]["id"] == "cuda-library-mismatch"
    assert any("cudart64_110.dll" in e for e in report["findings"][0]["evidence"])


def test_read_error_keeps_line_numbers_and_flags() -> None:
    text = read_error(b"first\n\x00binary\nthird line DLL load failed\n")
    assert text.binary
    hit = text.search(__import__("re").compile("DLL load failed"))
    assert hit is not None and hit[0] == 3


def test_error_from_stdin_and_both_sources_rejected() -> None:
    result = runner.invoke(app, ["doctor", "--no-detect", "--os", "linux", "--error-file", "-"], input="Illegal instruction\n")
    assert result.exit_code == 1 and "cpu-lacks-avx" in result.stdout
    result = runner.invoke(app, ["doctor", "--no-detect", "--error", "x", "--error-file", "-"])
    assert result.exit_code == 2 and "not both" in result.stderr


def test_unreadable_inputs_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["doctor", "--no-detect", "--error-file", str(tmp_path)])  # a directory
    assert result.exit_code == 2 and "--error-file: cannot read" in result.stderr
    bad = tmp_path / "snap.json"
    bad.write_bytes(b"\xff\xfe not json")
    result = runner.invoke(app, ["doctor", "--snapshot", str(bad)])
    assert result.exit_code == 2 and "is not JSON" in result.stderr
    result = runner.invoke(app, ["doctor", "--no-detect", "--gpu", "rtx3600"])
    assert result.exit_code == 2 and "did you mean 'GeForce RTX 3060'" in result.stderr


def test_real_commands_time_out_and_missing_ones_are_reported() -> None:
    system = RealSystem()
    hung = system.run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert hung.error is not None and "did not answer within 0.5 s" in hung.error
    missing = system.run(["kbsolve-no-such-command-xyz"])
    assert missing.error == "kbsolve-no-such-command-xyz not found"
    text, reason = system.read_text(str(Path(__file__).parent))  # a directory cannot be read as a file
    assert text is None and reason and reason.startswith("cannot read")


def test_detect_with_every_command_hanging_reports_reasons() -> None:
    hang = {"hang": True}
    commands = [["nvidia-smi"], ["nvidia-smi", *QUERY], ["nvidia-smi", *QUERY_OLD], ["nvidia-smi", "-L"], ["nvcc", "--version"],
                ["ldd", "--version"], ["ldconfig", "-p"], ["uname", "-m"]]
    system = RecordedSystem(platform="linux", commands={" ".join(argv): hang for argv in commands})
    snapshot = detect(system)
    assert snapshot.get("nvidia", "gpus") is None
    assert "did not answer" in (snapshot.field("nvidia", "gpus").reason or "")  # type: ignore[union-attr]
    assert "did not answer" in (snapshot.field("cuda", "nvcc").reason or "")  # type: ignore[union-attr]
    assert snapshot.get("cpu", "flags") is None and snapshot.field("cpu", "flags").reason  # type: ignore[union-attr]


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine has an NVIDIA driver")
def test_detect_on_this_machine_reports_the_gpu_absent_with_a_reason() -> None:
    snapshot = detect()
    gpus = snapshot.field("nvidia", "gpus")
    assert gpus is not None and gpus.value is None and "nvidia-smi not found" in (gpus.reason or "")
    assert snapshot.get("python", "version") == ".".join(map(str, sys.version_info[:3]))
    assert snapshot.get("os", "name") == {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    data = json.loads(json.dumps(snapshot.to_dict()))
    assert data["nvidia"]["gpus"] == {"value": None, "reason": gpus.reason}


def test_detect_cli_runs_here() -> None:
    from kbsolver.knowledge.schema import validate_output

    result = runner.invoke(app, ["detect", "--format", "json"], env={**os.environ})
    assert result.exit_code == 0
    assert validate_output(json.loads(result.stdout), "snapshot") == []


SECTIONS = ("os", "python", "cpu", "nvidia", "cuda", "cudnn", "msvc", "tensorflow")


@pytest.mark.parametrize(
    "snapshot",
    ['{"nvidia": {"gpus": {"value": "abc", "source": "x"}}}',
     '{"tensorflow": {"distributions": {"value": [{"name": "tensorflow", "version": "banana"}], "source": "x"}}}',
     '{"cpu": {"flags": {"value": [1, 2], "source": "x"}}, "python": {"bits": {"value": "x", "source": "x"}}}',
     '{"cuda": {"toolkits": {"value": [{"version": 11.2}, "x"], "source": "x"},'
     ' "libraries": {"value": [{"dir": 3}], "source": "x"}}}',
     '{"nvidia": {"gpus": {"value": [{"name": "' + "x" * 100_000 + '"}], "source": "x"}}}',
     '{"nvidia": {"driver": {"value": "' + "1" * 5000 + '", "source": "x"}}}'],
    ids=["gpus-text", "bad-version", "odd-types", "odd-records", "100KB-gpu-name", "5000-digit-driver"],
)
def test_hand_edited_snapshots_never_crash_the_doctor(tmp_path: Path, snapshot: str) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps({"schema_version": 1, **{s: {} for s in SECTIONS}, **json.loads(snapshot)}), encoding="utf-8")
    result = runner.invoke(app, ["doctor", "--snapshot", str(path), "--error", "Illegal instruction", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and json.loads(result.stdout)["schema_version"] == 2


@pytest.mark.parametrize(
    "snapshot",
    ['{"nvidia": {"gpus": {"value": "abc"}}}', "[]"],
)
def test_snapshots_that_are_not_detect_output_are_bad_input(tmp_path: Path, snapshot: str) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(snapshot, encoding="utf-8")
    result = runner.invoke(app, ["doctor", "--snapshot", str(path), "--format", "json"])
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)  # --format json: the error is a JSON object on stdout
    assert error["status"] == "error" and "is not a 'kbsolve detect --format json' snapshot" in error["message"]


def test_empty_matrix_directory_is_bad_input_not_a_wrong_answer(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "--matrix", str(tmp_path), "--python", "3.8"])
    assert result.exit_code == 1 and "no *.yaml or *.yml matrix files here" in result.stderr
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1 and "no *.yaml or *.yml matrix files here" in result.stdout
