"""Result types of ``plan``: a plan, or a conflict with reasons and verified suggestions.

:meth:`PlanResult.to_dict` produces the JSON contract published as ``schemas/plan.schema.json``
(``schema_version`` 2: steps carry ``shell`` and ``commands``; the driver may carry ``max_version`` and
``installed_on``; suggestions carry ``command``; ``details`` holds the notes a text plan leaves out).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Optional

from kbsolver.frozen import frozen
from kbsolver.knowledge.model import Step
from kbsolver.solve.query import Query

SCHEMA_VERSION = 2


@frozen
class Component:
    """One part of the plan: ``name`` from the contract's vocabulary (tensorflow, python, cuda, cudnn,
    nvidia-driver, macos-cuda-driver, msvc-redist), with ``version`` (or ``min_version`` for the driver floor, and
    ``max_version`` ``"470.*"`` where the GPU's architecture ends with a driver branch). ``installed_on`` is
    ``"windows-host"`` for the driver of a WSL2 plan."""

    name: str
    version: Optional[str] = None
    package: Optional[str] = None
    extra: Optional[str] = None
    min_version: Optional[str] = None
    max_version: Optional[str] = None
    installed_on: Optional[str] = None

    def to_dict(self) -> dict[str, str]:
        data = {"name": self.name, "package": self.package, "extra": self.extra, "version": self.version,
                "min_version": self.min_version, "max_version": self.max_version, "installed_on": self.installed_on}
        return {k: v for k, v in data.items() if v is not None}


@frozen
class Plan:
    """A consistent install plan: components, steps, notes, the source URLs it rests on, and ``details``
    (notes that change nothing the user does, e.g. driver requirements below the binding one)."""

    components: tuple[Component, ...]
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    details: tuple[str, ...] = ()

    def component(self, name: str) -> Optional[Component]:
        """The component called ``name``, or ``None``."""
        return next((c for c in self.components if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"components": [c.to_dict() for c in self.components], "steps": [s.to_dict() for s in self.steps],
                "notes": list(self.notes), "details": list(self.details), "sources": list(self.sources)}


@frozen
class Suggestion:
    """A change to the query (its own keys) that gives a plan; verified by solving again. ``command`` is the
    full ``kbsolve plan`` command line of the changed query."""

    change: dict[str, Any]
    summary: str
    command: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"change": dict(self.change), "summary": self.summary, "command": self.command}


@frozen
class Conflict:
    """Why no plan exists: a one-line ``summary``, the clashing facts, and suggestions."""

    summary: str
    reasons: tuple[str, ...]
    suggestions: tuple[Suggestion, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "reasons": [{"message": r} for r in self.reasons],
                "suggestions": [s.to_dict() for s in self.suggestions]}


@frozen
class PlanResult:
    """The outcome of :func:`kbsolver.plan`: exactly one of ``plan`` and ``conflict`` is set."""

    query: Query
    plan: Optional[Plan] = None
    conflict: Optional[Conflict] = None
    extra_query: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """``"ok"`` or ``"conflict"``."""
        return "ok" if self.plan else "conflict"

    @property
    def exit_code(self) -> int:
        """0 for a plan, 1 for a conflict (the CLI's documented codes)."""
        return 0 if self.plan else 1

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "status": self.status,
                                "query": {**self.query.to_dict(), **self.extra_query}}
        if self.plan:
            data["plan"] = self.plan.to_dict()
        if self.conflict:
            data["conflict"] = self.conflict.to_dict()
        return data
