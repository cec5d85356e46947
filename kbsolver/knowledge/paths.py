"""Where the bundled matrix and schemas live: the source tree, or the copy inside an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

from kbsolver.errors import Location, Problem

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


YAML_SUFFIXES = (".yaml", ".yml")


def yaml_files(directory: Path) -> tuple[list[Path], list[Problem]]:
    """The ``*.yaml`` and ``*.yml`` entries of ``directory``, sorted, and a problem if it cannot be listed.

    Entries are listed, not opened: one that cannot be read (a symlink loop, a FIFO) is reported
    by :func:`read_document`.
    """
    try:
        with os.scandir(directory) as entries:
            names = sorted(entry.name for entry in entries if entry.name.endswith(YAML_SUFFIXES))
    except OSError as error:
        return [], [Problem(Location(str(directory)), f"cannot list directory: {error.strerror or error}", "unreadable-file")]
    return [directory / name for name in names], []
