"""Bounded reading, parsing and external commands: the one place every outside input passes through.

Every file, stream, JSON text, flag value and external command kbsolver touches goes through one of
these guards, so no input can make it hang, grow without bound or end in a traceback:

- :func:`read_bytes` / :func:`read_text` read a regular file up to a byte cap; FIFOs, devices and
  sockets are refused after a ``stat`` (nothing is opened that could block), and text is decoded
  from UTF-8, UTF-8 with BOM or UTF-16 with BOM (what Windows PowerShell 5's ``>`` writes);
- :class:`BoundedStream` caps a stream (standard input) the same way;
- :func:`parse_json` parses with a nesting-depth limit and a limit on the digits of an integer;
- :func:`text_value` / :func:`version_value` reject empty, over-long, control-character and
  (for versions) non-ASCII values before they reach a parser or a lookup;
- :class:`Runner` runs external commands: the program is resolved to an absolute path (never the
  current directory), output is read incrementally up to a cap, each command has a timeout and all
  together a time budget, and the command's whole process group is killed when it ends, so no
  child outlives the caller.

The limits are module constants (documented in the README's "Limits" section). Errors are
:class:`GuardError` values (an :class:`~kbsolver.errors.InputError`, exit code 2) whose message
says what was wrong without naming the input; callers prefix the flag or file.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import sys
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, Optional

from kbsolver.errors import InputError
from kbsolver.frozen import frozen

if TYPE_CHECKING:  # the runner's modules are imported when a command runs (import kbsolver stays light)
    import subprocess
    import threading

KIB = 1024
MIB = 1024 * KIB

MATRIX_FILE_LIMIT = 4 * MIB  #: bytes of one matrix YAML file
SNAPSHOT_LIMIT = 4 * MIB  #: bytes of a ``--snapshot`` JSON file
DETECT_FILE_LIMIT = 4 * MIB  #: bytes read of any one file during detection (the rest is ignored)
ERROR_TEXT_LIMIT = 256 * MIB  #: bytes of an error text (``--error-file``, standard input); the rest is ignored
COMMAND_OUTPUT_LIMIT = 4 * MIB  #: bytes of one command's stdout (and of its stderr)
COMMAND_TIMEOUT = 8.0  #: seconds one external command may run
DETECT_BUDGET = 12.0  #: seconds all external commands of one detection may run together
JSON_DEPTH = 32  #: nesting depth of a JSON document (arrays and objects)
INTEGER_DIGITS = 64  #: digits of an integer in JSON or YAML (Python refuses more than 4300)
VALUE_LENGTH = 200  #: characters of any flag value (an OS, a package)
GPU_NAME_LENGTH = 100  #: characters of a GPU name (the longest NVIDIA product name has under 50)
VERSION_LENGTH = 64  #: characters of a version or version range

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class GuardError(InputError):
    """An input broke a limit or could not be read; ``message`` says why without naming the input
    (``"is too large (...)"``, ``"No such file or directory"``), for callers to prefix (exit code 2)."""

    reference = "input-limit"


# -- reading -----------------------------------------------------------------------------------

def _size(count: int) -> str:
    return f"{count // MIB} MiB" if count >= MIB and count % MIB == 0 else f"{count} bytes"


def _open_regular(path: str | os.PathLike[str], limit: Optional[int] = None) -> int:
    """Open a regular file read-only without blocking; a file descriptor. Raises :class:`GuardError`."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise GuardError("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise GuardError("is not a regular file (a FIFO, device or socket)")
        if limit is not None and info.st_size > limit:
            raise GuardError(f"is too large ({info.st_size} bytes; at most {_size(limit)})")
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # swapped for a FIFO after the stat
            os.close(descriptor)
            raise GuardError("is not a regular file (a FIFO, device or socket)")
    except OSError as error:
        raise GuardError(str(error.strerror or error)) from None
    except (RuntimeError, ValueError) as error:  # a symlink loop on some Pythons; a NUL byte in the path
        raise GuardError(str(error)) from None
    return descriptor


