"""Solver scenarios read from tests/cases/plans.yaml (facts and the expected plan or conflict)."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

import kbsolver
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.schema import validate_output
from kbsolver.solve.result import PlanResult

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "plans.yaml").read_text(encoding="utf-8"))


def run(kb: Knowledge, query: dict[str, Any]) -> PlanResult:
    flags = dict(query)
    if "compute_capability" in flags:
        flags["compute_capability_"] = flags.pop("compute_capability")
    return kbsolver.plan(kbsolver.make_query(kb, **flags), kb)


def component(result: PlanResult, name: str) -> Any:
    assert result.plan is not None
    return result.plan.component(name)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_scenario(kb: Knowledge, case: dict[str, Any]) -> None:
    result = run(kb, case["query"])
    expect = case["expect"]
    assert validate_output(result.to_dict(), "plan") == []
    assert result.status == expect["status"], result.conflict or result.plan
    if result.status == "ok":
        tf = component(result, "tensorflow")
        if "tensorflow" in expect:
            assert fnmatch.fnmatch(tf.version, expect["tensorflow"]), tf.version
        for key, name in (("package", "package"), ("extra", "extra")):
            if key in expect:
                assert getattr(tf, name) == expect[key]
        for key, name in (("python", "python"), ("cuda", "cuda"), ("cudnn", "cudnn"), ("msvc", "msvc-redist")):
            if key in expect:
                assert component(result, name).version == expect[key], name
        if "driver" in expect:
            assert component(result, "nvidia-driver").min_version == expect["driver"]
        assert result.plan.sources and result.plan.steps  # type: ignore[union-attr]
        return
    conflict = result.conflict
    assert conflict is not None
    text = " | ".join(conflict.reasons)
    for reason in expect.get("reasons", []):
        assert reason in text
    offered = [s.change for s in conflict.suggestions]
    for change in expect.get("suggestions", []):
        assert change in offered, offered
    for suggestion in conflict.suggestions:  # every suggestion solves when applied
        assert run(kb, {**case["query"], **suggestion.change}).status == "ok", suggestion


def test_scenarios_span_oses_gpus_and_pythons() -> None:
    queries = [c["query"] for c in CASES]
    assert len(CASES) >= 15
    assert {q.get("os") for q in queries} >= {"linux", "windows", "macos"}
    assert {q.get("python") for q in queries} >= {"3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"}
    assert any(q.get("driver") for q in queries) and any(q.get("cpu_only") for q in queries)
