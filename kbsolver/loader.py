"""Safe YAML reading with positions: duplicate keys rejected, dates kept as strings.

Plain PyYAML keeps the last of two equal keys without a word and turns ``2024-03-09`` into a
``date``; both would corrupt a compatibility fact silently. :func:`read_document` composes the
node tree once, reports duplicates with their ``file:line:col``, constructs plain Python data
from it, and keeps the tree so that later checks (schema, cross-references) can map a data path
such as ``("records", 3, "version")`` back to the line it came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, Problem

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader without the timestamp resolver: ``2024-03-09`` stays the string it was written as."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's class attribute
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


@dataclass(frozen=True)
class Document:
    """One parsed YAML file: its ``path`` (as given), the constructed ``data`` and the node tree."""

    path: str
    data: Any
    root: yaml.Node | None

    def locate(self, data_path: Sequence[Any]) -> Location:
        """Return the position of the node at ``data_path`` (keys and list indexes), or of its nearest parent."""
        node = self.root
        best = _mark(self.path, node)
        for step in data_path:
            node = _child(node, step)
            if node is None:
                break
            best = _mark(self.path, node)
        return best


def _mark(path: str, node: yaml.Node | None) -> Location:
    if node is None:
        return Location(path, 1, 1)
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _child(node: yaml.Node | None, step: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                return value
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]
    return None


def _duplicate_keys(path: str, node: yaml.Node | None) -> Iterator[Problem]:
    """Yield one problem per repeated key in any mapping of the tree."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        message = f"duplicate key '{key.value}' (first at line {seen[key.value]})"
                        yield Problem(_mark(path, key), message, "duplicate-key")
                    else:
                        seen[key.value] = key.start_mark.line + 1
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def parse_text(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML ``text`` read from ``path``.

    Returns ``(document, problems)``; ``document`` is ``None`` when the text is not YAML at all
    (the problem then carries the parser's line and column). Never raises for bad content.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        problems = list(_duplicate_keys(path, root))
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        return None, [Problem(location, f"not valid YAML: {error.problem or error.context}", "yaml-syntax")]
    except yaml.YAMLError as error:
        return None, [Problem(Location(path), f"not valid YAML: {error}", "yaml-syntax")]
    finally:
        loader.dispose()
    return Document(path, data, root), problems


def read_document(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read and parse the YAML file at ``path``; ``display`` is the name used in messages.

    Returns ``(document, problems)`` like :func:`parse_text`; an unreadable or non-UTF-8 file
    gives ``(None, [problem])``.
    """
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(Location(name), f"cannot read file: {error}", "unreadable-file")]
    return parse_text(text, name)