def open_file(path: str | os.PathLike[str]) -> BinaryIO:
    """Open the regular file at ``path`` for reading in binary (FIFOs, devices refused without blocking).

    Read it through :class:`BoundedStream` to cap it. Raises :class:`GuardError`.
    """
    return os.fdopen(_open_regular(path), "rb")


def read_bytes(path: str | os.PathLike[str], limit: int, *, truncate: bool = False) -> bytes:
    """Read the regular file at ``path``: at most ``limit`` bytes.

    A FIFO, device, socket or directory is refused after a ``stat`` (never opened, so never
    blocks); the file is opened with ``O_NONBLOCK`` in case it is swapped for a FIFO meanwhile.
    A file longer than ``limit`` raises, or with ``truncate=True`` gives its first ``limit`` bytes.
    Raises :class:`GuardError` (unreadable, not a regular file, too large).
    """
    descriptor = _open_regular(path, None if truncate else limit)
    chunks: list[bytes] = []
    total = 0
    try:
        while total <= limit:
            chunk = os.read(descriptor, min(MIB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise GuardError(str(error.strerror or error)) from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > limit:
        if not truncate:
            raise GuardError(f"is too large (more than {_size(limit)})")
        data = data[:limit]
    return data


def decode(data: bytes, errors: str = "strict") -> str:
    """Decode file bytes: UTF-16 with BOM, UTF-8 with or without BOM (the BOM is dropped).

    With ``errors="strict"`` undecodable bytes raise :class:`GuardError`; ``"replace"`` replaces them.
    """
    try:
        if data.startswith(_UTF16_BOMS):
            return data.decode("utf-16", errors=errors)
        return data.decode("utf-8-sig", errors=errors)
    except UnicodeDecodeError as error:
        raise GuardError(f"is not UTF-8 or UTF-16 text (byte {error.start + 1}: {error.reason})") from None


def read_text(path: str | os.PathLike[str], limit: int, *, truncate: bool = False, errors: str = "strict") -> str:
    """:func:`read_bytes` then :func:`decode`; raises :class:`GuardError`."""
    return decode(read_bytes(path, limit, truncate=truncate), errors)


class BoundedStream:
    """A binary stream (standard input, an open file) read through a byte cap, decoded to UTF-8.

    ``read(size)`` returns UTF-8 bytes: a UTF-16 stream (with BOM) is transcoded and a UTF-8 BOM
    dropped. After ``limit`` bytes of the source it reports end of file and sets ``truncated``.
    """

    def __init__(self, source: BinaryIO, limit: Optional[int] = None) -> None:
        self._source = source
        self._left = ERROR_TEXT_LIMIT if limit is None else limit
        self._started = False
        self._decoder: Optional[codecs.IncrementalDecoder] = None
        self.truncated = False

    def _raw(self, size: int) -> bytes:
        if self._left <= 0:
            if self._source.read(1):
                self.truncated = True
            return b""
        data = self._source.read(min(max(size, 1), self._left))
        self._left -= len(data)
        return data

    def read(self, size: int = MIB) -> bytes:
        """Up to about ``size`` bytes of UTF-8 text; ``b""`` at the end or past the cap."""
        data = self._raw(size)
        if not self._started and data:
            self._started = True
            while len(data) < 3 and (more := self._raw(3 - len(data))):
                data += more
            if data.startswith(_UTF16_BOMS):
                self._decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
            elif data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8):]
        if self._decoder is not None:
            text = self._decoder.decode(data, final=not data)
            return text.encode("utf-8", errors="replace") if text or not data else self.read(size)
        return data


# -- values ------------------------------------------------------------------------------------

