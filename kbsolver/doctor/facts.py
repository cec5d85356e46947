"""The facts the doctor reasons about: a snapshot's values, overridden by what the user declared."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from ..detect.snapshot import Snapshot

DECLARED_KEYS = ("os", "arch", "python", "gpu", "driver", "tensorflow", "package", "cuda", "cudnn", "cpu")


@dataclass
class Facts:
    """Normalised facts, each with where it came from in ``origin`` (``declared`` or the snapshot's source)."""

    os: Optional[str] = None
    arch: Optional[str] = None
    python: Optional[str] = None  # X.Y
    python_bits: Optional[int] = None
    cpu_model: Optional[str] = None
    cpu_flags: Optional[dict[str, bool]] = None
    gpu: Optional[str] = None
    compute_capability: Optional[str] = None
    driver: Optional[str] = None
    cuda_driver_max: Optional[str] = None
    cuda: Optional[str] = None  # the CUDA toolkit in use (X.Y)
    cuda_installed: list[str] = field(default_factory=list)
    cudnn: Optional[str] = None
    msvc_runtime: Optional[bool] = None
    msvc_dlls: Optional[dict[str, bool]] = None
    tensorflow: Optional[str] = None  # installed TF version
    package: Optional[str] = None  # installed TF distribution
    distributions: list[str] = field(default_factory=list)
    built_cuda: Optional[str] = None
    built_cudnn: Optional[str] = None
    libraries: list[dict[str, str]] = field(default_factory=list)
    cuda_dirs_on_path: list[str] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)

    def note(self, name: str, value: Any, origin: str) -> None:
        if value is not None and value != [] and value != "":
            setattr(self, name, value)
            self.origin[name] = origin

    def describe(self, name: str) -> str:
        """``"python = 3.7 (declared)"`` for evidence lists."""
        return f"{name} = {getattr(self, name)} ({self.origin.get(name, 'unknown source')})"


def _minor(version: Any) -> Optional[str]:
    match = re.match(r"(\d+)\.(\d+)", str(version or ""))
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _source(snapshot: Snapshot, section: str, name: str) -> str:
    item = snapshot.field(section, name)
    return f"detected: {item.source}" if item and item.source else "detected"


def from_snapshot(snapshot: Optional[Snapshot]) -> Facts:
    """Facts read from a detection snapshot (missing fields stay ``None``)."""
    facts = Facts()
    if snapshot is None:
        return facts
    s = snapshot
    facts.note("os", s.get("os", "name"), _source(s, "os", "name"))
    facts.note("arch", s.get("os", "arch"), _source(s, "os", "arch"))
    facts.note("python", _minor(s.get("python", "version")), _source(s, "python", "version"))
    facts.note("python_bits", s.get("python", "bits"), _source(s, "python", "bits"))
    facts.note("cpu_model", s.get("cpu", "model"), _source(s, "cpu", "model"))
    facts.note("cpu_flags", s.get("cpu", "flags"), _source(s, "cpu", "flags"))
    gpus = s.get("nvidia", "gpus") or []
    if gpus:
        facts.note("gpu", gpus[0].get("name"), _source(s, "nvidia", "gpus"))
        facts.note("compute_capability", gpus[0].get("compute_capability"), _source(s, "nvidia", "gpus"))
    facts.note("driver", s.get("nvidia", "driver"), _source(s, "nvidia", "driver"))
    facts.note("cuda_driver_max", s.get("nvidia", "cuda_driver_max"), _source(s, "nvidia", "cuda_driver_max"))
    toolkits = s.get("cuda", "toolkits") or []
    facts.note("cuda_installed", sorted({_minor(t.get("version")) for t in toolkits if _minor(t.get("version"))}),
               _source(s, "cuda", "toolkits"))
    facts.note("cuda", _minor(s.get("cuda", "nvcc")), _source(s, "cuda", "nvcc"))
    if facts.cuda is None and len(facts.cuda_installed) == 1:
        facts.note("cuda", facts.cuda_installed[0], _source(s, "cuda", "toolkits"))
    facts.note("cudnn", s.get("cudnn", "version"), _source(s, "cudnn", "version"))
    facts.note("libraries", s.get("cuda", "libraries") or [], _source(s, "cuda", "libraries"))
    runtime = s.field("msvc", "runtime")
    if runtime is not None and s.get("os", "name") == "windows":
        facts.note("msvc_runtime", runtime.value is not None, f"detected: {runtime.source or runtime.reason}")
    facts.note("msvc_dlls", s.get("msvc", "dlls"), _source(s, "msvc", "dlls"))
    dists = s.get("tensorflow", "distributions") or []
    facts.note("distributions", [d.get("name") for d in dists], _source(s, "tensorflow", "distributions"))
    main = next((d for d in dists if d.get("name") in ("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-macos")),
                dists[0] if dists else None)
    if main:
        facts.note("package", main.get("name"), _source(s, "tensorflow", "distributions"))
        facts.note("tensorflow", main.get("version"), _source(s, "tensorflow", "distributions"))
        build = main.get("build_info") or {}
        facts.note("built_cuda", build.get("cuda_version"), "detected: tensorflow build_info.py")
        facts.note("built_cudnn", build.get("cudnn_version"), "detected: tensorflow build_info.py")
    cuda_dirs = [lib["dir"] for lib in facts.libraries if "cudart" in lib.get("name", "").lower()]
    facts.note("cuda_dirs_on_path", list(dict.fromkeys(cuda_dirs)), _source(s, "cuda", "libraries"))
    return facts


def apply_declared(facts: Facts, declared: dict[str, Any]) -> Facts:
    """Override facts with the user's declarations (``--os``, ``--python``... already normalised)."""
    for key in DECLARED_KEYS:
        value = declared.get(key)
        if value is None:
            continue
        if key == "gpu":
            facts.note("gpu", value, "declared")
            facts.note("compute_capability", declared.get("compute_capability"), "declared (from the matrix)")
        elif key in ("python", "cuda"):
            facts.note(key, _minor(value) or value, "declared")
        elif key == "cpu":
            facts.note("cpu_model", value, "declared")
        elif key == "arch" and value == "x86":
            facts.note("arch", value, "declared")
            facts.note("python_bits", 32, "declared (--arch x86)")
        else:
            facts.note(key, value, "declared")
    if declared.get("package") and declared["package"] not in facts.distributions:
        facts.distributions = [declared["package"]]
    return facts
