"""Check an installed environment against the solver's own constraints: plan and check are one model.

:func:`check` pins every installed version the caller knows (TensorFlow package and version,
Python, CUDA toolkit, cuDNN, NVIDIA driver, GPU compute capability, MSVC runtime, CPU AVX) and asks
the same :class:`~kbsolver.solve.Factory` that ``kbsolve plan`` uses for the requirements those
choices bring. Every requirement a pinned fact breaks becomes a :class:`Violation` carrying the
requirement's own words (the words a plan conflict uses) and the sources of the matrix records
behind it. Nothing here knows a version number of its own: targets, floors, cut-offs, wheels and
platform requirements all come from the knowledge base through the factory.

Facts used (through the factory): ``wheels`` (installable Pythons), ``distributions`` (which
package carries GPU support where, removed stubs), ``tested-builds`` (CUDA/cuDNN of a GPU build),
``tf-cuda-targets`` (SASS/PTX), ``cuda-toolkits``/``cuda-majors`` (driver floors, nvcc targets),
``gpu-architectures`` (last driver branch), ``cudnn`` (CUDA support), ``tf-platform-requirements``
(MSVC runtime, AVX).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional

from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.model import Record, minor_of, safe_version, version_key
from kbsolver.solve import Candidate, Factory, Requirement, TensorflowCandidate
from kbsolver.solve.candidates import COMPUTE, CUDA, CUDNN, DRIVER, MSVC, PYTHON
from kbsolver.solve.query import Query

#: Which finding a broken requirement on each solver identifier means.
FINDING_OF = {
    PYTHON: "python-unsupported",
    CUDA: "cuda-library-mismatch",
    CUDNN: "cudnn-mismatch",
    COMPUTE: "compute-capability",
    DRIVER: "driver-too-old",
    MSVC: "msvc-runtime-missing",
}


@dataclass(frozen=True)
class Environment:
    """An installed (or declared) machine, every value as the user or detection wrote it; ``None`` = unknown.

    ``os`` linux|windows|macos, ``arch`` x86_64|arm64|x86, ``python`` "X.Y", ``python_bits`` 32|64,
    ``package``/``tensorflow`` the installed TF distribution and version, ``distributions`` every
    TF-family distribution installed, ``compute_capability`` "X.Y" of the GPU named ``gpu``,
    ``driver`` the NVIDIA driver version, ``cuda`` the CUDA toolkit in use ("X.Y"), ``cudnn`` the
    cuDNN version, ``msvc_runtime`` whether the MSVC 2019+ runtime DLLs are present, ``avx`` whether
    the CPU has AVX. ``origin`` says where each value came from ("declared", "detected: ...").
    """

    os: Optional[str] = None
    arch: Optional[str] = None
    python: Optional[str] = None
    python_bits: Optional[int] = None
    package: Optional[str] = None
    tensorflow: Optional[str] = None
    distributions: tuple[str, ...] = ()
    gpu: Optional[str] = None
    compute_capability: Optional[str] = None
    driver: Optional[str] = None
    cuda: Optional[str] = None
    cudnn: Optional[str] = None
    msvc_runtime: Optional[bool] = None
    avx: Optional[bool] = None
    cuda_driver_max: Optional[str] = None
    gpu_wanted: bool = False
    origin: dict[str, str] = field(default_factory=dict, compare=False)

    def describe(self, name: str) -> str:
        """``"driver 450.80.02 (declared)"``: a value with its origin, for evidence lists."""
        label = name.replace("_", " ")
        value = getattr(self, name)
        shown = ", ".join(value) if isinstance(value, (tuple, list)) else value
        return f"{label} {shown} ({self.origin.get(name, 'unknown source')})"


@dataclass(frozen=True)
class Violation:
    """A requirement the environment breaks: ``finding`` (a doctor finding id), the solver's ``reason``
    in plain words, the environment ``facts`` involved (as described by :meth:`Environment.describe`),
    ``sources`` (URLs of the matrix records behind the requirement) and, for "X or newer"
    requirements, the ``bound`` the fact misses."""

    finding: str
    reason: str
    facts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    bound: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"finding": self.finding, "reason": self.reason, "facts": list(self.facts),
                                "sources": list(self.sources)}
        if self.bound:
            data["bound"] = self.bound
        return data


@dataclass
class CheckReport:
    """The result of :func:`check`: ``violations`` (most basic first), ``verified`` (finding ids whose
    requirements were checked against known facts and hold), and ``checked`` (plain words: what was
    compared). ``candidate`` is the TensorFlow build the facts were checked against, if any."""

    environment: Environment
    violations: list[Violation] = field(default_factory=list)
    verified: dict[str, list[str]] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)
    candidate: Optional[TensorflowCandidate] = None

    @property
    def consistent(self) -> bool:
        return not self.violations

    def add(self, violation: Violation) -> None:
        if all(v.reason != violation.reason for v in self.violations):
            self.violations.append(violation)

    def verify(self, finding: str, what: str) -> None:
        self.verified.setdefault(finding, []).append(what)

    def to_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.consistent else "findings",
                "violations": [v.to_dict() for v in self.violations],
                "verified": sorted(self.verified), "checked": self.checked}


def _urls(records: tuple[Record, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.url for r in records for s in r.sources))


def _version_ok(text: Optional[str]) -> Optional[str]:
    return text if text and safe_version(text) is not None else None


def _pick_candidate(factory: Factory, env: Environment, device: str) -> Optional[TensorflowCandidate]:
    """The TF build matching the installed package and version for ``device`` (the same minor release's newest
    patch when that exact version has no wheel here); ``None`` when there is none."""
    version = _version_ok(env.tensorflow)
    if version is None:
        return None
    pool = factory.tensorflow_candidates(device)
    exact = [c for c in pool if c.version == version]
    same_minor = [c for c in pool if minor_of(c.version or "0") == minor_of(version)]
    if not exact and env.python:  # a pre-release or a patch without a wheel: a patch of the minor that has the Python
        same_minor = [c for c in same_minor if env.python in c.pythons] or same_minor
    found = exact or same_minor
    if env.package:
        found = [c for c in found if c.package == env.package or (env.package, c.package) in PINNED_AS]
    return found[0] if found else None


#: Installed distribution names that stand for a candidate of another name (the pinned platform packages).
PINNED_AS = {("tensorflow-intel", "tensorflow"), ("tensorflow-macos", "tensorflow"), ("tensorflow-cpu-aws", "tensorflow")}


def _removed_stub(factory: Factory, env: Environment, report: CheckReport) -> bool:
    """Whether the installed package and version is a removed stub here (every ``distributions`` record of that
    package covering it on this OS says ``removed``); reported as package-confusion with the record's notes, or as
    no-wheel-for-platform when the package is removed on this OS only."""
    version = env.tensorflow or ""
    mine = [d for d in factory.knowledge.distributions
            if d.package == env.package and d.covers(version) and factory.query.os in d.os]
    if not mine or any(d.status != "removed" for d in mine):
        return False  # a real package (a missing GPU build is reported elsewhere)
    elsewhere = [d for d in factory.knowledge.distributions if d.package == env.package and d.covers(version)
                 and factory.query.os not in d.os and d.status != "removed"]
    if elsewhere:  # removed on this OS only (tensorflow-gpu on macOS after 1.1): the platform lacks the build
        report.add(Violation("no-wheel-for-platform", f"{env.package} {version} has no build for {factory.query.os}: "
                             f"{mine[0].notes or ''}".strip(), (env.describe("package"), env.describe("tensorflow"),
                                                                 env.describe("os")), _urls(tuple(mine))))
        return True
    report.add(Violation("package-confusion", f"{env.package} {version} is a removed package: {mine[0].notes or ''}".strip(),
                         (env.describe("package"), env.describe("tensorflow")), _urls(tuple(mine))))
    return True


def _gpu_build_missing(factory: Factory, env: Environment, report: CheckReport) -> None:
    """The installed release has no CUDA GPU build usable here: say which fact of the matrix decides that."""
    version = env.tensorflow or ""
    label = f"TensorFlow {version}" + (f" ({env.package})" if env.package else "")
    if _removed_stub(factory, env, report):
        return
    others = [d for d in factory.distributions("gpu") if d.covers(version) and d.package != env.package]
    if others and env.package:
        names = ", ".join(dict.fromkeys(d.package for d in others))
        report.add(Violation("package-confusion", f"{label} carries no GPU support on {factory.query.os}; GPU support for "
                             f"TensorFlow {minor_of(version)} is in {names}",
                             (env.describe("package"), env.describe("tensorflow")), _urls(tuple(others))))
        return
    if not any(d.covers(version) for d in factory.knowledge.distributions if factory.query.os in d.os):
        return  # a release the matrix does not know (before 1.0): nothing to say
    builds = factory.tensorflow_candidates("gpu")
    label_os = {"windows": "native-Windows", "macos": "macOS", "linux": "Linux"}.get(factory.query.os, factory.query.os)
    if builds:
        last = max((c.version or "0" for c in builds), key=version_key)
        reason = f"{label_os} GPU builds end at {minor_of(last)}"
    else:
        reason = f"TensorFlow has no CUDA GPU build for {factory.query.os} {factory.query.arch}"
    if builds and version_key(version) <= version_key(last):
        return  # inside the GPU era of this OS: the package or Python decides, reported elsewhere
    finding = "windows-native-gpu-ended" if factory.query.os == "windows" and builds else "no-wheel-for-platform"
    report.add(Violation(finding, f"{reason}; {label} has no GPU support there",
                         (env.describe("os"), env.describe("tensorflow")),
                         _urls(tuple(d for d in factory.knowledge.distributions if d.device == "gpu"
                                     and factory.query.os in d.os))))


def _pinned(env: Environment, identifier: str, tf: TensorflowCandidate) -> Optional[Candidate]:
    """The installed choice for ``identifier`` (``None`` when unknown or not comparable)."""
    if identifier == PYTHON and env.python:
        return Candidate(PYTHON, env.python)
    if identifier == CUDA and env.cuda and tf.cuda_from != "pip":
        return Candidate(CUDA, env.cuda)
    if identifier == CUDNN and _version_ok(env.cudnn) and tf.cuda_from != "pip":
        # cuDNN candidates are release series ("8.1"); an installed patch release ("8.1.1") belongs to its series
        return Candidate(CUDNN, minor_of(env.cudnn) if env.cudnn.count(".") >= 2 else env.cudnn)
    if identifier == COMPUTE and env.compute_capability:
        return Candidate(COMPUTE, env.compute_capability)
    if identifier == DRIVER and _version_ok(env.driver):
        return Candidate(DRIVER, env.driver)
    if identifier == MSVC and env.msvc_runtime is not None:
        return Candidate(MSVC, "9999" if env.msvc_runtime else "0")  # present: any floor holds; missing: none does
    return None


FACT_OF = {PYTHON: "python", CUDA: "cuda", CUDNN: "cudnn", COMPUTE: "compute_capability", DRIVER: "driver",
           MSVC: "msvc_runtime"}


def _evaluate(requirements: list[Requirement], env: Environment, tf: TensorflowCandidate, report: CheckReport,
              records: tuple[Record, ...]) -> None:
    for requirement in requirements:
        pinned = _pinned(env, requirement.name, tf)
        if pinned is None:
            continue
        finding = FINDING_OF.get(requirement.name, "compute-capability")
        if requirement.name == DRIVER and requirement.bound is None:
            finding = "driver-too-old"
        described = env.describe(FACT_OF[requirement.name])
        report.checked.append(f"{described}: {requirement.text}")
        if requirement.test(pinned):
            report.verify(finding, f"{described}: {requirement.text}")
        else:
            report.add(Violation(finding, requirement.text, (described,), _urls(records), requirement.bound))


def _avx(factory: Factory, env: Environment, report: CheckReport, version: Optional[str]) -> None:
    if env.avx is None or (env.arch or "x86_64") not in ("x86_64", "x86"):
        return
    for req in factory.knowledge.platform_requirements:
        if req.requirement != "cpu-isa" or req.value != "avx" or (env.os and env.os not in req.os):
            continue
        if version is not None and not req.covers(version):
            continue
        text = f"TensorFlow {req.tensorflow} binaries use AVX instructions"
        report.checked.append(f"{env.describe('avx')}: {text}")
        if env.avx:
            report.verify("cpu-lacks-avx", f"{env.describe('avx')}: {text}")
        else:
            report.add(Violation("cpu-lacks-avx", f"{text}; this CPU has none", (env.describe("avx"),), _urls((req,))))


def check(knowledge: Knowledge, env: Environment) -> CheckReport:
    """Check ``env`` against the solver's constraints; returns a :class:`CheckReport` (never raises on input).

    Without an OS the facts are checked as a Linux and as a Windows machine (the two platforms with
    GPU builds), and only what holds on both is reported: a violation both runs find, a finding both
    verify. Without an installed TensorFlow version, only what holds for every release is checked
    (64-bit Python, a Python/platform with any wheel, AVX, a CUDA toolkit some GPU build uses). With
    one, that release's build is pinned and every requirement it brings — and those its CUDA and the
    GPU bring — is tested against the facts.
    """
    report = CheckReport(env)
    if not env.os:
        if not _version_ok(env.tensorflow) and not (env.cuda or env.cudnn or env.python or env.driver):
            if env.compute_capability:  # the GPU alone: against the Linux builds, the widest set
                _gpu_without_release(Factory(knowledge, Query(os="linux", arch="x86_64",
                                                              compute_capability=env.compute_capability)), env, report)
            return report
        systems = ("macos",) if env.package == "tensorflow-macos" else ("linux", "windows")
        return _on_every_os(knowledge, env, systems)
    arch = "x86" if env.python_bits == 32 else (env.arch or "x86_64")
    query = Query(os=env.os, arch=arch, python=env.python or None, compute_capability=env.compute_capability)
    factory = Factory(knowledge, query)
    if not _platform(factory, env, report):
        return report
    _avx(factory, env, report, _version_ok(env.tensorflow))
    if not _version_ok(env.tensorflow):
        _python_without_release(factory, env, report)
        _cuda_without_release(factory, env, report)
        if env.package != "tensorflow-cpu":
            _gpu_without_release(factory, env, report)
    else:
        _packages(env, report)
        tf = _installed_build(factory, env, report)
        if tf is not None:
            _requirements_of(factory, env, tf, report)
    _merge_driver(report)
    for finding in [f for f in report.verified if any(v.finding == f for v in report.violations)]:
        del report.verified[finding]
    return report


def _on_every_os(knowledge: Knowledge, env: Environment, systems: tuple[str, ...]) -> CheckReport:
    """What :func:`check` finds for ``env`` on each of ``systems`` alike (the OS being unknown)."""
    runs = [check(knowledge, replace(env, os=system)) for system in systems]
    report = CheckReport(env)
    first, others = runs[0], runs[1:]
    for violation in first.violations:
        if all(any(v.finding == violation.finding for v in run.violations) for run in others):
            report.add(violation)
    for finding, what in first.verified.items():
        if all(finding in run.verified for run in others):
            report.verified[finding] = what
    report.checked = [f"the OS unknown: checked as {' and as '.join(systems)}, keeping what holds on each", *first.checked]
    return report


def _platform(factory: Factory, env: Environment, report: CheckReport) -> bool:
    """Whether PyPI has any TensorFlow wheel for the OS / architecture (a 32-bit Python has none)."""
    from kbsolver.solve.explain import facts as fact_view

    query = factory.query
    _, platform = fact_view(factory.knowledge, query.changed(python=None, compute_capability=None))
    if platform:
        finding = "python-32bit" if query.arch == "x86" else "no-wheel-for-platform"
        described = env.describe("python_bits") if query.arch == "x86" and env.python_bits else env.describe("os")
        report.add(Violation(finding, platform[0], (described,)))
        return False
    if env.python_bits == 64 or query.arch in ("x86_64", "arm64"):
        report.verify("python-32bit", f"{query.arch} Python")
    return True


def _python_without_release(factory: Factory, env: Environment, report: CheckReport) -> None:
    """No TensorFlow installed yet: does any release have a wheel for this Python here?"""
    from kbsolver.solve.explain import facts as fact_view

    if not env.python:
        return
    query = factory.query
    report.checked.append(f"{env.describe('python')}: TensorFlow wheels for {env.os} {query.arch}")
    if any(env.python in c.pythons for c in factory.tensorflow_candidates("cpu")):
        report.verify("python-unsupported", f"Python {env.python} has TensorFlow wheels on {env.os} {query.arch}")
        return
    found, _ = fact_view(factory.knowledge, query.changed(compute_capability=None))
    reason = next((f.message for f in found if f.key == "python"), f"no TensorFlow wheel for Python {env.python}")
    report.add(Violation("python-unsupported", reason, (env.describe("python"),)))


def _packages(env: Environment, report: CheckReport) -> None:
    """The installed distributions themselves: the CPU-only one on a GPU machine, two that shadow each other."""
    if env.package == "tensorflow-cpu" and env.compute_capability:
        report.add(Violation("package-confusion", f"{env.package} is the CPU-only distribution: it never uses the "
                             f"{env.gpu or 'GPU'}", (env.describe("package"), env.describe("gpu"))))
    installed = set(env.distributions)
    if len(installed & {"tensorflow", "tensorflow-gpu", "tensorflow-cpu"}) >= 2:
        report.add(Violation("package-confusion", f"{', '.join(sorted(installed))} are installed together: they "
                             "share the tensorflow module, the last one installed wins", (env.describe("distributions"),)))


def _installed_build(factory: Factory, env: Environment, report: CheckReport) -> Optional[TensorflowCandidate]:
    """The build the installed release is (GPU when a GPU is meant); violations when there is none here."""
    wants_gpu = bool(env.compute_capability or env.gpu_wanted or env.cuda or env.cudnn or env.driver
                     or env.package == "tensorflow-gpu")
    device = "gpu" if wants_gpu and env.package != "tensorflow-cpu" else "cpu"
    tf = _pick_candidate(factory, env, device)
    if tf is None and device == "gpu":
        _gpu_build_missing(factory, env, report)
        tf = _pick_candidate(factory, env, "cpu")
    if tf is not None:
        return tf
    version = env.tensorflow or "0"
    known = [r.version for d in {d.package for d in factory.knowledge.distributions}
             for r in factory.knowledge.releases(d)]
    newest = max(known, key=version_key, default=None)
    if newest and version_key(version) > version_key(newest):
        report.checked.append(f"{env.describe('tensorflow')}: not a release in the matrix (newest: {newest}); not checked")
        return None
    oldest = min((r.version for r in factory.knowledge.releases(env.package or "tensorflow")), key=version_key, default=None)
    if oldest and version_key(version) < version_key(oldest):  # before PyPI's first wheels (0.x came from Google's storage)
        report.checked.append(f"{env.describe('tensorflow')}: older than any release in the matrix (oldest: {oldest}); "
                              "not checked")
        return None
    cpu = factory.tensorflow_candidates("cpu")
    if not any(minor_of(c.version or "0") == minor_of(version) for c in cpu) and \
            env.package in (None, "tensorflow", "tensorflow-cpu"):
        first = min((c.version or "0" for c in cpu), key=version_key, default=None)
        since = f" (wheels for {env.os} {factory.query.arch} start at {first})" if first else ""
        report.add(Violation("no-wheel-for-platform", f"TensorFlow {minor_of(version)} has no wheel for "
                             f"{env.os} {factory.query.arch}{since}", (env.describe("os"), env.describe("tensorflow"))))
    if device == "cpu":
        _removed_stub(factory, env, report)
    return None


def _requirements_of(factory: Factory, env: Environment, tf: TensorflowCandidate, report: CheckReport) -> None:
    """Every requirement the pinned build brings (and its CUDA and the GPU bring), tested against the facts."""
    report.candidate = tf
    deps = factory.tensorflow_dependencies(tf)
    if tf.device == "gpu":
        report.checked.append(f"TensorFlow {tf.version} ({tf.package}) GPU build: CUDA {tf.cuda}, cuDNN {tf.cudnn}")
        if tf.cuda:
            deps += factory.cuda_dependencies(Candidate(CUDA, tf.cuda))
        if env.compute_capability:
            deps += factory.compute_dependencies(Candidate(COMPUTE, env.compute_capability))
    _evaluate(deps, env, tf, report, tf.records)
    if tf.device == "gpu" and tf.cuda and _version_ok(env.cuda_driver_max):
        text = f"TensorFlow {tf.version} loads the CUDA {tf.cuda} runtime"
        report.checked.append(f"{env.describe('cuda_driver_max')}: {text}")
        if version_key(env.cuda_driver_max or "0") < version_key(tf.cuda.replace(".x", ".0")):
            report.add(Violation("driver-too-old", f"{text}; the driver supports CUDA up to {env.cuda_driver_max}",
                                 (env.describe("cuda_driver_max"),), _urls(tf.records)))


def _gpu_without_release(factory: Factory, env: Environment, report: CheckReport) -> None:
    """No TensorFlow installed yet: which GPU builds run this GPU (their SASS/PTX and their CUDA's targets)?

    A GPU that no build runs, or only builds older than the newest, is reported in the solver's words
    ("... is supported by TensorFlow GPU builds <= 2.x"): the newest release will not use it.
    """
    from kbsolver.solve.explain import compute_fact

    if not env.compute_capability:
        return
    builds = factory.tensorflow_candidates("gpu")
    if not builds:
        query = factory.query
        report.add(Violation("no-wheel-for-platform", f"TensorFlow has no CUDA GPU build for {query.os} {query.arch}: the "
                             f"{env.gpu or 'NVIDIA GPU'} is not used there", (env.describe("os"),)))
        return
    fact = compute_fact(factory, builds)
    newest = max(builds, key=lambda b: version_key(b.version or "0"))
    report.checked.append(f"{env.describe('compute_capability')}: the TensorFlow GPU builds on {env.os}")
    if newest in fact.admitted:
        report.verify("compute-capability", fact.message)
        return
    report.add(Violation("compute-capability", fact.message, (env.describe("compute_capability"),),
                         _urls(newest.records)))


def _cuda_without_release(factory: Factory, env: Environment, report: CheckReport) -> None:
    """No TensorFlow installed yet: does any GPU build of this OS use the installed CUDA toolkit?"""
    declared = env.origin.get("cuda", "").startswith("declared")
    if not env.cuda or env.package == "tensorflow-cpu" or not (env.gpu_wanted or env.compute_capability or declared):
        return
    builds = factory.tensorflow_candidates("gpu")
    series = ".".join(env.cuda.split(".")[:2])
    report.checked.append(f"{env.describe('cuda')}: the CUDA of TensorFlow GPU builds on {env.os}")
    if not builds or any(b.cuda == series for b in builds):
        return
    last = max(builds, key=lambda b: version_key(b.version or "0"))
    if env.os == "windows" and version_key(series) > version_key(last.cuda or "0"):
        report.add(Violation("windows-native-gpu-ended", f"native-Windows GPU builds end at {minor_of(last.version or '0')} "
                             f"(CUDA {last.cuda}); no native-Windows TensorFlow build uses CUDA {series}",
                             (env.describe("cuda"),), _urls(last.records)))
    else:
        used = sorted({b.cuda or "" for b in builds}, key=version_key)
        report.add(Violation("cuda-library-mismatch", f"no TensorFlow GPU build on {env.os} uses CUDA {series} (they use "
                             f"{', '.join(used)})", (env.describe("cuda"),)))


def gpu_build(knowledge: Knowledge, os: str, arch: str, tensorflow: str, package: Optional[str] = None
              ) -> Optional[TensorflowCandidate]:
    """The GPU build of TensorFlow ``tensorflow`` on ``os``/``arch`` as the solver's factory builds it (CUDA and
    cuDNN from its tested-build row, SASS/PTX targets, where its CUDA comes from); the same minor release's
    newest patch when that exact version has no wheel; ``None`` when the release has no GPU build there."""
    if not _version_ok(tensorflow):
        return None
    factory = Factory(knowledge, Query(os=os, arch=arch))
    env = Environment(os=os, arch=arch, tensorflow=tensorflow, package=package)
    found = _pick_candidate(factory, env, "gpu")
    if found is None and package:
        found = _pick_candidate(factory, Environment(os=os, arch=arch, tensorflow=tensorflow), "gpu")
    return found


def _merge_driver(report: CheckReport) -> None:
    """Several driver floors broken at once: keep them all, the binding (highest) one first."""
    floors = [v for v in report.violations if v.finding == "driver-too-old" and v.bound]
    if len(floors) < 2:
        return
    floors.sort(key=lambda v: version_key(v.bound or "0"), reverse=True)
    rest = [v for v in report.violations if v not in floors]
    index = next((i for i, v in enumerate(report.violations) if v in floors), len(rest))
    report.violations = rest[:index] + floors + rest[index:]

