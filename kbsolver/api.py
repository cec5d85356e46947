"""The typed entry points installers call: :func:`plan` (solve + explain) and :func:`plan_many`.

Answers are memoised per knowledge object (:mod:`kbsolver.solve.memo`): a query asked again is answered
from the memo, and queries whose GPUs agree on every fact the solver acts on
(:data:`kbsolver.knowledge.GPU_FACTS`) share one solve and explanation, made for a stand-in GPU
whose name and source URLs are then filled in. Safe to call from several threads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any, Optional

from kbsolver.knowledge import TEMPLATE_SOURCE, Knowledge, gpu_template, is_gpu_template, load
from kbsolver.knowledge.model import Gpu
from kbsolver.solve import Unsolvable, solve
from kbsolver.solve.memo import memo_of
from kbsolver.solve.query import Query
from kbsolver.solve.result import PlanResult

#: Memo tables and how many answers each keeps (exact queries; shared stand-in answers).
LIMITS = {"plan": 4096, "plan-shared": 16384}


def plan(query: Query, knowledge: Optional[Knowledge] = None) -> PlanResult:
    """Solve ``query`` (see :func:`kbsolver.make_query`) against ``knowledge`` (default: the bundled matrix).

    Returns a :class:`PlanResult` with a plan (status ``ok``) or a conflict with reasons and
    suggestions (status ``conflict``). Raises :class:`~kbsolver.errors.DataError` if the bundled
    matrix is invalid.
    """
    knowledge = knowledge or load()
    memo = memo_of(knowledge)
    found = memo.get("plan", query)
    if found is None:
        found = _shared(query, knowledge)
        memo.put("plan", query, found, LIMITS["plan"])
    return found  # type: ignore[no-any-return]


def plan_many(queries: Iterable[Query], knowledge: Optional[Knowledge] = None) -> Iterator[PlanResult]:
    """Answer each query in order, lazily: ``plan(q, knowledge)`` for every ``q`` (one load, shared memo).

    Queries that differ only in facts the solver does not act on (a GPU's name, given its compute
    capability, architecture and segment) cost one solve between them.
    """
    knowledge = knowledge or load()
    for query in queries:
        yield plan(query, knowledge)


def _shared(query: Query, knowledge: Knowledge) -> PlanResult:
    gpu = knowledge.gpu_named(query.gpu) if query.gpu and not is_gpu_template(query.gpu) else None
    if gpu is None:
        return _answer(query, knowledge)
    template = query.changed(gpu=gpu_template(gpu))
    memo = memo_of(knowledge)
    shared = memo.get("plan-shared", template)
    if shared is None:
        shared = memo.put("plan-shared", template, _answer(template, knowledge), LIMITS["plan-shared"])
    return _fill_gpu(shared, query, gpu)


def _answer(query: Query, knowledge: Knowledge) -> PlanResult:
    from kbsolver.solve.planning import build_plan

    try:
        solution = solve(knowledge, query)
    except Unsolvable as error:
        from kbsolver.solve.explain import explain

        return PlanResult(query, conflict=explain(knowledge, query, error))
    return PlanResult(query, plan=build_plan(solution))


def _fill_gpu(shared: PlanResult, query: Query, gpu: Gpu) -> PlanResult:
    """``shared`` (made for the stand-in of ``gpu``) with the GPU's name in every text and its sources in place."""
    stand_in = gpu_template(gpu)

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(stand_in, gpu.name) if stand_in in value else value
        if isinstance(value, (tuple, list)):
            return type(value)(fill(v) for v in value)
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.replace(value, **{f.name: fill(getattr(value, f.name))
                                                 for f in dataclasses.fields(value) if f.init})
        return value

    plan = fill(shared.plan) if shared.plan else None
    if plan is not None and TEMPLATE_SOURCE in plan.sources:
        urls = [u for url in plan.sources for u in ([s.url for s in gpu.sources] if url == TEMPLATE_SOURCE else [url])]
        plan = dataclasses.replace(plan, sources=tuple(dict.fromkeys(urls)))
    conflict = fill(shared.conflict) if shared.conflict else None
    return dataclasses.replace(shared, query=query, plan=plan, conflict=conflict)


def detected_flags(snapshot: Any) -> dict[str, Any]:
    """``kbsolve plan`` flags filled from a detection snapshot (only what was detected).

    Keys: ``os`` (``wsl2`` inside WSL2), ``arch`` (``x86`` for a 32-bit Python), ``python`` (X.Y), ``gpu`` (first
    NVIDIA GPU's name), ``compute_capability`` (when the GPU reported it), ``driver``; and the facts that only refine
    a plan: ``avx`` (x86 CPUs: whether the CPU has AVX), ``glibc``, ``python_bits``.
    """
    flags: dict[str, Any] = {}
    for key, section, name in (("os", "os", "name"), ("arch", "os", "arch"), ("driver", "nvidia", "driver")):
        value = snapshot.get(section, name)
        if value:
            flags[key] = value
    version = snapshot.get("python", "version")
    if version:
        flags["python"] = ".".join(str(version).split(".")[:2])
    if snapshot.get("python", "bits") == 32:
        flags["arch"] = "x86"
    if flags.get("os") == "linux" and snapshot.get("os", "wsl") == 2:
        flags["os"] = "wsl2"
    cpu = snapshot.get("cpu", "flags")
    if isinstance(cpu, dict) and "avx" in cpu and flags.get("arch") in ("x86_64", "amd64", "x86", "i686"):
        flags["avx"] = bool(cpu["avx"])
    if snapshot.get("os", "glibc"):
        flags["glibc"] = str(snapshot.get("os", "glibc"))
    if snapshot.get("python", "bits") in (32, 64):
        flags["python_bits"] = snapshot.get("python", "bits")
    gpus = snapshot.get("nvidia", "gpus") or []
    if gpus:
        flags["gpu"] = gpus[0].get("name")
        if gpus[0].get("compute_capability"):
            flags["compute_capability"] = gpus[0]["compute_capability"]
    return flags
