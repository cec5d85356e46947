"""Diagnosis rules: each looks at the facts and the error text and may return a finding.

A rule scores its confidence in [0, 1] from what it saw: a distinctive error line scores high, a
fact from the snapshot that breaks a documented requirement scores high, a generic symptom
("DLL load failed") scores lower and needs a supporting fact. Evidence quotes the error line
(``error line 12: ...``) and the facts with their origin; fixes are concrete steps.

The vocabulary of finding ids is fixed: see :data:`FINDING_IDS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion

from ..compute import PTX, runs_as
from ..knowledge import Knowledge
from ..model import cuda_series, minor_of, version_key
from .errortext import ErrorText
from .facts import Facts

FINDING_IDS = {
    "msvc-runtime-missing": "The Microsoft Visual C++ runtime TensorFlow needs is missing",
    "cpu-lacks-avx": "The CPU lacks AVX, which the official TensorFlow wheels require",
    "python-32bit": "Python is 32-bit; TensorFlow wheels are 64-bit only",
    "python-unsupported": "No TensorFlow wheel for this Python version",
    "no-wheel-for-platform": "No TensorFlow wheel for this OS / architecture",
    "cuda-library-mismatch": "A CUDA library of the version TensorFlow was built against is missing",
    "cudnn-mismatch": "cuDNN is missing or of the wrong version",
    "driver-too-old": "The NVIDIA driver is missing or too old for the CUDA runtime",
    "compute-capability": "The GPU's compute capability is not supported by this TensorFlow build",
    "windows-native-gpu-ended": "TensorFlow >= 2.11 has no GPU support on native Windows",
    "path-conflict": "CUDA libraries on the library path: the needed one missing from it, or another install first",
    "package-confusion": "tensorflow / tensorflow-gpu / tensorflow-cpu packages mixed up",
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
    """What rules read: the knowledge base, the facts, the error text, and a planner for fixes."""

    knowledge: Knowledge
    facts: Facts
    error: ErrorText
    planner: Callable[[dict[str, Any]], Optional[dict[str, Any]]] = lambda changes: None

    def line(self, pattern: str, flags: int = re.I) -> Optional[tuple[str, re.Match[str]]]:
        """The first error line matching ``pattern``, as ``("error line N: ...", match)``."""
        hit = self.error.search(re.compile(pattern, flags))
        if hit is None:
            return None
        number, text, match = hit
        return f"error line {number}: {text.strip()[:300]}", match

    def lines(self, pattern: str) -> list[tuple[str, re.Match[str]]]:
        return [(f"error line {n}: {t.strip()[:300]}", m) for n, t, m in self.error.find_all(re.compile(pattern, re.I))]

    # -- matrix queries ------------------------------------------------------------------------

    def tested_gpu_row(self, version: Optional[str] = None) -> Any:
        version = version or self.facts.tensorflow
        if not version:
            return None
        try:
            minor = minor_of(version)
        except InvalidVersion:
            return None
        for os in (self.facts.os or "linux", "linux"):
            rows = [r for r in self.knowledge.tested_rows(minor, os, "gpu") if r.cuda]
            if rows:
                return rows[0]
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

    def gpu_plan(self) -> Optional[dict[str, Any]]:
        """The GPU plan for the installed TF minor release (which CUDA/cuDNN/driver it needs); ``None``
        when the GPU is not known, since a CPU-only plan would not fix a GPU finding."""
        if not self.facts.compute_capability:
            return None
        pinned = f"=={minor_of(self.facts.tensorflow)}.*" if self.facts.tensorflow else None
        result = self.planner({"tensorflow": pinned} if pinned else {})
        return result if result and result.get("status") == "ok" else self.planner({})


def _as_list(value: Any) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _covers(spec: str, version: str) -> bool:
    try:
        return SpecifierSet(spec).contains(version, prereleases=True)
    except (InvalidVersion, ValueError):
        return False


def _at_least(version: Optional[str], floor: str) -> Optional[bool]:
    try:
        return version_key(version) >= version_key(floor) if version else None
    except InvalidVersion:
        return None


# -- the rules ---------------------------------------------------------------------------------

DLL_LOAD = r"DLL load failed|ImportError: DLL|Failed to load the native TensorFlow runtime"


def msvc_runtime_missing(c: Context) -> Optional[Finding]:
    f = c.facts
    evidence: list[str] = []
    score = 0.0
    named = c.line(r"msvcp140(_1)?\.dll|vcruntime140(_1)?\.dll|msvcp_dll_name|Visual C\+\+ Redistributable|"
                   r"Microsoft Visual C\+\+")
    if named:
        evidence.append(named[0])
        score = 0.85
    dlls = f.msvc_dlls or {}
    if f.msvc_runtime is False or dlls.get("msvcp140_1.dll") is False:
        evidence.append(f.describe("msvc_dlls") if dlls else f.describe("msvc_runtime"))
        score = max(score, 0.7) + 0.15
    dll = c.line(DLL_LOAD)
    if dll and (f.os in (None, "windows")) and not c.line(r"initialization routine failed") and \
            (score or f.msvc_runtime is None):
        evidence.append(dll[0])
        score = max(score, 0.45) + (0.1 if score else 0)
    if score and f.tensorflow and _at_least(f.tensorflow, "2.1") is False and not named:
        score -= 0.2  # before 2.1 the 2015 runtime sufficed; less likely
    if not score:
        return None
    return Finding("msvc-runtime-missing", min(score, 1.0), evidence, [
        f"Install the Microsoft Visual C++ 2015-2022 Redistributable (x64): {MSVC_URL}",
        "TensorFlow 2.1+ needs msvcp140_1.dll from the 2019+ runtime (TF 2.1.0 release notes); "
        "restart the shell, then import again",
    ])


# CPU families without AVX: Atom-based Pentium/Celeron (J/N series), Core 2, first-generation Core i (3-digit models),
# Xeon 5500/5600, AMD K10 (Intel ARK / AMD product pages list no AVX for them).
OLD_CPU = re.compile(r"Pentium|Celeron|Atom|Core\(TM\)2|Core 2|Core(?:\(TM\))? i[357]-?\s?\d{3}[A-Z]*\b|\b[JN]\d{4}\b|"
                     r"Xeon.*\b[XELW]5[4-6]\d\d\b|Phenom|Athlon II|Sempron|Turion", re.I)


def cpu_lacks_avx(c: Context) -> Optional[Finding]:
    f = c.facts
    evidence: list[str] = []
    score = 0.0
    if f.cpu_flags is not None and f.cpu_flags.get("avx") is False and f.arch in (None, "x86_64", "x86"):
        evidence.append(f"cpu avx = False ({f.origin.get('cpu_flags')})")
        score = 0.9
    illegal = c.line(r"illegal (hardware )?instruction|core dumped|SIGILL|0xc000001d|"
                     r"compiled to use \w+ instructions, but these aren't available")
    if illegal:
        evidence.append(illegal[0])
        score = max(score, 0.8) + (0.05 if score else 0)
    init = c.line(r"initialization routine failed|DLL initialization")
    if init:
        evidence.append(init[0])
        score = max(score, 0.6) + (0.1 if score else 0)
    if f.cpu_model and OLD_CPU.search(f.cpu_model):
        evidence.append(f.describe("cpu_model") + ": a CPU family without AVX")
        score = (score + 0.2) if score else 0.5
    if f.cpu_flags is not None and f.cpu_flags.get("avx") is True:
        return None  # the CPU has AVX: not this
    if not score:
        return None
    return Finding("cpu-lacks-avx", min(score, 1.0), evidence, [
        "Official TensorFlow wheels since 1.6 are built with AVX (TF 1.6.0 release notes); this CPU cannot run them",
        "Use a machine with an AVX-capable CPU, or pip install tensorflow==1.5.* (the last release without AVX), "
        "or build TensorFlow from source without AVX",
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
    win32 = c.line(r"not a valid Win32 application|win32\.whl|-win32|is not a supported wheel on this platform.*win32")
    if win32:
        evidence.append(win32[0])
        score = max(score, 0.85) + (0.05 if score else 0)
    if not score:
        return None
    return Finding("python-32bit", min(score, 1.0), evidence, [
        "TensorFlow publishes 64-bit wheels only (win_amd64, x86_64, aarch64): install a 64-bit CPython"
        + (" (python.org's 'Windows installer (64-bit)')" if f.os in (None, "windows") else ""),
        "Check with: python -c \"import struct; print(struct.calcsize('P') * 8)\"  (must print 64)",
    ], c.plan(arch="x86_64"))


PIP_NOT_FOUND = (r"Could not find a version that satisfies the requirement (tensorflow[\w-]*)\s*(?:\[[\w,-]+\])?"
                 r"\s*(\(?[=<>!~][^\s)]*)?|"
                 r"No matching distribution found for (tensorflow[\w-]*)\s*(?:\[[\w,-]+\])?\s*([=<>!~]\S*)?")


def _pip_request(c: Context) -> Optional[tuple[str, str, Optional[str]]]:
    hit = c.line(PIP_NOT_FOUND)
    if not hit:
        return None
    match = hit[1]
    package = (match.group(1) or match.group(3) or "tensorflow").lower()
    spec = (match.group(2) or match.group(4) or "").strip("()") or None
    if spec and "from versions" in spec:
        spec = None
    try:
        if spec:
            SpecifierSet(spec)
    except ValueError:
        spec = None
    return hit[0], package, spec


UNSUPPORTED_WHEEL = r"([\w.+-]+\.whl) is not a supported wheel on this platform|is not a supported wheel on this platform"


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

    from ..knowledge import KNOWN_PYTHONS
    from ..platforms import platform_of, pythons_of

    try:
        tags = parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return None
    f = c.facts
    platforms = {pair for tag in tags for pair in platform_of(tag.platform)}
    pythons = {p for tag in tags for p in pythons_of(tag.interpreter, tag.abi, KNOWN_PYTHONS)}
    if any(tag.platform == "win32" for tag in tags):
        return None
    if f.os and f.arch and platforms and (f.os, c.arch()) not in platforms:
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
    rejected = c.line(UNSUPPORTED_WHEEL)
    if rejected and rejected[1].group(1) and re.search(r"win32", rejected[1].group(1)):
        return None
    request = _pip_request(c)
    musl = c.line(r"musllinux|alpine|\bmusl\b")
    if musl and (request or rejected):
        return Finding("no-wheel-for-platform", 0.85, [musl[0], "TensorFlow publishes manylinux (glibc) wheels only; "
                       "musl (Alpine) has none"], ["Use a glibc-based distribution or image (Debian, Ubuntu)"], c.plan())
    if rejected and rejected[1].group(1):
        cause = _wheel_file_cause(c, rejected[1].group(1))
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
    saw_none = bool(c.line(r"from versions: none\)")) or (request is not None and spec is None
                                                          and not c.line(r"from versions: \d"))
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
        return _wheel_finding(c, "python-unsupported", 0.45, evidence)
    if f.python not in everywhere:
        evidence.append(f"PyPI has no {package} wheel for Python {f.python} on any platform")
        return _wheel_finding(c, "python-unsupported", 0.9, evidence)
    python_since = _first_upload(c, package, python=f.python)
    platform_since = _first_upload(c, package, platform=platform) if platform else "0000"
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


def _wheel_finding(c: Context, finding: str, score: float, evidence: list[str]) -> Finding:
    f = c.facts
    if finding == "python-unsupported":
        served = sorted(c.wheel_pythons("tensorflow"), key=version_key)
        fix = [f"Use a Python that TensorFlow publishes wheels for on this platform ({', '.join(served) or 'none'}), "
               "or the TensorFlow release that supports your Python (the plan below)",
               "Check which interpreter pip belongs to: python -m pip --version"]
    else:
        fix = ["Use a platform TensorFlow publishes wheels for: Linux x86_64/aarch64 (glibc), Windows x86_64, "
               "macOS arm64 (tensorflow 2.13+; tensorflow-macos before), macOS x86_64 (up to 2.16)"]
        if f.os == "macos" and f.arch == "arm64":
            fix.append("On Apple silicon: upgrade pip and install tensorflow>=2.13, or tensorflow-macos (+ tensorflow-metal)")
    return Finding(finding, score, evidence, fix, c.plan())


CUDA_NAME = r"(?:lib)?(?:cudart|cublas|cublasLt|cufft|curand|cusolver|cusparse|cudnn)\w*?(?:64_\d+\.dll|\.so(?:\.[\d.]+)?)"
CUDA_LIB = (rf"Could not load dynamic library '({CUDA_NAME})'|Could not find '({CUDA_NAME})'|"
            rf"({CUDA_NAME}): cannot open shared object|({CUDA_NAME}) not found|Could not locate ({CUDA_NAME})")
STUB = r"Ignore above cudart dlerror if you do not have a GPU"


def _libraries_named(c: Context) -> list[tuple[str, str]]:
    """(error line, file name) for every CUDA/cuDNN library the error says could not be loaded.

    Only toolkit libraries count: libcuda.so / nvcuda.dll come with the driver, libnvinfer (TensorRT) is optional.
    """
    found = []
    for evidence, match in c.lines(CUDA_LIB):
        name = next(g for g in match.groups() if g)
        found.append((evidence, name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]))
    return list(dict.fromkeys(found))


def cuda_library_mismatch(c: Context) -> Optional[Finding]:
    f = c.facts
    named = [(e, n) for e, n in _libraries_named(c) if "cudnn" not in n.lower()]
    if named and not f.gpu and c.line(STUB):
        return None  # TF's own note: on a machine without a GPU the missing CUDA runtime is harmless
    row = c.tested_gpu_row()
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
    if not named and row and f.cuda and f.package != "tensorflow-cpu" and f.tensorflow and \
            not _series_match(f.cuda, row.cuda) and not _pip_cuda(c):
        evidence.append(f"TensorFlow {f.tensorflow} GPU build was tested with CUDA {row.cuda} (tested build configurations)")
        evidence.append(f.describe("cuda"))
        score = 0.55
        wanted = row.cuda
    if not score:
        return None
    if row:
        evidence.append(f"TensorFlow {f.tensorflow} expects CUDA {row.cuda} and cuDNN {row.cudnn} (tested build configurations)")
    if f.built_cuda:
        evidence.append(f"the installed TensorFlow was built against CUDA {f.built_cuda}"
                        + (f" and cuDNN {f.built_cudnn}" if f.built_cudnn else "") + f" ({f.origin.get('built_cuda')})")
        wanted = cuda_series(row.cuda) if wanted is not None or not named else None
    loads = c.tf_loads()
    if loads:
        evidence.append(f"TensorFlow {f.tensorflow} on {f.os} loads {', '.join(loads)} (matrix library-files)")
    fixes = []
    if wanted is None and named:
        fixes.append("The CUDA that provides these files is installed: put its bin (Windows PATH) / lib64 (LD_LIBRARY_PATH) "
                     "directory on the library path")
    elif wanted:
        fixes.append(f"Install CUDA {wanted} (https://developer.nvidia.com/cuda-toolkit-archive) and put its bin (Windows) / "
                     "lib64 (Linux) directory on PATH / LD_LIBRARY_PATH, or install the TensorFlow release built for the CUDA "
                     "you have (kbsolve plan)")
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


def _pip_cuda(c: Context) -> bool:
    return bool(c.facts.tensorflow and _at_least(c.facts.tensorflow, "2.14") and c.facts.os == "linux")


def cudnn_mismatch(c: Context) -> Optional[Finding]:
    f = c.facts
    evidence: list[str] = []
    score = 0.0
    loaded = c.line(r"Loaded runtime Cu?DNN library:?\s*([\d.]+)(?:.*compiled with:?\s*([\d.]+))?")
    if loaded:
        runtime, built = loaded[1].group(1), loaded[1].group(2) or "version"
        evidence += [loaded[0], f"runtime cuDNN {runtime} differs from the {built} TensorFlow was built with"]
        score = 0.9
    for line, name in _libraries_named(c):
        if "cudnn" in name.lower():
            evidence.append(line)
            score = max(score, 0.85)
    other = c.line(r"Could not (?:load|locate) library (cudnn\w*|zlibwapi\.dll)|cudnn\w*64_\d+\.dll.*not found|"
                   r"Unable to load cuDNN|CUDNN_STATUS_\w+|cuDNN failed to initialize|cudnn_\w+64_\d\.dll")
    if other:
        evidence.append(other[0])
        score = max(score, 0.8 if "status" not in other[0].lower() and "initialize" not in other[0].lower() else 0.55)
    row = c.tested_gpu_row()
    if not score and row and f.cudnn and f.tensorflow and not _pip_cuda(c) and \
            f.cudnn.split(".")[0] != (row.cudnn or "").split(".")[0]:
        evidence.append(f.describe("cudnn"))
        score = 0.6
    if not score:
        return None
    if row:
        evidence.append(f"TensorFlow {f.tensorflow} expects cuDNN {row.cudnn} with CUDA {row.cuda} (tested build configurations)")
    fix = [f"Install cuDNN {row.cudnn} for CUDA {row.cuda} (https://developer.nvidia.com/rdp/cudnn-archive) and put its bin/lib "
           "directory on PATH / LD_LIBRARY_PATH" if row else "Install the cuDNN version this TensorFlow was built with"]
    if c.line(r"zlibwapi"):
        fix.append("cuDNN 8.3+ on Windows also needs zlibwapi.dll (NVIDIA's cuDNN installation guide)")
    return Finding("cudnn-mismatch", min(score, 1.0), evidence, fix, c.gpu_plan())


def driver_too_old(c: Context) -> Optional[Finding]:
    f = c.facts
    evidence: list[str] = []
    score = 0.0
    hit = c.line(r"driver version is insufficient for CUDA runtime|CUDA_ERROR_SYSTEM_DRIVER_MISMATCH|"
                 r"cudaErrorInsufficientDriver|forward compatibility was attempted on non supported HW|"
                 r"driver does not support|NVIDIA driver on your system is too old")
    if hit:
        evidence.append(hit[0])
        score = 0.95
    no_driver = c.line(r"(?:libcuda\.so(?:\.1)?|nvcuda\.dll)\b.*(?:cannot open|not found|No such file)|"
                       r"Could not load dynamic library '(?:libcuda\.so\.1|nvcuda\.dll)'|CUDA_ERROR_NO_DEVICE|"
                       r"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver")
    if no_driver:
        evidence += [no_driver[0], "libcuda.so / nvcuda.dll come with the NVIDIA driver, not the CUDA toolkit: no working "
                                   "driver is visible (not installed, or not passed into the container)"]
        score = max(score, 0.8)
    row = c.tested_gpu_row()
    if row and f.cuda_driver_max:
        try:
            if version_key(f.cuda_driver_max) < version_key(cuda_series(row.cuda)):
                evidence.append(f"{f.describe('cuda_driver_max')}: the driver supports CUDA up to {f.cuda_driver_max}, "
                                f"TensorFlow {f.tensorflow} needs CUDA {row.cuda}")
                score = max(score, 0.85)
        except InvalidVersion:
            pass
    floor = _driver_floor(c, row.cuda if row else None)
    plan = c.gpu_plan()
    components = {x["name"]: x for x in ((plan or {}).get("plan") or {}).get("components", [])}
    if "nvidia-driver" in components and components["nvidia-driver"].get("min_version") not in (None, "unknown"):
        floor = components["nvidia-driver"]["min_version"]  # the GPU's own needs (PTX JIT, architecture) included
    if floor and f.driver and _at_least(f.driver, floor) is False:
        evidence.append(f"{f.describe('driver')} < {floor}, the lowest driver for TensorFlow {f.tensorflow} on {f.os}")
        score = max(score, 0.85)
    if not score:
        return None
    download = "https://www.nvidia.com/Download/index.aspx"
    fix = [f"Update the NVIDIA driver to {floor} or newer ({download})" if floor
           else f"Update the NVIDIA driver ({download}); nvidia-smi shows the newest CUDA it supports"]
    return Finding("driver-too-old", min(score, 1.0), evidence, fix)


def _driver_floor(c: Context, cuda: Optional[str]) -> Optional[str]:
    if not cuda or not c.facts.os or c.facts.os == "macos":
        return None
    from ..query import Query
    from ..solver import Factory

    factory = Factory(c.knowledge, Query(os=c.facts.os, arch=c.facts.arch or "x86_64"))
    floor, _ = factory.driver_floor(cuda_series(cuda))
    return floor


def compute_capability(c: Context) -> Optional[Finding]:
    f = c.facts
    if f.package == "tensorflow-cpu":
        return None  # the CPU-only build never uses the GPU
    evidence: list[str] = []
    score = 0.0
    minimum = c.line(r"compute capability (\d+\.\d+)\.?\s*The minimum required Cuda capability is (\d+\.\d+)")
    if minimum:
        evidence.append(minimum[0])
        score = 0.95
    kernels = c.line(r"no kernel image is available|not built with CUDA kernel binaries compatible|CUDA_ERROR_NO_BINARY_FOR_GPU|"
                     r"no binary for gpu|sm_\d+ is not compatible|architecture is not supported")
    if kernels:
        evidence.append(kernels[0])
        score = max(score, 0.9)
    ptx = c.line(r"CUDA_ERROR_INVALID_PTX|PTX JIT compil|ptxas\b.*(?:unsupported|too old|fatal)|"
                 r"CUDA_ERROR_UNSUPPORTED_PTX_VERSION")
    if ptx:
        evidence.append(ptx[0])
        score = max(score, 0.75)
    targets = c.knowledge.cuda_targets_for(f.tensorflow, f.os or "linux") if f.tensorflow else None
    if f.compute_capability and targets:
        how = runs_as(f.compute_capability, targets.sass, targets.ptx)
        if how is None:
            evidence.append(f"{f.describe('compute_capability')}; TensorFlow {minor_of(f.tensorflow or '0')} ships SASS "
                            f"{', '.join(targets.sass)} and PTX {', '.join(targets.ptx)} (tf-cuda-targets)")
            score = max(score, 0.85)
        elif how == PTX and score:
            evidence.append(f"{f.describe('compute_capability')}: runs only through PTX JIT with this TensorFlow")
    if not score:
        return None
    return Finding("compute-capability", min(score, 1.0), evidence, [
        "Install a TensorFlow release whose GPU build ships kernels (SASS) or PTX for this GPU's compute capability "
        "(kbsolve plan --gpu ... picks one); for PTX JIT problems update the NVIDIA driver",
    ], c.gpu_plan())


def windows_native_gpu_ended(c: Context) -> Optional[Finding]:
    f = c.facts
    if f.os != "windows" or not f.tensorflow or _at_least(f.tensorflow, "2.11") is not True:
        return None
    if f.package == "tensorflow-cpu" or c.line(r"Num GPUs Available:?\s*[1-9]"):
        return None
    evidence = [f.describe("tensorflow"), f.describe("os")]
    hit = c.line(r"Num GPUs Available:?\s*0\b|GPU will not be used|not see (?:the|my|any) GPU|Skipping registering GPU devices|"
                 r"GPU (?:is )?not (?:detected|found|available)|no GPU|list_physical_devices\(['\"]GPU['\"]\).*\[\]|"
                 r"is_built?_with_cuda\(\).*\bfalse\b")
    empty = c.line(r"^\s*\[\]\s*$")  # list_physical_devices('GPU') printed an empty list
    if not hit and not (empty and f.gpu) and not f.gpu:
        return None
    score = 0.6
    if hit or empty:
        evidence.append((hit or empty)[0])  # type: ignore[index]
        score = 0.85
    if f.gpu:
        evidence.append(f.describe("gpu"))
        score += 0.1
    evidence.append("tensorflow.org/install/pip: TensorFlow 2.10 was the last release that supported GPU on native Windows")
    return Finding("windows-native-gpu-ended", min(score, 1.0), evidence, [
        "Use WSL2 with the Linux build (pip install tensorflow[and-cuda] inside Ubuntu on WSL2), or",
        "install tensorflow<2.11 natively with CUDA 11.2 / cuDNN 8.1 (Python 3.7-3.10), or use the DirectML plugin",
    ], c.plan(os="linux"))


def path_conflict(c: Context) -> Optional[Finding]:
    f = c.facts
    evidence: list[str] = []
    score = 0.0
    versions = []
    for directory in f.cuda_dirs_on_path:
        match = re.search(r"(?:cuda[-\\/]?v?|CUDA\\v)(\d+\.\d+)", directory, re.I)
        if match:
            versions.append((directory, match.group(1)))
    distinct = list(dict.fromkeys(v for _, v in versions))
    row = c.tested_gpu_row()
    if len(distinct) > 1:
        evidence.append(f"CUDA directories on the library path, in order: {', '.join(d for d, _ in versions)}")
        score = 0.6
        if row and not _series_match(distinct[0], row.cuda):
            evidence.append(f"the first is CUDA {distinct[0]}; TensorFlow {f.tensorflow} needs CUDA {row.cuda}")
            score = 0.85
    if len(f.cuda_installed) > 1 and f.cuda and row and not _series_match(f.cuda, row.cuda) and \
            any(_series_match(v, row.cuda) for v in f.cuda_installed):
        evidence.append(f"installed CUDA {', '.join(f.cuda_installed)}; in use: {f.describe('cuda')}; needed: {row.cuda}")
        score = max(score, 0.8)
    in_error = {m.group(1) for _, m in c.lines(r"cuda-(\d+\.\d+)")} | {m.group(1) for _, m in c.lines(r"CUDA\\v(\d+\.\d+)")}
    if len(in_error) > 1:
        evidence += [line for line, _ in c.lines(r"cuda-\d+\.\d+|CUDA\\v\d+\.\d+")][:3]
        evidence.append(f"the error mentions several CUDA installs: {', '.join(sorted(in_error, key=version_key))}")
        score = max(score, 0.8)
    loaded = c.line(r"Loaded runtime Cu?DNN library")
    if loaded and f.os == "linux" and f.tensorflow and _at_least(f.tensorflow, "2.12"):
        evidence += [loaded[0], f"TensorFlow {f.tensorflow} on Linux gets cuDNN from pip (nvidia-cudnn-cu11 / the and-cuda "
                                "extra); a different runtime cuDNN means an older system copy comes first on LD_LIBRARY_PATH"]
        score = max(score, 0.92)
    hit = c.line(r"CUDA[\\/]v?(\d+\.\d+)[\\/]bin")
    if hit and row and not _series_match(hit[1].group(1), row.cuda) and len(f.cuda_installed) > 1:
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
    if not score:
        return None
    return Finding("path-conflict", min(score, 1.0), evidence, [
        "Put the bin (Windows PATH) / lib64 (LD_LIBRARY_PATH) directory of the CUDA version TensorFlow needs first, "
        "or remove the others; set CUDA_PATH to it",
    ])


def package_confusion(c: Context) -> Optional[Finding]:
    f = c.facts
    evidence: list[str] = []
    score = 0.0
    dists = set(f.distributions)
    if {"tensorflow", "tensorflow-gpu"} <= dists or {"tensorflow-cpu", "tensorflow-gpu"} <= dists:
        evidence.append(f"installed together: {', '.join(sorted(dists))} ({f.origin.get('distributions')})")
        score = 0.85
    removed = c.line(r"tensorflow[-_]gpu-2\.1[2-9][\d.]*\.tar\.gz|"
                     r"tensorflow-gpu.*(?:removed|has been removed|no longer|deprecated|use tensorflow instead)|"
                     r"(?:removed|no longer).*tensorflow-gpu|Please install tensorflow instead|"
                     r"Could not find a version that satisfies the requirement tensorflow-gpu")
    if removed:
        evidence.append(removed[0])
        score = max(score, 0.8)
    if f.package == "tensorflow-gpu" and f.tensorflow and _at_least(f.tensorflow, "2.12"):
        evidence.append("tensorflow-gpu 2.12+ is an empty package that fails on purpose (2.12.0 release notes)")
        score = max(score, 0.9)
    pywrap = c.line(r"_pywrap_tensorflow_internal")
    if pywrap and f.package == "tensorflow-gpu" and not f.gpu and not _libraries_named(c):
        evidence += [pywrap[0], "tensorflow-gpu is installed but no NVIDIA GPU is known: the GPU package needs CUDA, cuDNN "
                                "and a CUDA-capable GPU; without them install the tensorflow package"]
        score = max(score, 0.55)
    if f.package == "tensorflow-cpu" and f.gpu:
        evidence.append(f"{f.describe('package')} on a machine with {f.gpu}: the CPU-only build never uses the GPU")
        score = max(score, 0.75)
    if f.package == "tensorflow" and f.tensorflow and _at_least(f.tensorflow, "2.1") is False and f.gpu and \
            f.tensorflow != "1.15.0" and c.line(r"GPU|gpu"):
        evidence.append(f"{f.describe('package')} {f.tensorflow}: "
                        "before 2.1 the GPU build was the separate tensorflow-gpu package")
        score = max(score, 0.7)
    if not score:
        return None
    return Finding("package-confusion", min(score, 1.0), evidence, [
        "pip uninstall -y tensorflow tensorflow-gpu tensorflow-cpu, then install one package: tensorflow (2.1+ carries GPU "
        "support on Linux, and on Windows up to 2.10), tensorflow-gpu only for 1.x/2.0",
    ], c.plan())


RULES: tuple[Callable[[Context], Optional[Finding]], ...] = (
    msvc_runtime_missing, cpu_lacks_avx, python_32bit, missing_wheel, cuda_library_mismatch,
    cudnn_mismatch, driver_too_old, compute_capability, windows_native_gpu_ended, path_conflict, package_confusion,
)

BENIGN = {
    r"Your CPU supports instructions that this TensorFlow binary was not compiled to use|"
    r"This TensorFlow binary is optimized to use available CPU instructions":
        "'Your CPU supports instructions that this TensorFlow binary was not compiled to use' is information, not an "
        "error: the official build just does not use every instruction set of this CPU.",
    r"oneDNN custom operations are on":
        "'oneDNN custom operations are on' is information: results may differ slightly in floating point; "
        "TF_ENABLE_ONEDNN_OPTS=0 turns them off.",
    STUB: "'Ignore above cudart dlerror if you do not have a GPU set up' is TensorFlow's own note: on a machine without "
          "an NVIDIA GPU the missing CUDA runtime is harmless and TensorFlow runs on the CPU.",
}