def text_value(flag: str, value: str, limit: int = VALUE_LENGTH) -> str:
    """Check a flag value before any use: not empty, at most ``limit`` characters, no control characters.

    Returns the value stripped of surrounding spaces; raises :class:`GuardError` naming ``flag``.
    """
    text = value.strip()
    if not text:
        raise GuardError(f"{flag}: empty value", hint="leave the flag out to use the default")
    if len(text) > limit:
        raise GuardError(f"{flag}: value too long ({len(text)} characters; at most {limit})")
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise GuardError(f"{flag}: value contains control characters")
    return text


def version_value(flag: str, value: str) -> str:
    """:func:`text_value` for a version or version range: at most :data:`VERSION_LENGTH` ASCII characters.

    Full-width and other non-ASCII digits (``3.８``) are refused: Python's ``int`` would read them.
    """
    text = text_value(flag, value, VERSION_LENGTH)
    if not text.isascii():
        raise GuardError(f"{flag}: '{text}' has non-ASCII characters", hint="write digits as 0-9")
    return text


#: flags whose values are versions or version ranges (checked by :func:`version_value`)
VERSION_FLAGS = ("--python", "--driver", "--tensorflow", "--cuda", "--cudnn", "--compute-capability")


def flag_values(values: Mapping[str, Optional[str]]) -> dict[str, Optional[str]]:
    """Check every given flag value (``{"--gpu": "rtx3060", "--os": None, ...}``) the same way for every command.

    ``None`` (flag not given) passes; an empty, over-long or control-character value raises
    :class:`GuardError`, as does a non-ASCII version. Returns the values stripped.
    """
    checked: dict[str, Optional[str]] = {}
    for flag, value in values.items():
        if value is None:
            checked[flag] = None
        elif flag in VERSION_FLAGS:
            checked[flag] = version_value(flag, value)
        else:
            checked[flag] = text_value(flag, value, GPU_NAME_LENGTH if flag == "--gpu" else VALUE_LENGTH)
    return checked


# -- JSON --------------------------------------------------------------------------------------

def depth_of(data: Any, limit: int) -> int:
    """Nesting depth of lists and dicts in ``data`` (a scalar is 0), counting no further than ``limit + 1``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            level += 1
            deepest = max(deepest, level)
            if level > limit:
                return level
            stack.extend((child, level) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > INTEGER_DIGITS:
        raise ValueError(f"an integer has more than {INTEGER_DIGITS} digits")
    return int(text)


def parse_json(text: str, depth: int = JSON_DEPTH) -> Any:
    """Parse JSON text, nested at most ``depth`` arrays/objects deep, integers of at most :data:`INTEGER_DIGITS` digits.

    Raises :class:`GuardError` ("is not JSON: ...", "is nested too deeply").
    """
    import json  # not at import: the plan path reads no JSON

    try:
        data = json.loads(text, parse_int=_integer)
    except RecursionError:
        raise GuardError(f"is nested too deeply (more than {depth} levels)") from None
    except ValueError as error:
        raise GuardError(f"is not JSON: {error}") from None
    if depth_of(data, depth) > depth:
        raise GuardError(f"is nested too deeply (more than {depth} levels)")
    return data


# -- external commands -------------------------------------------------------------------------

@frozen(shared_init=True)
class Completed:
    """What a command did: ``returncode``, raw ``stdout``/``stderr`` (each at most the output cap), or ``error``."""

    returncode: Optional[int] = None
    stdout: bytes = b""
    stderr: bytes = b""
    error: Optional[str] = None


def resolve_program(name: str, path: str, windows: bool = sys.platform == "win32") -> Optional[str]:
    """The absolute path of program ``name`` found in the directories of ``path`` (``None`` if none).

    Only absolute directories are searched: an empty or relative ``PATH`` entry (the current
    directory) is skipped, so a program planted where kbsolve is run is never started. A ``name``
    with a directory part is taken as given, made absolute. On Windows ``.exe``/``.com`` are tried.
    """
    suffixes = ("",) if not windows or os.path.splitext(name)[1] else (".exe", ".com", "")
    if os.path.dirname(name):
        full = os.path.abspath(name)
        return full if os.path.isfile(full) else None
    for directory in path.split(os.pathsep):
        if not directory or not os.path.isabs(directory):
            continue
        for suffix in suffixes:
            candidate = os.path.join(directory, name + suffix)
            if os.path.isfile(candidate) and (windows or os.access(candidate, os.X_OK)):
                return candidate
    return None


def _drain(pipe: BinaryIO, sink: bytearray, limit: int, overflow: threading.Event) -> None:
    """Read ``pipe`` into ``sink`` until end of file or ``limit`` bytes (then flag ``overflow`` and stop)."""
    try:
        while True:
            chunk = os.read(pipe.fileno(), 64 * KIB)
            if not chunk:
                return
            sink += chunk[: max(0, limit - len(sink))]
            if len(sink) >= limit:
                overflow.set()
                return
    except (OSError, ValueError):
        return


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the process and every process it started (its process group; on Windows its process tree)."""
    import signal
    import subprocess
    if sys.platform == "win32":
        taskkill = os.path.join(os.environ.get("SYSTEMROOT", "C:\\Windows"), "System32", "taskkill.exe")
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([taskkill, "/F", "/T", "/PID", str(process.pid)], capture_output=True, timeout=5, check=False)
        with contextlib.suppress(OSError):
            process.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


