"""Safe reading of an error text: any bytes in, a bounded list of decoded lines out.

Error texts come from users: empty, binary, non-UTF-8, or a 100 MB log. The reader decodes with
replacement, drops NUL and control bytes, caps line length and keeps the first and last lines of
a huge text plus every line that mentions a keyword the rules look for — so the rules always run on
a small input and nothing a user pastes can crash or stall the doctor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO, Union

MAX_LINE = 2000  # characters kept of one line
HEAD = 400  # lines always kept from the start
TAIL = 400  # lines always kept from the end
MAX_KEPT = 5000  # keyword lines kept from the middle
CHUNK = 1 << 20

KEYWORDS = re.compile(
    r"could not|cannot|can't|couldn't|unable|failed|fail|error|not found|no such|no distributions|illegal|instruction|"
    r"insufficient|async|crash|exit|older|batch|видеокарт|no module named|piwheels|path|32[- ]?bit|sm_\d|channels|win-32|"
    r"on cpu|doesn't work|does not work|library_path|lxss|"
    r"capability|satisf|supported|no matching|win32|dll|\.so\b|\.so\.|ptx|kernel|too old|mismatch|removed|"
    r"gpus? available|oom|exhaust|memory|loaded runtime|skipping|dump|abort|driver|version|cuda|cudnn|nvidia|gpu|"
    r"avx|python|tensorflow[-_ ]|visual c|runtime|\[\]|intel|amd|pentium|celeron|xeon|atom|phenom|athlon|core"
)  # a cheap prefilter for the middle of a long text, matched against the lower-cased line (faster than re.I on long
#    non-ASCII lines); a test keeps every example line of matrix/symptoms.yaml passing it
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ErrorText:
    """The lines kept from an error text (1-based ``numbers`` in the original), and whether some were dropped."""

    lines: tuple[str, ...]
    numbers: tuple[int, ...]
    truncated: bool = False
    binary: bool = False

    def __bool__(self) -> bool:
        return any(line.strip() for line in self.lines)

    def search(self, pattern: re.Pattern[str]) -> tuple[int, str, re.Match[str]] | None:
        """The first kept line matching ``pattern``: (original line number, line, match)."""
        for number, line in zip(self.numbers, self.lines):
            match = pattern.search(line)
            if match:
                return number, line, match
        return None

    def find_all(self, pattern: re.Pattern[str]) -> list[tuple[int, str, re.Match[str]]]:
        return [(n, line, m) for n, line in zip(self.numbers, self.lines) for m in [pattern.search(line)] if m]


def _clean(line: str) -> str:
    line = _CONTROL.sub("", line.rstrip("\r\n"))
    return line if len(line) <= MAX_LINE else line[:MAX_LINE] + " [...]"


def _lines(chunks: Iterable[bytes]) -> Iterable[tuple[str, bool]]:
    """Decoded lines of a byte stream, and whether the line held NUL bytes (a sign of binary input).

    A "line" of megabytes keeps its first ``MAX_LINE * 4`` bytes; the rest of it is skipped up to its
    newline, so the numbers of the lines after it stay right.
    """
    rest = b""
    skipping = False  # inside an over-long line whose start was already yielded
    for chunk in chunks:
        data = rest + chunk
        parts = data.split(b"\n")
        rest = parts.pop()
        if skipping and parts:  # the over-long line ends in this chunk
            parts.pop(0)
            skipping = False
        elif skipping:
            rest = b""
            continue
        for part in parts:
            yield part[: MAX_LINE * 4].decode("utf-8", errors="replace"), b"\x00" in part
        if len(rest) > MAX_LINE * 4:  # a "line" of megabytes: keep its start, skip the rest of it
            yield rest[: MAX_LINE * 4].decode("utf-8", errors="replace"), b"\x00" in rest
            rest = b""
            skipping = True
    if rest and not skipping:
        yield rest[: MAX_LINE * 4].decode("utf-8", errors="replace"), b"\x00" in rest


def read_error(source: Union[str, bytes, BinaryIO, None]) -> ErrorText:
    """Read an error text from a string, bytes or a binary stream; never raises on content."""
    if source is None:
        return ErrorText((), ())
    if isinstance(source, str):
        source = source.encode("utf-8", errors="replace")
    if isinstance(source, bytes):
        chunks: Iterable[bytes] = (source[i:i + CHUNK] for i in range(0, len(source), CHUNK)) if source else ()
    else:
        stream = source
        chunks = iter(lambda: stream.read(CHUNK), b"")
    head: list[tuple[int, str]] = []
    middle: list[tuple[int, str]] = []
    tail: list[tuple[int, str]] = []
    truncated = binary = False
    for number, (line, has_nul) in enumerate(_lines(chunks), 1):
        binary = binary or has_nul
        cleaned = _clean(line)
        if number <= HEAD:
            head.append((number, cleaned))
            continue
        tail.append((number, cleaned))
        if len(tail) > TAIL:
            dropped = tail.pop(0)
            if len(middle) < MAX_KEPT and KEYWORDS.search(dropped[1].lower()):
                middle.append(dropped)
            else:
                truncated = True
    kept = head + middle + tail
    return ErrorText(tuple(line for _, line in kept), tuple(n for n, _ in kept), truncated, binary)
