"""Conflict -> plain words: which declared facts clash, and the smallest changes that give a plan.

Reasons are computed fact by fact, in a fixed order (platform first, then Python, the GPU build's
OS, the GPU's compute capability, the driver, the requested TensorFlow range): for each fact, the
TensorFlow releases it admits on the platform. Facts whose admitted releases do not overlap are
named as the clash ("Python 3.12 needs TensorFlow >= 2.16; native-Windows GPU builds end at 2.10").
When every fact fits on its own, the resolver's own causes are reported instead.

Suggestions change one query key at a time (Python, OS via WSL2, 64-bit Python, driver, the TF
range, CPU-only), then pairs with a Python change; each is kept only if solving again gives a plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, Optional

from kbsolver.frozen import frozen
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.compute import highest, runs_as
from kbsolver.knowledge.model import minor_of, spec_contains, version_key
from kbsolver.solve import Candidate, Factory, Requirement, Solution, TensorflowCandidate, Unsolvable, solve
from kbsolver.solve.candidates import COMPUTE, CUDA, DRIVER
from kbsolver.solve.factory import JETSON, version_range
from kbsolver.solve.query import Query
from kbsolver.solve.result import Conflict, Suggestion

#: What exists outside the official wheels for a CPU without AVX (not planned: the matrix has no such builds).
NO_AVX_ELSEWHERE = ("outside the official wheels: conda-forge builds its linux-64 tensorflow for x86-64 microarchitecture "
                    "level 1 too (no AVX; its tensorflow-sse3 package exists only in that build: "
                    "https://github.com/conda-forge/tensorflow-feedstock/pull/428), and TensorFlow's maintainers point to "
                    "building from source "
                    "(https://github.com/tensorflow/tensorflow/issues/46496, https://www.tensorflow.org/install/source)")


@frozen
class Fact:
    """One declared fact and the TensorFlow candidates it admits."""

    key: str
    admitted: frozenset[TensorflowCandidate]
    message: str
    elsewhere: bool = False  # admits releases of another device/OS build on this platform


def _bound(version: str, admitted: frozenset[str], pool: frozenset[str]) -> str:
    """Show a bound as its minor ("2.16") when every release of that minor in the pool is admitted."""
    minor = minor_of(version)
    same_minor = {v for v in pool if minor_of(v) == minor}
    return minor if same_minor <= admitted else version


def _range(admitted: Iterable[TensorflowCandidate], pool: Iterable[TensorflowCandidate]) -> str:
    """Describe the TF versions ``admitted`` out of ``pool``: ">= 2.16", "<= 2.10", "2.4 to 2.6"."""
    return _version_range(frozenset(c.version or "0" for c in admitted), frozenset(c.version or "0" for c in pool))


@lru_cache(maxsize=4096)
def _version_range(admitted: frozenset[str], pool: frozenset[str]) -> str:
    versions = sorted(admitted, key=version_key)
    everything = sorted(pool, key=version_key)
    if not versions:
        return "no release"
    low, high = _bound(versions[0], admitted, pool), _bound(versions[-1], admitted, pool)
    if versions[-1] == everything[-1] and versions[0] == everything[0]:
        return "any release"
    if versions[-1] == everything[-1]:
        return f">= {low}"
    if versions[0] == everything[0]:
        return f"<= {high}"
    return low if low == high else f"{low} to {high}"


def facts(knowledge: Knowledge, query: Query) -> tuple[list[Fact], list[str]]:
    """The per-fact view of a query: admitted TF candidates per fact, and platform-level reasons."""
    factory = Factory(knowledge, query)
    cpu = factory.tensorflow_candidates("cpu")
    gpu = factory.tensorflow_candidates("gpu") if query.device == "gpu" else []
    pool = gpu if query.device == "gpu" else cpu
    platform = f"{query.os} {query.arch}"
    if not cpu and not gpu:
        if query.arch == "x86":
            return [], ["official TensorFlow wheels are 64-bit only: PyPI has no 32-bit (win32/i686) wheel of any release"]
        return [], [f"PyPI has no TensorFlow wheel for {platform}"]
    found: list[Fact] = []
    if query.python:
        everywhere = cpu + gpu
        admitted = [c for c in everywhere if query.python in c.pythons]
        text = (f"Python {query.python} needs TensorFlow {_range(admitted, everywhere)}" if admitted
                else f"no TensorFlow release has a Python {query.python} wheel for {platform}")
        found.append(Fact("python", frozenset(c for c in pool if query.python in c.pythons), text, bool(admitted)))
    if query.device == "gpu":
        if factory.jetson:
            return found, [JETSON]
        if not gpu:
            return found, [_no_gpu_build(knowledge, query)]
        newest = max((c.version or "0" for c in cpu + gpu), key=version_key)
        last = max((c.version or "0" for c in gpu), key=version_key)
        label = {"windows": "native-Windows", "macos": "macOS", "linux": "Linux"}[query.os]
        built = frozenset(c.version or "0" for c in gpu)
        text = (f"{label} GPU builds end at {_bound(last, built, built)}" if version_key(last) < version_key(newest)
                else f"{label} GPU builds cover TensorFlow {_range(gpu, cpu + gpu)}")
        if query.python and not any(query.python in c.pythons for c in gpu):
            text += f" (their {platform} wheels are for Python {version_range(p for c in gpu for p in c.pythons)})"
        found.append(Fact("os", frozenset(gpu), text))
        found.append(compute_fact(factory, gpu))
        impossible = [r for r in factory.compute_dependencies(Candidate(COMPUTE, query.compute_capability))
                      if r.name == DRIVER and not r.test(Candidate(DRIVER, None))]
        if impossible:
            found.append(Fact("gpu", frozenset(), impossible[0].text))
        if query.driver:
            found.append(_driver_fact(factory, gpu))
    if query.avx is False:
        admitted = [c for c in pool if not factory.needs_avx(c.version or "0")]
        text = (f"a CPU without AVX runs official wheels {_range(admitted, pool)} only (TensorFlow 1.6 and later "
                f"use AVX: TF 1.6.0 release notes); {NO_AVX_ELSEWHERE}" if admitted else
                f"a CPU without AVX runs no official wheel here: official wheels use AVX from TensorFlow 1.6 (TF 1.6.0 "
                f"release notes); {NO_AVX_ELSEWHERE}")
        found.append(Fact("avx", frozenset(admitted), text))
    if query.tensorflow:
        found.append(Fact("tensorflow", frozenset(c for c in pool if spec_contains(query.tensorflow, c.version or "0")),
                          f"you asked for TensorFlow {query.tensorflow}"))
    return found, []


def _no_gpu_build(knowledge: Knowledge, query: Query) -> str:
    gpu_dists = [d for d in knowledge.distributions if d.device == "gpu" and query.os in d.os and d.cuda_from]
    if not gpu_dists:
        return f"TensorFlow has no CUDA GPU build for {query.os}"
    return f"TensorFlow has no CUDA GPU build for {query.os} {query.arch}"


def compute_fact(factory: Factory, gpu: list[TensorflowCandidate]) -> Fact:
    """The TF GPU builds that run on the GPU: their own SASS/PTX, and a CUDA whose libraries target it."""
    query = factory.query
    cc = query.compute_capability or ""
    name = f"{query.gpu} (compute capability {cc})" if query.gpu else f"compute capability {cc}"
    by_build = [c for c in gpu if c.targets is None or runs_as(cc, c.targets.sass, c.targets.ptx)]
    admitted = [c for c in by_build if factory.cuda_supports(c.cuda or "", cc)]
    if admitted:
        return Fact("gpu", frozenset(admitted), f"{name} is supported by TensorFlow GPU builds {_range(admitted, gpu)}")
    if by_build:
        newest = max((c.cuda or "0" for c in by_build), key=version_key)
        top = highest(factory.cuda_targets(newest))
        return Fact("gpu", frozenset(), f"{name} is supported by no TensorFlow GPU build: the newest CUDA they use, "
                                        f"{newest}, targets compute capabilities up to {top} (its libraries carry no "
                                        "kernels for this GPU)")
    return Fact("gpu", frozenset(), f"{name} is supported by no TensorFlow GPU build{_lowest_targets(gpu)}")


def _lowest_targets(gpu: list[TensorflowCandidate]) -> str:
    """": the lowest compute capability any of ``gpu`` ships SASS or PTX for (which releases, which need more)", or ""
    when no build's targets are known. A GPU below every build's lowest target can run none of them (SASS runs on its
    own major only, PTX JIT-compiles only upwards: CUDA C++ Programming Guide, binary and PTX compatibility)."""
    lowest: dict[TensorflowCandidate, str] = {}
    for candidate in gpu:
        shipped = (*candidate.targets.sass, *candidate.targets.ptx) if candidate.targets else ()
        if shipped:
            lowest[candidate] = min(shipped, key=version_key)
    if not lowest:
        return ""
    floor = min(lowest.values(), key=version_key)
    at_floor = [c for c, cc in lowest.items() if cc == floor]
    text = f": the lowest compute capability their kernels (SASS) or PTX cover is {floor} (TensorFlow {_range(at_floor, gpu)})"
    higher = sorted({cc for cc in lowest.values() if cc != floor}, key=version_key)
    return text + (f"; the other GPU builds need {higher[0]} or newer" if higher else "")


def _driver_floors(factory: Factory, candidate: TensorflowCandidate) -> list[Requirement]:
    """Every "driver X or newer" requirement a GPU candidate brings: its CUDA, PTX JIT, the GPU itself."""
    cc = factory.query.compute_capability
    pulled = factory.tensorflow_dependencies(candidate) + factory.cuda_dependencies(Candidate(CUDA, candidate.cuda))
    if cc:
        pulled += factory.compute_dependencies(Candidate(COMPUTE, cc))
    return [r for r in pulled if r.name == DRIVER and r.bound]


def _driver_fact(factory: Factory, gpu: list[TensorflowCandidate]) -> Fact:
    driver = version_key(factory.query.driver or "0")
    admitted = []
    blocking: dict[str, Requirement] = {}
    for candidate in gpu:
        failed = [r for r in _driver_floors(factory, candidate) if version_key(r.bound or "0") > driver]
        if not failed:
            admitted.append(candidate)
        if failed:
            top = max(failed, key=lambda r: version_key(r.bound or "0"))
            blocking.setdefault(top.text, top)
    name = f"driver {factory.query.driver}"
    if admitted:
        newest = max((c.cuda or "0" for c in admitted), key=version_key)
        text = f"{name} runs CUDA up to {newest}: TensorFlow GPU builds {_range(admitted, gpu)}"
        return Fact("driver", frozenset(admitted), text)
    lowest = min(blocking.values(), key=lambda r: version_key(r.bound or "0"), default=None)
    why = f" ({lowest.text})" if lowest else ""
    return Fact("driver", frozenset(), f"{name} is too old for every TensorFlow GPU build{why}")


def reasons_for(knowledge: Knowledge, query: Query, error: Optional[Unsolvable] = None) -> list[str]:
    """Plain-words reasons why ``query`` has no plan, clashing facts first."""
    found, platform = facts(knowledge, query)
    if platform:
        return platform
    empty = [f for f in found if not f.admitted]
    if empty:
        device = [f for f in found if f.key == "os" and f.admitted]
        return [f.message for f in empty] + ([device[0].message] if device and any(f.elsewhere for f in empty) else [])
    clashing: list[Fact] = []
    for i, first in enumerate(found):
        for second in found[i + 1:]:
            if not first.admitted & second.admitted:
                clashing += [f for f in (first, second) if f not in clashing]
    if clashing:
        return [f.message for f in clashing]
    common = frozenset.intersection(*(f.admitted for f in found)) if found else frozenset()
    if found and not common:
        return [f.message for f in found]
    return _resolver_reasons(error)


def _resolver_reasons(error: Optional[Unsolvable]) -> list[str]:
    if error is None or not error.causes:
        return ["no combination of the matrix's facts satisfies every requirement"]
    texts = [r.text for r, _ in error.causes if not (r.key == "driver" and r.bound is None)]  # skip "driver (any)"
    return list(dict.fromkeys(texts))[:8]


def _try(knowledge: Knowledge, query: Query) -> Optional[Solution]:
    try:
        return solve(knowledge, query)
    except Unsolvable:
        return None


def _describe(solution: Solution) -> str:
    tf = solution.tensorflow
    parts = [f"TensorFlow {tf.version} ({tf.package})", f"Python {solution.chosen['python'].version}"]
    if tf.device == "gpu":
        parts.append(f"CUDA {solution.chosen['cuda'].version}, cuDNN {solution.chosen['cudnn'].version}")
    else:
        parts.append("CPU only")
    return ", ".join(parts)


def _python_changes(knowledge: Knowledge, query: Query) -> list[dict[str, Any]]:
    if not query.python:
        return []
    def number(version: str) -> int:  # 3.10 -> 310, 4.0 -> 400: distance between whole versions
        parsed = version_key(version)
        return parsed.major * 100 + parsed.minor

    asked = number(query.python)
    others = [p for p in knowledge.pythons if p != query.python and p.startswith("3.")]
    ordered = sorted(others, key=lambda p: (abs(number(p) - asked), -number(p)))
    return [{"python": p} for p in ordered]


def _single_changes(knowledge: Knowledge, query: Query) -> list[tuple[dict[str, Any], Callable[[Solution], str]]]:
    """Candidate one-key changes, in the order they are offered."""
    changes: list[tuple[dict[str, Any], Callable[[Solution], str]]] = []
    if query.arch == "x86":
        changes.append(({"arch": "x86_64"}, lambda s: f"Install 64-bit Python: {_describe(s)}"))
    if query.device == "gpu" and query.os == "windows":
        changes.append(({"os": "wsl2"}, lambda s: f"Use WSL2 (Ubuntu) on this Windows machine: {_describe(s)}"))
    if query.device == "gpu" and query.os == "macos":
        changes.append(({"os": "linux"}, lambda s: f"Use a Linux machine with the NVIDIA GPU: {_describe(s)}"))
    if query.driver and query.device == "gpu":
        unconstrained = _try(knowledge, query.changed(driver=None))
        if unconstrained is not None:
            from kbsolver.solve.planning import driver_floor

            floor, texts = driver_floor(unconstrained)
            if floor:
                older = version_key(floor) < version_key(query.driver)
                limit = next((t.split(";")[0] for t in texts if "driver branch" in t), None)
                verb = f"Install an older NVIDIA driver, {floor} or newer ({limit})" if older and limit else \
                    f"Update the NVIDIA driver to {floor} or newer"
                changes.append(({"driver": floor}, lambda s, v=verb: f"{v}: {_describe(s)}"))
    if query.tensorflow:
        unconstrained = _try(knowledge, query.changed(tensorflow=None))
        if unconstrained is not None:
            spec = f"=={minor_of(unconstrained.tensorflow.version or '0')}.*"
            changes.append(({"tensorflow": spec}, lambda s: f"Use TensorFlow {spec.removeprefix('==')}: {_describe(s)}"))
    if query.device == "gpu":
        changes.append(({"cpu_only": True}, lambda s: f"Install without GPU support (CPU only): {_describe(s)}"))
    return changes


def suggestions_for(knowledge: Knowledge, query: Query, limit_python: int = 2) -> list[Suggestion]:
    """Changes to ``query`` that give a plan, smallest first; each verified by solving again."""
    found: list[Suggestion] = []
    python_ok = 0
    for change in _python_changes(knowledge, query):
        if python_ok >= limit_python:
            break
        solution = _try(knowledge, query.changed(**change))
        if solution is not None:
            python_ok += 1
            found.append(Suggestion(change, f"Use Python {change['python']}: {_describe(solution)}",
                                    query.changed(**change).command_line()))
    for change, describe in _single_changes(knowledge, query):
        solution = _try(knowledge, query.changed(**change))
        if solution is not None:
            found.append(Suggestion(change, describe(solution), query.changed(**change).command_line()))
    if not found:
        for python in _python_changes(knowledge, query):
            for change, describe in _single_changes(knowledge, query):
                solution = _try(knowledge, query.changed(**python, **change))
                if solution is not None:
                    both = {**python, **change}
                    found.append(Suggestion(both, describe(solution), query.changed(**both).command_line()))
                    return found
    return found


def explain(knowledge: Knowledge, query: Query, error: Optional[Unsolvable] = None) -> Conflict:
    """Explain why ``query`` has no plan: summary, reasons (clashing facts first), verified suggestions."""
    reasons = reasons_for(knowledge, query, error)
    summary = "No TensorFlow install fits: " + "; ".join(reasons[:3])
    return Conflict(summary, tuple(reasons), tuple(suggestions_for(knowledge, query)))
