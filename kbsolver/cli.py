"""The ``kbsolve`` command line: parse flags, call the library, render, exit.

Exit codes: 0 success (a plan; valid data), 1 no plan (conflict) or invalid data,
2 bad input (unknown GPU, malformed flag, missing file, a usage error). Results go to stdout; errors go
to stderr as one line, never as a traceback — or, with ``--format json``, to stdout as one JSON object
(``schemas/error.schema.json``). Usage errors that the command line parser finds take the same form.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from kbsolver.errors import InputError, KbError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="Consistent TensorFlow install plans from official compatibility facts.")


class Format(str, Enum):
    text = "text"
    json = "json"


MatrixOption = typer.Option(None, "--matrix", help="Matrix files or directories to use instead of the bundled one.")


def _report(error: KbError, json_output: bool) -> None:
    from kbsolver.launcher import report_error

    report_error(error, json_output)


def _fail(error: KbError, json_output: bool = False) -> None:
    _report(error, json_output)
    raise typer.Exit(error.exit_code)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"kbsolve {version('kbsolver')}")
        except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
            typer.echo("kbsolve (version unknown)")
        raise typer.Exit(0)


@app.callback()
def _options(
    show_version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Consistent TensorFlow install plans from official compatibility facts."""


def _load(matrix: Optional[list[Path]]):  # type: ignore[no-untyped-def]
    from kbsolver.launcher import load_matrix

    return load_matrix(matrix)


@app.command()
def plan(
    gpu: Optional[str] = typer.Option(None, "--gpu", help="GPU name or alias, e.g. rtx3060, 'GeForce RTX 3060 Laptop GPU'."),
    compute_capability: Optional[str] = typer.Option(None, "--compute-capability", help="GPU compute capability X.Y."),
    python: Optional[str] = typer.Option(None, "--python", help="Python version X.Y (default: the newest that fits)."),
    os: Optional[str] = typer.Option(
        None, "--os", help="linux | windows | macos | wsl2 (Linux inside WSL2 on Windows; default: this machine)."),
    arch: Optional[str] = typer.Option(
        None, "--arch", help="x86_64 | arm64 | x86 (aliases amd64, aarch64...; default: this machine)."),
    driver: Optional[str] = typer.Option(None, "--driver", help="Installed NVIDIA driver version, e.g. 535.104.05."),
    tensorflow: Optional[str] = typer.Option(None, "--tensorflow", help="TensorFlow version range, e.g. 2.10.* or <2.11."),
    cpu_only: bool = typer.Option(False, "--cpu-only", help="Plan a CPU-only install."),
    no_avx: bool = typer.Option(False, "--no-avx", help="The CPU has no AVX (official wheels need it from TF 1.6)."),
    detect: bool = typer.Option(False, "--detect", help="Fill every flag not given from this machine (kbsolve detect)."),
    verbose: bool = typer.Option(False, "--verbose", help="Text: every note and the source list."),
    sources: bool = typer.Option(False, "--sources", help="Text: list the source URLs."),
    format: Format = typer.Option(Format.text, "--format", help="Output format."),
    matrix: Optional[list[Path]] = MatrixOption,
) -> None:
    """Solve for a consistent install plan (exit 0), or explain why none exists (exit 1)."""
    from kbsolver.launcher import run_plan

    code = run_plan(gpu=gpu, compute_capability=compute_capability, python=python, os=os, arch=arch, driver=driver,
                    tensorflow=tensorflow, cpu_only=cpu_only, no_avx=no_avx, detect=detect, verbose=verbose,
                    sources=sources, json_format=format is Format.json, matrix=matrix)
    raise typer.Exit(code)


@app.command()
def detect(
    python_exe: Optional[Path] = typer.Option(None, "--python-exe", help="Inspect this Python interpreter (default: this one)."),
    format: Format = typer.Option(Format.text, "--format", help="Output format."),
) -> None:
    """Read this machine: OS, Python, CPU flags, NVIDIA GPUs and driver, CUDA, cuDNN, MSVC runtime, TensorFlow."""
    from kbsolver.detect import detect as run_detection
    from kbsolver.render import snapshot_text, to_json

    if python_exe is not None and not python_exe.is_file():
        _fail(InputError(f"--python-exe: no such file: {python_exe}"), format is Format.json)
    snapshot = run_detection(python_exe=str(python_exe.absolute()) if python_exe else None)
    typer.echo(to_json(snapshot.to_dict()) if format is Format.json else snapshot_text(snapshot))


