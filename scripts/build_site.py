#!/usr/bin/env python3
"""Build the zero-install selector page: ``python scripts/build_site.py OUTDIR``.

Writes ``OUTDIR/index.html`` with its assets (``app.js``, ``style.css``, ``data.js``): a static
page that answers "which TensorFlow, CUDA, cuDNN and driver for this GPU, Python and OS" without
installing anything and without network requests (open the file, or serve the folder). Every
answer on the page is an answer of :func:`kbsolver.plan` computed here, at build time, as JSON
(``schemas/plan.schema.json``); the page only picks, fills in and renders them.

How the answers are computed (and why it is fast enough):

- The solver sees a GPU only through its compute capability, whether it is a Jetson module
  (``segment: jetson``: JetPack builds, no PyPI wheels), its name (in texts) and its record's
  sources (appended to a plan's sources). So the build solves once per distinct
  (compute capability, Jetson) pair with a placeholder GPU record whose name is
  ``PLACEHOLDER_NAME`` and whose one source URL is ``PLACEHOLDER_SOURCES``; the page substitutes
  the chosen GPU's name and expands its source URLs at the placeholder's position (keeping the
  first occurrence of each URL, as the plan does). The browser tests check the result equals
  ``kbsolve plan --format json`` for real GPUs.
- CPU answers (no GPU, or ``--cpu-only``) are solved once per platform and Python; the page adds
  the declared GPU to the query.
- The installed driver is optional and is not a solve input here: the page compares it with the
  plan's driver floor (``nvidia-driver`` ``min_version``) and the architecture's last driver
  branch (``gpu-architectures``), and where it does not fit it says so and gives the
  ``kbsolve plan --driver`` command instead of a plan (the best plan for an old driver may be an
  older TensorFlow, which only a solve can tell).

Answers are solved with :func:`kbsolver.plan_many` when the installed kbsolver has it, else one
by one with :func:`kbsolver.plan` (optionally in ``--jobs`` processes). ``--gpu``, ``--python``
and ``--platform`` restrict what is computed (tests build a small page); the page marks what a
restricted build left out.

Exit codes: 0 written, 1 invalid matrix, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import inspect
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
ASSETS = Path(__file__).resolve().parent / "site"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import kbsolver  # noqa: E402
from kbsolver.knowledge import gpu_key, gpu_variant_key  # noqa: E402

PLACEHOLDER_NAME = "\u27e6GPU\u27e7"
PLACEHOLDER_JETSON = "\u27e6GPU:jetson\u27e7"
PLACEHOLDER_SOURCES = "\u27e6GPU-SOURCES\u27e7"
#: Strings at least this long are stored once in the page's string pool and referenced by "\u0001<index>".
POOLED = 24
MAX_SITE_BYTES = 5 * 1024 * 1024
OS_CHOICES = ("linux", "windows", "macos")
ARCH_CHOICES = ("x86_64", "arm64", "x86")
ANY_PYTHON = ""


@dataclasses.dataclass(frozen=True)
class Job:
    """One solve: ``group`` is ``"cc"``/``"cc:jetson"`` for a GPU, ``"cpu"`` (no GPU) or ``"cpu-only"``."""

    group: str
    os: str
    arch: str
    python: str

    @property
    def key(self) -> str:
        return f"{self.group}|{self.os}|{self.arch}|{self.python}"


# -- knowledge with placeholder GPUs ----------------------------------------------------------

def _record_kinds() -> Iterable[str]:
    try:
        from kbsolver.knowledge.model import KIND_CLASSES
    except ImportError:  # pragma: no cover - the layout of issue 10 (kbsolver/knowledge/)
        from kbsolver.knowledge.model import KIND_CLASSES  # type: ignore[no-redef]
    return KIND_CLASSES


def with_placeholders(kb: kbsolver.Knowledge) -> kbsolver.Knowledge:
    """``kb`` plus two placeholder GPU records (an ordinary GPU and a Jetson module) that stand for any GPU."""
    template = kb.gpus[0]
    extra = tuple(dataclasses.replace(template, id=f"placeholder-{segment}", name=name, aliases=(), segment=segment,
                                      compute_capability="", architecture="", chip=None,
                                      sources=(type(template.sources[0])(url=PLACEHOLDER_SOURCES),))
                  for name, segment in ((PLACEHOLDER_NAME, "placeholder"), (PLACEHOLDER_JETSON, "jetson")))
    records = {kind: kb.records(kind) for kind in _record_kinds()}
    records["gpus"] = (*kb.gpus, *extra)
    return kbsolver.Knowledge(records, kb.files)


def group_of(gpu: Any) -> str:
    """The answer group of a GPU record: its compute capability, marked when it is a Jetson module."""
    return gpu.compute_capability + (":jetson" if gpu.segment == "jetson" else "")


def query_for(kb: kbsolver.Knowledge, job: Job) -> kbsolver.Query:
    """The query a job stands for, normalised by :func:`kbsolver.make_query` like the CLI's."""
    python = job.python or None
    if job.group in ("cpu", "cpu-only"):
        return kbsolver.make_query(kb, python=python, os=job.os, arch=job.arch, cpu_only=job.group == "cpu-only")
    cc, _, jetson = job.group.partition(":")
    query = kbsolver.make_query(kb, compute_capability_=cc, python=python, os=job.os, arch=job.arch)
    return dataclasses.replace(query, gpu=PLACEHOLDER_JETSON if jetson else PLACEHOLDER_NAME)


