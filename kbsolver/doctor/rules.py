"""Diagnosis rules: each looks at the facts and the error text and may return a finding.

A rule scores its confidence in [0, 1] from what it saw: a distinctive error line scores high, a
fact from the snapshot that breaks a documented requirement scores high, a generic symptom
("DLL load failed") scores lower and needs a supporting fact. Evidence quotes the error line
(``error line 12: ...``) and the facts with their origin; fixes are concrete steps.

The vocabulary of finding ids is fixed: see :data:`FINDING_IDS`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion

from kbsolver.doctor.errortext import ErrorText
from kbsolver.doctor.facts import Facts
from kbsolver.doctor.symptoms import Hit, symptom_weight
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.model import cuda_series, minor_of, version_key
from kbsolver.solve import TensorflowCandidate
from kbsolver.solve.check import CheckReport, Violation, gpu_build

FINDING_IDS = {
    "msvc-runtime-missing": "The Microsoft Visual C++ runtime TensorFlow needs is missing",
    "cpu-lacks-avx": "The CPU lacks AVX, which the official TensorFlow wheels require",
    "python-32bit": "Python is 32-bit; TensorFlow wheels are 64-bit only",
    "python-unsupported": "No TensorFlow wheel for this Python version",
    "no-wheel-for-platform": "No TensorFlow wheel (or no CUDA GPU build) for this OS / architecture",
    "cuda-library-mismatch": "A CUDA library of the version TensorFlow was built against is missing",
    "cudnn-mismatch": "cuDNN is missing or of the wrong version",
    "driver-too-old": "The NVIDIA driver is missing, too old for the CUDA runtime, or of a branch that dropped this GPU",
    "compute-capability": "The GPU's compute capability is not supported by this TensorFlow build",
    "windows-native-gpu-ended": "The installed TensorFlow has no GPU support on native Windows (its GPU builds ended)",
    "path-conflict": "CUDA libraries on the library path: the needed one missing from it, or another install first",
    "package-confusion": "tensorflow / tensorflow-gpu / tensorflow-cpu packages mixed up",
    "gpu-out-of-memory": "The GPU's memory is exhausted (taken by another process, or TensorFlow's pre-allocation)",
}
MSVC_URL = "https://aka.ms/vc14/vc_redist.x64.exe"


@dataclass
class Finding:
    """A diagnosed cause: ``id`` from :data:`FINDING_IDS`, ``score`` in [0, 1], evidence, fix steps,
    and the install plan (``kbsolve plan``'s JSON) when the fix is a new install."""

    id: str
    score: float
    evidence: list[str] = field(default_factory=list)
    fix: list[str] = field(default_factory=list)
    plan: Optional[dict[str, Any]] = None

    @property
    def title(self) -> str:
        return FINDING_IDS[self.id]

    @property
    def confidence(self) -> str:
        return "high" if self.score >= 0.8 else "medium" if self.score >= 0.5 else "low"

    def to_dict(self) -> dict[str, Any]:
        data = {"id": self.id, "title": self.title, "confidence": self.confidence, "score": round(self.score, 2),
                "evidence": self.evidence, "fix": self.fix}
        if self.plan is not None:
            data["plan"] = self.plan
        return data


@dataclass
class Context:
    """What rules read: the knowledge base, the facts, the error text with its matched symptoms, the
    consistency check of the facts (the solver's verdict), and a planner for fixes."""

    knowledge: Knowledge
    facts: Facts
    error: ErrorText
    planner: Callable[[dict[str, Any]], Optional[dict[str, Any]]] = lambda changes: None
    hits: dict[str, list[Hit]] = field(default_factory=dict)
    report: Optional[CheckReport] = None

    def line(self, symptom: str) -> Optional[tuple[str, Hit]]:
        """The first error line showing ``symptom`` (an id of ``matrix/symptoms.yaml``), as ``("error line N: ...", hit)``."""
        found = self.hits.get(symptom)
        return (found[0].evidence, found[0]) if found else None

    def lines(self, symptom: str) -> list[tuple[str, Hit]]:
        return [(hit.evidence, hit) for hit in self.hits.get(symptom, [])]

    def strongest(self, finding: str, symptoms: tuple[str, ...], evidence: list[str]) -> float:
        """The highest catalogue weight for ``finding`` among ``symptoms`` seen; their lines join ``evidence``."""
        score = 0.0
        for symptom in symptoms:
            hit = self.line(symptom)
            if hit:
                evidence.append(hit[0])
                score = max(score, self.weight(symptom, finding))
        return score

    def weight(self, symptom: str, finding: str) -> float:
        """The catalogue's weight of ``symptom`` for ``finding`` (0 when it names none)."""
        return symptom_weight(self.knowledge, symptom, finding)

    def violations(self, finding: str) -> list[Violation]:
        """The consistency check's violations that mean ``finding``."""
        return [v for v in (self.report.violations if self.report else []) if v.finding == finding]

    def verified(self, finding: str) -> bool:
        """Whether the check compared known facts for ``finding`` and they hold (and nothing broke it)."""
        return bool(self.report and finding in self.report.verified and not self.violations(finding))

    # -- matrix queries ------------------------------------------------------------------------

    def installed_gpu_build(self) -> Optional[TensorflowCandidate]:
        """The GPU build of the installed TensorFlow release (CUDA, cuDNN from its tested-build row), as the
        solver's factory sees it; the Linux build when the OS is unknown. ``None`` without a version."""
        f = self.facts
        if not f.tensorflow or f.package == "tensorflow-cpu":
            return None
        return gpu_build(self.knowledge, f.os or "linux", f.arch or "x86_64", f.tensorflow, f.package)

    def windows_gpu_end(self) -> str:
        """The minor release the native-Windows GPU builds end at, from the solver's factory (``distributions``)."""
        from ..solve import Factory
        from ..solve.query import Query

        builds = Factory(self.knowledge, Query(os="windows", arch="x86_64")).tensorflow_candidates("gpu")
        return minor_of(max((b.version or "0" for b in builds), key=version_key)) if builds else "none"

    def needs_older_msvc(self) -> bool:
        """Whether the installed release's MSVC requirement (``tf-platform-requirements``) is older than the newest one."""
        reqs = [r for r in self.knowledge.platform_requirements if r.requirement == "msvc-redist"]
        mine = [r.value for r in reqs if self.facts.tensorflow and _covers(r.tensorflow, self.facts.tensorflow)]
        newest = max((r.value for r in reqs), key=version_key, default=None)
        return bool(mine and newest and max(mine, key=version_key) != newest)

    def pip_cuda_fix(self) -> str:
        """The fix for a release that takes CUDA and cuDNN from NVIDIA's pip wheels (``distributions``: cuda_from pip)."""
        build = self.installed_gpu_build()
        version = build.version if build else self.facts.tensorflow
        return (f"TensorFlow {version} takes CUDA and cuDNN from pip: pip install \"tensorflow[and-cuda]=={version}\" in the "
                "same environment (it installs the nvidia-* wheels), not a system CUDA/cuDNN")

    def cpu_build(self) -> bool:
        """Whether the installed distribution is the CPU-only one: GPU causes do not apply (package-confusion does)."""
        return self.facts.package == "tensorflow-cpu"

    def weight_seen(self, finding: str) -> float:
        """The strongest weight any matched symptom gives ``finding`` (negative: a symptom rules it out)."""
        weights = [w for symptom in self.hits for f, w in self.hits[symptom][0].symptom.findings if f == finding]
        return min(weights) if any(w < 0 for w in weights) else max(weights, default=0.0)

    def library_dir(self) -> str:
        """Where the CUDA libraries live on the facts' OS: ``bin`` (Windows) or ``lib64`` (Linux)."""
        return {"windows": "bin", "linux": "lib64"}.get(self.facts.os or "", "bin (Windows) / lib64 (Linux)")

    def path_variable(self) -> str:
        """The loader's search path on the facts' OS."""
        return {"windows": "PATH", "linux": "LD_LIBRARY_PATH"}.get(self.facts.os or "", "PATH / LD_LIBRARY_PATH")

    def plan_command(self) -> str:
        """A runnable ``kbsolve plan`` command line for the facts' machine."""
        f = self.facts
        parts = ["kbsolve plan"]
        if f.gpu:
            parts.append(f"--gpu {shlex.quote(f.gpu)}")
        elif f.compute_capability:
            parts.append(f"--compute-capability {f.compute_capability}")
        for flag, value in (("--python", f.python), ("--os", f.os), ("--driver", f.driver)):
            if value:
                parts.append(f"{flag} {value}")
        return " ".join(parts)

    def cpu_without_avx(self) -> Optional[str]:
        """Evidence that the declared or detected CPU model belongs to a family without AVX (``None`` otherwise)."""
        if self.facts.cpu_flags:
            return None
        family = model_without_avx(self.knowledge, self.facts.cpu_model)
        return f"{self.facts.describe('cpu_model')}: {family}" if family else None

    def no_avx_fix(self) -> list[str]:
        """What a CPU without AVX can install: the last official release without AVX for this Python, if any."""
        f = self.facts
        spec = next((r.tensorflow for r in self.knowledge.platform_requirements
                     if r.requirement == "cpu-isa" and r.value == "avx"), None)
        if not spec:
            return ["Use a machine with an AVX-capable CPU, or build TensorFlow from source without AVX"]
        below = spec.replace(">=", "<")
        result = self.planner({"tensorflow": below, "cpu_only": True}) if f.os else None
        if result and result.get("status") == "ok":
            tf = next(x for x in result["plan"]["components"] if x["name"] == "tensorflow")
            return [f"Use a machine with an AVX-capable CPU, or install TensorFlow {tf['version']}, the newest official "
                    f"release without AVX that has a wheel for Python {f.python or 'this Python'} (TensorFlow {below}), "
                    "or build TensorFlow from source without AVX"]
        newest = self.planner({"tensorflow": below, "cpu_only": True, "python": None}) if f.os else None
        pythons = ""
        if newest and newest.get("status") == "ok":
            top = next(x for x in newest["plan"]["components"] if x["name"] == "python")["version"]
            pythons = f"; those have wheels up to Python {top}"
        python = f"Python {f.python}" if f.python else "this Python"
        command = f"{self.plan_command()} --cpu-only --no-avx"
        return [f"Use a machine with an AVX-capable CPU, or build TensorFlow from source without AVX: no official release "
                f"{below} (without AVX) has a wheel for {python}{pythons}. '{command}' shows what else fits"]

    def releases_built_with_cudnn(self, cudnn: str) -> list[str]:
        """TF minor releases whose Linux GPU build was tested with cuDNN ``cudnn`` (major.minor), via the solver's factory."""
        wanted = ".".join(cudnn.split(".")[:2])
        from kbsolver.solve import Factory
        from kbsolver.solve.query import Query

        builds = Factory(self.knowledge, Query(os="linux", arch="x86_64")).tensorflow_candidates("gpu")
        return sorted({minor_of(b.version or "0") for b in builds if b.cudnn == wanted}, key=version_key)

    def pip_cuda(self, version: str) -> bool:
        """Whether the Linux GPU build of TF ``version`` takes CUDA and cuDNN from pip (``distributions``)."""
        build = gpu_build(self.knowledge, "linux", "x86_64", version)
        return bool(build and build.cuda_from == "pip")

    def guide_pip_cudnn(self, version: Optional[str] = None) -> Optional[str]:
        """The cuDNN version the official install guide for the installed release puts in the environment with pip
        (``install-recipes`` steps such as ``pip install nvidia-cudnn-cu11==8.6.0.163``); ``None`` if it does not."""
        from kbsolver.solve.planning import recipe_cudnn

        f = self.facts
        version = version or f.tensorflow
        os = f.os or ("linux" if version != f.tensorflow else None)
        if not version or not os:
            return None
        for recipe in self.knowledge.install_recipes:
            if os in recipe.os and recipe.device == "gpu" and recipe.environment is None and _covers(recipe.tensorflow,
                                                                                                    version):
                pip = any("nvidia-cudnn" in (step.command or "") for step in recipe.steps)
                found = recipe_cudnn(recipe)
                if pip and found:
                    return sorted(found)[0]
        return None

    def library(self, name: str) -> list[tuple[str, str]]:
        """``(component, version)`` pairs the matrix knows for a CUDA or cuDNN library file name."""
        wanted = name.lower()
        return [(r.component, r.version or "") for r in self.knowledge.library_files
                if r.component.startswith("cu") and any(f.lower() == wanted for f in r.files)]

    def tf_loads(self) -> list[str]:
        """The CUDA/cuDNN/MSVC file names the installed TF release loads on its OS (``tensorflow-loads`` records)."""
        if not self.facts.tensorflow or not self.facts.os:
            return []
        for record in self.knowledge.library_files:
            if record.component == "tensorflow-loads" and record.tensorflow and self.facts.os in _as_list(record.os) \
                    and _covers(record.tensorflow, self.facts.tensorflow):
                return list(record.files)
        return []

    def wheel_pythons(self, package: str = "tensorflow", spec: Optional[str] = None) -> set[str]:
        """Pythons with a wheel of ``package`` (within ``spec``) for the facts' OS/arch."""
        os, arch = self.facts.os, self.arch()
        found: set[str] = set()
        for release in self.knowledge.releases(package):  # finals with wheels: what pip installs by default
            if spec and not _covers(spec, release.version):
                continue
            found |= {p for p, o, a in self.knowledge.wheel_targets(package, release.version)
                      if (os is None or o == os) and (arch is None or a == arch)}
        return found

    def arch(self) -> Optional[str]:
        """The architecture wheels must match: ``x86`` for a 32-bit Python, else the machine's."""
        if self.facts.python_bits == 32:
            return "x86"
        return self.facts.arch

    def plan(self, **changes: Any) -> Optional[dict[str, Any]]:
        return self.planner(changes)

    def no_gpu_build_runs(self) -> bool:
        """Whether no TensorFlow GPU build for the facts' OS runs the GPU, whatever the Python, driver or release
        (the solver's conflict for the GPU alone; ``False`` when the GPU or the OS is not known)."""
        if not self.facts.compute_capability:
            return False
        result = self.planner({"python": None, "driver": None})
        return bool(result) and result.get("status") == "conflict"

    def gpu_plan(self) -> Optional[dict[str, Any]]:
        """The GPU plan for the installed TF minor release (which CUDA/cuDNN/driver it needs); ``None``
        when the GPU is not known, since a CPU-only plan would not fix a GPU finding."""
        if not self.facts.compute_capability:
            return None
        pinned = f"=={minor_of(self.facts.tensorflow)}.*" if self.facts.tensorflow else None
        result = self.planner({"tensorflow": pinned} if pinned else {})
        return result if result and result.get("status") == "ok" else self.planner({})


def model_without_avx(knowledge: Knowledge, model: Optional[str]) -> Optional[str]:
    """The title of the catalogue's CPU family without AVX (symptom ``cpu-model-without-avx``) that the CPU model
    name ``model`` belongs to, or ``None``."""
    family = next((s for s in knowledge.symptoms if s.id == "cpu-model-without-avx"), None)
    if model and family and any(re.search(p, model[:200], re.I) for p in family.patterns):
        return family.title
    return None


def _as_list(value: Any) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _covers(spec: str, version: str) -> bool:
    try:
        return SpecifierSet(spec).contains(version, prereleases=True)
    except (InvalidVersion, ValueError):
        return False


# -- the rules ---------------------------------------------------------------------------------

def msvc_runtime_missing(c: Context) -> Optional[Finding]:
    f = c.facts
    evidence: list[str] = []
    score = 0.0
    named = c.line("msvc-dll-named")
    if named:
        evidence.append(named[0])
        score = c.weight("msvc-dll-named", "msvc-runtime-missing")
    dlls = f.msvc_dlls or {}
    for violation in c.violations("msvc-runtime-missing"):
        evidence += [*violation.facts, violation.reason] + ([f.describe("msvc_dlls")] if dlls else [])
        score = max(score, 0.7) + 0.15
    if dlls.get("msvcp140_1.dll") is False and not c.violations("msvc-runtime-missing"):
        evidence.append(f.describe("msvc_dlls"))
        score = max(score, 0.7) + 0.15
    dll = c.line("dll-load-failed") or c.line("native-runtime-failed") or \
        (c.line("import-failed") if f.os == "windows" else None)
    if dll and (f.os in (None, "windows")) and not c.line("dll-init-failed") and (score or f.msvc_runtime is None):
        evidence.append(dll[0])
        score = max(score, c.weight("dll-load-failed", "msvc-runtime-missing")) + (0.1 if score else 0)
    if score and f.tensorflow and not named and c.needs_older_msvc():
        score -= 0.2  # the release needs an older runtime than the newest requirement: a missing one is less likely
    if not score:
        return None
    return Finding("msvc-runtime-missing", min(score, 1.0), evidence, [
        f"Install the Microsoft Visual C++ 2015-2022 Redistributable (x64): {MSVC_URL}",
        "TensorFlow 2.1+ needs msvcp140_1.dll from the 2019+ runtime (TF 2.1.0 release notes); "
        "restart the shell, then import again",
    ])


def cpu_lacks_avx(c: Context) -> Optional[Finding]:
    evidence: list[str] = []
    score = 0.0
    for violation in c.violations("cpu-lacks-avx"):
        evidence += [*violation.facts, violation.reason]
        score = 0.9
    if c.facts.arch == "arm64" and not c.line("x86-emulation"):
        return None  # AVX is an x86 instruction set: an Illegal instruction on Arm is another build's problem
    for symptom in ("illegal-instruction", "core-dumped", "avx-mentioned"):
        illegal = c.line(symptom)
        if illegal:
            evidence.append(illegal[0])
            score = max(score, c.weight(symptom, "cpu-lacks-avx")) + (0.05 if score else 0)
            break
    init = c.line("dll-init-failed")
    if init:
        evidence.append(init[0])
        score = max(score, c.weight("dll-init-failed", "cpu-lacks-avx")) + (0.1 if score else 0)
    model = c.cpu_without_avx()
    if model:
        evidence.append(model)
        score = (score + 0.2) if score else 0.5
    if c.verified("cpu-lacks-avx"):
        return None  # the CPU has AVX: not this
    if not score:
        return None
    spec = next((r.tensorflow for r in c.knowledge.platform_requirements
                 if r.requirement == "cpu-isa" and r.value == "avx"), "the official releases")
    return Finding("cpu-lacks-avx", min(score, 1.0), evidence, [
        f"Official TensorFlow wheels {spec} are built with AVX (tf-platform-requirements); this CPU cannot run them",
        *c.no_avx_fix(),
    ])


def python_32bit(c: Context) -> Optional[Finding]:
    f = c.facts
    if f.python_bits == 64 or (f.arch in ("x86_64", "arm64") and f.origin.get("arch") == "declared"):
        return None  # a 64-bit Python: "not a valid Win32 application" then means a wrong-architecture DLL
    evidence: list[str] = []
    score = 0.0
    if f.python_bits == 32:
        evidence.append(f.describe("python_bits"))
        score = 0.9
    win32 = c.line("win32-wheel")
    if win32:
        evidence.append(win32[0])
        score = max(score, c.weight("win32-wheel", "python-32bit")) + (0.05 if score else 0)
    if not score:
        return None
    return Finding("python-32bit", min(score, 1.0), evidence, [
        "TensorFlow publishes 64-bit wheels only (win_amd64, x86_64, aarch64): install a 64-bit CPython"
        + (" (python.org's 'Windows installer (64-bit)')" if f.os in (None, "windows") else ""),
        "Check with: python -c \"import struct; print(struct.calcsize('P') * 8)\"  (must print 64)",
    ], c.plan(arch="x86_64"))


def _pip_request(c: Context) -> Optional[tuple[str, str, Optional[str]]]:
    hit = c.line("pip-no-version")
    if not hit:
        return None
    package = (hit[1].group("package") or "tensorflow").lower()
    spec = (hit[1].group("spec") or "").strip("()") or None
    if spec and "from versions" in spec:
        spec = None
    try:
        if spec:
            SpecifierSet(spec)
    except ValueError:
        spec = None
    return hit[0], package, spec


def _first_upload(c: Context, package: str, python: Optional[str] = None, platform: Optional[tuple[str, str]] = None) -> str:
    """The first upload date of a ``package`` wheel serving ``python`` and/or ``platform`` ("9999" if none)."""
    dates = []
    for release in c.knowledge.releases(package):
        if not release.uploaded:
            continue
        for p, o, a in c.knowledge.wheel_targets(package, release.version):
            if (python is None or p == python) and (platform is None or (o, a) == platform):
                dates.append(release.uploaded)
                break
    return min(dates, default="9999")


def _wheel_file_cause(c: Context, filename: str) -> Optional[tuple[str, str]]:
    """Which tag of a rejected wheel file does not fit the facts: (finding id, explanation)."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    from kbsolver.knowledge import KNOWN_PYTHONS
    from kbsolver.knowledge.platforms import platform_of, pythons_of

    try:
        tags = parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return None
    f = c.facts
    platforms = {pair for tag in tags for pair in platform_of(tag.platform)}
    pythons = {p for tag in tags for p in pythons_of(tag.interpreter, tag.abi, KNOWN_PYTHONS)}
    if any(tag.platform == "win32" for tag in tags):
        return None
    if f.os and platforms and (f.os, c.arch()) not in platforms and (f.arch or all(o != f.os for o, _ in platforms)):
        return "no-wheel-for-platform", f"{filename} is built for {', '.join(sorted(f'{o} {a}' for o, a in platforms))}"
    if pythons and (f.python is None or f.python not in pythons):
        mine = f"Python {f.python}" if f.python else "this Python"
        return "python-unsupported", f"{filename} is built for Python {', '.join(sorted(pythons))}, not {mine}"
    return None


def missing_wheel(c: Context) -> Optional[Finding]:
    """pip found no wheel: decide between an unsupported Python and an unsupported OS/architecture.

    A rejected wheel file names its tags; otherwise the index decides. When the Python and the
    platform each have wheels (just not together), the one whose first wheel came later is the
    missing piece (e.g. macOS arm64 wheels arrived with 2.13, long after Python 3.9's).
    """
    f = c.facts
    if f.python_bits == 32:
        return None
    if (rosetta := _x86_build_on_apple_silicon(c)) is not None:
        return rosetta
    rejected = c.line("wheel-not-supported")
    wheel = rejected[1].group("wheel") if rejected else None
    if wheel and "win32" in wheel.lower():
        return None
    request = _pip_request(c)
    prose = c.line("install-failed-prose") if request is None and not rejected else None
    if prose:  # "I cannot install tensorflow-cpu": the index decides as for a pip refusal, but pip's output is unknown
        request = (prose[0], (prose[1].group("package") or "tensorflow").lower(), None)
    musl = c.line("musl-libc")
    if musl and (request or rejected):
        return Finding("no-wheel-for-platform", 0.85, [musl[0], "TensorFlow publishes manylinux (glibc) wheels only; "
                       "musl (Alpine) has none"], ["Use a glibc-based distribution or image (Debian, Ubuntu)"], c.plan())
    if rejected and wheel:
        cause = _wheel_file_cause(c, wheel)
        if cause:
            return _wheel_finding(c, cause[0], 0.9, [rejected[0], cause[1]])
    if not request and not rejected:
        return None
    package = request[1] if request else "tensorflow"
    spec = request[2] if request else None
    evidence = [x[0] for x in (request, rejected) if x]
    platform = (f.os, c.arch()) if f.os and c.arch() else None
    served = c.wheel_pythons(package, spec)
    # pip lists the versions it saw; an unpinned request that fails saw none (any version would do)
    saw_none = bool(c.line("pip-saw-none")) or (request is not None and spec is None and not c.line("pip-saw-versions")
                                                 and not prose)
    if request is not None and not c.knowledge.releases(package):
        if prose or not saw_none or not f.python:
            return None
        return Finding("python-unsupported", 0.45, [*evidence, f"pip saw no {package} release at all for Python {f.python} "
                       f"({package} is not in the matrix: its wheels were not checked)"], [
            f"Check which Python versions {package} publishes wheels for (pypi.org/project/{package}/#files)"])
    if f.python and f.python in served and not saw_none:
        return None  # the index has a wheel for exactly this: the cause lies elsewhere
    everywhere = {p for release in c.knowledge.releases(package)
                  for p, _, _ in c.knowledge.wheel_targets(package, release.version)}
    if spec and not any(_covers(spec, r.version) for r in c.knowledge.releases(package)):
        return None  # nothing installable matches the request (e.g. the tensorflow-gpu 2.12 stub): not about wheel tags
    if platform and not c.wheel_pythons(package):
        evidence.append(f"PyPI has no {package} wheel for {platform[0]} {platform[1]} for any Python")
        return _wheel_finding(c, "no-wheel-for-platform", 0.85, evidence)
    if not f.python:
        first = _first_upload(c, package)
        platform_since = _first_upload(c, package, platform=platform) if platform else first
        if platform and platform_since[:4].isdigit() and first[:4].isdigit() and int(platform_since[:4]) - int(first[:4]) >= 2:
            evidence.append(f"{package} wheels for {platform[0]} {platform[1]} exist only since {platform_since} (the first "
                            f"{package} wheels: {first}): a report from before then found none for this platform")
            return _wheel_finding(c, "no-wheel-for-platform", 0.6, evidence)
        return _wheel_finding(c, "python-unsupported", 0.45, evidence)
    if f.python not in everywhere:
        evidence.append(f"PyPI has no {package} wheel for Python {f.python} on any platform")
        return _wheel_finding(c, "python-unsupported", 0.9, evidence)
    python_since = _first_upload(c, package, python=f.python)
    platform_since = _first_upload(c, package, platform=platform) if platform else "0000"
    if saw_none and spec is None and f.python in everywhere and f.python_bits is None and f.os in (None, "windows") \
            and f.origin.get("arch") != "declared" and not c.violations("python-unsupported") and f.python in served:
        evidence.append(f"PyPI serves {package} for Python {f.python} on 64-bit Windows, yet pip saw no file at all: "
                        "a 32-bit Python is the usual reason")
        return Finding("python-32bit", 0.6, evidence, [
            "Check with: python -c \"import struct; print(struct.calcsize('P') * 8)\"  (must print 64)",
            "TensorFlow publishes 64-bit wheels only: install a 64-bit CPython"], c.plan(arch="x86_64"))
    if saw_none and f.python in served:
        evidence.append(f"pip saw no {package} file at all; the index serves Python {f.python} on {f.os} {c.arch()} "
                        "today, so the report predates those wheels")
    if platform and platform_since > python_since:
        evidence.append(f"{package} wheels for {platform[0]} {platform[1]} exist only since {platform_since}; "
                        f"Python {f.python} wheels since {python_since}")
        return _wheel_finding(c, "no-wheel-for-platform", 0.8, evidence)
    evidence.append(f"{package} wheels for Python {f.python} exist only since {python_since}"
                    + (f" ({', '.join(sorted(served, key=version_key))} served by {package}{spec or ''} here)" if served else ""))
    return _wheel_finding(c, "python-unsupported", 0.85, evidence)


ROSETTA_URL = "https://developer.apple.com/documentation/apple-silicon/about-the-rosetta-translation-environment"
#: macOS 15 (Sequoia) added AVX2 to Rosetta 2 (a report of Apple's change; Apple's page above still lists AVX as untranslated).
ROSETTA_AVX2_URL = "https://macg.co/macos/2024/06/rosetta-2-va-etre-plus-efficace-avec-macos-sequoia-et-cest-important-pour-les-jeux-144245"


def _x86_build_on_apple_silicon(c: Context) -> Optional[Finding]:
    """An Illegal instruction (or AVX named) on an Apple-silicon Mac: an x86_64 Python and TensorFlow run under
    Rosetta 2, which does not translate AVX before macOS 15 (Apple, :data:`ROSETTA_URL`; :data:`ROSETTA_AVX2_URL`);
    the fix is the macOS arm64 build, which needs no translation on any macOS."""
    if c.facts.os != "macos" or c.arch() != "arm64" or c.line("x86-emulation"):
        return None  # a named emulator (qemu, an amd64 container) is the AVX finding's case
    crash = c.line("illegal-instruction") or c.line("core-dumped") or c.line("avx-mentioned")
    if not crash:
        return None
    return Finding("no-wheel-for-platform", 0.75, [
        crash[0], f"on an Apple-silicon Mac this comes from an x86_64 Python and TensorFlow run under Rosetta 2, which "
        f"does not translate AVX ({ROSETTA_URL}) before macOS 15 ({ROSETTA_AVX2_URL})"], [
        "Use an arm64 Python (python -c \"import platform; print(platform.machine())\" must print arm64) and the "
        "TensorFlow build for macOS arm64 (the plan below)"], c.plan())


def _wheel_finding(c: Context, finding: str, score: float, evidence: list[str]) -> Finding:
    if finding == "python-unsupported":
        served = sorted(c.wheel_pythons("tensorflow"), key=version_key)
        fix = [f"Use a Python that TensorFlow publishes wheels for on this platform ({', '.join(served) or 'none'}), "
               "or the TensorFlow release that supports your Python (the plan below)",
               "Check which interpreter pip belongs to: python -m pip --version"]
    else:
        fix = ["Use a platform TensorFlow publishes wheels for (the plan below names the release for this one, if any; "
               "kbsolve matrix wheels lists every platform tag)"]
    return Finding(finding, score, evidence, fix, c.plan())


def _libraries_named(c: Context) -> list[tuple[str, str]]:
    """(error line, file name) for every CUDA/cuDNN library the error says could not be loaded.

    Only toolkit libraries count: libcuda.so / nvcuda.dll come with the driver, libnvinfer (TensorRT) is optional.
    """
    found = []
    for evidence, hit in c.lines("cuda-library-not-loaded"):
        name = hit.group("library") or ""
        found.append((evidence, name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]))
    return list(dict.fromkeys(found))


def cuda_library_mismatch(c: Context) -> Optional[Finding]:
    if c.cpu_build():
        return None  # the CPU-only build loads no CUDA library
    f = c.facts
    named = [(e, n) for e, n in _libraries_named(c) if "cudnn" not in n.lower()]
    if named and not f.gpu and not f.cuda and not f.cuda_installed and c.line("cudart-stub-note") \
            and not c.line("gpu-claimed"):
        return None  # TF's own note: on a machine without a GPU (and no CUDA in sight) the missing runtime is harmless
    row = c.installed_gpu_build()
    evidence: list[str] = []
    score = 0.0
    wanted: Optional[str] = None
    for line, name in named:
        versions = sorted({v for _, v in c.library(name)})
        evidence.append(line)
        if versions:
            evidence.append(f"{name} belongs to CUDA {' / '.join(versions)} (matrix library-files)")
        elif (derived := cuda_of_library_name(name)) is not None:
            versions = [derived]
            evidence.append(f"{name} belongs to CUDA {derived} (from its file name)")
        wanted = wanted or (versions[-1] if versions else None)
        score = max(score, 0.75)
        installed = f.cuda_installed or ([f.cuda] if f.cuda else [])
        if versions and installed and not any(_series_match(i, v) for i in installed for v in versions):
            evidence.append(f"installed CUDA: {', '.join(installed)} ({f.origin.get('cuda_installed') or f.origin.get('cuda')})")
            score = 0.9
        elif versions and installed:
            evidence.append(f"CUDA {', '.join(installed)} is installed but the loader does not find its {name}")
            score = min(score, 0.5)
            wanted = None
    if c.violations("cuda-library-mismatch"):
        _from_check(c, "cuda-library-mismatch", evidence)
        score = max(score, 0.55) + (0.05 if named else 0)  # backed by the text and by the check
        wanted = wanted or (row.cuda if row else None)
    if not score:
        return None
    if row and row.cuda:
        evidence.append(f"TensorFlow {f.tensorflow} expects CUDA {row.cuda} and cuDNN {row.cudnn} (tested build configurations)")
    if wanted and wanted.endswith(".x") and row and row.cuda and row.cuda.split(".")[0] == wanted.split(".")[0]:
        wanted = row.cuda  # the exact CUDA of the installed release's build, not the library's series
    if f.built_cuda and row and row.cuda:
        evidence.append(f"the installed TensorFlow was built against CUDA {f.built_cuda}"
                        + (f" and cuDNN {f.built_cudnn}" if f.built_cudnn else "") + f" ({f.origin.get('built_cuda')})")
        wanted = cuda_series(row.cuda) if wanted is not None or not named else None
    loads = c.tf_loads()
    if loads:
        evidence.append(f"TensorFlow {f.tensorflow} on {f.os} loads {', '.join(loads)} (matrix library-files)")
    fixes = []
    if wanted is None and named:
        fixes.append(f"The CUDA that provides these files is installed: put its {c.library_dir()} directory on "
                     f"{c.path_variable()}")
    elif wanted:
        fixes.append(f"Install CUDA {wanted} (https://developer.nvidia.com/cuda-toolkit-archive) and put its {c.library_dir()} "
                     f"directory on {c.path_variable()}, or install the TensorFlow release built for the CUDA you have "
                     f"({c.plan_command()})")
    else:
        fixes.append("Install the CUDA version this TensorFlow was built against (kbsolve plan shows it)")
    return Finding("cuda-library-mismatch", min(score, 1.0), evidence, fixes, c.gpu_plan())


def cuda_of_library_name(name: str) -> Optional[str]:
    """The CUDA version a library file name encodes: libcublas.so.9.0 -> 9.0, cudart64_101.dll -> 10.1,
    cudart64_110.dll -> 11.x, cublas64_12.dll -> 12.x (NVIDIA's naming: <major><minor> on Windows)."""
    so = re.search(r"\.so\.(\d+\.\d+)$", name)
    if so:
        return so.group(1)
    dll = re.search(r"64_(\d+)\.dll$", name, re.I)
    if not dll:
        return None
    digits = dll.group(1)
    if len(digits) == 3:
        return f"{digits[:2]}.x" if digits.endswith("0") and digits[:2] != "10" else f"{digits[:2]}.{digits[2]}"
    return f"{digits}.x" if len(digits) == 2 and int(digits) >= 11 else None


def _series_match(installed: str, wanted: str) -> bool:
    """CUDA 11.2 installed satisfies "11.2", "11.x" and "11.2-11.8"-style ranges; "10" means "10.0"."""
    wanted = cuda_series(wanted)
    if wanted.endswith(".x"):
        return installed.split(".")[0] == wanted.split(".")[0]
    if "-" in wanted:
        low, high = wanted.split("-")
        try:
            return version_key(low) <= version_key(installed) <= version_key(high)
        except InvalidVersion:
            return False
    return minor_of(installed) == minor_of(wanted) if re.match(r"\d+\.\d+", installed) else False


def _from_check(c: Context, finding: str, evidence: list[str]) -> float:
    """Add the consistency check's violations of ``finding`` to ``evidence``; their score (0 when none)."""
    found = c.violations(finding)
    for violation in found:
        evidence += [*violation.facts, violation.reason]
    return CHECK_SCORE if found else 0.0


CHECK_SCORE = 0.8  # a requirement of the solver broken by a known fact


def cudnn_mismatch(c: Context) -> Optional[Finding]:
    if c.cpu_build():
        return None  # the CPU-only build loads no CUDA library
    f = c.facts
    evidence: list[str] = []
    score = 0.0
    loaded = c.line("cudnn-runtime-differs")
    if loaded:
        runtime, built = loaded[1].group("cudnn_runtime"), loaded[1].group("cudnn_built") or "version"
        evidence += [loaded[0], f"runtime cuDNN {runtime} differs from the {built} TensorFlow was built with"]
        score = c.weight("cudnn-runtime-differs", "cudnn-mismatch")
    for line, name in _libraries_named(c):
        if "cudnn" in name.lower():
            evidence.append(line)
            score = max(score, 0.85)
    score = max(score, c.strongest("cudnn-mismatch", ("cudnn-library-missing", "dnn-implementation-missing",
                                                      "cudnn-status-error", "cudnn-handle-failed"), evidence))
    installed = f.cudnn.split(".")[0] if f.cudnn else None
    others = [(line, set(hit.every("cudnn_major")) - {installed}) for line, hit in c.lines("cudnn-library-named")]
    others = [(line, majors) for line, majors in others if installed and majors]
    if others:
        evidence += [others[0][0], f"the text names a cuDNN {', '.join(sorted(set().union(*(m for _, m in others))))} "
                                   f"library; {f.describe('cudnn')} ships cuDNN {installed}'s"]
        score = max(score, 0.8)
    if score and not loaded and c.verified("cudnn-mismatch"):
        score *= 0.5  # the installed cuDNN is the one the build was tested with
    if not score:
        score = _from_check(c, "cudnn-mismatch", evidence) * 0.75
    row = c.installed_gpu_build()
    if not score:
        return None
    if row:
        evidence.append(f"TensorFlow {f.tensorflow} expects cuDNN {row.cudnn} with CUDA {row.cuda} (tested build configurations)")
    if row and row.cuda_from == "pip":
        fix = [c.pip_cuda_fix()]
    else:
        fix = [(f"Install cuDNN {row.cudnn} for CUDA {row.cuda} (https://developer.nvidia.com/rdp/cudnn-archive) and put its "
                f"{c.library_dir()} on {c.path_variable()}") if row
               else "Install the cuDNN version this TensorFlow was built with"]
    if c.line("zlibwapi"):
        fix.append("cuDNN 8.3+ on Windows also needs zlibwapi.dll (NVIDIA's cuDNN installation guide)")
    return Finding("cudnn-mismatch", min(score, 1.0), evidence, fix, c.gpu_plan())


def driver_too_old(c: Context) -> Optional[Finding]:
    if c.cpu_build():
        return None  # the CPU-only build loads no CUDA library
    evidence: list[str] = []
    score = 0.0
    hit = c.line("driver-insufficient")
    if hit:
        evidence.append(hit[0])
        score = c.weight("driver-insufficient", "driver-too-old")
    no_driver = c.line("driver-not-loaded")
    if no_driver:
        evidence += [no_driver[0], "libcuda.so / nvcuda.dll come with the NVIDIA driver, not the CUDA toolkit: no working "
                                   "driver is visible (not installed, or not passed into the container)"]
        score = max(score, c.weight("driver-not-loaded", "driver-too-old"))
    ptx = c.line("ptx-jit-failed")
    violations = c.violations("driver-too-old")
    if ptx and violations:
        evidence.append(ptx[0])
        score = max(score, c.weight("ptx-jit-failed", "driver-too-old"))
    score = max(score, _from_check(c, "driver-too-old", evidence))
    if not score:
        return None
    floor = max((v.bound for v in violations if v.bound), key=version_key, default=None)
    if floor is None:
        plan = c.gpu_plan()
        components = {x["name"]: x for x in ((plan or {}).get("plan") or {}).get("components", [])}
        floor = (components.get("nvidia-driver") or {}).get("min_version")
        floor = None if floor in (None, "unknown") else floor
    download = "https://www.nvidia.com/Download/index.aspx"
    ceiling = [v for v in violations if not v.bound and "driver branch" in v.reason]
    if ceiling:
        return Finding("driver-too-old", min(score, 1.0), evidence, [
            f"Install the newest driver of the last branch that supports this GPU ({download}): {ceiling[0].reason}"],
            c.gpu_plan())
    fix = [f"Update the NVIDIA driver to {floor} or newer ({download})" if floor
           else f"Update the NVIDIA driver ({download}); nvidia-smi shows the newest CUDA it supports"]
    return Finding("driver-too-old", min(score, 1.0), evidence, fix)


def compute_capability(c: Context) -> Optional[Finding]:
    f = c.facts
    if f.package == "tensorflow-cpu":
        return None  # the CPU-only build never uses the GPU
    evidence: list[str] = []
    score = c.strongest("compute-capability", ("cc-below-minimum", "no-kernel-image", "slow-first-start"), evidence)
    ptx = c.line("ptx-jit-failed")
    if ptx and not c.violations("driver-too-old"):
        evidence.append(ptx[0])
        score = max(score, c.weight("ptx-jit-failed", "compute-capability"))
    checked = _from_check(c, "compute-capability", evidence)
    stated = c.line("cc-stated") or c.line("gpu-named")
    if checked and stated:
        evidence.append(stated[0])  # the text names the GPU the check found unsupported
    unseen = c.line("no-gpu-visible") or c.line("empty-device-list")
    if checked and unseen:
        evidence.append(unseen[0])  # TensorFlow skips a GPU its build has no kernels for, and then lists no GPU
    score = 1 - (1 - score) * (1 - checked)
    if not score:
        return None
    if checked and c.no_gpu_build_runs():
        cpu = c.plan(cpu_only=True)
        return Finding("compute-capability", min(score, 1.0), evidence, [
            f"No TensorFlow GPU build for {f.os} runs on compute capability {f.compute_capability} ({c.plan_command()} "
            "says which it would need): install the CPU-only package (the plan below), or use a GPU that a GPU build "
            "supports"], cpu if cpu and cpu.get("status") == "ok" else None)
    return Finding("compute-capability", min(score, 1.0), evidence, [
        "Install a TensorFlow release whose GPU build ships kernels (SASS) or PTX for this GPU's compute capability "
        f"({c.plan_command()} picks one); for PTX JIT problems update the NVIDIA driver",
    ], c.gpu_plan())


def windows_native_gpu_ended(c: Context) -> Optional[Finding]:
    f = c.facts
    if f.package == "tensorflow-cpu" or c.weight_seen("windows-native-gpu-ended") < 0:
        return None
    evidence: list[str] = []
    checked = c.violations("windows-native-gpu-ended")
    unseen = c.line("no-gpu-visible") or c.line("empty-device-list")
    if not checked and f.os == "windows" and not f.tensorflow and unseen:
        last = c.windows_gpu_end()
        return Finding("windows-native-gpu-ended", 0.5, [unseen[0], f.describe("os"), "the installed TensorFlow version "
                       f"is unknown: native-Windows GPU builds end at {last} (distributions, wheels)"], [
            f"Check the version: python -c \"import tensorflow as tf; print(tf.__version__)\"; after {last} use WSL2, or "
            f"TensorFlow {last} natively (the plan below)"], c.plan(os="linux"))
    if not checked:
        return None
    for violation in checked:
        evidence += [*violation.facts, violation.reason]
    score = 0.6
    hit = c.line("no-gpu-visible") or c.line("empty-device-list")
    if hit:
        evidence.append(hit[0])
        score = 0.85
    if f.gpu:
        evidence.append(f.describe("gpu"))
        score += 0.1
    last = c.windows_gpu_end()
    return Finding("windows-native-gpu-ended", min(score, 1.0), evidence, [
        "Use WSL2 with the Linux build (kbsolve plan --os wsl2 ... gives its steps), or",
        f"install TensorFlow {last} natively with the CUDA and cuDNN of its plan, or use the DirectML plugin",
    ], c.plan(os="linux"))


def path_conflict(c: Context) -> Optional[Finding]:
    if c.cpu_build():
        return None  # the CPU-only build loads no CUDA library
    f = c.facts
    evidence: list[str] = []
    score = 0.0
    versions = []
    for directory in f.cuda_dirs_on_path:
        match = re.search(r"(?:cuda[-\\/]?v?|CUDA\\v)(\d+\.\d+)", directory, re.I)
        if match:
            versions.append((directory, match.group(1)))
    distinct = list(dict.fromkeys(v for _, v in versions))
    row = c.installed_gpu_build()
    if len(distinct) > 1:
        evidence.append(f"CUDA directories on the library path, in order: {', '.join(d for d, _ in versions)}")
        score = 0.6
        if row and row.cuda and not _series_match(distinct[0], row.cuda):
            evidence.append(f"the first is CUDA {distinct[0]}; TensorFlow {f.tensorflow} needs CUDA {row.cuda}")
            score = 0.85
    if len(f.cuda_installed) > 1 and c.violations("cuda-library-mismatch") and row and row.cuda and \
            any(_series_match(v, row.cuda) for v in f.cuda_installed):
        evidence.append(f"installed CUDA {', '.join(f.cuda_installed)}; in use: {f.describe('cuda')}; needed: {row.cuda}")
        score = max(score, 0.8)
    in_error = {hit.group("cuda_dir") for _, hit in c.lines("cuda-dir-in-text")} - {None}
    if len(in_error) > 1:
        evidence += [line for line, _ in c.lines("cuda-dir-in-text")][:3]
        evidence.append(f"the error mentions several CUDA installs: {', '.join(sorted(in_error, key=version_key))}")
        score = max(score, 0.8)
    loaded = c.line("cudnn-runtime-differs")
    runtime = _cudnn_minor(loaded[1].group("cudnn_runtime")) if loaded else None
    built = _cudnn_minor(loaded[1].group("cudnn_built")) if loaded else None
    if loaded and f.cudnn and runtime and _cudnn_minor(f.cudnn) == built and runtime != built:
        evidence += [loaded[0], f"{f.describe('cudnn')} is the cuDNN TensorFlow was built with, yet cuDNN {runtime} was "
                                "loaded: an older copy comes first on the library path"]
        score = max(score, 0.92)
    pip_cudnn = c.guide_pip_cudnn()
    if loaded and f.os == "linux" and row and (row.cuda_from == "pip" or pip_cudnn) and f.package in (None, "tensorflow"):
        how = (f"its install guide installs cuDNN {pip_cudnn} from pip (nvidia-cudnn wheels)" if pip_cudnn
               else "it takes cuDNN from pip (tensorflow[and-cuda])")
        evidence += [loaded[0], f"TensorFlow {f.tensorflow} on Linux: {how}; a different runtime cuDNN means an older "
                                "system copy comes first on LD_LIBRARY_PATH"]
        score = max(score, 0.92)
    dlopen = c.line("cannot-dlopen-gpu-libraries") or (c.line("no-gpu-visible") if f.os == "linux" else None)
    if dlopen and row and row.cuda_from == "pip" and not c.violations("cuda-library-mismatch"):
        evidence += [dlopen[0], f"TensorFlow {f.tensorflow} on Linux loads CUDA from the nvidia-* pip wheels "
                                "(tensorflow[and-cuda]); the loader did not find them: the extra is missing, or an "
                                "LD_LIBRARY_PATH to another CUDA comes first"]
        score = max(score, 0.7)
    built = loaded[1].group("cudnn_built") if loaded else None
    if loaded and built and not f.tensorflow and f.os in (None, "linux"):
        minors = c.releases_built_with_cudnn(built)
        if minors and all(c.guide_pip_cudnn(minor + ".0") or c.pip_cuda(minor + ".0") for minor in minors):
            evidence += [loaded[0], f"TensorFlow built with cuDNN {built}: {', '.join(minors)} on Linux, whose install "
                                    "takes cuDNN from pip; the older runtime cuDNN is a system copy first on LD_LIBRARY_PATH"]
            score = max(score, 0.92)
    empty = c.line("no-gpu-visible") or c.line("empty-device-list")
    if empty and c.verified("cuda-library-mismatch") and c.verified("cudnn-mismatch") and f.cuda and f.cudnn:
        evidence += [empty[0], f"the installed CUDA {f.cuda} and cuDNN {f.cudnn} are the ones TensorFlow {f.tensorflow} "
                               "was built with, yet it sees no GPU: the loader does not find them (a conda cudatoolkit "
                               "needs LD_LIBRARY_PATH=$CONDA_PREFIX/lib since TF 2.7; a system install its lib64/bin "
                               "directory on the path)"]
        score = max(score, 0.65)
    hit = c.line("cuda-bin-dir")
    if hit and row and row.cuda and not _series_match(hit[1].group("cuda_dir") or "0", row.cuda) and len(f.cuda_installed) > 1:
        evidence.append(hit[0])
        score = max(score, 0.7)
    installed = f.cuda_installed or ([f.cuda] if f.cuda else [])
    for line, name in _libraries_named(c):
        derived = cuda_of_library_name(name)
        versions = sorted({v for _, v in c.library(name)}) or ([derived] if derived else [])
        if versions and installed and any(_series_match(i, v) for i in installed for v in versions):
            evidence += [line, f"{name} belongs to the installed CUDA {', '.join(installed)}, yet the loader does not find it: "
                               "its directory is missing from the library path, or another install comes first"]
            score = max(score, 0.8)
            break
    missing = c.line("cudnn-library-missing") or c.line("dnn-implementation-missing")
    if missing and f.cudnn and row and row.cudnn and c.verified("cudnn-mismatch"):
        evidence += [missing[0], f"{f.describe('cudnn')} is the cuDNN TensorFlow {f.tensorflow} was built with ({row.cudnn}), "
                                 "yet it was not loaded: its directory is missing from the library path, or another cuDNN "
                                 "comes first"]
        score = max(score, 0.8)
    if not score:
        return None
    needed = f"CUDA {row.cuda}" if row and row.cuda else "the CUDA version TensorFlow needs"
    if row and row.cuda_from == "pip":
        return Finding("path-conflict", min(score, 1.0), evidence, [c.pip_cuda_fix(),
                       "Remove other CUDA directories from LD_LIBRARY_PATH (the pip wheels' libraries must come first)"])
    return Finding("path-conflict", min(score, 1.0), evidence, [
        f"Put the {c.library_dir()} directory of {needed} first on {c.path_variable()}, or remove the others"
        + ("; set CUDA_PATH to it" if f.os == "windows" else ""),
    ])


def _cudnn_minor(text: Optional[str]) -> Optional[str]:
    """cuDNN major.minor from "8.1.0", "8.1" or TensorFlow's number form "8100" / "5105" (major, minor, patch digits)."""
    if not text:
        return None
    if re.fullmatch(r"\d{4}", text):
        return f"{text[0]}.{text[1]}"
    match = re.match(r"(\d+)\.(\d+)", text)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def package_confusion(c: Context) -> Optional[Finding]:
    f = c.facts
    evidence: list[str] = []
    score = _from_check(c, "package-confusion", evidence)
    if score:
        score = 0.85
    removed = c.line("tf-gpu-removed")
    if removed:
        evidence.append(removed[0])
        score = max(score, c.weight("tf-gpu-removed", "package-confusion"))
    for symptom in ("both-packages-installed",):
        hit = c.line(symptom)
        if hit:
            evidence.append(hit[0])
            score = max(score, c.weight(symptom, "package-confusion"))
    cpu_only = c.line("no-gpu-visible")
    explained = any(c.violations(x) for x in ("cuda-library-mismatch", "cudnn-mismatch", "driver-too-old", "compute-capability"))
    if cpu_only and f.package == "tensorflow-gpu" and not score and not explained:
        evidence += [cpu_only[0], "tensorflow-gpu is installed, yet TensorFlow runs on the CPU: a CPU tensorflow package "
                                  "installed beside it (often by another package's requirements) shadows it"]
        score = max(score, 0.6)
    sdist = c.line("sdist-build-failed")
    if sdist and f.package == "tensorflow-gpu":
        evidence += [sdist[0], "pip fell back to building tensorflow-gpu from source: the 2.12+ tensorflow-gpu is a stub "
                               "that fails on purpose (distributions: removed)"]
        score = max(score, 0.75)
    pywrap = c.line("pywrap-import-failed")
    if pywrap and f.package == "tensorflow-gpu" and not f.gpu and not _libraries_named(c):
        evidence += [pywrap[0], "tensorflow-gpu is installed but no NVIDIA GPU is known: the GPU package needs CUDA, cuDNN "
                                "and a CUDA-capable GPU; without them install the tensorflow package"]
        score = max(score, 0.55)
    if not score:
        return None
    return Finding("package-confusion", min(score, 1.0), evidence, [
        "pip uninstall -y tensorflow tensorflow-gpu tensorflow-cpu, then install the one package of the plan below"
        + (f" ({c.plan_command()})" if f.os else ""),
    ], c.plan())


def gpu_out_of_memory(c: Context) -> Optional[Finding]:
    evidence: list[str] = []
    score = c.strongest("gpu-out-of-memory", ("gpu-out-of-memory", "cudnn-handle-failed", "cudnn-status-error"), evidence)
    if not score:
        return None
    return Finding("gpu-out-of-memory", score, evidence, [
        "Check what holds GPU memory: nvidia-smi (close other processes, notebooks, a second TensorFlow)",
        "Let TensorFlow allocate as needed instead of taking all memory at start: "
        "tf.config.experimental.set_memory_growth(gpu, True) for each GPU, or set TF_FORCE_GPU_ALLOW_GROWTH=true",
    ])


#: The fix of a finding that only the generic pass raised (a symptom's weight, or a broken requirement no rule reads).
GENERIC_FIX = {
    "msvc-runtime-missing": f"Install the Microsoft Visual C++ 2015-2022 Redistributable (x64): {MSVC_URL}",
    "cpu-lacks-avx": "Use a machine whose CPU has AVX, or build TensorFlow from source without AVX",
    "python-32bit": "Install a 64-bit CPython: TensorFlow publishes 64-bit wheels only",
    "python-unsupported": "Use a Python that the TensorFlow release has wheels for (the plan below)",
    "no-wheel-for-platform": "Use an OS / architecture TensorFlow publishes wheels for (the plan below names one)",
    "cuda-library-mismatch": "Install the CUDA version the TensorFlow build was tested with (the plan below)",
    "cudnn-mismatch": "Install the cuDNN version the TensorFlow build was tested with (the plan below)",
    "driver-too-old": "Update the NVIDIA driver to the floor the plan below names (https://www.nvidia.com/Download/index.aspx)",
    "compute-capability": "Install a TensorFlow release whose GPU build runs on this GPU (the plan below)",
    "windows-native-gpu-ended": "Use WSL2 with the Linux build (the plan below), or the last native-Windows GPU release",
    "path-conflict": "Put the directory of the CUDA / cuDNN TensorFlow needs first on the loader path",
    "package-confusion": "pip uninstall -y tensorflow tensorflow-gpu tensorflow-cpu, then install the one package of the plan",
    "gpu-out-of-memory": "Free the GPU (nvidia-smi) or let TensorFlow grow its memory: TF_FORCE_GPU_ALLOW_GROWTH=true",
}


#: Symptoms the rules above read themselves (a test keeps this list equal to the ids the rules name); every
#: other symptom of the catalogue reaches findings through :func:`generic`, by its weights alone.
READ_BY_RULES = frozenset({
    "avx-mentioned", "both-packages-installed", "cannot-dlopen-gpu-libraries", "cc-below-minimum", "cc-stated", "core-dumped",
    "cuda-bin-dir", "cuda-dir-in-text", "cuda-library-not-loaded", "cudart-stub-note", "cudnn-handle-failed",
    "cudnn-library-missing", "cudnn-runtime-differs", "cudnn-status-error", "dll-init-failed", "dll-load-failed",
    "dnn-implementation-missing", "cudnn-library-named", "driver-insufficient", "driver-not-loaded", "empty-device-list",
    "gpu-claimed", "gpu-named", "gpu-out-of-memory", "illegal-instruction", "import-failed", "install-failed-prose",
    "msvc-dll-named", "musl-libc", "native-runtime-failed", "no-gpu-visible", "no-kernel-image",
    "pip-no-version", "pip-saw-none", "pip-saw-versions", "ptx-jit-failed", "pywrap-import-failed", "sdist-build-failed",
    "slow-first-start", "tf-gpu-removed", "wheel-not-supported", "win32-wheel", "x86-emulation", "zlibwapi",
})


def generic(c: Context, finding: str) -> Optional[Finding]:
    """A finding no rule raised: from the symptoms no rule reads, by their catalogue weights, and the check's
    violations of ``finding``."""
    evidence: list[str] = []
    score = 0.0
    for symptom, hit_list in c.hits.items():
        if symptom in READ_BY_RULES:
            continue
        weight = dict(hit_list[0].symptom.findings).get(finding, 0.0)
        if weight > 0:
            evidence.append(hit_list[0].evidence)
            score = max(score, weight)
    checked = _from_check(c, finding, evidence)
    score = 1 - (1 - score) * (1 - checked)
    if not score or c.weight_seen(finding) < 0:
        return None
    fix = GENERIC_FIX[finding]
    no_gpu_build = any("GPU build" in v.reason for v in c.violations(finding))
    if finding == "no-wheel-for-platform" and no_gpu_build:
        fix = ("TensorFlow's CUDA builds for this OS ended (or never existed): use Linux or WSL2 for the NVIDIA GPU (the plan "
               "below), or on a Mac the tensorflow-metal plugin for the Apple GPU")
    plan = c.plan(os="linux") if finding == "windows-native-gpu-ended" or no_gpu_build else (
        c.gpu_plan() if finding in ("cuda-library-mismatch", "cudnn-mismatch", "driver-too-old", "compute-capability")
        else c.plan())
    return Finding(finding, min(score, 1.0), evidence, [fix], plan)


RULES: tuple[Callable[[Context], Optional[Finding]], ...] = (
    msvc_runtime_missing, cpu_lacks_avx, python_32bit, missing_wheel, cuda_library_mismatch,
    cudnn_mismatch, driver_too_old, compute_capability, windows_native_gpu_ended, path_conflict,
    package_confusion, gpu_out_of_memory,
)
