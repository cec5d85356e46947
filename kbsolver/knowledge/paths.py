"""Where the bundled matrix and schemas live: the source tree, or the copy inside an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # kbsolver/ (this file is kbsolver/knowledge/paths.py)


def _pick(name: str) -> Path:
    source_tree = _PACKAGE.parent / name
    if source_tree.is_dir() and (_PACKAGE.parent / "pyproject.toml").is_file():
        return source_tree
    return _PACKAGE / "_data" / name


def matrix_dir() -> Path:
    """Return the directory of the bundled ``matrix/*.yaml`` files."""
    return _pick("matrix")


def schema_dir() -> Path:
    """Return the directory of the bundled ``schemas/*.schema.json`` files."""
    return _pick("schemas")
