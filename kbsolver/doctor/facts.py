"""The facts the doctor reasons about: a snapshot's values, overridden by what the user declared."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from kbsolver.detect.snapshot import Snapshot
from kbsolver.knowledge.model import safe_version

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


def _dicts(value: Any) -> list[dict[str, Any]]:
    """A snapshot list of records, or ``[]`` when a hand-edited snapshot holds something else."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> Optional[str]:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _version(value: Any) -> Optional[str]:
    """A version string that parses (``None`` for anything else, so no rule sees a malformed version)."""
    text = _text(value)
    return text if text and safe_version(text) is not None else None


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
    facts.note("os", _text(s.get("os", "name")), _source(s, "os", "name"))
    facts.note("arch", _text(s.get("os", "arch")), _source(s, "os", "arch"))
    facts.note("python", _minor(_version(s.get("python", "version"))), _source(s, "python", "version"))
    bits = s.get("python", "bits")
    facts.note("python_bits", bits if bits in (32, 64) else None, _source(s, "python", "bits"))
    facts.note("cpu_model", _text(s.get("cpu", "model")), _source(s, "cpu", "model"))
    flags = s.get("cpu", "flags")
    facts.note("cpu_flags", {k: v for k, v in flags.items() if isinstance(v, bool)} if isinstance(flags, dict) else None,
               _source(s, "cpu", "flags"))
    gpus = _dicts(s.get("nvidia", "gpus"))
    if gpus:
        facts.note("gpu", _text(gpus[0].get("name")), _source(s, "nvidia", "gpus"))
        cc = _text(gpus[0].get("compute_capability"))
        facts.note("compute_capability", cc if cc and re.fullmatch(r"\d+\.\d+", cc) else None, _source(s, "nvidia", "gpus"))
    facts.note("driver", _version(s.get("nvidia", "driver")), _source(s, "nvidia", "driver"))
    facts.note("cuda_driver_max", _version(s.get("nvidia", "cuda_driver_max")), _source(s, "nvidia", "cuda_driver_max"))
    toolkits = _dicts(s.get("cuda", "toolkits"))
    facts.note("cuda_installed", sorted({m for t in toolkits if (m := _minor(_version(t.get("version"))))}),
               _source(s, "cuda", "toolkits"))
    facts.note("cuda", _minor(_version(s.get("cuda", "nvcc"))), _source(s, "cuda", "nvcc"))
    if facts.cuda is None and len(facts.cuda_installed) == 1:
        facts.note("cuda", facts.cuda_installed[0], _source(s, "cuda", "toolkits"))
    facts.note("cudnn", _version(s.get("cudnn", "version")), _source(s, "cudnn", "version"))
    facts.note("libraries", [lib for lib in _dicts(s.get("cuda", "libraries")) if _text(lib.get("name"))],
               _source(s, "cuda", "libraries"))
    runtime = s.field("msvc", "runtime")
    if runtime is not None and facts.os == "windows":
        facts.note("msvc_runtime", runtime.value is not None, f"detected: {runtime.source or runtime.reason}")
    dlls = s.get("msvc", "dlls")
    facts.note("msvc_dlls", dlls if isinstance(dlls, dict) else None, _source(s, "msvc", "dlls"))
    dists = [d for d in _dicts(s.get("tensorflow", "distributions")) if _text(d.get("name"))]
    facts.note("distributions", [d["name"] for d in dists], _source(s, "tensorflow", "distributions"))
    main = next((d for d in dists if d["name"] in ("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-macos")),
                dists[0] if dists else None)
    if main and _version(main.get("version")):
        facts.note("package", main["name"], _source(s, "tensorflow", "distributions"))
        facts.note("tensorflow", _version(main.get("version")), _source(s, "tensorflow", "distributions"))
        build = main.get("build_info") if isinstance(main.get("build_info"), dict) else {}
        facts.note("built_cuda", _version(build.get("cuda_version")), "detected: tensorflow build_info.py")
        facts.note("built_cudnn", _version(build.get("cudnn_version")), "detected: tensorflow build_info.py")
    cuda_dirs = [str(lib.get("dir", "")) for lib in facts.libraries if "cudart" in str(lib.get("name", "")).lower()]
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
        elif key == "os" and str(value).lower() in ("wsl", "wsl2"):
            facts.note("os", "linux", "declared (WSL2 runs the Linux build)")
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


def apply_text(facts: Facts, found: list[Any], declared: dict[str, Any]) -> tuple[Facts, Optional[str]]:
    """Fill facts still unknown from the error text (:func:`~kbsolver.doctor.symptoms.text_facts`).

    Declared facts always win. Returns the facts and, when the text's OS contradicts the detected
    one, a note saying so (the caller then diagnoses the text's machine).
    """
    for fact in found:
        if fact.name in declared or (fact.name == "python_bits" and declared.get("arch")):
            continue
        if fact.name in ("driver", "cuda_driver_max", "cuda", "cudnn") and safe_version(str(fact.value)) is None:
            continue
        current = getattr(facts, fact.name)
        if fact.name == "distributions" and current and set(fact.value) - set(current):
            facts.note("distributions", list(dict.fromkeys([*current, *fact.value])),
                       f"{facts.origin.get('distributions', 'declared')}; {fact.origin}")  # a listing shows more installed
            continue
        if fact.name == "os" and current and current != fact.value and facts.origin.get("os", "").startswith("detected"):
            return facts, (f"The error text comes from a {fact.value} machine ({fact.origin}), but this machine is {current} "
                           f"({facts.origin['os']}): diagnosing the text's machine; the detected facts are set aside.")
        if current in (None, [], ""):
            facts.note(fact.name, fact.value, fact.origin)
    if facts.package and not facts.distributions:
        facts.note("distributions", [facts.package], facts.origin.get("package", "error text"))
    return facts, None