def _read_error_input(error: Optional[str], error_file: Optional[str]):  # type: ignore[no-untyped-def]
    import dataclasses

    from kbsolver import guards
    from kbsolver.doctor import read_error

    if error is not None and error_file is not None:
        raise InputError("give --error or --error-file, not both")
    if error_file is None:
        return read_error(error)
    if error_file == "-":
        stream = guards.BoundedStream(sys.stdin.buffer)
        text = read_error(stream)  # type: ignore[arg-type]
    else:
        try:
            with guards.open_file(error_file) as handle:
                stream = guards.BoundedStream(handle)
                text = read_error(stream)  # type: ignore[arg-type]
        except guards.GuardError as problem:
            raise InputError(f"--error-file: cannot read {error_file}: {problem.message}") from None
    return dataclasses.replace(text, truncated=True) if stream.truncated else text


def _read_snapshot(path: Path):  # type: ignore[no-untyped-def]
    from kbsolver import guards
    from kbsolver.detect import Snapshot
    from kbsolver.knowledge.schema import validate_output

    try:
        text = guards.read_text(path, guards.SNAPSHOT_LIMIT, errors="replace")
    except guards.GuardError as problem:
        raise InputError(f"--snapshot: cannot read {path}: {problem.message}") from None
    try:
        data = guards.parse_json(text)
    except guards.GuardError as problem:
        raise InputError(f"--snapshot: {path} {problem.message}") from None
    errors = validate_output(data, "snapshot")
    if errors:
        raise InputError(f"--snapshot: {path} is not a 'kbsolve detect --format json' snapshot: {errors[0][:200]}")
    return Snapshot.from_dict(data)


def _declared(knowledge, os, arch, python, gpu, driver, tensorflow, cuda, cudnn, package):  # type: ignore[no-untyped-def]
    from packaging.version import InvalidVersion, Version

    from kbsolver.knowledge.platforms import normalize_arch, normalize_os, normalize_python
    from kbsolver.solve.query import driver_version

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
        name = package.lower().replace("_", "-")
        known = sorted({d.package for d in knowledge.distributions})
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(known)}"
            raise InputError(f"--package: unknown TensorFlow distribution '{package}'", hint=hint)
        declared["package"] = name
    return declared


SnapshotOption = typer.Option(None, "--snapshot", help="Use a saved 'kbsolve detect --format json' instead of detecting.")
NoDetectOption = typer.Option(False, "--no-detect", help="Use declared facts only (diagnose another machine's report).")
DeclaredOs = typer.Option(None, "--os", help="Declared OS (overrides detection).")
DeclaredArch = typer.Option(None, "--arch", help="Declared architecture; x86 = 32-bit Python.")
DeclaredPython = typer.Option(None, "--python", help="Declared Python X.Y.")
DeclaredGpu = typer.Option(None, "--gpu", help="Declared GPU name.")
DeclaredDriver = typer.Option(None, "--driver", help="Declared NVIDIA driver version.")
DeclaredTensorflow = typer.Option(None, "--tensorflow", help="The installed TensorFlow release, e.g. 2.10.1.")
DeclaredPackage = typer.Option(None, "--package", help="The installed distribution: tensorflow, tensorflow-gpu...")
DeclaredCuda = typer.Option(None, "--cuda", help="The installed CUDA toolkit, e.g. 11.2.")
DeclaredCudnn = typer.Option(None, "--cudnn", help="The installed cuDNN, e.g. 8.1.")
FormatOption = typer.Option(Format.text, "--format", help="Output format.")


