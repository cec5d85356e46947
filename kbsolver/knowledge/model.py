"""Frozen records of the knowledge base, one class per matrix kind.

Versions are kept as the source wrote them (``"535.104.05"``, ``"2.10"``); compare them with
:func:`version_key`, which parses with :class:`packaging.version.Version`, never by editing the text.
Each class documents the official source its facts come from; the YAML schema of each kind is in
``schemas/<kind>.schema.json``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import field
from functools import cache, lru_cache
from typing import Any, Optional, TypeVar

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from kbsolver.frozen import frozen

OS_NAMES = ("linux", "windows", "macos")
ARCH_NAMES = ("x86_64", "arm64", "x86")


#: characters of a version string; a longer one is not a version (and Python's ``int`` refuses > 4300 digits)
MAX_VERSION_LENGTH = 64


@lru_cache(maxsize=4096)
def version_key(text: str) -> Version:
    """Parse a version string for ordering (``"11.2"`` < ``"11.10"``).

    Raises ``InvalidVersion`` for malformed text, text over :data:`MAX_VERSION_LENGTH` characters
    and non-ASCII digits (``"3.８"``).
    """
    if len(text) > MAX_VERSION_LENGTH or not text.isascii():
        raise InvalidVersion(f"not a version (over {MAX_VERSION_LENGTH} characters or not ASCII): {text[:20]!r}")
    return Version(text)


def safe_version(text: str) -> Optional[Version]:
    """Return :func:`version_key` of ``text``, or ``None`` if it is not a PEP 440 version."""
    try:
        return version_key(text)
    except InvalidVersion:
        return None


@lru_cache(maxsize=4096)
def spec_contains(spec: str, version: str) -> bool:
    """Whether ``version`` is in the PEP 440 specifier ``spec`` (pre-releases included); answered once per pair,
    each specifier and version parsed once.

    Raises ``InvalidSpecifier``/``InvalidVersion`` for malformed input.
    """
    parsed = safe_version(version)
    return _specifier_set(spec).contains(version if parsed is None else parsed, prereleases=True)


@lru_cache(maxsize=1024)
def _specifier_set(spec: str) -> SpecifierSet:
    return SpecifierSet(spec)


def cuda_series(cuda: str) -> str:
    """TF's tables write bare majors for old toolkits ("8", "9", "10"); the toolkit series is "8.0", "9.0", "10.0"."""
    return cuda if "." in cuda or "x" in cuda else f"{cuda}.0"


@lru_cache(maxsize=4096)
def minor_of(version: str) -> str:
    """Return ``"major.minor"`` of a version string: ``"2.10.1"`` -> ``"2.10"``."""
    parsed = version_key(version)
    return f"{parsed.major}.{parsed.minor}"


def parse_python_column(text: str) -> tuple[str, ...]:
    """Expand a tested-build Python column into versions: ``"2.7, 3.3-3.6"`` -> ``("2.7", "3.3", ..., "3.6")``.

    Raises ``ValueError`` when a part is not ``X.Y`` or ``X.Y-X.Z``.
    """
    versions: list[str] = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        low_major, low_minor = (int(n) for n in low.strip().split("."))
        high_major, high_minor = (int(n) for n in (high or low).strip().split("."))
        if low_major != high_major or high_minor < low_minor:
            raise ValueError(f"bad Python range '{part.strip()}'")
        versions.extend(f"{low_major}.{minor}" for minor in range(low_minor, high_minor + 1))
    return tuple(versions)


@frozen(shared_init=True)
class Source:
    """Where a fact was read: an official ``url`` and ``where`` on that page (table, row, line)."""

    url: str
    where: str = ""


@frozen(shared_init=True)
class Record:
    """Fields every matrix record has: ``id``, ``sources``, ``confidence`` and ``notes``."""

    id: str
    sources: tuple[Source, ...] = ()
    confidence: Optional[str] = None
    notes: Optional[str] = None


R = TypeVar("R", bound=Record)
T = TypeVar("T")


@cache
def _init_fields(cls: type) -> frozenset[str]:
    return frozenset(field_names(cls))


