"""macOS CUDA builds: NVIDIA's CUDA 8.0 for Mac OS X and its separate "CUDA Driver" (cuda-toolkits records)."""

from __future__ import annotations

import kbsolver
from kbsolver.knowledge import Knowledge
from kbsolver.solve.factory import Factory, version_range

MAC_GUIDE = "https://docs.nvidia.com/cuda/archive/8.0/cuda-installation-guide-mac-os-x/index.html"


def _plan(kb: Knowledge, python: str) -> kbsolver.PlanResult:
    query = kbsolver.make_query(kb, gpu="GeForce GTX 980", python=python, os="macos", arch="x86_64")
    return kbsolver.plan(query, kb)


def test_cuda_8_is_the_only_macos_build_and_names_no_cuda_driver_floor(kb: Knowledge) -> None:
    macos = {t.version: t for t in kb.cuda_toolkits if t.macos}
    assert set(macos) == {"8.0.44", "8.0.61"}
    assert all(t.macos_versions == ("10.11", "10.12") and t.macos_cuda_driver is None for t in macos.values())
    assert all(any(s.url == MAC_GUIDE for s in t.sources) for t in macos.values())


def test_gtx980_macos_py36_plan_has_the_cuda_driver_step_and_its_source(kb: Knowledge) -> None:
    result = _plan(kb, "3.6")
    assert result.plan is not None, result.conflict
    plan = result.plan
    assert plan.component("tensorflow").version == "1.1.0"  # type: ignore[union-attr]
    assert plan.component("tensorflow").package == "tensorflow-gpu"  # type: ignore[union-attr]
    assert (plan.component("cuda").version, plan.component("cudnn").version) == ("8.0", "5.1")  # type: ignore[union-attr]
    assert plan.component("nvidia-driver") is None
    assert plan.component("macos-cuda-driver").min_version == "unknown"  # type: ignore[union-attr]
    steps = [s.description for s in plan.steps]
    assert any("CUDA Driver for Mac" in s and "no minimum version" in s for s in steps)
    assert any("macOS 10.11, 10.12" in s for s in steps)
    assert not any(s.command == "nvidia-smi" for s in plan.steps)  # no nvidia-smi on macOS
    assert any(s.startswith("Install CUDA Toolkit 8.0") for s in steps)
    assert any("no minimum CUDA Driver for Mac" in n for n in plan.notes)
    assert MAC_GUIDE in plan.sources
    assert not any("driver branch" in n for n in plan.notes)  # Linux/Windows branch limits do not apply


def test_gtx980_macos_py37_conflict_names_the_python_range(kb: Knowledge) -> None:
    result = _plan(kb, "3.7")
    assert result.conflict is not None
    assert any("Python 2.7, 3.3-3.6" in r for r in result.conflict.reasons), result.conflict.reasons


def test_no_macos_build_of_newer_cuda(kb: Knowledge) -> None:
    factory = Factory(kb, kbsolver.make_query(kb, gpu="GeForce GTX 980", os="macos", arch="x86_64"))
    assert factory.macos_builds("8.0") == ("10.11", "10.12")
    assert factory.macos_builds("11.2") == ()
    assert factory.driver_floor("11.2") == (None, "the matrix records no macOS build of CUDA 11.2")


def test_version_range_keeps_gaps() -> None:
    assert version_range(["3.6", "2.7", "3.3", "3.4", "3.5"]) == "2.7, 3.3-3.6"
    assert version_range(["3.7", "3.8", "3.10"]) == "3.7-3.8, 3.10"
    assert version_range([]) == "none"