class Runner:
    """Runs external commands with bounds: ``timeout`` seconds each, ``budget`` seconds all together,
    ``output_limit`` bytes of stdout and of stderr; ``path`` is the ``PATH`` programs are found in.

    A program that timed out once is not started again (its next call answers at once). Never raises.
    """

    def __init__(self, timeout: float = COMMAND_TIMEOUT, budget: float = DETECT_BUDGET, output_limit: int = COMMAND_OUTPUT_LIMIT,
                 path: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> None:
        self.timeout = timeout
        self.output_limit = output_limit
        self.deadline = time.monotonic() + budget
        self.budget = budget
        self.path = path if path is not None else os.environ.get("PATH", "")
        self.env = dict(env) if env is not None else None
        self._hung: dict[str, str] = {}

    def run(self, argv: Sequence[str], timeout: Optional[float] = None) -> Completed:
        """Run ``argv`` (no shell, standard input closed); see the class for the bounds. Never raises."""
        name = argv[0]
        program = resolve_program(name, self.path)
        if program is None:
            return Completed(error=f"{name} not found")
        if program in self._hung:
            return Completed(error=self._hung[program])
        left = self.deadline - time.monotonic()
        if left <= 0:
            return Completed(error=f"{name} not run: the detection time budget ({self.budget:g} s) is spent")
        wait = min(timeout if timeout is not None else self.timeout, left)
        return self._run(program, [program, *argv[1:]], name, wait)

    def _run(self, program: str, argv: list[str], name: str, wait: float) -> Completed:
        import subprocess
        import threading

        options: dict[str, Any] = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if sys.platform == "win32" \
            else {"start_new_session": True}
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env=self.env, **options)
        except OSError as error:
            return Completed(error=f"{name} could not run: {error.strerror or error}")
        stdout, stderr, overflow = bytearray(), bytearray(), threading.Event()
        readers = [threading.Thread(target=_drain, args=(pipe, sink, self.output_limit, overflow), daemon=True)
                   for pipe, sink in ((process.stdout, stdout), (process.stderr, stderr))]
        for reader in readers:
            reader.start()
        ends = time.monotonic() + wait
        while process.poll() is None and not overflow.is_set() and time.monotonic() < ends:
            overflow.wait(0.01)
        code = process.poll()
        _kill_group(process)  # also the children a finished command left behind
        process.wait()
        for reader in readers:
            reader.join(1.0)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        if overflow.is_set():
            return Completed(error=f"{name} printed more than {_size(self.output_limit)}; stopped")
        if code is None:
            error = f"{name} did not answer within {wait:g} s"
            self._hung[program] = error
            return Completed(error=error)
        return Completed(code, bytes(stdout), bytes(stderr))