@cache
def field_names(cls: type) -> tuple[str, ...]:
    """The fields of a record class in declaration order (a row of :func:`to_row` holds their values in this order)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


def to_row(record: Record) -> tuple[Any, ...]:
    """A record as plain data (tuples, strings, numbers, ``None``) for the compiled knowledge: its field values in
    :func:`field_names` order, each :class:`Source` and :class:`Step` as the tuple of its own fields (``(url, where)``,
    ``(description, commands, shell)``). :func:`from_row` makes an equal record again."""
    row = []
    for name in field_names(type(record)):
        value = getattr(record, name)
        if name in ("sources", "steps"):
            value = tuple(tuple(getattr(part, n) for n in field_names(type(part))) for part in value)
        row.append(value)
    return tuple(row)


def from_row(cls: type[R], row: tuple[Any, ...], sources: dict[tuple[str, str], Source]) -> R:
    """The record of a :func:`to_row` row (from a verified compiled entry, so already validated). ``sources`` shares
    equal :class:`Source` objects between records. The fields are set as the frozen dataclass's ``__init__`` sets
    them (every field; the classes have no ``__post_init__``), without its per-call cost."""
    values = dict(zip(field_names(cls), row))
    values["sources"] = tuple([sources.get(s) or sources.setdefault(s, _made(Source, s)) for s in values["sources"]])
    if "steps" in values:
        values["steps"] = tuple([_made(Step, s) for s in values["steps"]])
    record: R = object.__new__(cls)
    record.__dict__.update(values)
    return record


def _made(cls: type[T], row: tuple[Any, ...]) -> T:
    """A ``cls`` with every field given by ``row`` (in field order), set without calling ``__init__``."""
    made: T = object.__new__(cls)
    made.__dict__.update(zip(field_names(cls), row))
    return made


def build(cls: type[R], record: Mapping[str, Any]) -> R:
    """Make a ``cls`` from a validated YAML record: lists become tuples, unknown keys are ignored."""
    names = _init_fields(cls)
    values: dict[str, Any] = {}
    for key, value in record.items():
        if key not in names:
            continue
        if key == "sources":
            value = tuple(Source(s["url"], s.get("where", "")) for s in value)
        elif key == "steps":
            value = tuple(Step(s["description"], (s["command"],) if s.get("command") else ()) for s in value)
        elif isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, dict):
            value = tuple(sorted(value.items()))
        values[key] = value
    return cls(**values)


@frozen(shared_init=True)
class TestedBuild(Record):
    """A row of TensorFlow's "Tested build configurations" tables (tensorflow.org/install/source)."""

    __test__ = False  # not a pytest class, despite the name

    package: str = ""
    version: str = ""
    os: str = ""
    arch: str = "x86_64"
    device: str = "cpu"
    python: str = ""
    compiler: Optional[str] = None
    bazel: Optional[str] = None
    cuda: Optional[str] = None
    cudnn: Optional[str] = None

    @property
    def python_versions(self) -> tuple[str, ...]:
        """The Python column expanded, e.g. ``("3.7", "3.8", "3.9", "3.10")``."""
        return parse_python_column(self.python)

    @property
    def minor(self) -> str:
        return minor_of(self.version)


@frozen(shared_init=True)
class WheelRelease(Record):
    """A release of a TensorFlow distribution on PyPI with the tags of its wheels (generated)."""

    package: str = ""
    version: str = ""
    uploaded: Optional[str] = None
    yanked: bool = False
    tags: tuple[str, ...] = ()
    sdist_only: bool = False
    and_cuda: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()


@frozen(shared_init=True)
class Distribution(Record):
    """Which distribution carries which device support on which OS, over a TF version range."""

    package: str = ""
    extra: Optional[str] = None
    tensorflow: str = ""
    os: tuple[str, ...] = ()
    arch: tuple[str, ...] = ()
    device: str = "cpu"
    cuda_from: Optional[str] = None
    status: Optional[str] = None

    def covers(self, version: str) -> bool:
        """Whether the TF ``version`` is inside this record's range (pre-releases included)."""
        return spec_contains(self.tensorflow, version)


