"""The resolvelib provider: answers resolvelib's five questions by asking the :class:`Factory`.

It never looks inside the data; preference only orders identifiers (fixed facts first, then
TensorFlow, then what TensorFlow pulls in) — candidate order comes from the factory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from resolvelib import AbstractProvider

from kbsolver.solve.candidates import COMPUTE, CUDA, CUDNN, DRIVER, MSVC, PYTHON, TENSORFLOW, Candidate, Requirement
from kbsolver.solve.factory import Factory

ORDER = (COMPUTE, DRIVER, TENSORFLOW, CUDA, CUDNN, PYTHON, MSVC)


class Provider(AbstractProvider):  # type: ignore[misc]
    """resolvelib provider over a :class:`Factory` (identifiers are component names)."""

    def __init__(self, factory: Factory, prune: bool = False) -> None:
        self.factory = factory
        self.prune = prune

    def identify(self, requirement_or_candidate: Requirement | Candidate) -> str:
        return requirement_or_candidate.name

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Any:
        fixed_python = identifier == PYTHON and self.factory.query.python is not None
        return (0 if fixed_python else 1, ORDER.index(identifier) if identifier in ORDER else len(ORDER))

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Requirement]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Iterable[Candidate]:
        wanted = [r.test for r in requirements[identifier]]
        bad = set(incompatibilities[identifier])
        candidates = self.factory.candidates(identifier)
        if bad:  # usually empty: then no candidate needs hashing
            candidates = [c for c in candidates if c not in bad]
        found = list(candidates)
        for test in wanted:  # one requirement at a time: the same candidates, in the same order, as all(...)
            found = [c for c in found if test(c)]
        if self.prune and identifier == TENSORFLOW:  # lazily: the search usually stops at the first viable one
            viable = self.factory.viable
            return lambda: (c for c in found if viable(c))  # type: ignore[arg-type]
        return found

    def is_satisfied_by(self, requirement: Requirement, candidate: Candidate) -> bool:
        return requirement.test(candidate)

    def get_dependencies(self, candidate: Candidate) -> Iterable[Requirement]:
        return self.factory.dependencies(candidate)
