"""The cross-product of machines: every GPU (or compute capability) and CPU-only × Python × platform.

:func:`sweep_queries` lists the queries in a fixed order (devices in matrix order with CPU-only
first, then Pythons oldest first, then :data:`PLATFORMS`); :func:`sweep` answers them with
:func:`kbsolver.plan_many`. The Pythons are those of the ``python-releases`` records; the GPUs
those of the ``gpus`` records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Optional

from kbsolver.api import plan_many
from kbsolver.errors import InputError
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.model import version_key
from kbsolver.knowledge.platforms import normalize_arch, normalize_os, normalize_python
from kbsolver.solve.query import Query, compute_capability, make_query
from kbsolver.solve.result import PlanResult

#: (os, arch) pairs swept: the 64-bit platforms TensorFlow ships wheels for.
PLATFORMS = (("linux", "x86_64"), ("linux", "arm64"), ("windows", "x86_64"), ("macos", "x86_64"), ("macos", "arm64"))


@dataclass(frozen=True)
class Selection:
    """Which part of the cross-product to sweep; empty tuples mean everything.

    ``gpus`` are GPU names or aliases (``"cpu"`` means CPU-only); ``compute_capabilities`` X.Y values
    (used instead of GPUs when ``by`` is ``"compute-capability"``); ``pythons`` X.Y; ``oses`` and
    ``arches`` platform names. Raises :class:`InputError` (via :meth:`resolve`) for unknown values.
    """

    by: str = "gpu"
    gpus: tuple[str, ...] = ()
    compute_capabilities: tuple[str, ...] = ()
    pythons: tuple[str, ...] = ()
    oses: tuple[str, ...] = ()
    arches: tuple[str, ...] = ()


#: The whole cross-product.
EVERYTHING = Selection()


def _devices(knowledge: Knowledge, selection: Selection) -> list[tuple[Optional[str], Optional[str]]]:
    """``(gpu name, compute capability)`` pairs; ``(None, None)`` is CPU-only."""
    if selection.by not in ("gpu", "compute-capability"):
        raise InputError(f"--by: unknown value '{selection.by}'", hint="use gpu or compute-capability")
    if selection.by == "compute-capability":
        if selection.compute_capabilities:
            return list(dict.fromkeys((None, compute_capability(c)) for c in selection.compute_capabilities))
        every = sorted({g.compute_capability for g in knowledge.gpus}, key=version_key)
        return [(None, None)] + [(None, cc) for cc in every]
    if not selection.gpus:
        return [(None, None)] + [(g.name, None) for g in knowledge.gpus]
    found: list[tuple[Optional[str], Optional[str]]] = []
    for name in selection.gpus:
        found.append((None, None) if name.strip().lower() in ("cpu", "none") else (knowledge.find_gpu(name).name, None))
    return list(dict.fromkeys(found))


def sweep_queries(knowledge: Knowledge, selection: Selection = EVERYTHING) -> list[Query]:
    """Every query of the selection, in the sweep's fixed order (see the module docstring)."""
    pythons = [normalize_python(p) for p in selection.pythons] or \
        sorted({r.version for r in knowledge.python_releases}, key=version_key)
    oses = {normalize_os(o) for o in selection.oses}
    arches = {normalize_arch(a) for a in selection.arches}
    platforms = [(o, a) for o, a in PLATFORMS if (not oses or o in oses) and (not arches or a in arches)]
    queries = []
    for gpu, cc in _devices(knowledge, selection):
        for python in dict.fromkeys(pythons):
            for os, arch in platforms:
                queries.append(make_query(knowledge, gpu=gpu, compute_capability_=cc, python=python, os=os, arch=arch))
    return queries


def sweep(knowledge: Knowledge, selection: Selection = EVERYTHING) -> Iterator[PlanResult]:
    """Answer every query of the selection (an iterator, in :func:`sweep_queries` order)."""
    return plan_many(sweep_queries(knowledge, selection), knowledge)


def label(query: Query) -> str:
    """A short name of the machine a query describes: ``"RTX 3060, Python 3.8, linux x86_64"``."""
    device = query.gpu or (f"compute capability {query.compute_capability}" if query.compute_capability else "CPU-only")
    return f"{device}, Python {query.python or 'any'}, {query.os} {query.arch}"


def summary_line(result: PlanResult) -> str:
    """One tab-separated line per answer (for ``kbsolve sweep`` text output)."""
    if result.plan is None:
        return f"{label(result.query)}\tconflict\t{result.conflict.summary if result.conflict else ''}"
    parts = [f"{c.name} {c.version or ('>= ' + c.min_version if c.min_version else '')}".strip()
             for c in result.plan.components]
    return f"{label(result.query)}\tok\t{', '.join(parts)}"


def selection_from(by: str, gpus: Sequence[str], ccs: Sequence[str], pythons: Sequence[str], oses: Sequence[str],
                   arches: Sequence[str]) -> Selection:
    """A :class:`Selection` from CLI option lists."""
    return Selection(by=by, gpus=tuple(gpus), compute_capabilities=tuple(ccs), pythons=tuple(pythons), oses=tuple(oses),
                     arches=tuple(arches))
