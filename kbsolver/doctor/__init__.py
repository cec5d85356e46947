"""``kbsolve doctor``: ranked findings from a snapshot, declared facts and an error text.

:func:`diagnose` runs every rule of :mod:`kbsolver.doctor.rules`, keeps the findings that fired,
and ranks them most likely first. When the fix is a new install, a finding carries the plan that
``kbsolve plan`` gives for the machine's facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from ..detect.snapshot import Snapshot
from ..errors import KbError
from ..knowledge import Knowledge
from .errortext import ErrorText, read_error
from .facts import Facts, apply_declared, from_snapshot
from .rules import BENIGN, FINDING_IDS, RULES, Context, Finding

__all__ = ["FINDING_IDS", "DoctorReport", "ErrorText", "Facts", "Finding", "diagnose", "read_error"]

SCHEMA_VERSION = 1


@dataclass
class DoctorReport:
    """Ranked ``findings`` (most likely first), the ``snapshot`` used, and informational ``notes``."""

    findings: list[Finding]
    snapshot: Optional[Snapshot]
    facts: Facts
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when nothing is wrong, 1 when findings exist."""
        return 1 if self.findings else 0

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "findings": [f.to_dict() for f in self.findings], "notes": self.notes,
                "snapshot": self.snapshot.to_dict() if self.snapshot else None}


def _planner(knowledge: Knowledge, facts: Facts) -> Any:
    """A function ``changes -> plan JSON`` for the facts' machine, or ``None`` when the facts are too thin."""
    from ..api import plan
    from ..query import make_query

    def run(changes: dict[str, Any]) -> Optional[dict[str, Any]]:
        flags = {"os": facts.os, "arch": "x86" if facts.python_bits == 32 else facts.arch, "python": facts.python,
                 "driver": facts.driver}
        flags.update(changes)
        if not flags.get("os"):
            return None
        gpu = facts.gpu if facts.compute_capability is None else None
        try:
            query = make_query(knowledge, gpu=gpu, compute_capability_=facts.compute_capability, **flags)
            query = query.changed(gpu=facts.gpu) if facts.gpu and facts.compute_capability else query
            return plan(query, knowledge).to_dict()
        except KbError:
            return None

    return run


def diagnose(knowledge: Knowledge, snapshot: Optional[Snapshot] = None, declared: Optional[dict[str, Any]] = None,
             error: Optional[ErrorText] = None) -> DoctorReport:
    """Diagnose a TensorFlow install.

    ``snapshot`` is a detection snapshot (or ``None`` for declared facts only); ``declared`` holds
    normalised facts that override it (os, arch, python, gpu + compute_capability, driver, tensorflow,
    package, cuda, cudnn); ``error`` is the error text read with :func:`read_error`. Never raises on input.
    """
    facts = apply_declared(from_snapshot(snapshot), declared or {})
    error = error or read_error(None)
    context = Context(knowledge, facts, error, _planner(knowledge, facts))
    found: dict[str, Finding] = {}
    for rule in RULES:
        finding = rule(context)
        if finding is not None and (finding.id not in found or finding.score > found[finding.id].score):
            found[finding.id] = finding
    order = {rule.__name__.replace("_", "-"): index for index, rule in enumerate(RULES)}
    findings = sorted(found.values(), key=lambda f: (-round(f.score, 2), order.get(f.id, 99)))
    notes = [note for pattern, note in BENIGN.items() if error.search(re.compile(pattern, re.I))]
    if error.truncated:
        notes.append("The error text was long: its first and last lines and every line with a keyword were read.")
    if error.binary:
        notes.append("The error text contained binary data; undecodable bytes were replaced.")
    return DoctorReport(findings, snapshot, facts, notes)
