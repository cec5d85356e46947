"""Joint resolution of TensorFlow, Python, CUDA, cuDNN, driver floor and MSVC runtime with resolvelib.

The core knows nothing of YAML or the CLI: it takes a :class:`~kbsolver.knowledge.Knowledge` and a
:class:`~kbsolver.solve.query.Query` and returns the chosen candidates, or raises :class:`Unsolvable`
with resolvelib's causes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Optional

from resolvelib import BaseReporter, Resolver
from resolvelib.resolvers import ResolutionImpossible, ResolutionTooDeep

from kbsolver.frozen import frozen
from kbsolver.knowledge import Knowledge
from kbsolver.solve.candidates import Candidate, Requirement, TensorflowCandidate
from kbsolver.solve.factory import Factory
from kbsolver.solve.memo import memo_of
from kbsolver.solve.provider import Provider
from kbsolver.solve.query import Query

__all__ = ["Candidate", "Factory", "Requirement", "Solution", "TensorflowCandidate", "Unsolvable", "solve"]

MAX_ROUNDS = 20000


@frozen
class Solution:
    """A consistent choice: ``chosen`` maps identifier -> candidate; ``factory`` made them."""

    chosen: dict[str, Candidate]
    factory: Factory

    @property
    def tensorflow(self) -> TensorflowCandidate:
        return self.chosen["tensorflow"]  # type: ignore[return-value]


Causes = list[tuple[Requirement, Optional[Candidate]]]


class Unsolvable(Exception):
    """No consistent plan: ``causes`` are ``(requirement, parent candidate or None)`` pairs.

    ``causes`` may be given as a function: it is then called once, when they are first read
    (resolvelib's own account of a failure costs a full search; most callers only need the verdict).
    """

    def __init__(self, causes: Causes | Callable[[], Causes]) -> None:
        super().__init__("no consistent plan")
        self._causes = causes

    @property
    def causes(self) -> Causes:
        if callable(self._causes):
            self._causes = self._causes()
        return self._causes


def solve(knowledge: Knowledge, query: Query) -> Solution:
    """Resolve ``query`` against ``knowledge``; prefers the newest TF release, then its newest patch.

    Returns a :class:`Solution`; raises :class:`Unsolvable` when the declared facts admit no plan.
    Each query is resolved once per knowledge (:mod:`kbsolver.solve.memo`); the outcome is reused, so
    the explanation of a conflict and its suggestions' checks share earlier solves.
    """
    memo = memo_of(knowledge)
    outcome = memo.get("solve", query)
    if outcome is None:
        try:
            outcome = _resolve(knowledge, query, prune=True)
        except Unsolvable:
            outcome = _Failure(knowledge, query)
        outcome = memo.put("solve", query, outcome)
    if isinstance(outcome, Solution):
        return outcome
    raise Unsolvable(outcome.causes)


class _Failure:
    """A memoised failed solve; resolvelib's causes are found (once, without pruning) when first asked for."""

    def __init__(self, knowledge: Knowledge, query: Query) -> None:
        self._knowledge, self._query = knowledge, query
        self._causes: Optional[Causes] = None
        self._lock = threading.Lock()

    def causes(self) -> Causes:
        with self._lock:
            if self._causes is None:
                try:
                    _resolve(self._knowledge, self._query, prune=False)
                    self._causes = []  # pruning only removes candidates no solution can use: not reached
                except Unsolvable as error:
                    self._causes = list(error.causes)
            return list(self._causes)


def _resolve(knowledge: Knowledge, query: Query, prune: bool = False) -> Solution:
    """One resolvelib run. ``prune`` drops TensorFlow candidates that the fixed facts rule out before the
    search (:meth:`Factory.viable`): the same solution, found without trying each of them."""
    factory = Factory(knowledge, query)
    resolver: Resolver = Resolver(Provider(factory, prune), BaseReporter())
    try:
        result = resolver.resolve(factory.root_requirements(), max_rounds=MAX_ROUNDS)
    except ResolutionImpossible as error:
        raise Unsolvable([(c.requirement, c.parent) for c in error.causes]) from None
    except ResolutionTooDeep:
        raise Unsolvable([]) from None
    return Solution(dict(result.mapping), factory)
