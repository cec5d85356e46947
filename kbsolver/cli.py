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

from .errors import InputError, KbError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Consistent TensorFlow install plans from official compatibility facts.")


class Format(str, Enum):
    text = "text"
    json = "json"


MatrixOption = typer.Option(None, "--matrix", help="Matrix files or directories to use instead of the bundled one.")


def _fail(error: KbError) -> None:
    from .launcher import error_text

    typer.echo(error_text(error), err=True)
    raise typer.Exit(error.exit_code)


def _load(matrix: Optional[list[Path]]):  # type: ignore[no-untyped-def]
    from .launcher import load_matrix

    return load_matrix(matrix)


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
    from .launcher import run_plan

    code = run_plan(gpu=gpu, compute_capability=compute_capability, python=python, os=os, arch=arch, driver=driver,
                    tensorflow=tensorflow, cpu_only=cpu_only, detect=detect, json_format=format is Format.json,
                    matrix=matrix)
    raise typer.Exit(code)


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


def _read_error_input(error: Optional[str], error_file: Optional[str]):  # type: ignore[no-untyped-def]
    from .doctor import read_error

    if error is not None and error_file is not None:
        raise InputError("give --error or --error-file, not both")
    if error_file == "-":
        return read_error(sys.stdin.buffer)
    if error_file is not None:
        try:
            with open(error_file, "rb") as handle:
                return read_error(handle)
        except OSError as problem:
            raise InputError(f"--error-file: cannot read {error_file}: {problem.strerror or problem}") from None
    return read_error(error)


def _read_snapshot(path: Path):  # type: ignore[no-untyped-def]
    import json

    from .detect import Snapshot

    try:
        data = json.loads(path.read_bytes().decode("utf-8", errors="replace"))
    except OSError as problem:
        raise InputError(f"--snapshot: cannot read {path}: {problem.strerror or problem}") from None
    except ValueError as problem:
        raise InputError(f"--snapshot: {path} is not JSON: {problem}") from None
    if not isinstance(data, dict):
        raise InputError(f"--snapshot: {path} is not a kbsolve detect --format json object")
    return Snapshot.from_dict(data)


def _declared(knowledge, os, arch, python, gpu, driver, tensorflow, cuda, cudnn, package):  # type: ignore[no-untyped-def]
    from packaging.version import InvalidVersion, Version

    from .platforms import normalize_arch, normalize_os, normalize_python
    from .query import driver_version

    declared: dict[str, Optional[str]] = {}
    if os:
        declared["os"] = normalize_os(os)
    if arch:
        declared["arch"] = normalize_arch(arch)
    if python:
        declared["python"] = normalize_python(python)
    if gpu:
        record = knowledge.find_gpu(gpu)
        declared["gpu"], declared["compute_capability"] = record.name, record.compute_capability
    if driver:
        declared["driver"] = driver_version(driver)
    for flag, value in (("tensorflow", tensorflow), ("cuda", cuda), ("cudnn", cudnn)):
        if value:
            try:
                Version(value)
            except InvalidVersion:
                raise InputError(f"--{flag}: '{value}' is not a version", hint="e.g. 2.10.1, 11.2, 8.1") from None
            declared[flag] = value
    if package:
        declared["package"] = package.lower().replace("_", "-")
    return declared


@app.command()
def doctor(
    error: Optional[str] = typer.Option(None, "--error", help="The error text (quote it)."),
    error_file: Optional[str] = typer.Option(None, "--error-file", help="Read the error text from a file ('-' = stdin)."),
    snapshot: Optional[Path] = typer.Option(
        None, "--snapshot", help="Use a saved 'kbsolve detect --format json' instead of detecting."),
    no_detect: bool = typer.Option(False, "--no-detect", help="Use declared facts only (diagnose another machine's report)."),
    os: Optional[str] = typer.Option(None, "--os", help="Declared OS (overrides detection)."),
    arch: Optional[str] = typer.Option(None, "--arch", help="Declared architecture; x86 = 32-bit Python."),
    python: Optional[str] = typer.Option(None, "--python", help="Declared Python X.Y."),
    gpu: Optional[str] = typer.Option(None, "--gpu", help="Declared GPU name."),
    driver: Optional[str] = typer.Option(None, "--driver", help="Declared NVIDIA driver version."),
    tensorflow: Optional[str] = typer.Option(None, "--tensorflow", help="The installed TensorFlow release, e.g. 2.10.1."),
    package: Optional[str] = typer.Option(None, "--package", help="The installed distribution: tensorflow, tensorflow-gpu..."),
    cuda: Optional[str] = typer.Option(None, "--cuda", help="The installed CUDA toolkit, e.g. 11.2."),
    cudnn: Optional[str] = typer.Option(None, "--cudnn", help="The installed cuDNN, e.g. 8.1."),
    format: Format = typer.Option(Format.text, "--format", help="Output format."),
    matrix: Optional[list[Path]] = MatrixOption,
) -> None:
    """Diagnose a broken TensorFlow install: ranked causes with evidence and fixes (exit 1 when any)."""
    from .doctor import diagnose
    from .render import doctor_text, to_json

    try:
        text = _read_error_input(error, error_file)
        knowledge = _load(matrix)
        declared = _declared(knowledge, os, arch, python, gpu, driver, tensorflow, cuda, cudnn, package)
        if snapshot is not None:
            machine = _read_snapshot(snapshot)
        elif no_detect:
            machine = None
        else:
            from .detect import detect as run_detection

            machine = run_detection()
        report = diagnose(knowledge, machine, declared, text)
    except KbError as problem:
        _fail(problem)
        return
    typer.echo(to_json(report.to_dict()) if format is Format.json else doctor_text(report))
    raise typer.Exit(report.exit_code)


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


class SweepFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"


GpusOption = typer.Option(None, "--gpu", help="Only this GPU (repeatable; 'cpu' = CPU-only).")
CcsOption = typer.Option(None, "--compute-capability",
                         help="Only this compute capability (repeatable; implies --by compute-capability).")
PythonsOption = typer.Option(None, "--python", help="Only this Python X.Y (repeatable).")
OsesOption = typer.Option(None, "--os", help="Only this OS (repeatable).")
ArchesOption = typer.Option(None, "--arch", help="Only this architecture (repeatable).")
ByOption = typer.Option("gpu", "--by", help="Sweep every GPU (gpu) or every compute capability (compute-capability).")


def _selection(by: str, gpu: Optional[list[str]], cc: Optional[list[str]], python: Optional[list[str]],
               os: Optional[list[str]], arch: Optional[list[str]]):  # type: ignore[no-untyped-def]
    from .sweep import selection_from

    return selection_from("compute-capability" if cc else by, gpu or [], cc or [], python or [], os or [], arch or [])


def _progress(items, total: int, label: str):  # type: ignore[no-untyped-def]
    """Yield ``items``; a progress counter on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield from items
        return
    step = max(1, total // 200)
    for done, item in enumerate(items, 1):
        if done % step == 0 or done == total:
            sys.stderr.write(f"\r{label}: {done:,}/{total:,}")
            sys.stderr.flush()
        yield item
    sys.stderr.write("\n")


@app.command()
def sweep(
    by: str = ByOption,
    gpu: Optional[list[str]] = GpusOption,
    compute_capability: Optional[list[str]] = CcsOption,
    python: Optional[list[str]] = PythonsOption,
    os: Optional[list[str]] = OsesOption,
    arch: Optional[list[str]] = ArchesOption,
    format: SweepFormat = typer.Option(SweepFormat.text, "--format", help="text (one line per answer) or jsonl."),
    matrix: Optional[list[Path]] = MatrixOption,
) -> None:
    """Answer every GPU (or compute capability) and CPU-only × Python × platform; one answer per line."""
    import json

    from .api import plan_many
    from .sweep import summary_line, sweep_queries

    try:
        knowledge = _load(matrix)
        queries = sweep_queries(knowledge, _selection(by, gpu, compute_capability, python, os, arch))
    except KbError as error:
        _fail(error)
        return
    out = sys.stdout
    for result in _progress(plan_many(queries, knowledge), len(queries), "kbsolve sweep"):
        if format is SweepFormat.jsonl:
            out.write(json.dumps(result.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
        else:
            out.write(summary_line(result) + "\n")
    out.flush()


@app.command()
def diff(
    old: str = typer.Argument(..., help="The matrix before: a directory of *.yaml or a git revision (its matrix/)."),
    new: str = typer.Argument(..., help="The matrix after: a directory or a git revision."),
    by: str = ByOption,
    gpu: Optional[list[str]] = GpusOption,
    compute_capability: Optional[list[str]] = CcsOption,
    python: Optional[list[str]] = PythonsOption,
    os: Optional[list[str]] = OsesOption,
    arch: Optional[list[str]] = ArchesOption,
    format: Format = typer.Option(Format.text, "--format", help="Output format."),
) -> None:
    """Sweep two matrices and list the answers that changed, grouped (exit 0: none, 1: some, 2: bad input)."""
    from .diff import diff as run_diff
    from .render import to_json

    try:
        result = run_diff(old, new, _selection(by, gpu, compute_capability, python, os, arch))
    except KbError as error:
        _fail(error)
        return
    typer.echo(to_json(result.to_dict()) if format is Format.json else result.text())
    raise typer.Exit(result.exit_code)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KbError as error:  # pragma: no cover - commands handle their own
        typer.echo(f"kbsolve: error: {error}", err=True)
        sys.exit(error.exit_code)


if __name__ == "__main__":
    main()