@frozen(shared_init=True)
class CudaToolkit(Record):
    """A CUDA Toolkit release: toolkit driver per OS (release notes, Table 3) and nvcc's targets."""

    version: str = ""
    series: str = ""
    label: Optional[str] = None
    release_date: Optional[str] = None
    toolkit_driver: tuple[tuple[str, Optional[str]], ...] = ()
    compute_capabilities: tuple[str, ...] = ()
    macos_versions: tuple[str, ...] = ()
    macos_cuda_driver: Optional[str] = None

    def driver(self, os: str) -> Optional[str]:
        """The toolkit driver version for ``os`` ("linux" or "windows"), or ``None`` if not published."""
        return dict(self.toolkit_driver).get(os)

    @property
    def macos(self) -> bool:
        """Whether NVIDIA published a macOS build of this release (its macOS guide lists ``macos_versions``).

        On macOS the driver is the separate "CUDA Driver" for Mac; ``macos_cuda_driver`` is its lowest
        version where NVIDIA names one (``None``: NVIDIA published no floor)."""
        return bool(self.macos_versions)


@frozen(shared_init=True)
class CudaMajor(Record):
    """A CUDA major version and its minor-version-compatibility driver floor (release notes, Table 2)."""

    major: str = ""
    minor_version_floor: Optional[tuple[tuple[str, Optional[str]], ...]] = None

    def floor(self, os: str) -> Optional[str]:
        """The minor-version-compatibility floor on ``os``, or ``None`` where the major has none."""
        return dict(self.minor_version_floor).get(os) if self.minor_version_floor else None


@frozen(shared_init=True)
class Cudnn(Record):
    """A cuDNN release and the CUDA toolkit versions it supports (cuDNN support matrix).

    ``cuda`` holds the CUDA series NVIDIA's per-release support matrix lists for the release ("11.8"),
    or "11.x" where only the major is published; ``packages`` holds NVIDIA's package names for the
    release's builds, as the CUDA part of "cuDNN 8.9.6 for CUDA 12.x" ("12.x", "11.x", "10.2").
    """

    version: str = ""
    series: str = ""
    cuda: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    compute_capabilities: tuple[str, ...] = ()
    os: tuple[str, ...] = ()
    release_date: Optional[str] = None

    def lists_cuda(self, series: str) -> bool:
        """Whether NVIDIA's matrix lists CUDA ``series`` ("11.2") for this release; an "11.x" entry (minors
        not published) covers its major. This is the exact fact a check uses to tell 11.2 from 11.8."""
        return series in self.cuda or f"{series.split('.')[0]}.x" in self.cuda

    def supports_cuda(self, series: str) -> bool:
        """Whether this release works with CUDA ``series`` ("12.3"): listed (:meth:`lists_cuda`), or a
        later minor of a major whose package NVIDIA names "for CUDA <major>.x" (a ``packages`` entry),
        newer than every minor of that major the matrix lists.

        Why the second rule: CUDA minor-version compatibility (since CUDA 11; NVIDIA's CUDA
        Compatibility guide, https://docs.nvidia.com/deploy/cuda-compatibility/) keeps toolkit libraries
        binary compatible across the minors of a major, which is why NVIDIA ships one cuDNN build per
        major. The two official sources then agree: TensorFlow 2.16/2.17 were tested with cuDNN 8.9 and
        CUDA 12.3 while NVIDIA's 8.9.x matrices list 12.0-12.2. Earlier minors than those listed are not
        admitted (cuDNN 9.5.1's 11.x package lists 11.8 only), nor are minors of a package named for an
        exact version ("for CUDA 10.2", "for CUDA 12.0")."""
        if self.lists_cuda(series):
            return True
        major, _, minor = series.partition(".")
        if f"{major}.x" not in self.packages or not minor.isdigit():
            return False
        listed = [int(v.split(".")[1]) for v in self.cuda if v.split(".")[0] == major and v.split(".")[1].isdigit()]
        return bool(listed) and int(minor) > max(listed)


@frozen(shared_init=True)
class Gpu(Record):
    """An NVIDIA GPU with its compute capability and architecture (developer.nvidia.com/cuda-gpus)."""

    name: str = ""
    aliases: tuple[str, ...] = ()
    segment: str = ""
    compute_capability: str = ""
    architecture: str = ""
    chip: Optional[str] = None


@frozen(shared_init=True)
class GpuArchitecture(Record):
    """An NVIDIA architecture: its compute capabilities, and the last driver branch / CUDA toolkit that
    support it (``None`` while supported) — NVIDIA's CUDA toolkit, driver and architecture matrix."""

    architecture: str = ""
    compute_capabilities: tuple[str, ...] = ()
    last_driver_branch: Optional[str] = None
    last_cuda: Optional[str] = None


