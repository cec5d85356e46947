"""Read-only views of the matrix for ``kbsolve matrix KIND``: flat JSON-ready rows with filters.

Each view returns a list of dictionaries (the JSON output) and names the columns its text table shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from packaging.tags import parse_tag

from kbsolver.errors import InputError
from kbsolver.knowledge import KNOWN_PYTHONS, Knowledge, gpu_key
from kbsolver.knowledge.model import parse_python_column, spec_contains, version_key
from kbsolver.knowledge.platforms import closest, platform_of, pythons_of


@dataclass(frozen=True)
class Filters:
    """Optional filters: ``os``, ``python`` ("X.Y"), ``gpu`` (name), ``package``, ``tensorflow`` (specifier), ``device``."""

    os: Optional[str] = None
    python: Optional[str] = None
    gpu: Optional[str] = None
    package: Optional[str] = None
    tensorflow: Optional[str] = None
    device: Optional[str] = None


def _sources(record: Any) -> list[str]:
    return [s.url for s in record.sources]


def _in_spec(version: str, spec: Optional[str]) -> bool:
    return spec is None or spec_contains(spec, version)


def tensorflow_rows(kb: Knowledge, f: Filters) -> list[dict[str, Any]]:
    rows = []
    for r in kb.tested_builds:
        if (f.os and r.os != f.os) or (f.device and r.device != f.device) or (f.package and r.package != f.package):
            continue
        if (f.python and f.python not in parse_python_column(r.python)) or not _in_spec(r.version, f.tensorflow):
            continue
        rows.append({"package": r.package, "version": r.version, "os": r.os, "arch": r.arch, "device": r.device,
                     "python": r.python, "compiler": r.compiler, "bazel": r.bazel, "cuda": r.cuda, "cudnn": r.cudnn,
                     "confidence": r.confidence, "sources": _sources(r)})
    return rows


def wheel_rows(kb: Knowledge, f: Filters) -> list[dict[str, Any]]:
    rows = []
    for w in kb.wheels:
        if (f.package and w.package != f.package) or not _in_spec(w.version, f.tensorflow):
            continue
        for text in w.tags:
            for tag in parse_tag(text):
                targets = platform_of(tag.platform)
                if f.os and f.os not in {os for os, _ in targets}:
                    continue
                for python in pythons_of(tag.interpreter, tag.abi, KNOWN_PYTHONS):
                    if f.python and python != f.python:
                        continue
                    rows.append({"package": w.package, "version": w.version, "python": python, "platform": tag.platform,
                                 "os": targets[0][0] if targets else None, "arch": targets[0][1] if len(targets) == 1 else None,
                                 "tag": str(tag), "yanked": w.yanked})
    return sorted(rows, key=lambda r: (r["package"], version_key(r["version"]), version_key(r["python"]), r["platform"]))


def cuda_rows(kb: Knowledge, f: Filters) -> list[dict[str, Any]]:
    rows = []
    cc = kb.find_gpu(f.gpu).compute_capability if f.gpu else None
    for t in kb.cuda_toolkits:
        if cc and cc not in t.compute_capabilities:
            continue
        major = kb.cuda_major(t.series.split(".")[0])
        rows.append({"version": t.version, "series": t.series, "label": t.label,
                     "min_driver": {"linux": t.driver("linux"), "windows": t.driver("windows")},
                     "minor_version_floor": {"linux": major.floor("linux"), "windows": major.floor("windows")}
                     if major and major.minor_version_floor else None,
                     "macos": list(t.macos_versions) or None,
                     "compute_capabilities": list(t.compute_capabilities), "confidence": t.confidence,
                     "sources": _sources(t)})
    return rows


def cudnn_rows(kb: Knowledge, f: Filters) -> list[dict[str, Any]]:
    return [{"version": c.version, "series": c.series, "cuda": list(c.cuda), "os": list(c.os) or None,
             "compute_capabilities": list(c.compute_capabilities) or None, "confidence": c.confidence,
             "sources": _sources(c)}
            for c in kb.cudnn if not f.os or not c.os or f.os in c.os]


def gpu_rows(kb: Knowledge, f: Filters) -> list[dict[str, Any]]:
    wanted = None
    if f.gpu:
        key = gpu_key(f.gpu)
        wanted = key
    rows = []
    for g in sorted(kb.gpus, key=lambda g: g.name.lower()):
        if wanted and wanted not in gpu_key(" ".join((g.name, *g.aliases))):
            continue
        rows.append({"name": g.name, "aliases": list(g.aliases), "compute_capability": g.compute_capability,
                     "architecture": g.architecture, "segment": g.segment, "chip": g.chip, "confidence": g.confidence,
                     "sources": _sources(g)})
    return rows


def msvc_rows(kb: Knowledge, f: Filters) -> list[dict[str, Any]]:
    return [{"version": m.version, "toolset": m.toolset, "dlls": list(m.dlls), "download": m.download,
             "windows": list(m.windows) or None, "confidence": m.confidence, "sources": _sources(m)} for m in kb.msvc]


def python_rows(kb: Knowledge, f: Filters) -> list[dict[str, Any]]:
    ordered = sorted(kb.python_releases, key=lambda p: version_key(p.version))
    return [{"version": p.version, "released": p.released, "end_of_life": p.end_of_life, "status": p.status,
             "confidence": p.confidence, "sources": _sources(p)}
            for p in ordered if not f.python or p.version == f.python]


View = Callable[[Knowledge, Filters], list[dict[str, Any]]]

#: kind -> (rows, text columns, the filters it honours)
VIEWS: dict[str, tuple[View, tuple[str, ...], frozenset[str]]] = {
    "tensorflow": (tensorflow_rows, ("package", "version", "os", "device", "python", "compiler", "bazel", "cuda", "cudnn"),
                   frozenset({"os", "device", "package", "python", "tensorflow"})),
    "wheels": (wheel_rows, ("package", "version", "python", "platform"), frozenset({"package", "tensorflow", "os", "python"})),
    "cuda": (cuda_rows, ("version", "min_driver", "minor_version_floor", "macos", "compute_capabilities"), frozenset({"gpu"})),
    "cudnn": (cudnn_rows, ("version", "cuda", "os"), frozenset({"os"})),
    "gpus": (gpu_rows, ("name", "compute_capability", "architecture", "segment", "aliases"), frozenset({"gpu"})),
    "msvc": (msvc_rows, ("version", "toolset", "dlls", "download"), frozenset()),
    "python": (python_rows, ("version", "released", "end_of_life", "status"), frozenset({"python"})),
}


def view(kb: Knowledge, kind: str, filters: Filters) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """Rows and text columns of the view ``kind``; raises ``InputError`` for an unknown kind or GPU."""
    if kind not in VIEWS:
        suggestion = closest(kind, VIEWS)
        hint = f"did you mean '{suggestion}'?" if suggestion else f"use one of: {', '.join(VIEWS)}"
        raise InputError(f"matrix: unknown kind '{kind}'", hint=hint)
    function, columns, honoured = VIEWS[kind]
    given = {name for name, value in vars(filters).items() if value is not None}
    if given - honoured:
        names = ", ".join(f"--{n}" for n in sorted(given - honoured))
        hint = f"it takes {', '.join(f'--{n}' for n in sorted(honoured))}" if honoured else "it takes no filters"
        raise InputError(f"matrix {kind}: {names} does not filter this kind", hint=hint)
    return function(kb, filters), columns
