"""The typed entry points installers call: :func:`plan` (solve + explain)."""

from __future__ import annotations

from typing import Optional

from .explain import explain
from .knowledge import Knowledge, load
from .planning import build_plan
from .query import Query
from .result import PlanResult
from .solver import Unsolvable, solve


def plan(query: Query, knowledge: Optional[Knowledge] = None) -> PlanResult:
    """Solve ``query`` (see :func:`kbsolver.make_query`) against ``knowledge`` (default: the bundled matrix).

    Returns a :class:`PlanResult` with a plan (status ``ok``) or a conflict with reasons and
    suggestions (status ``conflict``). Raises :class:`~kbsolver.errors.DataError` if the bundled
    matrix is invalid.
    """
    knowledge = knowledge or load()
    try:
        solution = solve(knowledge, query)
    except Unsolvable as error:
        return PlanResult(query, conflict=explain(knowledge, query, error))
    return PlanResult(query, plan=build_plan(solution))
