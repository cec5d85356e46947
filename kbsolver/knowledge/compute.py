"""How a GPU of a given compute capability runs a build: natively (SASS), through PTX JIT, or not at all.

The rule is NVIDIA's binary compatibility (CUDA C++ Programming Guide, "Binary Compatibility" and
"PTX Compatibility", https://docs.nvidia.com/cuda/cuda-c-programming-guide/#binary-compatibility):
a cubin built for ``sm_XY`` runs on compute capability ``X.Z`` with ``Z >= Y`` (same major only);
PTX built for ``compute_XY`` can be JIT-compiled by the driver for any compute capability ``>= X.Y``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Optional

SASS = "sass"
PTX = "ptx"


@lru_cache(maxsize=1024)
def _split(cc: str) -> tuple[int, int]:
    major, _, minor = cc.rstrip("af").partition(".")
    return int(major), int(minor or 0)


def runs_as(cc: str, sass: Iterable[str], ptx: Iterable[str]) -> Optional[str]:
    """Return ``"sass"`` if a shipped cubin runs on ``cc``, else ``"ptx"`` if shipped PTX can be JIT-compiled
    for it, else ``None``. Compute capabilities are ``"X.Y"`` strings."""
    return _runs_as(cc, tuple(sass), tuple(ptx))


@lru_cache(maxsize=4096)
def _runs_as(cc: str, sass: tuple[str, ...], ptx: tuple[str, ...]) -> Optional[str]:
    major, minor = _split(cc)
    if any(_split(s)[0] == major and _split(s)[1] <= minor for s in sass):
        return SASS
    if any(_split(p) <= (major, minor) for p in ptx):
        return PTX
    return None


def lowest(ccs: Iterable[str]) -> Optional[str]:
    """The lowest compute capability in ``ccs`` (``None`` if empty)."""
    return min(ccs, key=_split, default=None)


def highest(ccs: Iterable[str]) -> Optional[str]:
    """The highest compute capability in ``ccs`` (``None`` if empty)."""
    return max(ccs, key=_split, default=None)
