"""The validated, indexed, immutable knowledge base and its queries.

:func:`load` reads every ``matrix/*.yaml`` (or the paths given), validates each file against the
schema of its kind, runs the cross-file checks of :mod:`kbsolver.knowledge.checks`, and returns a
:class:`Knowledge`. Any problem raises :class:`~kbsolver.errors.DataError` listing all of them
with ``file:line:col`` positions. The solver only ever sees a :class:`Knowledge`, never YAML.
"""

from __future__ import annotations

import marshal
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Optional

from kbsolver.errors import DataError, Location, Problem, UnknownGpuError
from kbsolver.frozen import frozen
from kbsolver.knowledge.model import (
    ARCH_NAMES,
    KIND_CLASSES,
    OS_NAMES,
    CudaMajor,
    CudaTargets,
    CudaToolkit,
    Cudnn,
    Distribution,
    Gpu,
    GpuArchitecture,
    InstallRecipe,
    LibraryFiles,
    MsvcRedist,
    PlatformRequirement,
    PythonRelease,
    Record,
    Source,
    Symptom,
    TestedBuild,
    WheelRelease,
    build,
    cuda_series,
    from_row,
    minor_of,
    safe_version,
    to_row,
    version_key,
)
from kbsolver.knowledge.paths import matrix_dir
from kbsolver.knowledge.platforms import wheel_targets

#: The compiled entry of the bundled matrix inside an installed wheel, beside ``matrix/`` (``hatch_build.py`` writes it).
BUNDLED_ENTRY = "compiled.bin"

#: CPython X.Y versions the wheel tags are expanded into (``py3`` tags, ``abi3`` tags).
KNOWN_PYTHONS = ("2.7", *(f"3.{minor}" for minor in range(3, 15)))

_GPU_NOISE = re.compile(r"\b(nvidia|geforce|tesla)\b")
_GPU_VARIANT = re.compile(r"\b(\d+\s?gb?|pcie|sxm\d?|hbm\d?e?|nvl|max-?q|mobile|notebook|design|oem)\b")