@app.command()
def doctor(
    error: Optional[str] = typer.Option(None, "--error", help="The error text (quote it)."),
    error_file: Optional[str] = typer.Option(None, "--error-file", help="Read the error text from a file ('-' = stdin)."),
    snapshot: Optional[Path] = SnapshotOption, no_detect: bool = NoDetectOption, os: Optional[str] = DeclaredOs,
    arch: Optional[str] = DeclaredArch, python: Optional[str] = DeclaredPython, gpu: Optional[str] = DeclaredGpu,
    driver: Optional[str] = DeclaredDriver, tensorflow: Optional[str] = DeclaredTensorflow,
    package: Optional[str] = DeclaredPackage, cuda: Optional[str] = DeclaredCuda, cudnn: Optional[str] = DeclaredCudnn,
    format: Format = FormatOption, matrix: Optional[list[Path]] = MatrixOption,
) -> None:
    """Diagnose a broken TensorFlow install: the consistency check of the facts, ranked with the error text's
    symptoms (exit 0 consistent, 1 findings or an unexplained symptom, 2 bad input)."""
    _run_doctor(error, error_file, snapshot, no_detect, os, arch, python, gpu, driver, tensorflow, package, cuda, cudnn,
                format, matrix)


@app.command()
def check(
    snapshot: Optional[Path] = SnapshotOption, no_detect: bool = NoDetectOption, os: Optional[str] = DeclaredOs,
    arch: Optional[str] = DeclaredArch, python: Optional[str] = DeclaredPython, gpu: Optional[str] = DeclaredGpu,
    driver: Optional[str] = DeclaredDriver, tensorflow: Optional[str] = DeclaredTensorflow,
    package: Optional[str] = DeclaredPackage, cuda: Optional[str] = DeclaredCuda, cudnn: Optional[str] = DeclaredCudnn,
    format: Format = FormatOption, matrix: Optional[list[Path]] = MatrixOption,
) -> None:
    """Check installed versions against the solver's constraints, no error text (exit 0 consistent, 1 findings)."""
    _run_doctor(None, None, snapshot, no_detect, os, arch, python, gpu, driver, tensorflow, package, cuda, cudnn,
                format, matrix)


def _run_doctor(error: Optional[str], error_file: Optional[str], snapshot: Optional[Path], no_detect: bool,
                os: Optional[str], arch: Optional[str], python: Optional[str], gpu: Optional[str], driver: Optional[str],
                tensorflow: Optional[str], package: Optional[str], cuda: Optional[str], cudnn: Optional[str],
                format: Format, matrix: Optional[list[Path]]) -> None:
    from kbsolver.doctor import diagnose
    from kbsolver.guards import flag_values
    from kbsolver.render import doctor_text, to_json

    try:
        os, arch, python, gpu, driver, tensorflow, cuda, cudnn, package = flag_values(
            {"--os": os, "--arch": arch, "--python": python, "--gpu": gpu, "--driver": driver, "--tensorflow": tensorflow,
             "--cuda": cuda, "--cudnn": cudnn, "--package": package}).values()
        text = _read_error_input(error, error_file)
        knowledge = _load(matrix)
        declared = _declared(knowledge, os, arch, python, gpu, driver, tensorflow, cuda, cudnn, package)
        if snapshot is not None:
            machine = _read_snapshot(snapshot)
        elif no_detect:
            machine = None
        else:
            from kbsolver.detect import detect as run_detection

            machine = run_detection()
        report = diagnose(knowledge, machine, declared, text)
    except KbError as problem:
        _fail(problem, format is Format.json)
        return
    typer.echo(to_json(report.to_dict()) if format is Format.json else doctor_text(report))
    raise typer.Exit(report.exit_code)


