"""Contributor tooling: editor schema mapping, the pre-commit hooks, and the scripts the CI workflows call."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MATRIX_FILES = sorted((ROOT / "matrix").glob("*.yaml"))
sys.path.insert(0, str(ROOT / "scripts"))


def kind_of(path: Path) -> str:
    found = re.search(r"^kind: (\S+)", path.read_text(encoding="utf-8"), re.M)
    assert found, path
    return found.group(1)


@pytest.mark.parametrize("path", MATRIX_FILES, ids=lambda p: p.name)
def test_every_matrix_file_names_its_schema(path: Path) -> None:
    lines = re.findall(r"^# yaml-language-server: \$schema=(\S+)$", path.read_text(encoding="utf-8"), re.M)
    assert lines == [f"../schemas/{kind_of(path)}.schema.json"]
    schema = json.loads((path.parent / lines[0]).read_text(encoding="utf-8"))
    assert schema["properties"]["kind"]["const"] == kind_of(path)


def test_vscode_maps_every_matrix_file_to_its_schema() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapped = {file: schema for schema, files in settings["yaml.schemas"].items() for file in files}
    assert mapped == {f"matrix/{p.name}": f"./schemas/{kind_of(p)}.schema.json" for p in MATRIX_FILES}


def test_schema_fields_have_descriptions() -> None:
    for path in sorted((ROOT / "schemas").glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "kind" not in schema.get("properties", {}):
            continue
        assert schema.get("title") and schema.get("description"), path.name
        fields = schema["properties"]["records"]["items"]["properties"]
        assert [name for name, field in fields.items() if not field.get("description")] == [], path.name


# -- pre-commit ----------------------------------------------------------------------------------------------

def hook_command(entry: str, args: list[str]) -> list[str]:
    """A hook's entry + args as a command; ``kbsolve`` from this interpreter's environment."""
    words = shlex.split(entry)
    if words[0] == "kbsolve":
        script = Path(sys.executable).with_name("kbsolve")
        words[0:1] = [str(script)] if script.exists() else [sys.executable, "-c", "from kbsolver.cli import main; main()"]
    elif words[0] == "python":
        words[0] = sys.executable
    return [*words, *args]


@pytest.fixture(scope="module")
def validate_hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == "kbsolve-validate")


def test_validate_hook_passes_on_the_matrix(validate_hook: dict[str, Any]) -> None:
    result = subprocess.run(hook_command(validate_hook["entry"], validate_hook["args"]), cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_validate_hook_fails_on_a_broken_matrix(validate_hook: dict[str, Any], tmp_path: Path) -> None:
    shutil.copytree(ROOT / "matrix", tmp_path / "matrix")
    cudnn = tmp_path / "matrix" / "cudnn.yaml"
    text = cudnn.read_text(encoding="utf-8")
    broken = re.sub(r'(\n\s+version: )"8\.1\.0"', r"\g<1>8.10", text, count=1)  # an unquoted version: a YAML float
    assert broken != text
    cudnn.write_text(broken, encoding="utf-8")
    result = subprocess.run(hook_command(validate_hook["entry"], validate_hook["args"]), cwd=tmp_path, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 1
    assert "cudnn.yaml:" in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_repository_hooks_run_clean() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert set(hooks) == {"kbsolve-validate", "docs-current", "ruff"}
    for hook_id in ("kbsolve-validate", "docs-current"):
        result = subprocess.run(hook_command(hooks[hook_id]["entry"], []), cwd=ROOT, capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0, (hook_id, result.stderr)


# -- the scripts the workflows call --------------------------------------------------------------------------

def workflow_runs() -> list[str]:
    runs = []
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            runs += [step["run"] for step in job["steps"] if "run" in step]
    return runs


def test_workflows_call_only_tested_scripts() -> None:
    called = sorted({m for run in workflow_runs() for m in re.findall(r"(?:scripts/\w+\.py|\.ci/run)", run)})
    assert called == [".ci/run", "scripts/build_site.py", "scripts/pr_matrix_diff.py", "scripts/sync_pypi.py"]
    tested = {"scripts/build_site.py": "test_site.py", "scripts/pr_matrix_diff.py": "test_contributing.py",
              "scripts/sync_pypi.py": "test_contributing.py"}
    for script, test_file in tested.items():
        assert Path(script).stem in (ROOT / "tests" / test_file).read_text(encoding="utf-8")
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111


def test_sync_check_passes_when_the_index_matches(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sync_pypi

    records = yaml.safe_load(sync_pypi.OUTPUT.read_text(encoding="utf-8"))["records"]
    monkeypatch.setattr(sync_pypi, "collect", lambda: records)
    assert sync_pypi.main(["--check"]) == 0  # the generated file round-trips, header and schema line included
    assert "matches the index" in capsys.readouterr().out


def test_sync_check_fails_when_the_index_has_a_new_release(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import sync_pypi

    records = yaml.safe_load(sync_pypi.OUTPUT.read_text(encoding="utf-8"))["records"]
    new = {**records[-1], "id": "tensorflow-99.0.0", "version": "99.0.0"}
    monkeypatch.setattr(sync_pypi, "collect", lambda: [*records, new])
    assert sync_pypi.main(["--check"]) == 1
    captured = capsys.readouterr()
    assert "+- id: tensorflow-99.0.0" in captured.out and "is stale" in captured.err


def test_sync_check_without_the_index_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sync_pypi

    monkeypatch.setattr(sync_pypi, "INDEX", "http://127.0.0.1:9/pypi")  # nothing listens on the discard port
    assert sync_pypi.main(["--check"]) == 2
    assert "cannot read the index" in capsys.readouterr().err


STUB = f"{shlex.quote(sys.executable)} -c " + shlex.quote(
    "import sys; print(sys.argv[2] + ' -> ' + sys.argv[3]); print('cuDNN 8.6 -> 8.9 in 3 plans'); sys.exit(int(sys.argv[1]))")


@pytest.mark.parametrize("code, expected", [(0, "No answer changed"), (1, "cuDNN 8.6 -> 8.9 in 3 plans")])
def test_pr_summary_reports_the_diff(tmp_path: Path, code: int, expected: str) -> None:
    import pr_matrix_diff

    out = tmp_path / "summary.md"
    assert pr_matrix_diff.main(["old", "new", "--summary", str(out), "--command", f"{STUB} {code}"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("## Answers changed by this pull request") and expected in text


def test_pr_summary_cuts_long_output_and_fails_on_a_diff_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pr_matrix_diff

    long = pr_matrix_diff.summary(1, "x" * 500, max_bytes=100)
    assert "x" * 100 in long and "x" * 101 not in long and "cut at 100 bytes of 500" in long
    assert pr_matrix_diff.main(["old", "new", "--command", f"{STUB} 2"]) == 2
    assert "failed" in capsys.readouterr().err


def _has_kbsolve_diff() -> bool:
    from typer.testing import CliRunner

    from kbsolver.cli import app

    return CliRunner().invoke(app, ["diff", "--help"]).exit_code == 0


@pytest.mark.skipif(not _has_kbsolve_diff(), reason="kbsolve diff is not in this tree yet (issue 10)")
def test_pr_summary_with_the_real_diff_lists_a_cudnn_change(tmp_path: Path) -> None:
    import pr_matrix_diff

    shutil.copytree(ROOT / "matrix", tmp_path / "matrix")
    tested = tmp_path / "matrix" / "tested_builds.yaml"
    text = tested.read_text(encoding="utf-8")
    block = text.split('id: "linux-gpu-2.13.0"', 1)
    tested.write_text(block[0] + 'id: "linux-gpu-2.13.0"' + block[1].replace('cudnn: "8.6"', 'cudnn: "8.9"', 1), encoding="utf-8")
    kbsolve = Path(sys.executable).with_name("kbsolve")
    out = tmp_path / "summary.md"
    assert pr_matrix_diff.main([str(ROOT / "matrix"), str(tmp_path / "matrix"), "--summary", str(out),
                                "--command", f"{shlex.quote(str(kbsolve))} diff"]) == 0
    assert "8.9" in out.read_text(encoding="utf-8")