def personalise(answer: dict[str, Any], gpu: Any) -> dict[str, Any]:
    """A placeholder answer made the answer for ``gpu`` (the rule ``site/app.js`` follows in the browser).

    The placeholder name becomes ``gpu.name``; the placeholder source becomes the GPU record's source
    URLs, and only the first occurrence of each URL is kept, as :func:`kbsolver.plan` keeps it.
    """
    text = json.dumps(answer, ensure_ascii=False)
    for token in (PLACEHOLDER_NAME, PLACEHOLDER_JETSON):
        text = text.replace(token, json.dumps(gpu.name, ensure_ascii=False)[1:-1])
    data: dict[str, Any] = json.loads(text)
    if "plan" in data:
        urls: list[str] = []
        for url in data["plan"]["sources"]:
            urls += [s.url for s in gpu.sources] if url == PLACEHOLDER_SOURCES else [url]
        data["plan"]["sources"] = list(dict.fromkeys(urls))
    return data


# -- solving ----------------------------------------------------------------------------------

_WORKER_KB: Optional[kbsolver.Knowledge] = None


def _worker_solve(jobs: Sequence[Job]) -> list[dict[str, Any]]:
    global _WORKER_KB
    if _WORKER_KB is None:
        _WORKER_KB = with_placeholders(kbsolver.load())
    return list(solve(_WORKER_KB, jobs))


def solve(kb: kbsolver.Knowledge, jobs: Sequence[Job]) -> Iterator[dict[str, Any]]:
    """The JSON answer of each job, in order: through ``kbsolver.plan_many`` when it exists."""
    queries = [query_for(kb, job) for job in jobs]
    many = getattr(kbsolver, "plan_many", None)
    if many is not None:
        params = inspect.signature(many).parameters
        results = many(queries, knowledge=kb) if "knowledge" in params else many(queries, kb)
        for result in results:
            yield result.to_dict()
        return
    for query in queries:
        yield kbsolver.plan(query, kb).to_dict()


def solve_all(kb: kbsolver.Knowledge, jobs: list[Job], processes: int) -> list[dict[str, Any]]:
    """Answers for ``jobs`` (in order), in ``processes`` worker processes when there is no ``plan_many``."""
    if processes <= 1 or hasattr(kbsolver, "plan_many") or len(jobs) < 2 * processes:
        answers_ = []
        for answer in solve(kb, jobs):
            answers_.append(answer)
            if len(answers_) % 500 == 0:
                print(f"build_site: {len(answers_)}/{len(jobs)} answers", file=sys.stderr)
        return answers_
    chunks = [jobs[i::processes * 4] for i in range(processes * 4)]
    answers: dict[Job, dict[str, Any]] = {}
    with ProcessPoolExecutor(processes) as pool:
        for chunk, done in zip(chunks, pool.map(_worker_solve, chunks)):
            answers.update(zip(chunk, done))
    return [answers[job] for job in jobs]


# -- page data --------------------------------------------------------------------------------

