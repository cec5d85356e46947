"""Safe YAML reading with positions: duplicate keys rejected, dates kept as strings.

Plain PyYAML keeps the last of two equal keys without a word and turns ``2024-03-09`` into a
``date``; both would corrupt a compatibility fact silently. :func:`read_document` composes the
node tree once, reports duplicates with their ``file:line:col``, constructs plain Python data
from it, and keeps the tree so that later checks (schema, cross-references) can map a data path
such as ``("records", 3, "version")`` back to the line it came from.

Hostile YAML is bounded before anything walks or constructs it (:func:`_bounds`): an alias that
refers to a node containing itself, more than :data:`MAX_ALIAS_NODES` nodes reached through
aliases ("billion laughs"), nesting deeper than :data:`MAX_DEPTH` and integers longer than
:data:`~kbsolver.guards.INTEGER_DIGITS` digits are errors at the offending ``file:line:col``.
Files are read through :func:`kbsolver.guards.read_text` (at most
:data:`~kbsolver.guards.MATRIX_FILE_LIMIT` bytes; UTF-8, UTF-8 or UTF-16 with BOM).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import yaml

from kbsolver import guards
from kbsolver.errors import Location, Problem

MAX_DEPTH = 32  #: nesting depth of mappings and sequences in a matrix file
MAX_ALIAS_NODES = 100_000  #: nodes reached through aliases (each alias counts the size of what it repeats)

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


def _bounds(path: str, root: yaml.Node) -> Optional[Problem]:
    """The first violated bound of the node graph (alias cycle, alias expansion, depth, integer size), or ``None``.

    PyYAML composes an alias as a second reference to the anchored node, so the graph is walked
    once with a visited set; each node's expanded size is computed once and an alias (a repeated
    reference) adds that size to the alias count.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    aliased = 0
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else \
            node.value if isinstance(node, yaml.SequenceNode) else []
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes.get(id(child), 1) for child in children)
            continue
        if key in on_path:
            return Problem(_mark(path, node), "an alias refers to a node that contains it (a cycle)", "yaml-alias")
        if key in sizes:
            aliased += sizes[key]
            if aliased > MAX_ALIAS_NODES:
                return Problem(_mark(path, node), f"aliases expand to more than {MAX_ALIAS_NODES} nodes", "yaml-alias")
            continue
        if depth > MAX_DEPTH:
            return Problem(_mark(path, node), f"nested more than {MAX_DEPTH} levels deep", "yaml-depth")
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:int" and len(node.value) > guards.INTEGER_DIGITS:
                return Problem(_mark(path, node), f"a number longer than {guards.INTEGER_DIGITS} digits", "yaml-number")
            sizes[key] = 1
            continue
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in reversed(children))
    return None


def _duplicate_keys(path: str, node: yaml.Node | None) -> Iterator[Problem]:
    """Yield one problem per repeated key in any mapping of the tree (each node visited once)."""
    stack = [node] if node is not None else []
    visited: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
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
        bound = _bounds(path, root) if root is not None else None
        if bound is not None:
            return None, [bound]
        problems = list(_duplicate_keys(path, root))
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        return None, [Problem(location, f"not valid YAML: {error.problem or error.context}", "yaml-syntax")]
    except (yaml.YAMLError, ValueError, RecursionError) as error:  # ValueError: e.g. a float or int PyYAML cannot read
        return None, [Problem(Location(path), f"not valid YAML: {error}", "yaml-syntax")]
    finally:
        loader.dispose()
    return Document(path, data, root), problems


def read_document(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read and parse the YAML file at ``path``; ``display`` is the name used in messages.

    Returns ``(document, problems)`` like :func:`parse_text`; a file that cannot be read (missing,
    not a regular file, over :data:`~kbsolver.guards.MATRIX_FILE_LIMIT`, not UTF-8/UTF-16 text)
    gives ``(None, [problem])``.
    """
    name = display or str(path)
    try:
        text = guards.read_text(path, guards.MATRIX_FILE_LIMIT)
    except guards.GuardError as error:
        return None, [Problem(Location(name), f"cannot read file: {error.message}", "unreadable-file")]
    return parse_text(text, name)
