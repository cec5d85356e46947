"""Plans a user can paste: every command names its shell and survives that shell's parser; WSL2, AVX, driver
ceilings, suggestion commands, JSON errors, short text plans, and validate in a checkout."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kbsolver
from kbsolver.cli import app, main
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.schema import validate_output
from kbsolver.solve.result import PlanResult

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

#: One plan per era of the official guide, per shell: Linux recipes (apt CUDA 9/10/11, conda, and-cuda), WSL2,
#: native Windows (CUDA installers + PATH, conda), macOS, Linux arm64.
SAMPLE: list[dict[str, Any]] = [
    {"gpu": "gtx1080", "python": "3.6", "os": "linux", "tensorflow": "1.12.*"},
    {"gpu": "gtx1080", "python": "3.7", "os": "linux", "tensorflow": "1.15.*"},
    {"gpu": "gtx1080", "python": "3.8", "os": "linux", "tensorflow": "2.3.*"},
    {"gpu": "rtx3060", "python": "3.8", "os": "linux", "tensorflow": "2.4.*"},
    {"gpu": "rtx3060", "python": "3.9", "os": "linux", "tensorflow": "2.8.*"},
    {"gpu": "rtx3060", "python": "3.9", "os": "linux", "tensorflow": "2.11.*"},
    {"gpu": "rtx3060", "python": "3.10", "os": "linux", "tensorflow": "2.12.*"},
    {"gpu": "rtx3060", "python": "3.8", "os": "linux"},
    {"gpu": "rtx4060", "python": "3.12", "os": "linux"},
    {"gpu": "Tesla K80", "python": "3.9", "os": "linux"},
    {"gpu": "rtx3060", "python": "3.11", "os": "wsl2"},
    {"gpu": "rtx3060", "python": "3.9", "os": "wsl2", "tensorflow": "2.8.*"},
    {"gpu": "rtx3060", "python": "3.10", "os": "wsl2", "tensorflow": "2.10.*"},
    {"gpu": "rtx3060", "python": "3.10", "os": "wsl2", "tensorflow": "2.13.*"},
    {"python": "3.11", "os": "macos", "arch": "arm64"},
    {"python": "3.10", "os": "macos", "arch": "x86_64"},
    {"python": "3.7", "os": "linux", "arch": "arm64", "cpu_only": True},
    {"python": "3.6", "os": "linux", "cpu_only": True, "avx": False},
    {"gpu": "rtx3060", "python": "3.8", "os": "windows"},
    {"gpu": "gtx1080", "python": "3.8", "os": "windows", "tensorflow": "2.3.*"},
    {"gpu": "gtx1080", "python": "3.7", "os": "windows", "tensorflow": "1.15.*"},
    {"gpu": "rtx3060", "python": "3.9", "os": "windows", "tensorflow": "2.6.*"},
    {"python": "3.12", "os": "windows", "cpu_only": True},
    {"python": "3.8", "os": "windows", "cpu_only": True},
]


def solve(kb: Knowledge, query: dict[str, Any]) -> PlanResult:
    flags = dict(query)
    result = kbsolver.plan(kbsolver.make_query(kb, **flags), kb)
    assert result.plan is not None, (query, result.conflict)
    return result


def commands(result: PlanResult) -> list[tuple[str, str]]:
    assert result.plan is not None
    return [(step.shell or "", command) for step in result.plan.steps for command in step.commands]


@pytest.fixture(scope="module")
def plans(kb: Knowledge) -> list[tuple[dict[str, Any], PlanResult]]:
    return [(query, solve(kb, query)) for query in SAMPLE]


def test_every_step_names_the_shell_of_its_os_and_no_plan_repeats_a_title(plans: list) -> None:
    for query, result in plans:
        wanted = "powershell" if query["os"] == "windows" else "bash"
        shells = {shell for shell, _ in commands(result)}
        assert shells <= ({"powershell", "cmd"} if wanted == "powershell" else {"bash"}), (query, shells)
        titles = [step.description for step in result.plan.steps]
        assert len(titles) == len(set(titles)), (query, titles)
        assert all("\n" not in command for _, command in commands(result)), query
        assert validate_output(result.to_dict(), "plan") == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_every_bash_command_of_the_sample_parses_in_bash(plans: list, tmp_path: Path) -> None:
    checked = 0
    for query, result in plans:
        for shell, command in commands(result):
            if shell != "bash":
                continue
            script = tmp_path / "step.sh"
            script.write_text(command + "\n", encoding="utf-8")
            done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
            assert done.returncode == 0, (query, command, done.stderr)
            checked += 1
    assert checked >= 60


#: What Windows PowerShell 5.1 cannot run or runs differently: pipeline chain operators (PowerShell 7 only), bash
#: built-ins and variables, cmd's SET and %VAR%, line continuations.
POWERSHELL_FORBIDDEN = re.compile(r"&&|\|\||^export |^source |\bSET PATH=|%[A-Za-z_]+%|\$(?!env:|true\b|false\b)[A-Za-z_{(]"
                                  r"|\\$|^\./|\bpython3\b", re.I)


def powershell_problems(command: str) -> list[str]:
    """Rule-based syntax check of one PowerShell command (no pwsh can be installed here)."""
    problems = []
    if POWERSHELL_FORBIDDEN.search(command):
        problems.append(f"forbidden construct: {POWERSHELL_FORBIDDEN.search(command).group(0)!r}")  # type: ignore[union-attr]
    quote = None
    depth = 0
    for char in command:  # quotes are balanced; brackets balance outside quotes
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                problems.append("unbalanced brackets")
    if quote or depth:
        problems.append("unbalanced quotes or brackets")
    return problems


def test_powershell_rules_reject_what_windows_powershell_51_cannot_run() -> None:
    assert powershell_problems("conda create --name tf-env python=3.8 && conda activate tf-env")
    assert powershell_problems(r"SET PATH=C:\tools\cuda\bin;%PATH%")
    assert powershell_problems("export LD_LIBRARY_PATH=$CONDA_PREFIX/lib")
    assert powershell_problems("python -c \"print('x')")
    assert powershell_problems("$env:Path = 'C:\\x;' + $env:Path") == []


def test_every_windows_command_of_the_sample_passes_the_powershell_rules(plans: list) -> None:
    pwsh = shutil.which("pwsh")
    for query, result in plans:
        for shell, command in commands(result):
            if shell != "powershell":
                continue
            assert powershell_problems(command) == [], (query, command)
            if pwsh:  # the real parser, where PowerShell 7 is installed
                script = "$e=$null; [void][System.Management.Automation.Language.Parser]::ParseInput($args[0], [ref]$null, " \
                         "[ref]$e); if ($e) { exit 1 }"
                done = subprocess.run([pwsh, "-NoProfile", "-Command", script, command], capture_output=True, check=False)
                assert done.returncode == 0, (query, command)


def plan_json(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["plan", *args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_windows_plan_has_powershell_commands_without_bash_constructs() -> None:
    code, data = plan_json("--gpu", "rtx3060", "--python", "3.8", "--os", "windows")
    assert code == 0 and data["schema_version"] == 2
    steps = [s for s in data["plan"]["steps"] if "commands" in s]
    assert steps and all(s["shell"] in ("powershell", "cmd") for s in steps)
    for command in (c for s in steps for c in s["commands"]):
        assert not re.search(r"&&|\bexport\b|\bsource\b|\$CONDA_PREFIX", command), command


def test_wsl2_driver_is_the_windows_hosts_and_no_step_installs_a_linux_driver() -> None:
    code, data = plan_json("--gpu", "rtx3060", "--python", "3.11", "--os", "wsl2")
    assert code == 0 and data["query"]["environment"] == "wsl2" and data["query"]["os"] == "linux"
    driver = next(c for c in data["plan"]["components"] if c["name"] == "nvidia-driver")
    assert driver["installed_on"] == "windows-host"
    assert tuple(int(n) for n in driver["min_version"].split(".")) >= (527, 41)  # Windows floor of CUDA 12 (Table 2/3)
    everything = json.dumps(data["plan"]["steps"])
    assert not re.search(r"nvidia-driver-\d|cuda-drivers|apt-get install [^\"]*\bcuda-\d", everything)
    driver_step = next(s for s in data["plan"]["steps"] if "nvidia-smi" in s.get("commands", []))
    assert "Windows host" in driver_step["description"] and "never install a Linux NVIDIA driver" in driver_step["description"]


def test_wsl2_apt_recipe_installs_the_toolkit_package_only(kb: Knowledge) -> None:
    result = solve(kb, {"gpu": "rtx3060", "python": "3.9", "os": "wsl2", "tensorflow": "2.8.*"})
    text = " ".join(c for _, c in commands(result))
    assert "cuda-toolkit-11-2" in text and not re.search(r"\bcuda-11-2\b|nvidia-driver-", text)


def test_use_wsl2_suggestion_gives_the_wsl2_plan() -> None:
    code, data = plan_json("--gpu", "rtx3060", "--python", "3.12", "--os", "windows")
    assert code == 1
    wsl = next(s for s in data["conflict"]["suggestions"] if s["change"] == {"os": "wsl2"})
    assert "--os wsl2" in wsl["command"]


def test_kepler_driver_has_a_ceiling_in_the_470_branch() -> None:
    code, data = plan_json("--gpu", "Tesla K80", "--python", "3.9", "--os", "linux")
    assert code == 0
    driver = next(c for c in data["plan"]["components"] if c["name"] == "nvidia-driver")
    assert driver["max_version"] == "470.*"
    assert "R470" in data["plan"]["steps"][0]["description"]


def test_no_avx_plans_below_1_6_or_says_no_official_wheel_fits(kb: Knowledge) -> None:
    tf = solve(kb, {"python": "3.6", "os": "linux", "cpu_only": True, "avx": False}).plan.component("tensorflow")
    assert tf is not None and tuple(int(n) for n in tf.version.split(".")[:2]) < (1, 6)
    code, data = plan_json("--python", "3.8", "--os", "linux", "--cpu-only", "--no-avx")
    assert code == 1 and "without AVX" in " ".join(r["message"] for r in data["conflict"]["reasons"])
    assert all("--no-avx" in s["command"] for s in data["conflict"]["suggestions"])


def test_no_avx_does_not_constrain_arm64(kb: Knowledge) -> None:
    tf = solve(kb, {"python": "3.10", "os": "linux", "arch": "arm64", "avx": False}).plan.component("tensorflow")
    assert tf is not None and tf.version.startswith("2.")


def test_linux_aarch64_python37_gets_tensorflow_cpu_aws_2_11_1(kb: Knowledge) -> None:
    tf = solve(kb, {"python": "3.7", "os": "linux", "arch": "arm64", "cpu_only": True}).plan.component("tensorflow")
    assert tf is not None and (tf.package, tf.version) == ("tensorflow-cpu-aws", "2.11.1")


def test_every_suggestion_is_a_full_plan_command_that_gives_a_plan() -> None:
    conflicts = [["--gpu", "rtx3060", "--python", "3.12", "--os", "windows"],
                 ["--gpu", "rtx3060", "--python", "3.8", "--os", "windows", "--tensorflow", "2.3"]]
    for number, flags in enumerate(conflicts):
        code, data = plan_json(*flags)
        assert code == 1 and data["conflict"]["suggestions"]
        for suggestion in data["conflict"]["suggestions"]:
            command = suggestion["command"]
            assert command.startswith("kbsolve plan --gpu ") and "..." not in command and "'" not in command
            if number == 0:  # pasted back (quotes as a shell removes them), each gives a plan
                words = re.findall(r'"[^"]*"|\S+', command)[2:]
                again, _ = plan_json(*[w.strip('"') for w in words])
                assert again == 0, command


def test_unknown_gpu_in_json_mode_is_a_json_error_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["plan", "--gpu", "rtx3600", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert exit_.value.code == 2 and validate_output(data, "error") == []
    assert (data["status"], data["flag"], data["reference"]) == ("error", "--gpu", "unknown-gpu")
    assert "GeForce RTX 3060" in data["hint"]


def test_usage_errors_are_one_line_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["plan", "--cpu-only", "true"])
    captured = capsys.readouterr()
    assert exit_.value.code == 2 and captured.err.startswith("kbsolve: error: ") and captured.err.count("\n") == 1
    with pytest.raises(SystemExit) as exit_:
        main(["plan", "--no-such-flag", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert exit_.value.code == 2 and data["status"] == "error" and data["flag"] == "--no-such-flag"


def test_version_and_flags_shown_as_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("kbsolve ")
    help_text = runner.invoke(app, ["plan", "--help"]).stdout
    assert "--cpu-only" in help_text and "<bool>" not in help_text and "--no-avx" in help_text


def test_rtx3060_python38_linux_text_plan_fits_in_40_lines() -> None:
    result = runner.invoke(app, ["plan", "--gpu", "rtx3060", "--python", "3.8", "--os", "linux"])
    lines = result.stdout.rstrip("\n").splitlines()
    assert result.exit_code == 0 and len(lines) <= 40, "\n".join(lines)
    assert "$ conda create --name tf-env python=3.8" in result.stdout and "Sources: " in result.stdout
    assert "https://" not in result.stdout.split("Notes:")[1].split("Sources:")[1]
    verbose = runner.invoke(app, ["plan", "--gpu", "rtx3060", "--python", "3.8", "--os", "linux", "--verbose"]).stdout
    assert "https://developer.nvidia.com/cuda-gpus" in verbose and "450.80.02" in verbose


def test_detected_avx_drops_the_avx_note(kb: Knowledge) -> None:
    plain = solve(kb, {"gpu": "rtx3060", "python": "3.8", "os": "linux"}).plan
    seen = solve(kb, {"gpu": "rtx3060", "python": "3.8", "os": "linux", "avx": True, "python_bits": 64,
                      "glibc": "2.35"}).plan
    assert any("AVX" in n for n in plain.notes) and not any("AVX" in n for n in seen.notes)
    assert not any("glibc" in n or "64-bit" in n for n in seen.notes)
    assert any("AVX" in n for n in seen.details)


def test_validate_without_argument_checks_the_checkout_it_runs_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "matrix", tmp_path / "matrix")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "kbsolver"\n', encoding="utf-8")
    cudnn = tmp_path / "matrix" / "cudnn.yaml"
    cudnn.write_text(cudnn.read_text(encoding="utf-8").replace("records:", "records:\n  - {id: broken}", 1), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1 and "cudnn.yaml" in result.stdout
    assert str(tmp_path / "matrix") in result.output  # says which directory it validated


def test_checkout_is_found_from_a_subdirectory_only_when_pyproject_names_kbsolver(tmp_path: Path) -> None:
    from kbsolver.cli import find_checkout

    (tmp_path / "matrix").mkdir()
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    assert find_checkout(tmp_path / "deep" / "er") is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "kbsolver"\n', encoding="utf-8")
    assert find_checkout(tmp_path / "deep" / "er") == tmp_path


def test_matrix_views_never_shorten_a_cell_and_sort_versions_as_versions() -> None:
    cuda = runner.invoke(app, ["matrix", "cuda", "--gpu", "rtx5090"]).stdout
    assert "..." not in cuda and "12.0" in cuda.splitlines()[2]
    wheels = runner.invoke(app, ["matrix", "wheels", "--package", "tensorflow", "--tensorflow", "2.8.0", "--os", "linux",
                                 "--format", "json"]).stdout
    pythons = [row["python"] for row in json.loads(wheels)]
    assert pythons == ["3.7", "3.8", "3.9", "3.10"]


def test_detect_inside_wsl2_without_avx_sets_the_plan_flags() -> None:
    from kbsolver.api import detected_flags
    from kbsolver.detect import Snapshot, found

    snapshot = Snapshot()
    snapshot.sections["os"] = {"name": found("linux", "sys.platform"), "arch": found("x86_64", "platform.machine()"),
                               "wsl": found(2, "/proc/version"), "glibc": found("2.35", "ldd --version")}
    snapshot.sections["cpu"] = {"flags": found({"sse2": True, "avx": False}, "/proc/cpuinfo flags")}
    snapshot.sections["python"] = {"version": found("3.10.12", "sys.version_info"), "bits": found(64, "sys.maxsize")}
    flags = detected_flags(snapshot)
    assert (flags["os"], flags["avx"], flags["glibc"], flags["python_bits"]) == ("wsl2", False, "2.35", 64)
    snapshot.sections["os"]["arch"] = found("arm64", "platform.machine()")
    assert "avx" not in detected_flags(snapshot)  # Arm CPUs report no x86 flags: that says nothing about AVX
