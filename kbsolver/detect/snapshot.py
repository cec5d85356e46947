"""A snapshot of a machine: every field with its value and where it was read, or ``None`` and why not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

SCHEMA_VERSION = 1
SECTIONS = ("os", "python", "cpu", "nvidia", "cuda", "cudnn", "msvc", "tensorflow")


@dataclass(frozen=True)
class Field:
    """One detected fact: ``value`` with its ``source`` (file, command, API), or ``value=None`` with a ``reason``."""

    value: Any = None
    source: Optional[str] = None
    reason: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        if self.value is None:
            return {"value": None, "reason": self.reason or "not detected"}
        return {"value": self.value, "source": self.source}

    @classmethod
    def from_dict(cls, data: Any) -> Field:
        if not isinstance(data, Mapping):
            return cls(data, "snapshot file")
        return cls(data.get("value"), data.get("source"), data.get("reason"))


def found(value: Any, source: str) -> Field:
    """A detected value and where it came from."""
    return Field(value, source)


def missing(reason: str) -> Field:
    """A value that could not be read, and why."""
    return Field(None, None, reason)


@dataclass
class Snapshot:
    """Detected facts by section (``os``, ``python``, ``cpu``, ``nvidia``, ``cuda``, ``cudnn``, ``msvc``,
    ``tensorflow``), each a mapping of field name to :class:`Field`."""

    sections: dict[str, dict[str, Field]] = field(default_factory=dict)

    def get(self, section: str, name: str) -> Any:
        """The value of ``section.name`` (``None`` when missing)."""
        item = self.sections.get(section, {}).get(name)
        return item.value if item else None

    def field(self, section: str, name: str) -> Optional[Field]:
        return self.sections.get(section, {}).get(name)

    def set(self, section: str, name: str, value: Field) -> None:
        self.sections.setdefault(section, {})[name] = value

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION,
                **{s: {k: v.to_dict() for k, v in self.sections.get(s, {}).items()} for s in SECTIONS}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        """Rebuild a snapshot saved with :meth:`to_dict`; unknown sections are kept, bad entries skipped."""
        sections: dict[str, dict[str, Field]] = {}
        for name, values in data.items():
            if isinstance(values, Mapping):
                sections[name] = {k: Field.from_dict(v) for k, v in values.items()}
        return cls(sections)
