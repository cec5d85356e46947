"""Which answers a matrix change changes: sweep two matrices and group the answers that differ.

A matrix is a directory of ``*.yaml`` or a git revision whose ``matrix/`` is read with ``git archive``
(bounded: :data:`GIT_TIMEOUT_S` seconds and :data:`MAX_ARCHIVE_BYTES`). Both are swept with the same
:class:`~kbsolver.solve.sweep.Selection`; answers are compared query by query and each difference is
described by what changed in the plan (``cuDNN 8.6 -> 8.9``), or by which part of the answer did.
Equal groups are counted and summarised by the TensorFlow releases, platforms, Pythons and GPUs
they concern.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from kbsolver.api import plan, plan_many
from kbsolver.errors import InputError
from kbsolver.knowledge import Knowledge, load, matrix_files
from kbsolver.knowledge.model import minor_of, safe_version, version_key
from kbsolver.solve.sweep import EVERYTHING, Selection, sweep_queries

SCHEMA_VERSION = 1
GIT_TIMEOUT_S = 60
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
LABELS = {"tensorflow": "TensorFlow", "python": "Python", "cuda": "CUDA", "cudnn": "cuDNN", "nvidia-driver": "NVIDIA driver",
          "msvc-redist": "MSVC runtime"}


@dataclass(frozen=True)
class Group:
    """Answers that changed the same way: ``changes`` are ``(what, old, new)`` triples."""

    changes: tuple[tuple[str, str, str], ...]
    queries: tuple[dict[str, Any], ...]  # the new answers' queries; "plan" marks one that is a plan on both sides
    tensorflow: tuple[str, ...]
    gpus_swept: int = 0  # GPUs in the whole sweep: a group that has them all says "every GPU"

    @property
    def summary(self) -> str:
        """One line: ``"cuDNN 8.6 → 8.9 in 352 plans: TF 2.13; linux x86_64; Python 3.8; every GPU"``."""
        what = ", ".join(f"{name} {old} → {new}" if old or new else name for name, old, new in self.changes)
        plans = all(name != "status" for name, _, _ in self.changes) and all("plan" in q for q in self.queries)
        noun = ("plan" if plans else "answer") + ("" if len(self.queries) == 1 else "s")
        return f"{what} in {len(self.queries):,} {noun}: {self.scope}"

    @property
    def scope(self) -> str:
        parts = []
        if self.tensorflow:
            parts.append("TF " + ", ".join(self.tensorflow))
        parts.append(", ".join(dict.fromkeys(f"{q['query']['os']} {q['query']['arch']}" for q in self.queries)))
        pythons = sorted({q["query"].get("python", "any") for q in self.queries},
                         key=lambda p: safe_version(p) or version_key("0"))
        parts.append("Python " + ", ".join(pythons))
        parts.append(self.devices)
        return "; ".join(parts)

    @property
    def devices(self) -> str:
        names = list(dict.fromkeys(_device(q) for q in self.queries))
        gpus = [n for n in names if n != "CPU-only"]
        if len(names) <= 4:
            return ", ".join(names)
        text = "every GPU" if self.gpus_swept and len(gpus) == self.gpus_swept else f"{len(gpus):,} GPUs"
        return text + (" and CPU-only" if len(gpus) < len(names) else "")

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "count": len(self.queries),
                "changes": [{"what": n, "old": o, "new": v} for n, o, v in self.changes],
                "tensorflow": list(self.tensorflow), "queries": [q["query"] for q in self.queries]}


def _device(query: dict[str, Any]) -> str:
    q = query["query"]
    return q.get("gpu") or (f"compute capability {q['compute_capability']}" if q.get("compute_capability") else "CPU-only")


@dataclass(frozen=True)
class Diff:
    """The outcome of :func:`diff`: how many answers were compared and the groups of those that changed."""

    old: str
    new: str
    compared: int
    groups: tuple[Group, ...]

    @property
    def changed(self) -> int:
        return sum(len(g.queries) for g in self.groups)

    @property
    def exit_code(self) -> int:
        """0 when no answer changed, 1 when some did."""
        return 1 if self.groups else 0

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "old": self.old, "new": self.new, "compared": self.compared,
                "changed": self.changed, "groups": [g.to_dict() for g in self.groups]}

    def text(self) -> str:
        head = f"{self.changed:,} of {self.compared:,} answers changed ({self.old} → {self.new})"
        return "\n".join([head, *(f"  {g.summary}" for g in self.groups)])


def _components(answer: dict[str, Any]) -> dict[str, str]:
    found = {}
    for c in (answer.get("plan") or {}).get("components", []):
        value = c.get("version") or (f">= {c['min_version']}" if c.get("min_version") else "")
        if c["name"] == "tensorflow" and c.get("package"):
            value = f"{value} ({c['package']}{'[' + c['extra'] + ']' if c.get('extra') else ''})"
        found[LABELS.get(c["name"], c["name"])] = value
    return found


def changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """How answer ``new`` differs from ``old`` (both ``PlanResult.to_dict()``); empty when equal."""
    if old == new:
        return ()
    found: list[tuple[str, str, str]] = []
    if old["status"] != new["status"]:
        found.append(("status", old["status"], new["status"]))
    before, after = _components(old), _components(new)
    for name in dict.fromkeys([*before, *after]):
        if before.get(name) != after.get(name):
            found.append((name, before.get(name, "none"), after.get(name, "none")))
    if not found:
        for part in ("steps", "notes", "sources"):
            if (old.get("plan") or {}).get(part) != (new.get("plan") or {}).get(part):
                found.append((f"plan {part}", "", ""))
        for part in ("reasons", "suggestions"):
            if (old.get("conflict") or {}).get(part) != (new.get("conflict") or {}).get(part):
                found.append((f"conflict {part}", "", ""))
    return tuple(found) or (("answer", "", ""),)


def _tensorflow(answer: dict[str, Any]) -> Optional[str]:
    for c in (answer.get("plan") or {}).get("components", []):
        if c["name"] == "tensorflow" and c.get("version"):
            return minor_of(c["version"])
    return None


def compare(old: Knowledge, new: Knowledge, selection: Selection = EVERYTHING, names: tuple[str, str] = ("old", "new")) -> Diff:
    """Sweep both knowledge bases over ``selection`` and group the answers that differ.

    The queries come from ``new`` (a GPU that ``old`` lacks is asked of both; ``old`` then answers
    for it by compute capability only where it knows the name). Raises :class:`InputError` for a
    selection naming an unknown GPU.
    """
    queries = sweep_queries(new, selection)
    grouped: dict[tuple[tuple[str, str, str], ...], list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for query, after in zip(queries, plan_many(queries, new)):
        a, b = plan(query, old).to_dict(), after.to_dict()
        change = changes(a, b)
        if change:
            grouped[change].append((a, b))
    swept = len({q.gpu or q.compute_capability for q in queries if q.gpu or q.compute_capability})
    groups = []
    for change, pairs in grouped.items():
        minors = {m for a, b in pairs for m in (_tensorflow(a), _tensorflow(b)) if m}
        answers = tuple({"query": b["query"], **({"plan": True} if "plan" in a and "plan" in b else {})} for a, b in pairs)
        groups.append(Group(change, answers, tuple(sorted(minors, key=version_key)), swept))
    groups.sort(key=lambda g: (-len(g.queries), g.summary))
    return Diff(names[0], names[1], len(queries), tuple(groups))


def diff(old: str, new: str, selection: Selection = EVERYTHING, repository: Optional[Path] = None) -> Diff:
    """Compare the answers of two matrices, each a directory (or file) or a git revision of ``matrix/``.

    ``repository`` is the git work tree revisions are read from (default: the one around the current
    directory). Raises :class:`InputError` when a side is neither, and :class:`~kbsolver.errors.DataError`
    when a side's matrix is invalid.
    """
    with _matrix(old, repository) as (old_paths, old_cached), _matrix(new, repository) as (new_paths, new_cached):
        old_files, new_files = matrix_files(old_paths), matrix_files(new_paths)
        if not old_files:
            raise InputError(f"diff: no *.yaml matrix files in {old}")
        if not new_files:
            raise InputError(f"diff: no *.yaml matrix files in {new}")
        from kbsolver.knowledge.compiled import input_key

        same = [f.name for f in old_files] == [f.name for f in new_files] and \
            input_key(old_files) == input_key(new_files) is not None
        knowledge_new = load(new_paths, use_cache=new_cached)
        if same:  # the same bytes give the same answers
            return Diff(old, new, len(sweep_queries(knowledge_new, selection)), ())
        knowledge_old = load(old_paths, use_cache=old_cached)
        return compare(knowledge_old, knowledge_new, selection, (old, new))


@contextmanager
def _matrix(spec: str, repository: Optional[Path]) -> Iterator[tuple[list[Path], bool]]:
    """The matrix paths ``spec`` names, and whether to use the compiled cache for them."""
    path = Path(spec)
    if path.exists():
        yield [path], True
        return
    root = _git_root(repository)
    if root is None:
        raise InputError(f"diff: '{spec}' is neither a matrix directory nor a git revision (not in a git repository)")
    data = _git(root, "archive", "--format=tar", f"{_revision(root, spec)}", "matrix")
    with tempfile.TemporaryDirectory(prefix="kbsolve-diff-") as temporary:
        target = Path(temporary) / "matrix"
        target.mkdir()
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            for member in archive.getmembers():
                name = Path(member.name)
                if member.isfile() and name.parent == Path("matrix") and name.suffix == ".yaml":
                    handle = archive.extractfile(member)
                    if handle is not None:
                        (target / name.name).write_bytes(handle.read())
        yield [target], False


def _git_root(repository: Optional[Path]) -> Optional[Path]:
    try:
        out = _git(repository or Path.cwd(), "rev-parse", "--show-toplevel")
    except InputError:
        return None
    return Path(out.decode().strip())


def _revision(root: Path, spec: str) -> str:
    if spec.startswith("-"):
        raise InputError(f"diff: '{spec}' is neither a matrix directory nor a git revision")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}").decode().strip()
    except InputError:
        raise InputError(f"diff: '{spec}' is neither a matrix directory nor a git revision",
                         hint="give a directory of *.yaml or a commit, branch or tag") from None


def _git(cwd: Path, *args: str) -> bytes:
    """Run git with a time and output bound; ``InputError`` when it fails, is missing or exceeds a bound."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(f"diff: git {args[0]} took longer than {GIT_TIMEOUT_S} s") from None
    except OSError as error:
        raise InputError(f"diff: cannot run git: {error.strerror or error}") from None
    if len(done.stdout) > MAX_ARCHIVE_BYTES:
        raise InputError(f"diff: git {args[0]} output exceeds {MAX_ARCHIVE_BYTES // (1024 * 1024)} MiB")
    if done.returncode != 0:
        raise InputError(f"diff: git {' '.join(args[:2])} failed (exit {done.returncode})")
    return done.stdout
