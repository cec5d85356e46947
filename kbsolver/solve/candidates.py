"""Candidates and requirements the resolvelib provider works with.

Identifiers are the component names of the plan: ``tensorflow``, ``python``, ``cuda``, ``cudnn``,
``nvidia-driver``, ``msvc-redist`` and ``compute-capability`` (the GPU, a fixed fact).
A requirement is a named predicate with a plain-words ``text`` used in explanations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import Any, Optional

from kbsolver.frozen import frozen
from kbsolver.knowledge.model import CudaTargets, Distribution, Record, TestedBuild, WheelRelease

TENSORFLOW = "tensorflow"
PYTHON = "python"
CUDA = "cuda"
CUDNN = "cudnn"
DRIVER = "nvidia-driver"
MSVC = "msvc-redist"
COMPUTE = "compute-capability"


@frozen
class Candidate:
    """A concrete choice for one identifier: ``name`` (the identifier) and ``version`` (as written).

    ``records`` are the matrix records this choice rests on (their sources go into the plan).
    """

    name: str
    version: Optional[str]
    records: tuple[Record, ...] = field(default=(), compare=False, repr=False)


@frozen
class TensorflowCandidate(Candidate):
    """A TensorFlow release of one distribution, with what its build needs.

    ``pythons`` are the X.Y versions its wheels cover on the target platform; ``cuda``/``cudnn``
    come from the tested-build row of its minor release (GPU builds only); ``targets`` the
    SASS/PTX compute capabilities of its GPU build.
    """

    package: str = ""
    extra: Optional[str] = None
    device: str = "cpu"
    pythons: frozenset[str] = frozenset()
    cuda: Optional[str] = None
    cudnn: Optional[str] = None
    cuda_from: Optional[str] = None
    distribution: Optional[Distribution] = field(default=None, compare=False, repr=False)
    build: Optional[TestedBuild] = field(default=None, compare=False, repr=False)
    wheel: Optional[WheelRelease] = field(default=None, compare=False, repr=False)
    targets: Optional[CudaTargets] = field(default=None, compare=False, repr=False)

    @property
    def requirement_text(self) -> str:
        """The pip requirement that installs this candidate: ``tensorflow[and-cuda]==2.16.2``."""
        extra = f"[{self.extra}]" if self.extra else ""
        return f"{self.package}{extra}=={self.version}"


@frozen
class Requirement:
    """A constraint on one identifier: ``test`` decides whether a candidate satisfies it.

    ``text`` says it in plain words ("TensorFlow 2.10.1 has wheels for Python 3.7-3.10");
    ``key`` names the query fact it comes from (``python``, ``os``...) for root requirements;
    ``bound`` is the lower bound of an "X or newer" requirement (driver floors, MSVC runtime);
    ``ceiling`` the last driver branch of an "R470 or older" requirement (``"470"``).
    """

    name: str
    text: str
    test: Callable[[Any], bool] = field(compare=False)
    key: Optional[str] = None
    bound: Optional[str] = None
    ceiling: Optional[str] = None

    def __repr__(self) -> str:
        return f"Requirement({self.name}: {self.text})"
