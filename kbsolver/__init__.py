"""kbsolver: consistent TensorFlow install plans from official compatibility facts.

Typical use::

    import kbsolver
    kb = kbsolver.load()                       # validated matrix (DataError if invalid)
    query = kbsolver.make_query(kb, gpu="rtx3060", python="3.8", os="windows")
    result = kbsolver.plan(query, kb)           # PlanResult: .plan or .conflict
    print(result.to_dict())                     # the JSON contract, schemas/plan.schema.json
"""

from __future__ import annotations

from .api import plan
from .errors import DataError, InputError, KbError, Location, Problem, UnknownGpuError
from .knowledge import Knowledge, check, load
from .query import Query, make_query
from .result import Component, Conflict, Plan, PlanResult, Step, Suggestion

__version__ = "0.1.0"

__all__ = [
    "Component",
    "Conflict",
    "DataError",
    "InputError",
    "KbError",
    "Knowledge",
    "Location",
    "Plan",
    "PlanResult",
    "Problem",
    "Query",
    "Step",
    "Suggestion",
    "UnknownGpuError",
    "__version__",
    "check",
    "load",
    "make_query",
    "plan",
]
