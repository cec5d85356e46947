"""The shared guards: bounded reader, decoder, JSON parser, value checks and command runner."""

from __future__ import annotations

import codecs
import io
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from kbsolver import guards
from kbsolver.errors import InputError
from kbsolver.guards import GuardError

posix = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, /dev/zero and process groups are POSIX")


def _in_thread(function, *args):  # type: ignore[no-untyped-def]
    """Run ``function`` in a daemon thread; its result, or a failure when it blocks for 10 s."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), f"{function.__name__} blocked"
    return outcome


def test_read_bytes_caps_size(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert guards.read_bytes(path, 100) == b"x" * 100
    with pytest.raises(GuardError, match=r"too large \(100 bytes; at most 99 bytes\)"):
        guards.read_bytes(path, 99)
    assert guards.read_bytes(path, 10, truncate=True) == b"x" * 10


@posix
def test_fifo_and_device_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "version.json"
    os.mkfifo(fifo)
    outcome = _in_thread(guards.read_bytes, fifo, 1000)
    assert isinstance(outcome.get("error"), GuardError) and "not a regular file" in str(outcome["error"])
    with pytest.raises(GuardError, match="not a regular file"):
        guards.read_bytes("/dev/zero", 1000, truncate=True)
    with pytest.raises(GuardError, match="not a regular file"):
        guards.open_file("/dev/zero")
    with pytest.raises(GuardError, match="directory"):
        guards.read_bytes(tmp_path, 1000)
    with pytest.raises(GuardError, match="No such file"):
        guards.read_bytes(tmp_path / "missing", 1000)


@posix
def test_symlink_loop_is_an_error_not_a_crash(tmp_path: Path) -> None:
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    with pytest.raises(GuardError, match="symbolic links"):
        guards.read_text(tmp_path / "a", 1000)


@pytest.mark.parametrize("data", ['{"a": "é"}'.encode(), codecs.BOM_UTF8 + '{"a": "é"}'.encode(),
                                  '{"a": "é"}'.encode("utf-16"), codecs.BOM_UTF16_BE + '{"a": "é"}'.encode("utf-16-be")],
                         ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom"])
def test_decode_reads_utf8_and_utf16_with_bom(data: bytes) -> None:
    assert guards.parse_json(guards.decode(data)) == {"a": "é"}


def test_decode_strict_and_replace() -> None:
    with pytest.raises(GuardError, match="not UTF-8 or UTF-16 text"):
        guards.decode(b"caf\xe9")
    assert guards.decode(b"caf\xe9", errors="replace") == "caf\ufffd"


def test_parse_json_bounds_depth_and_digits() -> None:
    assert guards.parse_json("[" * 32 + "]" * 32) is not None
    with pytest.raises(GuardError, match="nested too deeply"):
        guards.parse_json("[" * 33 + "]" * 33)
    with pytest.raises(GuardError, match="nested too deeply"):
        guards.parse_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(GuardError, match="more than 64 digits"):
        guards.parse_json('{"driver": ' + "1" * 5000 + "}")
    with pytest.raises(GuardError, match="is not JSON"):
        guards.parse_json("{")


def test_bounded_stream_stops_at_the_cap_and_transcodes() -> None:
    class Zeros(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            return b"\0" * max(size, 1)

    stream = guards.BoundedStream(Zeros(), limit=5000)  # type: ignore[arg-type]
    total = 0
    while chunk := stream.read(1024):
        total += len(chunk)
    assert total == 5000 and stream.truncated
    utf16 = guards.BoundedStream(io.BytesIO("Illegal instruction\n".encode("utf-16")))
    assert utf16.read() + utf16.read() == b"Illegal instruction\n" and not utf16.truncated
    bom = guards.BoundedStream(io.BytesIO(codecs.BOM_UTF8 + b"DLL load failed"))
    assert bom.read() == b"DLL load failed"


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [("--gpu", "", "--gpu: empty value"), ("--os", "   ", "--os: empty value"),
     ("--gpu", "x" * 101, "--gpu: value too long (101 characters; at most 100)"),
     ("--package", "x" * 201, "--package: value too long"), ("--driver", "1" * 5000, "--driver: value too long"),
     ("--python", "3.８", "--python: '3.８' has non-ASCII characters"), ("--cuda", "١١.٢", "non-ASCII"),
     ("--gpu", "rtx\x003060", "control characters")],
)
def test_flag_values_refuse_bad_values(flag: str, value: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        guards.flag_values({flag: value})
    assert message in str(caught.value) and caught.value.exit_code == 2


def test_flag_values_pass_good_values_stripped() -> None:
    assert guards.flag_values({"--gpu": " RTX 3060 ", "--python": "3.10", "--os": None}) == \
        {"--gpu": "RTX 3060", "--python": "3.10", "--os": None}


def test_resolve_program_never_uses_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    planted = tmp_path / "nvcc"
    planted.write_text("#!/bin/sh\necho planted\n")
    planted.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    assert guards.resolve_program("nvcc", f".{os.pathsep}{os.pathsep}relative/bin") is None
    assert guards.resolve_program("nvcc", str(tmp_path)) == str(planted)
    assert guards.resolve_program("./nvcc", "") == str(planted)  # a path given with a directory is taken as given
    exe = tmp_path / "nvcc.exe"
    exe.write_text("")
    assert guards.resolve_program("nvcc", str(tmp_path), windows=True) == str(exe)


def _script(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie awaiting its parent counts as ended)."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False


@posix
def test_runner_caps_output_of_a_tool_that_never_stops(tmp_path: Path) -> None:
    _script(tmp_path, "nvidia-smi", "exec yes")
    runner = guards.Runner(timeout=5, budget=10, output_limit=64 * 1024, path=str(tmp_path))
    done = runner.run(["nvidia-smi"])
    assert done.error == "nvidia-smi printed more than 65536 bytes; stopped"


@posix
def test_runner_kills_the_process_group_on_timeout_and_after_exit(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    _script(tmp_path, "hangs", f"/bin/sleep 60 & echo $! >> {pids}; echo $$ >> {pids}; exec /bin/sleep 60")
    _script(tmp_path, "leaves", f"/bin/sleep 60 > /dev/null 2>&1 & echo $! >> {pids}; echo done")
    runner = guards.Runner(timeout=0.5, budget=10, path=str(tmp_path))
    assert runner.run(["hangs"]).error == "hangs did not answer within 0.5 s"
    assert runner.run(["hangs"]).error == "hangs did not answer within 0.5 s"  # not started again
    left = runner.run(["leaves"])
    assert left.returncode == 0 and left.stdout == b"done\n"
    numbers = [int(n) for n in pids.read_text().split()]
    assert len(numbers) == 3
    assert [n for n in numbers if not _gone(n)] == []


@posix
def test_runner_budget_bounds_all_commands_together(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        _script(tmp_path, name, "exec /bin/sleep 60")
    runner = guards.Runner(timeout=0.4, budget=0.6, path=str(tmp_path))
    errors = [runner.run([name]).error or "" for name in ("a", "b", "c")]
    assert errors[0] == "a did not answer within 0.4 s"
    assert "did not answer" in errors[1]
    assert errors[2] == "c not run: the detection time budget (0.6 s) is spent"


def test_runner_reports_missing_programs() -> None:
    assert guards.Runner(path="").run(["nvidia-smi"]).error == "nvidia-smi not found"