class Pool:
    """Long strings stored once; a value is replaced by ``"\\u0001<index>"``."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._index: dict[str, int] = {}

    def ref(self, text: str) -> str:
        if len(text) < POOLED:
            return text
        if text not in self._index:
            self._index[text] = len(self.strings)
            self.strings.append(text)
        return f"\u0001{self._index[text]}"

    def encode(self, data: Any) -> Any:
        if isinstance(data, str):
            return self.ref(data)
        if isinstance(data, list):
            return [self.encode(item) for item in data]
        if isinstance(data, dict):
            return {key: self.encode(value) for key, value in data.items()}
        return data


def gpu_index(kb: kbsolver.Knowledge, gpus: Sequence[Any]) -> dict[str, int]:
    """Lookup keys (``gpu_key``/``gpu_variant_key`` of every name and alias) -> position in ``gpus``,
    each resolved by :meth:`Knowledge.find_gpu` itself, so the page finds what ``--gpu`` finds."""
    position = {gpu.id: i for i, gpu in enumerate(gpus)}
    index: dict[str, int] = {}
    for gpu in gpus:
        for name in (gpu.name, *gpu.aliases):
            for key in (gpu_key(name), gpu_variant_key(name)):
                if key and key not in index:
                    found = kb.find_gpu(key)
                    if found.id in position:
                        index[key] = position[found.id]
    return index


def matrix_date(explicit: Optional[str]) -> tuple[str, str]:
    """The date of the matrix and how it was found: ``--matrix-date``, else the last git commit of ``matrix/``."""
    if explicit:
        return explicit, "given to build_site.py"
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%cs", "--", "matrix"], capture_output=True,
                             text=True, timeout=20, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", out):
        return out, "last git commit that changed matrix/"
    return "unknown", "no git history available"


def markdown_html(text: str) -> str:
    """The subset of Markdown that ``scripts/render_docs.py`` writes (headings, tables, paragraphs, code) as HTML."""
    def inline(value: str) -> str:
        return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(value))

    out: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        head, body = rows[0], [r for r in rows[1:] if not all(re.fullmatch(r"-+", c) for c in r)]
        out.append('<div class="table-wrap" tabindex="0"><table><thead><tr>' +
                   "".join(f'<th scope="col">{inline(c)}</th>' for c in head) + "</tr></thead><tbody>" +
                   "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in body) +
                   "</tbody></table></div>")
        rows.clear()

    for line in text.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        flush()
        heading = re.match(r"(#{1,4}) (.*)", line)
        if heading:
            level = min(len(heading.group(1)) + 1, 5)
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    flush()
    return "\n".join(out)


def page_data(kb: kbsolver.Knowledge, gpus: Sequence[Any], jobs: list[Job], answers: list[dict[str, Any]],
              platforms: Sequence[tuple[str, str]], pythons: Sequence[str], date: tuple[str, str],
              restricted: bool) -> dict[str, Any]:
    """Everything the page needs, JSON-ready: GPUs, answers by job key, the string pool."""
    pool = Pool()
    unique: dict[str, int] = {}
    encoded: list[Any] = []
    index: dict[str, int] = {}
    for job, answer in zip(jobs, answers):
        text = json.dumps(answer, sort_keys=True)
        if text not in unique:
            unique[text] = len(encoded)
            encoded.append(pool.encode(answer))
        index[job.key] = unique[text]
    architectures = {}
    for arch in kb.architectures:
        for cc in arch.compute_capabilities:
            architectures[cc] = {"name": arch.architecture, "last_driver_branch": arch.last_driver_branch,
                                 "sources": [s.url for s in arch.sources]}
    return {
        "version": kbsolver.__version__,
        "matrix_date": date[0],
        "matrix_date_from": date[1],
        "restricted": restricted,
        "placeholders": {"name": PLACEHOLDER_NAME, "jetson": PLACEHOLDER_JETSON, "sources": PLACEHOLDER_SOURCES},
        "oses": list(OS_CHOICES),
        "arches": list(ARCH_CHOICES),
        "platforms": [f"{os}|{arch}" for os, arch in platforms],
        "pythons": list(pythons),
        "gpus": [{"name": g.name, "cc": g.compute_capability, "architecture": g.architecture, "segment": g.segment,
                  "key": gpu_key(g.name), "group": group_of(g), "sources": [pool.ref(u) for u in dict.fromkeys(
                      s.url for s in g.sources)]} for g in gpus],
        "gpu_index": gpu_index(kb, gpus),
        "architectures": architectures,
        "answers": encoded,
        "index": index,
        "strings": pool.strings,
    }


# -- command line -----------------------------------------------------------------------------

def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="folder to write index.html and its assets into")
    parser.add_argument("--gpu", action="append", default=[], help="only this GPU (name or alias; repeatable)")
    parser.add_argument("--python", action="append", default=[], help="only this Python X.Y (repeatable)")
    parser.add_argument("--platform", action="append", default=[],
                        help="only this OS/arch, e.g. windows/x86_64 (repeatable)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes when kbsolver has no plan_many (default 1)")
    parser.add_argument("--matrix-date", help="date shown as the matrix date (default: last git commit of matrix/)")
    return parser.parse_args(argv)


def _platforms(values: list[str]) -> list[tuple[str, str]]:
    if not values:
        return [(os, arch) for os in OS_CHOICES for arch in ARCH_CHOICES]
    chosen = []
    for value in values:
        os, _, arch = value.partition("/")
        if os not in OS_CHOICES or arch not in ARCH_CHOICES:
            raise kbsolver.InputError(f"--platform: '{value}' is not OS/ARCH",
                                      hint=f"OS one of {', '.join(OS_CHOICES)}; ARCH one of {', '.join(ARCH_CHOICES)}")
        chosen.append((os, arch))
    return list(dict.fromkeys(chosen))


def build(args: argparse.Namespace) -> int:
    """Solve every answer the page offers and write the site; returns the exit code."""
    started = time.monotonic()
    kb = kbsolver.load()
    gpus = list(dict.fromkeys(kb.find_gpu(name) for name in args.gpu)) if args.gpu else list(kb.gpus)
    pythons = [kbsolver.make_query(kb, python=p, os="linux", arch="x86_64").python or p for p in args.python] \
        or list(kb.pythons)
    platforms = _platforms(args.platform)
    groups = [*dict.fromkeys(group_of(g) for g in gpus), "cpu", "cpu-only"]
    jobs = [Job(group, os, arch, python) for group in groups for os, arch in platforms
            for python in (ANY_PYTHON, *pythons)]
    solving_kb = with_placeholders(kb)
    print(f"build_site: solving {len(jobs)} answers ({len(groups) - 2} GPU groups for {len(gpus)} GPUs + CPU, "
          f"{len(platforms)} platforms, {len(pythons)} Pythons + any)", file=sys.stderr)
    answers = solve_all(solving_kb, jobs, args.jobs)
    solved = time.monotonic()
    restricted = bool(args.gpu or args.python or args.platform)
    data = page_data(kb, gpus, jobs, answers, platforms, pythons, matrix_date(args.matrix_date), restricted)
    from render_docs import render

    out: Path = args.outdir
    out.mkdir(parents=True, exist_ok=True)
    for asset in ("app.js", "style.css"):
        shutil.copyfile(ASSETS / asset, out / asset)
    (out / "data.js").write_text("window.KBSOLVER_DATA = " + json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                                 + ";\n", encoding="utf-8")
    page = (ASSETS / "index.html").read_text(encoding="utf-8")
    page = page.replace("<!--MATRIX-TABLES-->", markdown_html(render(kb)))
    page = page.replace("<!--MATRIX-DATE-->", html.escape(data["matrix_date"]))
    (out / "index.html").write_text(page, encoding="utf-8")
    size = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"build_site: wrote {out / 'index.html'}: {len(data['answers'])} distinct answers of {len(jobs)}, "
          f"{size / 1024:.0f} KiB, solved in {solved - started:.1f} s, total {time.monotonic() - started:.1f} s",
          file=sys.stderr)
    if size > MAX_SITE_BYTES:
        print(f"build_site: error: the site is {size} bytes, over the {MAX_SITE_BYTES}-byte budget", file=sys.stderr)
        return 1
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    try:
        return build(args)
    except kbsolver.KbError as error:
        print(f"build_site: error: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
