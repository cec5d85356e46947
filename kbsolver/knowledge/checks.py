"""Cross-file rules a JSON Schema cannot express.

- ids are unique within a kind; GPU names and aliases resolve to one GPU only;
- records are sorted within each file (the order each kind documents);
- every version parses, every specifier parses, every Python column expands;
- symptom patterns compile, each has a real example line, and every example matches a pattern;
- references resolve: a TF GPU row's CUDA and cuDNN have records, CUDA targets name a tested
  TF release.

One mistake gives one problem: a reference into a kind whose file was invalid (its records are
missing) is not checked, nor is a reference from a record whose version did not parse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion

from kbsolver.errors import Location, Problem
from kbsolver.knowledge import Located, gpu_key
from kbsolver.knowledge.model import MAX_VERSION_LENGTH, minor_of, parse_python_column, version_key
from kbsolver.knowledge.model import cuda_series as cuda_series_name

SORT_KEYS: dict[str, Callable[[Any], Any]] = {
    "tested-builds": lambda r: (r.os, r.device, version_key(r.version), r.package),
    "cuda-toolkits": lambda r: version_key(r.version),
    "cuda-majors": lambda r: int(r.major),
    "cudnn": lambda r: version_key(r.version),
    "tf-cuda-targets": lambda r: (version_key(r.tensorflow), r.id),
    "wheels": lambda r: (r.package, version_key(r.version)),
    "gpu-architectures": lambda r: min(version_key(cc) for cc in r.compute_capabilities),
}
VERSION_FIELDS = ("version", "series", "cuda", "cudnn", "tensorflow", "compute_capability", "major")


def _unique_ids(kind: str, items: list[Located]) -> Iterable[Problem]:
    seen: dict[str, Located] = {}
    for item in items:
        first = seen.setdefault(item.record.id, item)
        if first is not item:
            yield Problem(item.location, f"{kind}: duplicate id '{item.record.id}' (first at {first.location})", "unique-id")


def _sorted(kind: str, items: list[Located]) -> Iterable[Problem]:
    key = SORT_KEYS.get(kind, lambda r: r.id)
    by_file: dict[str, list[Located]] = defaultdict(list)
    for item in items:
        by_file[item.location.path].append(item)
    for group in by_file.values():
        for before, after in zip(group, group[1:]):
            try:
                wrong = key(after.record) < key(before.record)
            except (InvalidVersion, ValueError, TypeError):
                continue  # reported by _parses
            if wrong:
                message = f"{kind}: '{after.record.id}' is out of order (it sorts before '{before.record.id}')"
                yield Problem(after.location, message, "sorted")
                break


def _parses(kind: str, items: list[Located]) -> Iterable[Problem]:
    if kind == "library-files":  # its "version" names a component series ("11.x", "11.2-11.8"), not one version
        return
    for item in items:
        record = item.record
        for name in VERSION_FIELDS:
            value = getattr(record, name, None)
            if not isinstance(value, str) or (name == "tensorflow" and kind in ("distributions", "install-recipes",
                                                                               "tf-platform-requirements", "library-files")):
                continue
            try:
                version_key(value.replace(".x", ""))
            except InvalidVersion:
                yield Problem(item.location, f"{name}: '{value[:80]}' is not a version", "version")
        spec = getattr(record, "tensorflow", None)
        if kind in ("distributions", "install-recipes", "tf-platform-requirements", "library-files") and spec:
            try:
                versions = [s.version.rstrip(".*") for s in SpecifierSet(spec)]
                if any(len(v) > MAX_VERSION_LENGTH or not v.isascii() for v in versions):
                    raise InvalidSpecifier(spec)
            except InvalidSpecifier:
                yield Problem(item.location, f"tensorflow: '{spec[:80]}' is not a PEP 440 specifier", "specifier")
        if kind == "tested-builds":
            try:
                parse_python_column(record.python)
            except ValueError as error:
                yield Problem(item.location, f"python: {error}", "python-range")


def _gpu_names(items: list[Located]) -> Iterable[Problem]:
    owner: dict[str, Located] = {}
    for item in items:
        for name in (item.record.name, *item.record.aliases):
            first = owner.setdefault(gpu_key(name), item)
            if first.record.id != item.record.id:
                message = f"gpus: name '{name}' of '{item.record.id}' also names '{first.record.id}' ({first.location})"
                yield Problem(item.location, message, "gpu-alias")


def _references(by_kind: dict[str, list[Located]], skip: Collection[str] = (),
                bad: Collection[Location] = ()) -> Iterable[Problem]:
    """Broken references; none into a kind named in ``skip`` (``"*"``: every kind), none from a record located in ``bad``."""
    if "*" in skip:
        return
    cuda_series = {item.record.series for item in by_kind.get("cuda-toolkits", [])}
    cudnn_series = {item.record.series for item in by_kind.get("cudnn", [])}
    tested_minors = set()
    for item in by_kind.get("tested-builds", []):
        row = item.record
        if item.location in bad:
            continue
        tested_minors.add(minor_of(row.version))
        if row.cuda and "cuda-toolkits" not in skip and cuda_series_name(row.cuda) not in cuda_series:
            yield Problem(item.location, f"cuda: no cuda-toolkits record for CUDA {row.cuda} (named by {row.id})", "reference")
        if row.cudnn and "cudnn" not in skip and not any(s == row.cudnn or s.split(".")[0] == row.cudnn for s in cudnn_series):
            yield Problem(item.location, f"cudnn: no cudnn record for cuDNN {row.cudnn} (named by {row.id})", "reference")
    if "tested-builds" in skip or any(item.location in bad for item in by_kind.get("tested-builds", [])):
        return
    for item in by_kind.get("tf-cuda-targets", []):
        if tested_minors and item.record.tensorflow not in tested_minors:
            message = f"tensorflow: no tested-builds row for TF {item.record.tensorflow}"
            yield Problem(item.location, message, "reference")


def _symptoms(items: list[Located]) -> Iterable[Problem]:
    """Every symptom pattern compiles, and every example line matches one of its patterns."""
    import re

    for item in items:
        compiled = []
        for pattern in item.record.patterns:
            try:
                compiled.append(re.compile(pattern, re.I | re.M))
            except re.error as error:
                yield Problem(item.location, f"symptoms: pattern of '{item.record.id}' does not compile: {error}", "pattern")
        for example in item.record.examples:
            if compiled and not any(p.search(example) for p in compiled):
                yield Problem(item.location, f"symptoms: example of '{item.record.id}' matches none of its patterns: "
                                             f"{example[:80]!r}", "pattern")
        for pattern in compiled:
            if not any(pattern.search(example) for example in item.record.examples):
                yield Problem(item.location, f"symptoms: pattern of '{item.record.id}' has no real example line: "
                                             f"{pattern.pattern[:60]!r}", "pattern")


def cross_checks(by_kind: dict[str, list[Located]], incomplete: Collection[str] = ()) -> list[Problem]:
    """Run every cross-file rule over records grouped by kind; return all problems found.

    ``incomplete`` names kinds whose files were invalid (``"*"``: a file of unknown kind): references
    into them are not checked, since their records are missing for a reason already reported.
    """
    problems: list[Problem] = []
    unparsed: list[Problem] = []
    for kind, items in by_kind.items():
        problems += _unique_ids(kind, items)
        found = list(_parses(kind, items))
        unparsed += found
        problems += found
        problems += _sorted(kind, items)
    problems += _gpu_names(by_kind.get("gpus", []))
    problems += _references(by_kind, incomplete, {p.location for p in unparsed})
    problems += _symptoms(by_kind.get("symptoms", []))
    return problems
