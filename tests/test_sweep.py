"""plan_many, kbsolve sweep and kbsolve diff; shared answers equal answers solved alone; thread safety."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kbsolver
from kbsolver.api import _answer
from kbsolver.cli import app
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.paths import matrix_dir
from kbsolver.solve.sweep import Selection, sweep_queries

try:  # click < 8.2 mixes stderr into stdout unless told not to
    runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
except TypeError:
    runner = CliRunner()

#: GPUs sharing a compute capability (so their answers share one solve), a Jetson, and old and new ones.
GPUS = ("GeForce RTX 3060", "GeForce RTX 3070", "RTX A2000", "Jetson AGX Orin", "GeForce GTX 1080", "GeForce RTX 5090",
        "Tesla K80")


def test_sweep_covers_every_gpu_and_cpu_python_and_platform_in_order(kb: Knowledge) -> None:
    queries = sweep_queries(kb)
    pythons = {r.version for r in kb.python_releases}
    assert len(queries) == (len(kb.gpus) + 1) * len(pythons) * 5
    assert queries[0].gpu is None and queries[0].python == "2.7" and (queries[0].os, queries[0].arch) == ("linux", "x86_64")
    assert queries[-1].gpu == kb.gpus[-1].name and (queries[-1].os, queries[-1].arch) == ("macos", "arm64")


def test_shared_answers_equal_answers_solved_alone(kb: Knowledge) -> None:
    """A GPU's answer is made once per compute capability/architecture/segment and filled in with the name and
    sources; it must equal the answer solved for that GPU alone (name and sources in place)."""
    names = [kb.find_gpu(n).name for n in GPUS]
    queries = sweep_queries(kb, Selection(gpus=tuple(names), pythons=("3.8", "3.12"), oses=("linux", "windows", "macos")))
    for query, result in zip(queries, kbsolver.plan_many(queries, kb)):
        alone = _answer(query, kb)
        assert result.to_dict() == alone.to_dict(), query
    urls = {u for r in kbsolver.plan_many(queries, kb) if r.plan for u in r.plan.sources}
    assert {s.url for n in names for s in kb.find_gpu(n).sources} & urls


def test_answers_are_the_same_from_many_threads(kb: Knowledge) -> None:
    fresh = kbsolver.load()  # an empty memo: the threads race to fill it
    queries = sweep_queries(fresh, Selection(gpus=(*GPUS[:4], "cpu"), pythons=("3.7", "3.10")))
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda q: kbsolver.plan(q, fresh).to_dict(), queries * 3))
    alone = [_answer(q, kb).to_dict() for q in queries]
    assert parallel == alone * 3


def test_sweep_jsonl_lines_are_plan_results(kb: Knowledge) -> None:
    result = runner.invoke(app, ["sweep", "--gpu", "rtx3060", "--gpu", "cpu", "--python", "3.8", "--format", "jsonl"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2 * 5
    assert lines[0]["query"] == {"os": "linux", "arch": "x86_64", "python": "3.8", "gpu": "GeForce RTX 3060",
                                 "compute_capability": "8.6", "cpu_only": False}
    components = {c["name"]: c.get("version") for c in lines[0]["plan"]["components"]}
    assert components["cudnn"] == "8.6" and components["tensorflow"].startswith("2.13.")


def test_sweep_rejects_an_unknown_gpu_with_exit_2() -> None:
    result = runner.invoke(app, ["sweep", "--gpu", "rtx9999"])
    assert result.exit_code == 2 and "unknown GPU" in result.stderr


def test_diff_of_a_matrix_with_itself_is_empty() -> None:
    result = runner.invoke(app, ["diff", str(matrix_dir()), str(matrix_dir())])
    assert result.exit_code == 0, result.stdout + result.stderr
    total = (len(kbsolver.load().gpus) + 1) * 11 * 5  # every GPU and CPU-only x Python 2.7, 3.5-3.14 x 5 platforms
    assert result.stdout.startswith(f"0 of {total:,} answers changed")


def test_diff_lists_the_plans_a_cudnn_edit_changes(tmp_path: Path) -> None:
    copy = tmp_path / "matrix"
    shutil.copytree(matrix_dir(), copy)
    path = copy / "tested_builds.yaml"
    text = path.read_text(encoding="utf-8")
    row = text.index('id: "linux-gpu-2.13.0"')
    cudnn = text.index('cudnn: "8.6"', row)
    path.write_text(text[:cudnn] + 'cudnn: "8.9"' + text[cudnn + len('cudnn: "8.6"'):], encoding="utf-8")
    args = ["diff", str(matrix_dir()), str(copy), "--python", "3.8", "--python", "3.12", "--os", "linux", "--arch", "x86_64"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "cuDNN 8.6 → 8.9 in " in result.stdout and "TF 2.13; linux x86_64; Python 3.8" in result.stdout
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert [g["changes"] for g in data["groups"]] == [[{"what": "cuDNN", "old": "8.6", "new": "8.9"}]]
    assert {q["python"] for q in data["groups"][0]["queries"]} == {"3.8"}  # Python 3.12 plans use newer TF


@pytest.mark.parametrize("old", ["no-such-dir-or-revision", "--upload-pack=x"])
def test_diff_rejects_what_is_neither_a_directory_nor_a_revision(old: str) -> None:
    result = runner.invoke(app, ["diff", "--", old, str(matrix_dir())])
    assert result.exit_code == 2 and "neither a matrix directory nor a git revision" in result.stderr
