"""Joint resolution of TensorFlow, Python, CUDA, cuDNN, driver floor and MSVC runtime with resolvelib.

The core knows nothing of YAML or the CLI: it takes a :class:`~kbsolver.knowledge.Knowledge` and a
:class:`~kbsolver.query.Query` and returns the chosen candidates, or raises :class:`Unsolvable`
with resolvelib's causes.
"""

from __future__ import annotations

from dataclasses import dataclass

from resolvelib import BaseReporter, Resolver
from resolvelib.resolvers import ResolutionImpossible, ResolutionTooDeep

from ..knowledge import Knowledge
from ..memo import memo_of
from ..query import Query
from .factory import Factory
from .model import Candidate, Requirement, TensorflowCandidate
from .provider import Provider

__all__ = ["Candidate", "Factory", "Requirement", "Solution", "TensorflowCandidate", "Unsolvable", "solve"]

MAX_ROUNDS = 20000


@dataclass(frozen=True)
class Solution:
    """A consistent choice: ``chosen`` maps identifier -> candidate; ``factory`` made them."""

    chosen: dict[str, Candidate]
    factory: Factory

    @property
    def tensorflow(self) -> TensorflowCandidate:
        return self.chosen["tensorflow"]  # type: ignore[return-value]


class Unsolvable(Exception):
    """No consistent plan: ``causes`` are ``(requirement, parent candidate or None)`` pairs."""

    def __init__(self, causes: list[tuple[Requirement, Candidate | None]]) -> None:
        super().__init__("no consistent plan")
        self.causes = causes


def solve(knowledge: Knowledge, query: Query) -> Solution:
    """Resolve ``query`` against ``knowledge``; prefers the newest TF release, then its newest patch.

    Returns a :class:`Solution`; raises :class:`Unsolvable` when the declared facts admit no plan.
    Each query is resolved once per knowledge (:mod:`kbsolver.memo`); the outcome is reused, so
    the explanation of a conflict and its suggestions' checks share earlier solves.
    """
    memo = memo_of(knowledge)
    outcome = memo.get("solve", query)
    if outcome is None:
        try:
            outcome = _resolve(knowledge, query)
        except Unsolvable as error:
            outcome = tuple(error.causes)
        outcome = memo.put("solve", query, outcome)
    if isinstance(outcome, Solution):
        return outcome
    raise Unsolvable(list(outcome))


def _resolve(knowledge: Knowledge, query: Query) -> Solution:
    factory = Factory(knowledge, query)
    resolver: Resolver = Resolver(Provider(factory), BaseReporter())
    try:
        result = resolver.resolve(factory.root_requirements(), max_rounds=MAX_ROUNDS)
    except ResolutionImpossible as error:
        raise Unsolvable([(c.requirement, c.parent) for c in error.causes]) from None
    except ResolutionTooDeep:
        raise Unsolvable([]) from None
    return Solution(dict(result.mapping), factory)