def gpu_key(name: str) -> str:
    """Normalise a GPU name for lookup: ``"NVIDIA GeForce RTX 3060"`` and ``"rtx-3060"`` -> ``"rtx3060"``."""
    text = _GPU_NOISE.sub(" ", name.lower())
    text = re.sub(r"\blaptop gpu\b", "laptop", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def gpu_variant_key(name: str) -> str:
    """Like :func:`gpu_key`, with memory sizes and form factors dropped (``A100-SXM4-40GB`` -> ``a100``)."""
    return gpu_key(_GPU_VARIANT.sub(" ", _GPU_NOISE.sub(" ", name.lower()).replace("-", " ")))


_SERIES = ("rtx", "gtx", "gts", "gt", "mx")
_SERIES_LAST = re.compile(r"(\d{3,4}[a-z]*)(rtx|gtx|gts|gt|mx)")


def gpu_series_keys(key: str) -> list[str]:
    """Keys a GeForce model number may stand for when its series is missing or comes last, as users write it
    (``"1080ti"`` -> ``gtx1080ti``, ``rtx1080ti``, ...; ``"4080rtx"`` -> ``rtx4080``); ``key`` is a :func:`gpu_key`."""
    if (moved := _SERIES_LAST.fullmatch(key)) is not None:
        return [moved.group(2) + moved.group(1)]
    if re.fullmatch(r"\d{3,4}[a-z]*", key):
        return [series + key for series in _SERIES]
    return []


#: The facts of a GPU record the solver may act on. Queries whose GPUs agree on these share one solve,
#: made for a stand-in GPU (:func:`gpu_template`) whose name and sources are filled in afterwards; the
#: GPU's name and sources may appear only in text. A fact added here joins the stand-in's name.
GPU_FACTS = ("compute_capability", "architecture", "segment")
_TEMPLATE = "\ue000"  # a private-use character: never in matrix text
#: The one source URL of a stand-in GPU, replaced by the real GPU's source URLs.
TEMPLATE_SOURCE = f"{_TEMPLATE}gpu-sources{_TEMPLATE}"


def gpu_template(gpu: Gpu) -> str:
    """The stand-in name for every GPU that agrees with ``gpu`` on :data:`GPU_FACTS`."""
    return _TEMPLATE + "\ue001".join(getattr(gpu, fact) for fact in GPU_FACTS) + _TEMPLATE


@lru_cache(maxsize=1024)
def _stand_in(name: str) -> Gpu:
    """The stand-in record of a :func:`gpu_template` name (made once per name; records are immutable)."""
    values = dict(zip(GPU_FACTS, name.strip(_TEMPLATE).split("\ue001")))
    return Gpu(id=name, name=name, sources=(Source(TEMPLATE_SOURCE),), **values)


def is_gpu_template(name: str) -> bool:
    """Whether ``name`` is a stand-in made by :func:`gpu_template`."""
    return name.startswith(_TEMPLATE)


class _LazyRecords(dict):  # type: ignore[type-arg]
    """Records per kind, built from their compiled rows (:func:`~kbsolver.knowledge.model.to_row`, marshalled) when a
    kind is first read, or one record at a time (:meth:`one`); a record is made once either way (thread-safe)."""

    def __init__(self, rows: dict[str, bytes]) -> None:
        super().__init__()
        self._rows = rows
        self._decoded: dict[str, tuple[tuple[Any, ...], ...]] = {}
        self._made: dict[str, dict[int, Record]] = {}
        self._sources: dict[tuple[str, str], Source] = {}
        self._lock = threading.Lock()

    def __missing__(self, kind: str) -> tuple[Record, ...]:
        if kind not in KIND_CLASSES:
            raise KeyError(kind)
        with self._lock:
            if kind not in self:
                made = self._made.pop(kind, {})
                self[kind] = tuple(made.get(i) or self._record(kind, i) for i in range(len(self._rows_of(kind))))
                self._decoded.pop(kind, None)
            return dict.__getitem__(self, kind)  # type: ignore[no-any-return]

    def one(self, kind: str, position: int) -> Record:
        """The record at ``position`` of ``kind``, without making the others when the kind is not built yet."""
        if kind in self:
            return dict.__getitem__(self, kind)[position]  # type: ignore[no-any-return]
        with self._lock:
            if kind in self:
                return dict.__getitem__(self, kind)[position]  # type: ignore[no-any-return]
            made = self._made.setdefault(kind, {})
            if position not in made:
                made[position] = self._record(kind, position)
            return made[position]

    def _rows_of(self, kind: str) -> tuple[tuple[Any, ...], ...]:
        if kind not in self._decoded:
            data = self._rows.get(kind)
            self._decoded[kind] = marshal.loads(data) if data else ()
        return self._decoded[kind]

    def _record(self, kind: str, position: int) -> Record:
        return from_row(KIND_CLASSES[kind], self._rows_of(kind)[position], self._sources)


@frozen(shared_init=True)
class Located:
    """A record with the file position it was read from."""

    record: Record
    location: Location


class Knowledge:
    """The knowledge base: immutable tuples of records per kind, plus indexes for the solver.

    Build it with :func:`load`; the constructor takes records already validated.
    """

    def __init__(self, records: dict[str, Sequence[Record]], sources: Sequence[str] = ()) -> None:
        self._records: dict[str, tuple[Record, ...]] = {kind: tuple(records.get(kind, ())) for kind in KIND_CLASSES}
        self.files = tuple(sources)

    @classmethod
    def from_compiled(cls, records: dict[str, bytes], sources: Sequence[str] = ()) -> Knowledge:
        """Knowledge over validated records kept as marshalled rows per kind (:func:`compiled_payload`); each kind is
        built on first use."""
        knowledge = cls({}, sources)
        knowledge._records = _LazyRecords(records)
        return knowledge

    def records(self, kind: str) -> tuple[Record, ...]:
        """All records of a matrix ``kind`` (e.g. ``"gpus"``) in file order."""
        return self._records[kind]

    @property
    def tested_builds(self) -> tuple[TestedBuild, ...]:
        return self._records["tested-builds"]  # type: ignore[return-value]

    @property
    def wheels(self) -> tuple[WheelRelease, ...]:
        return self._records["wheels"]  # type: ignore[return-value]

    @property
    def distributions(self) -> tuple[Distribution, ...]:
        return self._records["distributions"]  # type: ignore[return-value]

    @property
    def cuda_toolkits(self) -> tuple[CudaToolkit, ...]:
        return self._records["cuda-toolkits"]  # type: ignore[return-value]

    @property
    def cuda_majors(self) -> tuple[CudaMajor, ...]:
        return self._records["cuda-majors"]  # type: ignore[return-value]

    @property
    def cudnn(self) -> tuple[Cudnn, ...]:
        return self._records["cudnn"]  # type: ignore[return-value]

    @property
    def gpus(self) -> tuple[Gpu, ...]:
        return self._records["gpus"]  # type: ignore[return-value]

    @property
    def architectures(self) -> tuple[GpuArchitecture, ...]:
        return self._records["gpu-architectures"]  # type: ignore[return-value]

    def architecture_of(self, compute_capability: str) -> Optional[GpuArchitecture]:
        """The architecture record that lists ``compute_capability`` (``None`` if none does)."""
        return next((a for a in self.architectures if compute_capability in a.compute_capabilities), None)

    @property
    def cuda_targets(self) -> tuple[CudaTargets, ...]:
        return self._records["tf-cuda-targets"]  # type: ignore[return-value]

    @property
    def platform_requirements(self) -> tuple[PlatformRequirement, ...]:
        return self._records["tf-platform-requirements"]  # type: ignore[return-value]

    @property
    def install_recipes(self) -> tuple[InstallRecipe, ...]:
        return self._records["install-recipes"]  # type: ignore[return-value]

    @property
    def msvc(self) -> tuple[MsvcRedist, ...]:
        return self._records["msvc-redist"]  # type: ignore[return-value]

    @property
    def python_releases(self) -> tuple[PythonRelease, ...]:
        return self._records["python-releases"]  # type: ignore[return-value]

    @property
    def symptoms(self) -> tuple[Symptom, ...]:
        return self._records["symptoms"]  # type: ignore[return-value]

    @property
    def library_files(self) -> tuple[LibraryFiles, ...]:
        return self._records["library-files"]  # type: ignore[return-value]

    # -- indexes ---------------------------------------------------------------------------

    @cached_property
    def _gpu_positions(self) -> dict[str, int]:
        """Lookup key (:func:`gpu_key`, then :func:`gpu_variant_key`, of each name and alias) -> position in ``gpus``;
        the first GPU in file order wins a key. A verified compiled entry brings it (:meth:`restore_indexes`)."""
        index: dict[str, int] = {}
        for key_of in (gpu_key, gpu_variant_key):
            for position, gpu in enumerate(self.gpus):
                for name in (gpu.name, *gpu.aliases):
                    index.setdefault(key_of(name), position)
        return index

    @cached_property
    def _gpu_index(self) -> dict[str, Gpu]:
        return {key: self.gpus[position] for key, position in self._gpu_positions.items()}

    def _gpu_at(self, position: int) -> Gpu:
        """``gpus[position]``, made alone when the GPU records are not all made yet (a plan needs one of 356)."""
        if isinstance(self._records, _LazyRecords):
            return self._records.one("gpus", position)  # type: ignore[return-value]
        return self.gpus[position]

    @cached_property
    def _gpu_names(self) -> dict[str, Gpu]:
        return {gpu.name: gpu for gpu in self.gpus}

    def gpu_named(self, name: str) -> Optional[Gpu]:
        """The GPU whose official name is exactly ``name`` (``None`` if none); a stand-in name from
        :func:`gpu_template` gives a stand-in record with those facts and :data:`TEMPLATE_SOURCE`."""
        if is_gpu_template(name):
            return _stand_in(name)
        position = self._gpu_positions.get(gpu_key(name))
        if position is not None and self._gpu_at(position).name == name:
            return self._gpu_at(position)
        return self._gpu_names.get(name)

    def find_gpu(self, name: str) -> Gpu:
        """Return the GPU record for a name or alias (case, spaces, "NVIDIA"/"GeForce" ignored; a GeForce model
        number without its series or with the series last, "1080ti" or "4080 RTX", when no other GPU has that number).

        Only the first :data:`~kbsolver.knowledge.gpumatch.MAX_NAME_CHARS` characters are read. Raises
        :class:`UnknownGpuError` when nothing matches, with a hint naming the close GPUs by their display
        names (each a valid ``--gpu`` value): all GPUs of a family name ("RTX PRO 6000"), or the nearest
        misspellings; else the advice to give ``--compute-capability``.
        """
        from kbsolver.knowledge.gpumatch import MAX_NAME_CHARS, shown, suggestions

        text = name[:MAX_NAME_CHARS]
        keys = [key for key in dict.fromkeys((gpu_key(text), gpu_variant_key(text))) if key]
        for key in keys:
            if key in self._gpu_positions:
                return self._gpu_at(self._gpu_positions[key])
        from kbsolver.knowledge.gpumatch import family

        for key in keys:  # a model number without its series ("1080ti"), or with the series last ("4080 RTX")
            found = {self._gpu_positions[k] for k in gpu_series_keys(key) if k in self._gpu_positions}
            if len(found) == 1 and len(family(key, self._gpu_positions)) <= 1:  # "3060" also names the 3060 Ti
                return self._gpu_at(found.pop())
        is_family, close = suggestions(keys, self._gpu_index)
        names = [gpu.name for gpu in (sorted(close, key=lambda g: g.name) if is_family else close)]
        instead = "give --compute-capability X.Y (nvidia-smi --query-gpu=compute_cap prints it)"
        what = f"'{shown(name)}' names several GPUs" if is_family and len(names) > 1 else f"unknown GPU '{shown(name)}'"
        if len(names) > 1:
            listed = ", ".join(f"'{n}'" for n in names)
            raise UnknownGpuError(f"--gpu: {what}", hint=f"did you mean one of: {listed}? Or {instead}")
        raise UnknownGpuError(f"--gpu: {what}", hint=f"did you mean '{names[0]}'?" if names else f"{instead} instead")

    def shared_compute_capability(self, name: str) -> Optional[str]:
        """The compute capability ("X.Y") of the GPU ``name`` names, or the one every GPU of the family name ``name``
        shares ("GT 1030" -> 6.1 for its GDDR5 and DDR4 variants); ``None`` when unknown or when they differ."""
        try:
            return self.find_gpu(name).compute_capability
        except UnknownGpuError:
            return self.family_compute_capability(name)

    def family_compute_capability(self, name: str) -> Optional[str]:
        """The compute capability every GPU of the family name ``name`` shares (``None`` when none match or they
        differ); for a name :meth:`find_gpu` has already refused, without asking it again."""
        from kbsolver.knowledge.gpumatch import MAX_NAME_CHARS, family

        text = name[:MAX_NAME_CHARS]
        for key in dict.fromkeys((gpu_key(text), gpu_variant_key(text))):
            found = {gpu.compute_capability for gpu in family(key, self._gpu_index)} if key else set()
            if found:
                return found.pop() if len(found) == 1 else None
        return None

    @cached_property
    def pythons(self) -> tuple[str, ...]:
        """CPython X.Y versions any TF wheel serves, oldest first."""
        found = {python for targets in self._wheel_targets.values() for python, _, _ in targets}
        return tuple(sorted(found, key=version_key))

    def compiled_indexes(self) -> dict[str, Any]:
        """The costly indexes as plain data (dicts, tuples, frozensets: what :mod:`marshal` stores), for
        :mod:`kbsolver.knowledge.compiled` (see :meth:`restore_indexes`)."""
        return {"wheel_targets": self._wheel_targets, "gpu_index": self._gpu_positions, "wheel_pins": self._wheel_pins,
                "release_order": self._release_order}

    def restore_indexes(self, indexes: dict[str, Any]) -> None:
        """Install indexes made by :meth:`compiled_indexes` (from a verified compiled entry); ``TypeError`` when one
        is not of the stored shape."""
        found = {name: indexes[name] for name in ("wheel_targets", "gpu_index", "wheel_pins", "release_order")}
        if not all(isinstance(value, dict) for value in found.values()):
            raise TypeError("compiled indexes are not mappings")
        self.__dict__["_wheel_targets"] = found["wheel_targets"]
        self.__dict__["_gpu_positions"] = found["gpu_index"]
        self.__dict__["_wheel_pins"] = found["wheel_pins"]
        self.__dict__["_release_order"] = found["release_order"]

    @cached_property
    def _wheel_targets(self) -> dict[tuple[str, str], frozenset[tuple[str, str, str]]]:
        return {(w.package, w.version): frozenset(wheel_targets(w.tags, KNOWN_PYTHONS)) for w in self.wheels}

    @cached_property
    def _wheel_index(self) -> dict[tuple[str, str], WheelRelease]:
        return {(w.package, w.version): w for w in self.wheels}

    def wheel(self, package: str, version: str) -> Optional[WheelRelease]:
        """The ``wheels`` record of ``package==version`` (``None`` if the index has no such release)."""
        return self._wheel_index.get((package, version))

    def wheel_pins(self, package: str, version: str) -> tuple[tuple[str, str, Optional[frozenset[tuple[str, str, str]]]], ...]:
        """The distributions ``package==version`` requires (its ``requires``, PEP 508): ``(name, pinned version
        or "", the (python, os, arch) where its marker holds, or None when it has no marker)``."""
        return self._wheel_pins.get((package, version), ())

    @cached_property
    def _wheel_pins(self) -> dict[tuple[str, str], tuple[tuple[str, str, Optional[frozenset[tuple[str, str, str]]]], ...]]:
        from packaging.requirements import Requirement

        from kbsolver.knowledge.platforms import marker_environment

        found = {}
        for wheel in self.wheels:
            pins = []
            for text in wheel.requires:
                pin = Requirement(text)
                pinned = next((s.version for s in pin.specifier if s.operator == "=="), "")
                applies = None if pin.marker is None else frozenset(
                    (python, os, arch) for os in OS_NAMES for arch in ARCH_NAMES for python in KNOWN_PYTHONS
                    if pin.marker.evaluate(marker_environment(os, arch, python)))
                pins.append((pin.name, pinned, applies))
            if pins:
                found[(wheel.package, wheel.version)] = tuple(pins)
        return found

    def wheel_targets(self, package: str, version: str) -> frozenset[tuple[str, str, str]]:
        """``(python, os, arch)`` triples the wheels of ``package==version`` cover (empty if unknown)."""
        return self._wheel_targets.get((package, version), frozenset())

    def releases(self, package: str) -> list[WheelRelease]:
        """Final, non-yanked releases of ``package`` that ship wheels, newest first (what pip installs by default)."""
        return list(self._releases.get(package, ()))

    @cached_property
    def _releases(self) -> dict[str, tuple[WheelRelease, ...]]:
        wheels = self.wheels
        return {package: tuple(wheels[i] for i in positions) for package, positions in self._release_order.items()}

    @cached_property
    def _release_order(self) -> dict[str, tuple[int, ...]]:
        """Package -> positions in ``wheels`` of :meth:`releases` (from a verified compiled entry when there is one)."""
        found: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(self.wheels):
            if not w.yanked and w.tags and not (safe_version(w.version) or version_key("0a0")).is_prerelease:
                found[w.package].append(i)
        wheels = self.wheels
        return {p: tuple(sorted(ps, key=lambda i: version_key(wheels[i].version), reverse=True)) for p, ps in found.items()}

    @cached_property
    def _tested_index(self) -> dict[tuple[str, str, str], list[TestedBuild]]:
        index: dict[tuple[str, str, str], list[TestedBuild]] = defaultdict(list)
        for row in self.tested_builds:
            index[(row.minor, row.os, row.device)].append(row)
        return index

    def tested_rows(self, minor: str, os: str, device: str) -> list[TestedBuild]:
        """Tested-build rows for a TF minor release ("2.10"), OS and device ("cpu"/"gpu")."""
        return self._tested_index.get((minor, os, device), [])

    def cuda_series(self, series: str) -> list[CudaToolkit]:
        """Toolkit releases of a CUDA series as TF's tables name it ("11.2"; bare "10" means "10.0")."""
        wanted = cuda_series(series)
        return [t for t in self.cuda_toolkits if t.series == wanted]

    def cuda_major(self, major: str) -> Optional[CudaMajor]:
        """The record of a CUDA major version ("11"), or ``None``."""
        return next((m for m in self.cuda_majors if m.major == major), None)

    def cudnn_series(self, series: str) -> list[Cudnn]:
        """cuDNN releases of a series as TF's tables name it ("8.1"; bare "7" means any 7.x)."""
        if "." in series:
            return [c for c in self.cudnn if c.series == series]
        return [c for c in self.cudnn if c.series.split(".")[0] == series]

    def cuda_targets_for(self, tensorflow: str, os: str) -> Optional[CudaTargets]:
        """The SASS/PTX targets of the GPU build of TF ``tensorflow`` (any version) on ``os``."""
        minor = minor_of(tensorflow)
        return next((t for t in self.cuda_targets if t.tensorflow == minor and os in t.os), None)


def _read(paths: Iterable[Path]) -> tuple[dict[str, list[Located]], list[Problem], set[str]]:
    """Parse and schema-check every file; group the valid records by kind with their positions.

    Also returns the kinds left incomplete by an invalid file (``"*"`` when a file's kind is unknown),
    so that cross-file checks into them are skipped: one mistake, one problem.
    """
    from kbsolver.knowledge.loader import read_document
    from kbsolver.knowledge.schema import validate_document

    by_kind: dict[str, list[Located]] = defaultdict(list)
    problems: list[Problem] = []
    incomplete: set[str] = set()
    for path in paths:
        document, found = read_document(path, _display(path))
        problems.extend(found)
        if document is None:
            incomplete.add("*")
            continue
        schema_problems = validate_document(document)
        problems.extend(schema_problems)
        if schema_problems:
            kind = document.data.get("kind") if isinstance(document.data, dict) else None
            incomplete.add(kind if isinstance(kind, str) and kind in KIND_CLASSES else "*")
            continue
        kind = document.data["kind"]
        for index, item in enumerate(document.data["records"]):
            record = build(KIND_CLASSES[kind], item)
            by_kind[kind].append(Located(record, document.locate(["records", index])))
    return by_kind, problems, incomplete


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or the absolute path when it cannot be resolved (a symlink loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _display(path: Path) -> str:
    try:
        return str(_resolved(path).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _files(paths: Optional[Iterable[Path]] = None) -> tuple[list[Path], list[Problem]]:
    from kbsolver.knowledge.paths import yaml_files  # listing needs no YAML parser

    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths or [matrix_dir()]:
        listed, unlisted = yaml_files(path) if path.is_dir() else ([path], [])
        files.extend(listed)
        problems.extend(unlisted)
    return files, problems


def matrix_files(paths: Optional[Iterable[Path]] = None) -> list[Path]:
    """Expand ``paths`` (files or directories; default: the bundled matrix) into ``*.yaml``/``*.yml`` files, sorted."""
    return _files(paths)[0]


#: Kinds a plan cannot be made without.
REQUIRED_KINDS = ("tested-builds", "wheels", "distributions", "cuda-toolkits", "cuda-majors", "cudnn", "gpus")


def _no_files(paths: Optional[Iterable[Path]], files: list[Path]) -> list[Problem]:
    if files or paths is None:
        return []
    return [Problem(Location(", ".join(str(p) for p in paths)), "no *.yaml or *.yml matrix files here", "no-files")]


def check(paths: Optional[Iterable[Path]] = None) -> list[Problem]:
    """Validate files without building a :class:`Knowledge`: every schema and cross-file problem found.

    Files given on their own are cross-checked against the bundled matrix's files of the other
    kinds (a contributor's edited ``cudnn.yaml`` is checked against the bundled tested builds);
    only problems in the given files are reported.
    """
    from kbsolver.knowledge.checks import cross_checks

    paths = list(paths) if paths is not None else None
    files, problems = _files(paths)
    by_kind, found, incomplete = _read(files)
    problems += found
    if paths is not None:  # the bundled files of the kinds not given serve as context
        given = {_resolved(f) for f in files}
        context, _, _ = _read([f for f in matrix_files() if _resolved(f) not in given])
        context = {kind: items for kind, items in context.items() if kind not in by_kind and kind not in incomplete}
        context_paths = {item.location.path for items in context.values() for item in items}
        problems += [p for p in cross_checks({**by_kind, **context}, incomplete) if p.location.path not in context_paths]
    else:
        problems += cross_checks(by_kind, incomplete)
    problems += _no_files(paths, files)
    return sorted(problems, key=lambda p: (p.location.path, p.location.line, p.location.column))


def load(paths: Optional[Iterable[Path]] = None, *, use_cache: bool = True) -> Knowledge:
    """Load, validate and index the matrix (default: the bundled ``matrix/``).

    ``paths`` may name files and directories of ``*.yaml``. Every file is checked against its
    kind's schema, then duplicate keys and cross-file rules are checked. The validated, indexed
    result is kept as compiled knowledge (:mod:`kbsolver.knowledge.compiled`) keyed by a hash of every input
    file's bytes, the schemas and the package version; a later load of the same bytes reads it
    without YAML or jsonschema after verifying it. A missing, stale or forged entry means a full
    validation from YAML (``use_cache=False`` always validates and writes nothing). Raises
    :class:`DataError` listing every problem (schema violations, duplicate keys, broken
    cross-references) with file:line positions.
    """
    paths = list(paths) if paths is not None else None
    files, problems = _files(paths)
    key = None
    if use_cache and files and not problems:
        from kbsolver.knowledge.compiled import input_key

        key = input_key(files)
        knowledge = _from_compiled(files, key, bundled=paths is None) if key else None
        if knowledge is not None:
            return knowledge
    knowledge = _validated_load(paths, files, problems)
    if key is not None:
        _store_compiled(files, key, knowledge)
    return knowledge


def _validated_load(paths: Optional[list[Path]], files: list[Path], problems: Sequence[Problem] = ()) -> Knowledge:
    """Read every file from YAML with full validation (schemas and cross-file rules); raises ``DataError``."""
    from kbsolver.knowledge.checks import cross_checks

    by_kind, found, incomplete = _read(files)
    problems = [*problems, *found, *cross_checks(by_kind, incomplete), *_no_files(paths, files)]
    if files and not problems:
        where = Location(", ".join(str(p) for p in paths or [matrix_dir()]))
        problems += [Problem(where, f"no '{kind}' records: a plan needs them", "missing-kind")
                     for kind in REQUIRED_KINDS if kind not in by_kind]
    if problems:
        raise DataError(problems)
    records = {kind: [located.record for located in items] for kind, items in by_kind.items()}
    return Knowledge(records, [str(f) for f in files])


def _from_compiled(files: list[Path], key: str, bundled: bool) -> Optional[Knowledge]:
    """The knowledge of a verified compiled entry (the wheel's own for the bundled matrix, else the user
    cache's), or ``None``. A payload that verifies but does not build is treated as a miss."""
    from kbsolver.knowledge.compiled import read_cached, read_entry

    payload = None
    if bundled and matrix_dir().parent.name == "_data":  # an installed wheel: compiled when it was built
        payload = read_entry(matrix_dir().parent / BUNDLED_ENTRY, key, None)
    payload = payload or read_cached(files, key)
    if payload is None:
        return None
    try:
        records = payload["records"]
        if not all(kind in KIND_CLASSES and isinstance(rows, bytes) for kind, rows in records.items()):
            return None
        knowledge = Knowledge.from_compiled(records, [str(f) for f in files])
        knowledge.restore_indexes(payload["indexes"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return knowledge


def compiled_payload(knowledge: Knowledge) -> Optional[dict[str, Any]]:
    """What a compiled entry stores: the validated records as :func:`~kbsolver.knowledge.model.to_row` rows, marshalled
    per kind (built when the kind is first used), and the indexes; ``None`` if the records are not plain data that
    :mod:`marshal` stores and gives back equal (then nothing is cached)."""
    from kbsolver.knowledge.compiled import MARSHAL_VERSION

    try:
        records = {}
        for kind in KIND_CLASSES:
            rows = _canonical(tuple(to_row(record) for record in knowledge.records(kind)), {})
            records[kind] = marshal.dumps(rows, MARSHAL_VERSION)
            if marshal.loads(records[kind]) != rows:
                return None
        indexes = _canonical(knowledge.compiled_indexes(), {})
        if marshal.loads(marshal.dumps(indexes, MARSHAL_VERSION)) != indexes:
            return None
    except (TypeError, ValueError):
        return None
    return {"records": records, "indexes": indexes}


def _canonical(value: Any, seen: dict[Any, Any]) -> Any:
    """``value`` with equal strings, and equal tuples and frozensets of text (strings, ``None``, such tuples), made one
    object each: :mod:`marshal` then writes each once (the bundled entry shrinks by half and loads twice as fast).
    Numbers and booleans are never merged (``1 == True``)."""
    if isinstance(value, str):
        return seen.setdefault(value, value)
    if isinstance(value, dict):
        return {_canonical(k, seen): _canonical(v, seen) for k, v in value.items()}
    if isinstance(value, (tuple, frozenset)):
        value = type(value)(_canonical(item, seen) for item in value)
        return seen.setdefault(value, value) if _textual(value) else value
    return value


def _textual(value: Any) -> bool:
    return value is None or isinstance(value, str) or (isinstance(value, (tuple, frozenset)) and all(map(_textual, value)))


def _store_compiled(files: list[Path], key: str, knowledge: Knowledge) -> None:
    from kbsolver.knowledge.compiled import write_cached

    payload = compiled_payload(knowledge)
    if payload is not None:
        write_cached(files, key, payload)
