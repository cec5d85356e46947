"""The typed entry points installers call: :func:`plan` (solve + explain)."""

from __future__ import annotations

from typing import Any, Optional

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
