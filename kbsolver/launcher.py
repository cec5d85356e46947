"""The ``kbsolve`` entry point: ``kbsolve plan`` with plain flags runs without importing the CLI framework.

Installers run ``kbsolve plan`` once per process, where importing typer (and what it imports) would
cost more than the answer. :func:`main` reads a ``plan`` command line itself when it uses only
:data:`PLAN_VALUES` and :data:`PLAN_FLAGS` in their plain forms (``--gpu X``, ``--gpu=X``) and hands
everything else (help, other commands, anything unusual) to the typer app in :mod:`kbsolver.cli`.
Both paths run :func:`run_plan`, so output and exit codes are the same; a test checks that these
tables list exactly the typer command's options.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Optional

from kbsolver.errors import DataError, InputError, KbError

#: ``kbsolve plan`` options that take a value -> parameter name (``--matrix`` may repeat).
PLAN_VALUES = {"--gpu": "gpu", "--compute-capability": "compute_capability", "--python": "python", "--os": "os",
               "--arch": "arch", "--driver": "driver", "--tensorflow": "tensorflow", "--format": "format",
               "--matrix": "matrix"}
#: ``kbsolve plan`` options without a value -> parameter name.
PLAN_FLAGS = {"--cpu-only": "cpu_only", "--detect": "detect", "--no-avx": "no_avx", "--verbose": "verbose",
              "--sources": "sources"}
ERROR_SCHEMA_VERSION = 1
FORMATS = ("text", "json")


def error_text(error: KbError) -> str:
    """The stderr lines for an error: ``kbsolve: error: ...``, then up to 49 more problems of invalid data."""
    lines = [f"kbsolve: error: {error}"]
    if isinstance(error, DataError):
        lines += [f"  {problem}" for problem in error.problems[1:50]]
    return "\n".join(lines)


def error_object(error: KbError) -> dict[str, object]:
    """The JSON form of an error (``schemas/error.schema.json``): status, reference, message, flag, hint, location."""
    import re

    flag = re.search(r"(--[a-z][a-z-]*)\b", error.message)
    data: dict[str, object] = {"schema_version": ERROR_SCHEMA_VERSION, "status": "error", "reference": error.reference,
                               "message": error.message, "flag": flag.group(1) if flag else None, "hint": error.hint}
    if error.location is not None:
        data["location"] = str(error.location)
    if isinstance(error, DataError):
        data["problems"] = [str(p) for p in error.problems[:200]]
    return data


def report_error(error: KbError, json_output: bool) -> None:
    """Print ``error``: a JSON object on stdout with ``--format json``, else one line (and problems) on stderr."""
    if json_output:
        from kbsolver.render import to_json

        sys.stdout.write(to_json(error_object(error)) + "\n")
        sys.stdout.flush()
        return
    print(error_text(error), file=sys.stderr, flush=True)


def load_matrix(matrix: Optional[list[Path]]) -> Any:
    """The knowledge of ``--matrix`` paths (default: the bundled matrix); ``InputError`` for a missing path."""
    from kbsolver.knowledge import load

    for path in matrix or []:
        if not path.exists():
            raise InputError(f"--matrix: no such file or directory: {path}")
    return load(matrix or None)


def run_plan(*, gpu: Optional[str] = None, compute_capability: Optional[str] = None, python: Optional[str] = None,
             os: Optional[str] = None, arch: Optional[str] = None, driver: Optional[str] = None,
             tensorflow: Optional[str] = None, cpu_only: bool = False, no_avx: bool = False, detect: bool = False,
             verbose: bool = False, sources: bool = False, json_format: bool = False,
             matrix: Optional[list[Path]] = None) -> int:
    """``kbsolve plan``: print the plan or conflict (text or JSON) to stdout, errors as :func:`report_error` does;
    return the exit code (0 plan, 1 conflict or invalid data, 2 bad input)."""
    from kbsolver.api import plan as make_plan
    from kbsolver.guards import flag_values
    from kbsolver.solve.query import make_query

    refine: dict[str, object] = {"avx": False} if no_avx else {}
    try:
        flag_values({"--gpu": gpu, "--compute-capability": compute_capability, "--python": python, "--os": os,
                     "--arch": arch, "--driver": driver, "--tensorflow": tensorflow})  # before the matrix is read
        knowledge = load_matrix(matrix)
        given = {"gpu": gpu, "compute_capability": compute_capability, "python": python, "os": os, "arch": arch,
                 "driver": driver}
        if detect:
            from kbsolver.api import detected_flags
            from kbsolver.detect import detect as run_detection

            found = detected_flags(run_detection())
            if given["gpu"] or given["compute_capability"]:  # a declared GPU wins over the detected one
                for key in ("gpu", "compute_capability"):
                    found.pop(key, None)
            given = {k: v if v is not None else found.get(k) for k, v in given.items()}
            if given["gpu"] and given["compute_capability"] and not gpu:
                given["gpu"] = _known_gpu(knowledge, given["gpu"])
            refine = {**{k: found[k] for k in ("avx", "glibc", "python_bits") if k in found}, **refine}
        query = make_query(knowledge, gpu=given["gpu"], compute_capability_=given["compute_capability"],
                           python=given["python"], os=given["os"], arch=given["arch"], driver=given["driver"],
                           tensorflow=tensorflow, cpu_only=cpu_only, **refine)  # type: ignore[arg-type]
        result = make_plan(query, knowledge)
    except KbError as error:
        report_error(error, json_format)
        return error.exit_code
    if json_format:
        from kbsolver.render import to_json

        text = to_json(result.to_dict())
    else:
        from kbsolver.render import plan_text

        text = plan_text(result, verbose, sources)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return result.exit_code


def _known_gpu(knowledge: Any, name: str) -> Optional[str]:
    """A detected GPU name the matrix knows, else ``None`` (its reported compute capability is used instead)."""
    from kbsolver.errors import UnknownGpuError

    try:
        knowledge.find_gpu(name)
    except UnknownGpuError:
        return None
    return name


def parse_plan(args: list[str]) -> Optional[dict[str, Any]]:
    """Keyword arguments of :func:`run_plan` for a plain ``plan`` command line, or ``None`` to leave it to typer."""
    if not args or args[0] != "plan":
        return None
    values: dict[str, Any] = {}
    rest = args[1:]
    index = 0
    while index < len(rest):
        word = rest[index]
        flag, equals, value = word.partition("=")
        if flag in PLAN_FLAGS and not equals:
            if PLAN_FLAGS[flag] in values:
                return None
            values[PLAN_FLAGS[flag]] = True
            index += 1
            continue
        if flag not in PLAN_VALUES:
            return None
        if not equals:
            if index + 1 >= len(rest) or rest[index + 1].startswith("-"):
                return None
            value = rest[index + 1]
            index += 1
        index += 1
        name = PLAN_VALUES[flag]
        if name == "matrix":
            values.setdefault("matrix", []).append(Path(value))
        elif name in values:
            return None
        else:
            values[name] = value
    if values.get("format", "text") not in FORMATS:
        return None
    values["json_format"] = values.pop("format", "text") == "json"
    return values


def main(argv: Optional[list[str]] = None) -> None:
    """Console-script entry point: the fast ``plan`` path, or the typer app."""
    args = sys.argv[1:] if argv is None else argv
    parsed = parse_plan(args)
    if parsed is None:
        from kbsolver.cli import main as typer_main

        typer_main(list(args))
        return
    code = run_plan(**parsed)
    if argv is None:  # the console script: skip tearing down the knowledge objects (~20 ms); all output is flushed
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