@app.command()
def validate(
    paths: Optional[list[Path]] = typer.Argument(
        None, help="YAML files or directories (default: the matrix/ of the kbsolver checkout around the current "
                   "directory, else the bundled matrix)."),
) -> None:
    """Check matrix files: schema, duplicate keys, order, cross-references. Exit 1 on any problem."""
    from kbsolver.knowledge import check, matrix_files
    from kbsolver.render import problems_text

    for path in paths or []:
        if not path.exists():
            _fail(InputError(f"validate: no such file or directory: {path}"))
    if not paths:
        checkout = find_checkout(Path.cwd())
        paths = [checkout / "matrix"] if checkout else None
    files = matrix_files(paths or None)
    where = ", ".join(str(p) for p in paths) if paths else f"{files[0].parent if files else 'matrix'} (bundled)"
    problems = check(paths or None)
    if problems:
        typer.echo(problems_text(problems))
        typer.echo(f"kbsolve validate: {len(problems)} problem(s) in {len(files)} file(s) of {where}", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {len(files)} file(s) valid in {where}")


def find_checkout(start: Path, limit: int = 32) -> Optional[Path]:
    """The nearest directory at or above ``start`` (at most ``limit`` levels) holding a ``matrix/`` directory beside
    a ``pyproject.toml`` that names kbsolver (a contributor's checkout), or ``None``."""
    import re

    for directory in [start, *start.parents][:limit]:
        project = directory / "pyproject.toml"
        if (directory / "matrix").is_dir() and project.is_file():
            try:
                text = project.read_text(encoding="utf-8", errors="replace")[:100_000]
            except OSError:
                continue
            if re.search(r'^name\s*=\s*"kbsolver"', text, re.M):
                return directory
    return None


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
    from kbsolver.guards import flag_values
    from kbsolver.knowledge.platforms import normalize_os, normalize_python
    from kbsolver.knowledge.views import Filters, view
    from kbsolver.render import table_text, to_json
    from kbsolver.solve.query import tensorflow_spec

    try:
        kind, os, python, gpu, package, tensorflow, device = flag_values(
            {"KIND": kind, "--os": os, "--python": python, "--gpu": gpu, "--package": package, "--tensorflow": tensorflow,
             "--device": device}).values()
        if device not in (None, "cpu", "gpu"):
            raise InputError(f"--device: unknown value '{device}'", hint="use cpu or gpu")
        filters = Filters(os=normalize_os(os) if os else None, python=normalize_python(python) if python else None,
                          gpu=gpu, package=package, tensorflow=tensorflow_spec(tensorflow) if tensorflow else None,
                          device=device)
        rows, columns = view(_load(matrix), kind, filters)
    except KbError as error:
        _fail(error, format is Format.json)
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
    from kbsolver.solve.sweep import selection_from

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

    from kbsolver.api import plan_many
    from kbsolver.solve.sweep import summary_line, sweep_queries

    try:
        knowledge = _load(matrix)
        queries = sweep_queries(knowledge, _selection(by, gpu, compute_capability, python, os, arch))
    except KbError as error:
        _fail(error, format is not SweepFormat.text)
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
    from kbsolver.render import to_json
    from kbsolver.solve.diff import diff as run_diff

    try:
        result = run_diff(old, new, _selection(by, gpu, compute_capability, python, os, arch))
    except KbError as error:
        _fail(error, format is Format.json)
        return
    typer.echo(to_json(result.to_dict()) if format is Format.json else result.text())
    raise typer.Exit(result.exit_code)


def _wants_json(args: list[str]) -> bool:
    return any(a in ("--format=json",) for a in args) or any(
        a == "--format" and b == "json" for a, b in zip(args, args[1:]))


def _kind(error: BaseException) -> set[str]:
    """Class names in ``error``'s ancestry: typer's parser exceptions come from click or from typer's own copy of
    it, depending on the typer version, so they are recognised by name (``UsageError``, ``Abort``...)."""
    return {cls.__name__ for cls in type(error).__mro__}


def main(args: Optional[list[str]] = None) -> None:
    """Console-script entry point: usage errors of the parser are reported like every other error (exit 2)."""
    argv = list(sys.argv[1:] if args is None else args)
    try:
        code = app(args=argv, prog_name="kbsolve", standalone_mode=False)
    except KbError as error:  # pragma: no cover - commands handle their own
        _report(error, _wants_json(argv))
        sys.exit(error.exit_code)
    except Exception as error:
        kinds = _kind(error)
        context = getattr(error, "ctx", None)
        if "NoArgsIsHelpError" in kinds:
            typer.echo(context.get_help() if context else str(error))
            sys.exit(0)
        if "UsageError" in kinds:
            command = context.command_path if context else "kbsolve"
            message = error.format_message() if hasattr(error, "format_message") else str(error)
            _report(InputError(message, hint=f"see {command} --help"), _wants_json(argv))
            sys.exit(2)
        if "Abort" in kinds:
            sys.exit(130)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
