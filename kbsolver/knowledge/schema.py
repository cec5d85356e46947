"""JSON Schema validation of matrix documents and JSON outputs, every error collected.

One schema per matrix kind lives in ``schemas/<kind>.schema.json`` (plus ``common.schema.json``
for shared definitions); output contracts such as ``plan.schema.json`` live beside them. Errors
are mapped back to ``file:line:col`` through :meth:`kbsolver.knowledge.loader.Document.locate`.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TYPE_CHECKING, Any

from kbsolver.errors import Location, Problem
from kbsolver.knowledge.paths import schema_dir

if TYPE_CHECKING:  # the fingerprint is read on every load; YAML is imported only where it is parsed
    from kbsolver.knowledge.loader import Document


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    import json  # not at import: loading compiled knowledge reads only the schemas' bytes

    directory = schema_dir()
    return {p.name[: -len(".schema.json")]: json.loads(p.read_text(encoding="utf-8")) for p in directory.glob("*.schema.json")}


@cache
def schema_fingerprint() -> str:
    """A digest of every schema file; a change of any schema invalidates cached validation results."""
    digest = hashlib.sha256()
    for path in sorted(schema_dir().glob("*.schema.json")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def matrix_kinds() -> list[str]:
    """Return the names of the matrix kinds that have a schema (sorted)."""
    return sorted(name for name, schema in _schemas().items() if "kind" in schema.get("properties", {}))


@cache
def validator(name: str) -> Any:
    """Return a cached ``Draft202012Validator`` for ``schemas/<name>.schema.json``; ``KeyError`` if absent."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = _schemas()
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values() if "$id" in schema
    )
    return Draft202012Validator(schemas[name], registry=registry)


def _message(error: Any) -> str:
    field = ".".join(str(step) for step in error.absolute_path)
    text = error.message
    if error.validator == "type" and isinstance(error.instance, (int, float)) and not isinstance(error.instance, bool):
        text += " (quote versions: YAML reads an unquoted 2.10 as the number 2.1)"
    if error.validator == "additionalProperties":
        text = f"unknown key: {text}"
    return f"{field}: {text}" if field else text


def validate_document(document: Document) -> list[Problem]:
    """Validate one parsed matrix file against the schema of the kind it declares.

    Returns every problem found (empty list when valid), each located at the offending line.
    """
    data = document.data
    top = Location(document.path, 1, 1)
    if not isinstance(data, dict) or "kind" not in data:
        return [Problem(top, "a matrix file is a mapping with 'kind:' and 'records:'", "schema")]
    kind = data["kind"]
    if kind not in matrix_kinds():
        import difflib

        close = difflib.get_close_matches(str(kind), matrix_kinds(), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known kinds: {', '.join(matrix_kinds())}"
        return [Problem(document.locate(["kind"]), f"unknown kind '{kind}'{hint}", "schema")]
    errors = sorted(validator(kind).iter_errors(data), key=lambda e: [str(s) for s in e.absolute_path])
    return [Problem(document.locate(list(e.absolute_path)), _message(e), "schema") for e in errors]


def validate_output(data: Any, name: str) -> list[str]:
    """Validate a JSON output (e.g. a plan) against ``schemas/<name>.schema.json``; return error messages."""
    return [_message(e) for e in validator(name).iter_errors(data)]
