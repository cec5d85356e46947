"""Errors as values: one base class with a stable kebab-case ``reference``, a message, a hint and a location.

The CLI renders these as one line (``file:line:col: message (hint)``) and maps them to exit codes;
no traceback reaches a user.
"""

from __future__ import annotations

from kbsolver.frozen import frozen


@frozen(shared_init=True)
class Location:
    """A position in a file: ``path`` as given, 1-based ``line`` and ``column`` (0 when unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


@frozen(shared_init=True)
class Problem:
    """One finding of data validation: where, what, and the rule (``reference``) that found it."""

    location: Location
    message: str
    reference: str = "invalid-data"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class KbError(Exception):
    """Base of every error kbsolver raises on purpose.

    Attributes: ``reference`` (stable id such as ``unknown-gpu``), ``message``, ``hint`` (a
    suggestion or ``None``), ``location`` (a :class:`Location` or ``None``), ``exit_code``.
    """

    reference = "kbsolver-error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text}; {self.hint}" if self.hint else text


class DataError(KbError):
    """The matrix (or a file given to ``validate``) is invalid; ``problems`` lists every finding."""

    reference = "invalid-data"
    exit_code = 1

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0] if problems else Problem(Location("matrix"), "invalid data")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first.message + more, location=first.location)
        self.problems = problems


class InputError(KbError):
    """A value the user gave (a flag, a file) is not usable; exit code 2."""

    reference = "bad-input"
    exit_code = 2


class UnknownGpuError(InputError):
    """A GPU name that matches no record in the matrix."""

    reference = "unknown-gpu"
