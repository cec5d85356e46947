"""kbsolver: consistent TensorFlow install plans from official compatibility facts.

Typical use::

    import kbsolver
    kb = kbsolver.load()                       # validated matrix (DataError if invalid)
    query = kbsolver.make_query(kb, gpu="rtx3060", python="3.8", os="windows")
    result = kbsolver.plan(query, kb)           # PlanResult: .plan or .conflict
    print(result.to_dict())                     # the JSON contract, schemas/plan.schema.json
    for result in kbsolver.plan_many(queries, kb):  # many queries, one memo (iterator)
        ...

    snapshot = kbsolver.detect()                # this machine; every field with value and source
    report = kbsolver.diagnose(kb, snapshot, {}, kbsolver.read_error("ImportError: DLL load failed ..."))
    report.findings[0].id                       # e.g. "msvc-runtime-missing"

    env = kbsolver.Environment(os="linux", tensorflow="2.12.0", compute_capability="8.6", driver="450.80.02")
    kbsolver.check(kb, env).violations          # the solver's requirements the installed versions break
    kbsolver.validate()                         # problems in the bundled matrix (empty list: valid)
"""

from __future__ import annotations

from typing import Any

from kbsolver.api import detected_flags, plan, plan_many
from kbsolver.detect import Snapshot, detect
from kbsolver.errors import DataError, InputError, KbError, Location, Problem, UnknownGpuError
from kbsolver.knowledge import Knowledge, load
from kbsolver.knowledge import check as validate
from kbsolver.solve.query import Query, make_query
from kbsolver.solve.result import Component, Conflict, Plan, PlanResult, Step, Suggestion

__version__ = "0.1.0"

__all__ = [
    "CheckReport",
    "Component",
    "Conflict",
    "DataError",
    "DoctorReport",
    "Environment",
    "Finding",
    "InputError",
    "KbError",
    "Knowledge",
    "Location",
    "Plan",
    "PlanResult",
    "Problem",
    "Query",
    "Snapshot",
    "Step",
    "Suggestion",
    "UnknownGpuError",
    "Violation",
    "__version__",
    "check",
    "detect",
    "detected_flags",
    "diagnose",
    "load",
    "make_query",
    "plan",
    "plan_many",
    "read_error",
    "validate",
]

#: Names imported on first use, so that ``import kbsolver`` stays light on the plan path.
_LAZY = {"DoctorReport": "doctor", "Finding": "doctor", "diagnose": "doctor", "read_error": "doctor",
         "CheckReport": "solve.check", "Environment": "solve.check", "Violation": "solve.check", "check": "solve.check"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
