"""The ``kbsolve`` command line: parse flags, call the library, render, exit.

Exit codes: 0 success (a plan; valid data), 1 no plan (conflict) or invalid data,
2 bad input (unknown GPU, malformed flag, missing file). Results go to stdout; errors go to
stderr as one line, never as a traceback.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .errors import DataError, InputError, KbError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Consistent TensorFlow install plans from official compatibility facts.")


class Format(str, Enum):
    text = "text"
    json = "json"


MatrixOption = typer.Option(None, "--matrix", help="Matrix files or directories to use instead of the bundled one.")


def _fail(error: KbError) -> None:
    typer.echo(f"kbsolve: error: {error}", err=True)
    if isinstance(error, DataError):
        for problem in error.problems[1:50]:
            typer.echo(f"  {problem}", err=True)
    raise typer.Exit(error.exit_code)


def _load(matrix: Optional[list[Path]]):  # type: ignore[no-untyped-def]
    from .knowledge import load

    for path in matrix or []:
        if not path.exists():
            raise InputError(f"--matrix: no such file or directory: {path}")
    return load(matrix or None)


@app.command()
def plan(
    gpu: Optional[str] = typer.Option(None, "--gpu", help="GPU name or alias, e.g. rtx3060, 'GeForce RTX 3060 Laptop GPU'."),
    compute_capability: Optional[str] = typer.Option(None, "--compute-capability", help="GPU compute capability X.Y."),
    python: Optional[str] = typer.Option(None, "--python", help="Python version X.Y (default: the newest that fits)."),
    os: Optional[str] = typer.Option(None, "--os", help="linux | windows | macos (default: this machine)."),
    arch: Optional[str] = typer.Option(
        None, "--arch", help="x86_64 | arm64 | x86 (aliases amd64, aarch64...; default: this machine)."),
    driver: Optional[str] = typer.Option(None, "--driver", help="Installed NVIDIA driver version, e.g. 535.104.05."),
    tensorflow: Optional[str] = typer.Option(None, "--tensorflow", help="TensorFlow version range, e.g. 2.10.* or <2.11."),
    cpu_only: bool = typer.Option(False, "--cpu-only", help="Plan a CPU-only install."),
    detect: bool = typer.Option(False, "--detect", help="Fill every flag not given from this machine (kbsolve detect)."),
    format: Format = typer.Option(Format.text, "--format", help="Output format."),
    matrix: Optional[list[Path]] = MatrixOption,
) -> None:
    """Solve for a consistent install plan (exit 0), or explain why none exists (exit 1)."""
    from .api import plan as make_plan
    from .query import make_query
    from .render import plan_text, to_json

    try:
        knowledge = _load(matrix)
        given = {"gpu": gpu, "compute_capability": compute_capability, "python": python, "os": os, "arch": arch,
                 "driver": driver}
        if detect:
            from .api import detected_flags
            from .detect import detect as run_detection

            found = detected_flags(run_detection())
            if given["gpu"] or given["compute_capability"]:
                found.pop("gpu", None), found.pop("compute_capability", None)
            given = {k: v if v is not None else found.get(k) for k, v in given.items()}
            if given["gpu"] and given["compute_capability"] and not gpu:
                given["gpu"] = _known_gpu(knowledge, given["gpu"])
        query = make_query(knowledge, gpu=given["gpu"], compute_capability_=given["compute_capability"],
                           python=given["python"], os=given["os"], arch=given["arch"], driver=given["driver"],
                           tensorflow=tensorflow, cpu_only=cpu_only)
        result = make_plan(query, knowledge)
    except KbError as error:
        _fail(error)
        return
    typer.echo(to_json(result.to_dict()) if format is Format.json else plan_text(result))
    raise typer.Exit(result.exit_code)


def _known_gpu(knowledge, name: str) -> Optional[str]:  # type: ignore[no-untyped-def]
    """A detected GPU name the matrix knows, else ``None`` (its reported compute capability is used instead)."""
    from .errors import UnknownGpuError

    try:
        knowledge.find_gpu(name)
    except UnknownGpuError:
        return None
    return name


@app.command()
def detect(
    python_exe: Optional[Path] = typer.Option(None, "--python-exe", help="Inspect this Python interpreter (default: this one)."),
    format: Format = typer.Option(Format.text, "--format", help="Output format."),
) -> None:
    """Read this machine: OS, Python, CPU flags, NVIDIA GPUs and driver, CUDA, cuDNN, MSVC runtime, TensorFlow."""
    from .detect import detect as run_detection
    from .render import snapshot_text, to_json

    if python_exe is not None and not python_exe.exists():
        _fail(InputError(f"--python-exe: no such file: {python_exe}"))
    snapshot = run_detection(python_exe=str(python_exe) if python_exe else None)
    typer.echo(to_json(snapshot.to_dict()) if format is Format.json else snapshot_text(snapshot))


@app.command()
def validate(
    paths: Optional[list[Path]] = typer.Argument(None, help="YAML files or directories (default: the bundled matrix)."),
) -> None:
    """Check matrix files: schema, duplicate keys, order, cross-references. Exit 1 on any problem."""
    from .knowledge import check, matrix_files
    from .render import problems_text

    for path in paths or []:
        if not path.exists():
            _fail(InputError(f"validate: no such file or directory: {path}"))
    files = matrix_files(paths or None)
    problems = check(paths or None)
    if problems:
        typer.echo(problems_text(problems))
        typer.echo(f"kbsolve validate: {len(problems)} problem(s) in {len(files)} file(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {len(files)} file(s) valid")


@app.command("matrix")
def matrix_command(
    kind: str = typer.Argument(..., help="tensorflow | wheels | cuda | cudnn | gpus | msvc | python"),
    os: Optional[str] = typer.Option(None, "--os", help="Only this OS (linux | windows | macos)."),
    python: Optional[str] = typer.Option(None, "--python", help="Only rows for this Python X.Y."),
    gpu: Optional[str] = typer.Option(None, "--gpu", help="gpus: names containing this; cuda: toolkits that target this GPU."),
    package: Optional[str] = typer.Option(None, "--package", help="Only this distribution (tensorflow, tensorflow-gpu...)."),
    tensorflow: Optional[str] = typer.Option(None, "--tensorflow", help="Only TF versions in this range, e.g. 2.10.*."),
    device: Optional[str] = typer.Option(None, "--device", help="tensorflow: cpu | gpu."),
    format: Format = typer.Option(Format.text, "--format", help="Output format."),
    matrix: Optional[list[Path]] = MatrixOption,
) -> None:
    """Show matrix records of one KIND as a table or a JSON list, with filters."""
    from .matrixview import Filters, view
    from .platforms import normalize_os, normalize_python
    from .query import tensorflow_spec
    from .render import table_text, to_json

    try:
        if device not in (None, "cpu", "gpu"):
            raise InputError(f"--device: unknown value '{device}'", hint="use cpu or gpu")
        filters = Filters(os=normalize_os(os) if os else None, python=normalize_python(python) if python else None,
                          gpu=gpu, package=package, tensorflow=tensorflow_spec(tensorflow) if tensorflow else None,
                          device=device)
        rows, columns = view(_load(matrix), kind, filters)
    except KbError as error:
        _fail(error)
        return
    typer.echo(to_json(rows) if format is Format.json else table_text(rows, columns))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KbError as error:  # pragma: no cover - commands handle their own
        typer.echo(f"kbsolve: error: {error}", err=True)
        sys.exit(error.exit_code)


if __name__ == "__main__":
    main()