@frozen(shared_init=True)
class CudaTargets(Record):
    """Compute capabilities a TF minor release's GPU build ships as SASS and as PTX (its .bazelrc)."""

    tensorflow: str = ""
    os: tuple[str, ...] = ()
    sass: tuple[str, ...] = ()
    ptx: tuple[str, ...] = ()


@frozen(shared_init=True)
class PlatformRequirement(Record):
    """A requirement of official TF wheels on the platform (MSVC runtime, AVX, 64-bit Python...)."""

    tensorflow: str = ""
    os: tuple[str, ...] = ()
    requirement: str = ""
    value: str = ""

    def covers(self, version: str) -> bool:
        return spec_contains(self.tensorflow, version)


SHELLS = ("bash", "powershell", "cmd")


@frozen(shared_init=True)
class Step:
    """One install step (of a guide's recipe, or of a plan): what to do, and its commands when there are any.

    ``commands`` are pasted one after another, each a single line (or a here-doc); ``shell`` names the
    shell they are written for (:data:`SHELLS`), ``None`` for a guide's recipe step (its OS decides).
    """

    description: str
    commands: tuple[str, ...] = ()
    shell: Optional[str] = None

    @property
    def command(self) -> Optional[str]:
        """The commands as one text (one per line), or ``None`` for a step without commands."""
        return "\n".join(self.commands) or None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"description": self.description}
        if self.commands:
            data["shell"] = self.shell or "bash"
            data["commands"] = list(self.commands)
        return data


@frozen(shared_init=True)
class InstallRecipe(Record):
    """The install commands TensorFlow's official guide gave for a TF range, OS and device."""

    tensorflow: str = ""
    os: tuple[str, ...] = ()
    environment: Optional[str] = None
    device: str = "cpu"
    steps: tuple[Step, ...] = field(default=())

    def covers(self, version: str) -> bool:
        return spec_contains(self.tensorflow, version)


@frozen(shared_init=True)
class MsvcRedist(Record):
    """A Microsoft Visual C++ Redistributable line, the DLLs it installs, and the Windows versions its download
    supports (``windows``, e.g. ``("10", "11")``; empty when not recorded)."""

    version: str = ""
    toolset: Optional[str] = None
    dlls: tuple[str, ...] = ()
    download: Optional[str] = None
    windows: tuple[str, ...] = ()


@frozen(shared_init=True)
class PythonRelease(Record):
    """A CPython feature release with its first-release and end-of-life dates (python.org)."""

    version: str = ""
    released: Optional[str] = None
    end_of_life: Optional[str] = None
    status: Optional[str] = None


@frozen(shared_init=True)
class LibraryFiles(Record):
    """Shared-library file names a component version provides, or a TF range loads."""

    component: str = ""
    version: Optional[str] = None
    tensorflow: Optional[str] = None
    os: Any = None
    files: tuple[str, ...] = ()


@frozen(shared_init=True)
class Symptom(Record):
    """A recognisable error-text symptom (``matrix/symptoms.yaml``): regular expressions matched per line,
    the findings it points to with weights in [-1, 1] (``findings`` as ``(id, weight)`` pairs), the facts
    it implies (``implies`` as ``(fact, value)`` pairs), a ``note`` for informational lines, and real
    ``examples`` from the public reports in ``sources``."""

    title: str = ""
    patterns: tuple[str, ...] = ()
    findings: tuple[tuple[str, float], ...] = ()
    implies: tuple[tuple[str, str], ...] = ()
    note: Optional[str] = None
    hint: Optional[str] = None
    failure: bool = False
    examples: tuple[str, ...] = ()


KIND_CLASSES: dict[str, type[Record]] = {
    "tested-builds": TestedBuild,
    "wheels": WheelRelease,
    "distributions": Distribution,
    "cuda-toolkits": CudaToolkit,
    "cuda-majors": CudaMajor,
    "cudnn": Cudnn,
    "gpus": Gpu,
    "gpu-architectures": GpuArchitecture,
    "tf-cuda-targets": CudaTargets,
    "tf-platform-requirements": PlatformRequirement,
    "install-recipes": InstallRecipe,
    "msvc-redist": MsvcRedist,
    "python-releases": PythonRelease,
    "library-files": LibraryFiles,
    "symptoms": Symptom,
}
