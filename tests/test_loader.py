"""The YAML loader and schema checks: duplicate keys, dates, floats, syntax, positions."""

from __future__ import annotations

from pathlib import Path

from kbsolver.knowledge import check
from kbsolver.knowledge.loader import parse_text


def test_duplicate_key_is_reported_with_its_line() -> None:
    text = "kind: cudnn\nrecords:\n  - id: a\n    version: '8.1.0'\n    version: '8.1.1'\n"
    document, problems = parse_text(text, "matrix/x.yaml")
    assert document is not None
    assert [str(p) for p in problems] == ["matrix/x.yaml:5:5: duplicate key 'version' (first at line 4)"]


def test_dates_stay_strings() -> None:
    document, _ = parse_text("released: 2019-10-14\n", "x.yaml")
    assert document is not None and document.data == {"released": "2019-10-14"}


def test_syntax_error_has_a_position() -> None:
    document, problems = parse_text("a: [1, 2\nb: 3\n", "bad.yaml")
    assert document is None
    assert problems[0].location.path == "bad.yaml" and problems[0].location.line >= 2
    assert problems[0].message.startswith("not valid YAML")


def test_locate_maps_a_data_path_to_its_line() -> None:
    document, _ = parse_text("kind: gpus\nrecords:\n  - id: a\n  - id: b\n    name: x\n", "g.yaml")
    assert document is not None
    assert (document.locate(["records", 1, "name"]).line, document.locate(["records", 1, "name"]).column) == (5, 11)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cuda_majors.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MAJOR = """kind: cuda-majors
records:
  - id: cuda-major-11
    major: {major}
    minor_version_floor: {{linux: "450.80.02", windows: "452.39"}}
    sources: [{{url: "https://docs.nvidia.com/deploy/cuda-compatibility/"}}]
"""


def test_unquoted_version_is_a_schema_error_with_hint(tmp_path: Path) -> None:
    problems = check([_write(tmp_path, MAJOR.format(major="11.10"))])
    assert len(problems) == 1
    assert problems[0].location.line == 4
    assert "11.1 is not of type 'string'" in problems[0].message and "quote versions" in problems[0].message


def test_unknown_key_and_missing_sources_are_reported(tmp_path: Path) -> None:
    text = MAJOR.format(major='"11"').replace("    sources", "    colour: red\n    sources")
    problems = check([_write(tmp_path, text)])
    assert any("unknown key" in p.message and "colour" in p.message for p in problems)
    text = MAJOR.format(major='"11"').replace('    sources: [{url: "https://docs.nvidia.com/deploy/cuda-compatibility/"}]\n', "")
    problems = check([_write(tmp_path, text)])
    assert any("'sources' is a required property" in p.message for p in problems)


def test_valid_file_has_no_problems(tmp_path: Path) -> None:
    assert check([_write(tmp_path, MAJOR.format(major='"11"'))]) == []


def test_unknown_kind_suggests_the_closest(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("kind: gpu\nrecords: []\n", encoding="utf-8")
    (problem,) = check([path])
    assert "unknown kind 'gpu'" in problem.message and "did you mean 'gpus'" in problem.message
