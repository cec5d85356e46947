"""The only part of the solver that reads the knowledge base: candidates and dependencies.

Facts used (each from the matrix record named):
- TF releases and the Python versions / platforms their wheels cover: ``wheels`` (PyPI tags);
- which distribution carries GPU support where: ``distributions``;
- the CUDA and cuDNN a TF GPU build was tested with: ``tested-builds``;
- the compute capabilities a TF GPU build ships as SASS / PTX: ``tf-cuda-targets``;
- the driver floor of a CUDA version: ``cuda-majors`` (minor-version compatibility) and
  ``cuda-toolkits`` (toolkit driver, Table 3); nvcc's lowest target: ``cuda-toolkits``;
- on macOS, whether NVIDIA built a CUDA release for macOS and its "CUDA Driver" for Mac floor:
  ``cuda-toolkits`` (``macos_versions``, ``macos_cuda_driver``);
- the CUDA versions a cuDNN release supports: ``cudnn``;
- the MSVC runtime a Windows build needs: ``tf-platform-requirements``;
- the first release whose x86 wheels need AVX (for a CPU without it): ``tf-platform-requirements`` (cpu-isa);
- the last driver branch of the GPU's architecture (a driver ceiling): ``gpu-architectures``.
Inside WSL2 (``Query.environment``) every driver number is the Windows host's (``Query.driver_os``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from functools import cached_property, lru_cache
from typing import Optional

from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.compute import PTX, SASS, highest, lowest, runs_as
from kbsolver.knowledge.model import CudaToolkit, Distribution, Gpu, cuda_series, minor_of, spec_contains, version_key
from kbsolver.solve.candidates import (
    COMPUTE,
    CUDA,
    CUDNN,
    DRIVER,
    MSVC,
    PYTHON,
    TENSORFLOW,
    Candidate,
    Requirement,
    TensorflowCandidate,
)
from kbsolver.solve.memo import Memo, memo_of
from kbsolver.solve.query import Query

JETSON = ("Jetson modules run NVIDIA's JetPack builds of TensorFlow (developer.nvidia.com/embedded/downloads), "
          "not the PyPI wheels")
PACKAGE_PREFERENCE = ("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-intel", "tensorflow-macos",
                      "tensorflow-cpu-aws")


#: Verdicts of :meth:`Factory.viable` kept per knowledge.
VIABLE_LIMIT = 1 << 18


def at_least(name: str, floor: str, text: str) -> Requirement:
    """A requirement on ``name`` for version ``floor`` or newer (a ``None`` version, i.e. undeclared, passes)."""
    wanted = version_key(floor)
    return Requirement(name, text, lambda c: c.version is None or version_key(c.version) >= wanted, bound=floor)




def version_range(versions: Iterable[str]) -> str:
    """Summarise X.Y versions as runs of consecutive minors: ``["3.7", "3.8", "3.9"]`` -> ``"3.7-3.9"``,
    ``["2.7", "3.3", "3.4"]`` -> ``"2.7, 3.3-3.4"`` (a gap, or a new major, starts a new run)."""
    return _version_range(frozenset(versions))


@lru_cache(maxsize=1024)
def _version_range(versions: frozenset[str]) -> str:
    ordered = sorted(versions, key=version_key)
    if not ordered:
        return "none"
    runs: list[list[str]] = []
    for version in ordered:
        last = runs[-1][-1] if runs else None
        if last and version_key(last).major == version_key(version).major \
                and version_key(version).minor == version_key(last).minor + 1:
            runs[-1].append(version)
        else:
            runs.append([version])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


class Factory:
    """Builds candidates and requirements for one :class:`Query` over one :class:`Knowledge`."""

    def __init__(self, knowledge: Knowledge, query: Query) -> None:
        self.knowledge = knowledge
        self.query = query

    # -- TensorFlow ------------------------------------------------------------------------

    def distributions(self, device: Optional[str] = None) -> list[Distribution]:
        """Distribution records for the query's OS/arch and ``device`` (default: the query's).

        Removed distributions are skipped, and for ``gpu`` only CUDA builds count (not Apple's Metal plugin).
        """
        device = device or self.query.device
        return [
            d for d in self.knowledge.distributions
            if self.query.os in d.os and d.device == device and (not d.arch or self.query.arch in d.arch)
            and d.status != "removed" and (device == "cpu" or d.cuda_from is not None)
        ]

    def tensorflow_candidates(self, device: Optional[str] = None) -> list[TensorflowCandidate]:
        """Every installable TF release for the platform and ``device``, most preferred first:
        newest version, then ``tensorflow`` before other distributions, an extra before none.

        Computed once per knowledge, OS, architecture and device (they depend on nothing else).
        """
        device = device or self.query.device
        key = (self.query.os, self.query.arch, device)
        return list(memo_of(self.knowledge).cached("tensorflow-candidates", key, lambda: self._tensorflow_candidates(device)))

    def _tensorflow_candidates(self, device: str) -> tuple[TensorflowCandidate, ...]:
        found: dict[tuple[str, str, Optional[str]], TensorflowCandidate] = {}
        for distribution in self.distributions(device):
            for release in self.knowledge.releases(distribution.package):
                if not distribution.covers(release.version):
                    continue
                key = (distribution.package, release.version, distribution.extra)
                if key not in found:
                    candidate = self._tensorflow(distribution, release.version, device)
                    if candidate is not None:
                        found[key] = candidate

        def rank(c: TensorflowCandidate) -> tuple[int, bool]:
            order = PACKAGE_PREFERENCE.index(c.package) if c.package in PACKAGE_PREFERENCE else len(PACKAGE_PREFERENCE)
            return order, c.extra is None

        by_package = sorted(found.values(), key=rank)
        return tuple(sorted(by_package, key=lambda c: version_key(c.version or "0"), reverse=True))

    def _tensorflow(self, distribution: Distribution, version: str, device: str) -> Optional[TensorflowCandidate]:
        q = self.query
        package = distribution.package
        pythons = self.installable_pythons(package, version)
        if not pythons:
            return None
        wheel = self.knowledge.wheel(package, version)  # exists: the pythons came from its tags
        build = None
        cuda = cudnn = None
        targets = None
        if device == "gpu":
            rows = self.knowledge.tested_rows(minor_of(version), q.os, "gpu")
            build = next((r for r in rows if r.cuda and r.cudnn), None)
            if build is None:
                return None
            cuda, cudnn = cuda_series(build.cuda or ""), build.cudnn
            targets = self.knowledge.cuda_targets_for(version, q.os)
        else:
            rows = self.knowledge.tested_rows(minor_of(version), q.os, "cpu")
            build = rows[0] if rows else None
        records = tuple(r for r in (distribution, build, wheel, targets) if r is not None)
        return TensorflowCandidate(
            TENSORFLOW, version, records, package=package, extra=distribution.extra, device=device, pythons=pythons,
            cuda=cuda, cudnn=cudnn, cuda_from=distribution.cuda_from, distribution=distribution, build=build,
            wheel=wheel, targets=targets,
        )

    def installable_pythons(self, package: str, version: str) -> frozenset[str]:
        """Pythons for which ``pip install package==version`` finds wheels on the platform: the release's own
        wheels, and those of any TensorFlow-family distribution it pins there (``tensorflow-intel==2.13.1`` on
        Windows, ``tensorflow-macos`` on Apple silicon, ``tensorflow-cpu-aws`` on Linux aarch64)."""
        q = self.query
        own = {p for p, os, arch in self.knowledge.wheel_targets(package, version) if os == q.os and arch == q.arch}
        for name, pinned, applies in self.knowledge.wheel_pins(package, version):
            for python in sorted(own):
                if applies is None or (python, q.os, q.arch) in applies:
                    served = self.knowledge.wheel_targets(name, pinned)
                    if (python, q.os, q.arch) not in served:
                        own.discard(python)
        return frozenset(own)

    def tensorflow_dependencies(self, c: TensorflowCandidate) -> list[Requirement]:
        q = self.query
        platform = f"{q.os} {q.arch}"
        deps = [Requirement(PYTHON, f"TensorFlow {c.version} ({c.package}) has {platform} wheels for Python "
                                    f"{version_range(c.pythons)}", lambda p, s=c.pythons: p.version in s)]
        if c.device == "gpu" and c.cuda and c.cudnn:
            deps.append(Requirement(CUDA, f"the TensorFlow {minor_of(c.version)} GPU build was tested with CUDA {c.cuda}",
                                    lambda p, s=c.cuda: p.version == s))
            deps.append(Requirement(CUDNN, f"the TensorFlow {minor_of(c.version)} GPU build was tested with cuDNN {c.cudnn}",
                                    lambda p, s=c.cudnn: p.version == s or p.version.split(".")[0] == s))
            deps.extend(self._compute_dependencies(c))
        if q.os == "windows":
            for req in self.knowledge.platform_requirements:
                if req.requirement == "msvc-redist" and "windows" in req.os and req.covers(c.version):
                    text = f"TensorFlow {c.version} on Windows needs the MSVC {req.value} runtime"
                    deps.append(at_least(MSVC, req.value, text))
        return deps

    def _compute_dependencies(self, c: TensorflowCandidate) -> list[Requirement]:
        cc = self.query.compute_capability
        if c.targets is None or cc is None:
            return []
        sass, ptx = c.targets.sass, c.targets.ptx
        where = f"SASS for {', '.join(sass) or 'none'}; PTX for {', '.join(ptx) or 'none'}"
        deps = [Requirement(COMPUTE, f"the TensorFlow {minor_of(c.version)} GPU build ships {where}",
                            lambda p, s=sass, x=ptx: runs_as(p.version, s, x) is not None)]
        if runs_as(cc, sass, ptx) == PTX and c.cuda:
            ga = self._ga(c.cuda)
            driver = ga.driver(self.query.driver_os) if ga else None
            if driver:
                deps.append(at_least(DRIVER, driver, f"PTX JIT of CUDA {c.cuda} code needs the toolkit driver {driver} or newer "
                                                     "(minor-version compatibility does not cover PTX JIT)"))
        return deps

    # -- CUDA, cuDNN, driver, MSVC ---------------------------------------------------------

    def _ga(self, series: str) -> Optional[CudaToolkit]:
        releases = self.knowledge.cuda_series(series)
        return min(releases, key=lambda t: version_key(t.version)) if releases else None

    def driver_floor(self, series: str) -> tuple[Optional[str], str]:
        """The lowest driver that runs CUDA ``series`` on the query's OS, and why.

        CUDA 11+ : the minor-version-compatibility floor of the major; older CUDA: the toolkit driver
        of the series' first release. ``(None, reason)`` when the matrix has no such number.
        """
        if self.query.os == "macos":
            return self.macos_cuda_driver(series)
        major = series.split(".")[0]
        os = self.query.driver_os
        record = self.knowledge.cuda_major(major)
        floor = record.floor(os) if record else None
        if floor:
            return floor, f"minor-version compatibility floor of CUDA {major}.x"
        ga = self._ga(series)
        driver = ga.driver(os) if ga else None
        if driver:
            return driver, f"toolkit driver of CUDA {ga.version}"  # type: ignore[union-attr]
        return None, f"no published driver floor for CUDA {series} on {os}"

    def macos_cuda_driver(self, series: str) -> tuple[Optional[str], str]:
        """The lowest "CUDA Driver" for Mac for CUDA ``series``, and why (``cuda-toolkits``: ``macos_cuda_driver``).

        On macOS the CUDA driver is its own package, apart from the GPU's display driver; NVIDIA's Table 3
        lists Linux and Windows only, so the floor is ``None`` unless a record names one.
        """
        builds = [t for t in self.knowledge.cuda_series(series) if t.macos]
        floors = [t.macos_cuda_driver for t in builds if t.macos_cuda_driver]
        if floors:
            return min(floors, key=version_key), f"lowest CUDA Driver for Mac NVIDIA names for CUDA {series}"
        if builds:
            return None, (f"NVIDIA published no minimum CUDA Driver for Mac for CUDA {series} (Table 3 lists Linux and "
                          "Windows only): use the CUDA Driver package of the CUDA installer, or a newer CUDA Driver for Mac")
        return None, f"the matrix records no macOS build of CUDA {series}"

    def macos_builds(self, series: str) -> tuple[str, ...]:
        """macOS versions NVIDIA lists for CUDA ``series``' macOS build (empty: no macOS build)."""
        versions = {v for t in self.knowledge.cuda_series(series) for v in t.macos_versions}
        return tuple(sorted(versions, key=version_key))

    @property
    def cuda_candidates(self) -> list[Candidate]:
        """Computed once per knowledge (they depend on nothing else)."""
        return memo_of(self.knowledge).cached("cuda_candidates", None, self._cuda_candidates)

    def _cuda_candidates(self) -> list[Candidate]:
        series = sorted({t.series for t in self.knowledge.cuda_toolkits}, key=version_key, reverse=True)
        found = []
        for name in series:
            major = self.knowledge.cuda_major(name.split(".")[0])
            found.append(Candidate(CUDA, name, tuple(r for r in (self._ga(name), major) if r is not None)))
        return found

    def cuda_dependencies(self, c: Candidate) -> list[Requirement]:
        assert c.version is not None
        deps = []
        floor, why = self.driver_floor(c.version)
        if floor:
            host = " (the Windows host's driver, for WSL2)" if self.query.environment == "wsl2" else ""
            text = f"CUDA {c.version} needs NVIDIA driver {floor} or newer on {self.query.driver_os}{host} ({why})"
            deps.append(at_least(DRIVER, floor, text))
        elif self.query.os == "macos":  # macOS: a build of this CUDA must exist; its CUDA Driver may have no floor
            built = bool(self.macos_builds(c.version))
            deps.append(Requirement(DRIVER, f"CUDA {c.version} on macOS: {why}", lambda d, b=built: b))
        targets = self.cuda_targets(c.version)
        if targets and self.query.compute_capability:
            text = (f"derived: CUDA {c.version} targets compute capabilities {lowest(targets)} to {highest(targets)}; its "
                    "libraries (cuBLAS, cuFFT, ...) carry kernels only for architectures it targets")
            deps.append(Requirement(COMPUTE, text, lambda p, t=targets: runs_as(p.version, t, ()) == SASS))
        return deps

    def cuda_targets(self, series: str) -> tuple[str, ...]:
        """Compute capabilities nvcc of every release of a CUDA series can target (``cuda-toolkits``)."""
        return memo_of(self.knowledge).cached("cuda-targets", series, lambda: self._cuda_targets(series))

    def _cuda_targets(self, series: str) -> tuple[str, ...]:
        return tuple(sorted({cc for t in self.knowledge.cuda_series(series) for cc in t.compute_capabilities},
                            key=version_key))

    def cuda_supports(self, series: str, cc: str) -> bool:
        """Whether CUDA ``series`` targets ``cc``'s architecture (a same-major target at or below it); unknown: True."""
        targets = self.cuda_targets(series)
        return not targets or runs_as(cc, targets, ()) == SASS

    @property
    def cudnn_candidates(self) -> list[Candidate]:
        """Computed once per knowledge (they depend on nothing else)."""
        return memo_of(self.knowledge).cached("cudnn_candidates", None, self._cudnn_candidates)

    def _cudnn_candidates(self) -> list[Candidate]:
        series = sorted({r.series for r in self.knowledge.cudnn}, key=version_key, reverse=True)
        return [Candidate(CUDNN, s, tuple(self.knowledge.cudnn_series(s))) for s in series]

    def cudnn_dependencies(self, c: Candidate) -> list[Requirement]:
        releases = self.knowledge.cudnn_series(c.version or "")
        supported = sorted({v for r in releases for v in r.cuda}, key=lambda v: version_key(v.replace("x", "0")))
        return [Requirement(CUDA, f"cuDNN {c.version} supports CUDA {', '.join(supported)}",
                            lambda p, rs=tuple(releases): any(r.supports_cuda(p.version) for r in rs))]

    @property
    def msvc_candidates(self) -> list[Candidate]:
        """Computed once per knowledge (they depend on nothing else)."""
        return memo_of(self.knowledge).cached("msvc_candidates", None, self._msvc_candidates)

    def _msvc_candidates(self) -> list[Candidate]:
        versions = {m.version: m for m in self.knowledge.msvc}
        for req in self.knowledge.platform_requirements:
            if req.requirement == "msvc-redist":
                versions.setdefault(req.value, None)  # type: ignore[arg-type]
        ordered = sorted(versions, key=version_key)
        return [Candidate(MSVC, v, (versions[v],) if versions[v] else ()) for v in ordered]

    def python_candidates(self) -> list[Candidate]:
        if self.query.python:
            return [Candidate(PYTHON, self.query.python)]
        return [Candidate(PYTHON, v) for v in reversed(self.knowledge.pythons)]

    # -- roots -----------------------------------------------------------------------------

    def root_requirements(self) -> list[Requirement]:
        """The declared facts as requirements (each tagged with the query key it comes from)."""
        q = self.query
        device = q.device
        wanted = f"TensorFlow {q.tensorflow}" if q.tensorflow else "TensorFlow"
        roots = [Requirement(TENSORFLOW, f"{wanted} with {device.upper()} support on {q.os} {q.arch}",
                             lambda c: c.device == device and (q.tensorflow is None or spec_contains(q.tensorflow, c.version)),
                             "tensorflow")]
        if q.python:
            roots.append(Requirement(PYTHON, f"Python {q.python} (declared)", lambda c: c.version == q.python, "python"))
        if q.avx is False:
            roots.append(Requirement(TENSORFLOW, "a CPU without AVX (official x86 wheels use AVX from the release the "
                                                 "matrix's cpu-isa record names)",
                                     lambda c: not self.needs_avx(c.version or "0"), "avx"))
        if device == "gpu":
            name = q.gpu or "the GPU"
            roots.append(Requirement(COMPUTE, f"{name} is compute capability {q.compute_capability}",
                                     lambda c: c.version == q.compute_capability, "gpu"))
            if self.jetson:
                roots.append(Requirement(TENSORFLOW, JETSON, lambda c: False, "gpu"))
            roots.append(Requirement(DRIVER, f"NVIDIA driver {q.driver or '(any)'}", lambda c: True, "driver"))
        return roots

    def candidates(self, identifier: str) -> list[Candidate]:
        """All candidates of ``identifier``, most preferred first."""
        q = self.query
        if identifier == TENSORFLOW:
            return list(self._tensorflow_cache)
        if identifier == PYTHON:
            return self.python_candidates()
        if identifier == CUDA:
            return self.cuda_candidates
        if identifier == CUDNN:
            return self.cudnn_candidates
        if identifier == MSVC:
            return self.msvc_candidates
        if identifier == DRIVER:
            return [Candidate(DRIVER, q.driver)]
        if identifier == COMPUTE:
            return [Candidate(COMPUTE, q.compute_capability)] if q.compute_capability else []
        return []

    @cached_property
    def _tensorflow_cache(self) -> list[TensorflowCandidate]:
        return self.tensorflow_candidates()

    def dependencies(self, candidate: Candidate) -> list[Requirement]:
        """Requirements a chosen candidate adds (made once per candidate for this factory's query).

        A TensorFlow candidate's requirements are shared between queries that differ only in root facts
        (Python, TensorFlow range, driver, GPU name): :meth:`tensorflow_dependencies` must not read those.
        """
        return list(self._requirements(candidate))

    def _requirements(self, candidate: Candidate) -> tuple[Requirement, ...]:
        known = self._dependencies.get(id(candidate))
        if known is None:
            if isinstance(candidate, TensorflowCandidate):
                found = self._memo.cached("tensorflow-dependencies", (id(candidate), self._shared_id),
                                                       lambda: tuple(self._make_dependencies(candidate)), 65536)
            else:
                found = tuple(self._make_dependencies(candidate))
            known = self._dependencies[id(candidate)] = (candidate, found)  # holds the candidate: its id stays its own
        return known[1]

    @cached_property
    def _dependencies(self) -> dict[int, tuple[Candidate, tuple[Requirement, ...]]]:
        return {}

    @cached_property
    def _shared_facts(self) -> Query:
        return self.query.changed(python=None, tensorflow=None, driver=None, gpu=None)

    def fixed(self) -> dict[str, Candidate]:
        """The identifiers with a single candidate, the query's own facts: driver, compute capability, Python."""
        return {name: found[0] for name in (DRIVER, COMPUTE, PYTHON) if len(found := self.candidates(name)) == 1}

    def viable(self, candidate: TensorflowCandidate) -> bool:
        """``False`` when no solution can hold ``candidate``: one of its requirements, or one of the CUDA
        series it requires, rejects a fixed fact (:meth:`fixed`). A necessary condition only."""
        known = self._viable.get(id(candidate))
        if known is None:
            python = self.query.python
            # the candidate's Python requirement (tensorflow_dependencies) is its ``pythons``: asked first, and directly
            verdict = (python is None or python in candidate.pythons) and self._check_viable(candidate)
            known = self._viable[id(candidate)] = (candidate, verdict)
        return known[1]

    @cached_property
    def _viable(self) -> dict[int, tuple[Candidate, bool]]:
        return {}

    def _check_viable(self, candidate: TensorflowCandidate) -> bool:
        # Each verdict depends only on the candidate, the shared facts and one fixed fact: remembered per knowledge
        # (candidates live as long as the knowledge's memo, so their ids are theirs). The candidate's requirements
        # are made only when a verdict is not remembered yet.
        memo = self._memo
        verdicts = memo.table("viable")
        shared = self._shared_id
        for name, version in self._check_order:
            key = (id(candidate), shared, name, version)
            verdict = verdicts.get(key)
            if verdict is None:
                verdict = memo.put("viable", key, self._accepts(self._requirements(candidate), name), VIABLE_LIMIT)
            if not verdict:
                return False
        key = (id(candidate), shared, "cuda", self._fixed_token)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = memo.put("viable", key, self._cuda_viable(self._requirements(candidate)), VIABLE_LIMIT)
        return verdict  # type: ignore[no-any-return]

    @cached_property
    def _memo(self) -> Memo:
        return memo_of(self.knowledge)

    @cached_property
    def _shared_id(self) -> object:
        """One object per distinct :attr:`_shared_facts` (while the memo keeps it): a memo key part that hashes at once."""
        token = tuple(getattr(self._shared_facts, f.name) for f in dataclasses.fields(self._shared_facts))
        return self._memo.cached("shared-facts", token, object)

    @cached_property
    def _fixed_token(self) -> tuple[tuple[str, Optional[str]], ...]:
        return tuple((n, c.version) for n, c in self._fixed.items())

    @cached_property
    def _check_order(self) -> tuple[tuple[str, Optional[str]], ...]:
        """:attr:`_fixed_token` with Python first: it rules out the most releases, so most checks stop there."""
        return tuple(sorted(self._fixed_token, key=lambda fact: fact[0] != PYTHON))

    def _accepts(self, requirements: Iterable[Requirement], name: Optional[str] = None) -> bool:
        """Whether ``requirements`` (those on ``name`` only, when given) accept the fixed facts."""
        fixed = self._fixed
        return all(r.test(fixed[r.name]) for r in requirements if r.name in fixed and (name is None or r.name == name))

    def _cuda_viable(self, requirements: Iterable[Requirement]) -> bool:
        for requirement in (r for r in requirements if r.name == CUDA):
            if not any(requirement.test(c) and self._cuda_accepted(c) for c in self.cuda_candidates):
                return False
        return True

    def _cuda_accepted(self, candidate: Candidate) -> bool:
        """Whether a CUDA candidate's own requirements accept the fixed facts (once per candidate and factory)."""
        known = self._cuda_verdicts.get(id(candidate))
        if known is None:
            known = self._cuda_verdicts[id(candidate)] = (candidate, self._accepts(self._requirements(candidate)))
        return known[1]

    @cached_property
    def _cuda_verdicts(self) -> dict[int, tuple[Candidate, bool]]:
        return {}

    @cached_property
    def _fixed(self) -> dict[str, Candidate]:
        return self.fixed()

    def _make_dependencies(self, candidate: Candidate) -> list[Requirement]:
        if isinstance(candidate, TensorflowCandidate):
            return self.tensorflow_dependencies(candidate)
        if candidate.name == CUDA:
            return self.cuda_dependencies(candidate)
        if candidate.name == CUDNN:
            return self.cudnn_dependencies(candidate)
        if candidate.name == COMPUTE:
            return self.compute_dependencies(candidate)
        return []

    def first_toolkit_for(self, cc: str) -> Optional[CudaToolkit]:
        """The earliest CUDA release whose nvcc targets compute capability ``cc`` (``None`` if none does)."""
        listing = [t for t in self.knowledge.cuda_toolkits if cc in t.compute_capabilities]
        return min(listing, key=lambda t: version_key(t.version), default=None)

    def compute_dependencies(self, c: Candidate) -> list[Requirement]:
        """A GPU needs a driver at least as new as the toolkit driver of the first CUDA that targets it.

        Derived rule: NVIDIA ships support for a new architecture in the driver released with the
        first toolkit that targets it (release notes Table 3), so an older driver cannot run the GPU.
        Where NVIDIA published no such driver for the OS (macOS after CUDA 10.2), nothing runs it.
        """
        name = f"the {self.query.gpu} (compute capability {c.version})" if self.query.gpu else f"compute capability {c.version}"
        deps = []
        architecture = self.knowledge.architecture_of(c.version or "")
        if architecture and architecture.last_driver_branch and self.query.os != "macos":  # Linux/Windows branches
            branch = int(architecture.last_driver_branch)
            deps.append(Requirement(
                DRIVER, f"{architecture.architecture} GPUs are supported up to the R{branch} driver branch (NVIDIA's "
                        f"driver and architecture matrix); {name} cannot use a newer driver",
                lambda d, b=branch: d.version is None or int(d.version.split(".")[0]) <= b, ceiling=str(branch)))
        first = self.first_toolkit_for(c.version or "")
        if first is None:
            return deps
        driver = first.driver(self.query.driver_os)
        if not driver and self.query.os == "macos" and first.macos:
            return deps  # the CUDA Driver for Mac of the plan's CUDA decides (macos_cuda_driver)
        if not driver:
            return [*deps, Requirement(DRIVER, f"NVIDIA published no {self.query.driver_os} driver for CUDA {first.version}, the "
                                               f"first CUDA in the matrix that targets {name}", lambda d: False)]
        return [*deps, at_least(DRIVER, driver, f"derived: {name} needs a driver at least as new as {driver}, the toolkit "
                                                f"driver of CUDA {first.version}, the first CUDA in the matrix that targets it")]

    def needs_avx(self, version: str) -> bool:
        """Whether the official wheels of TF ``version`` for the query's platform need AVX (``tf-platform-requirements``
        cpu-isa records; the Arm wheels need none)."""
        return self.query.arch != "arm64" and any(
            r.requirement == "cpu-isa" and r.value == "avx" and self.query.os in r.os and r.covers(version)
            for r in self.knowledge.platform_requirements)

    @cached_property
    def gpu(self) -> Optional[Gpu]:
        """The ``gpus`` record of the declared GPU (``None`` when only a compute capability was declared)."""
        return self.knowledge.gpu_named(self.query.gpu) if self.query.gpu else None

    @cached_property
    def jetson(self) -> bool:
        """Whether the declared GPU is a Jetson module (JetPack builds, not PyPI wheels)."""
        return self.gpu is not None and self.gpu.segment == "jetson"

