"""The fast ``kbsolve plan`` path answers exactly as the typer command does, with the same options."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from kbsolver import launcher
from kbsolver.cli import app

try:  # click < 8.2 mixes stderr into stdout unless told not to
    runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
except TypeError:
    runner = CliRunner()


def test_fast_path_knows_exactly_the_typer_plan_options() -> None:
    command = typer.main.get_command(app).commands["plan"]  # type: ignore[attr-defined]
    options = {opt for param in command.params for opt in param.opts}
    assert options == set(launcher.PLAN_VALUES) | set(launcher.PLAN_FLAGS)


@pytest.mark.parametrize("args", [
    ["plan", "--gpu", "rtx3060", "--python", "3.8", "--os", "windows"],
    ["plan", "--gpu=rtx3060", "--python", "3.5", "--os", "linux", "--format", "json"],
    ["plan", "--compute-capability", "8.6", "--driver", "450.80.02", "--os", "linux", "--cpu-only"],
    ["plan", "--gpu", "rtx9999"],
    ["plan", "--python", "2.7.18", "--os", "macos", "--arch", "arm64", "--tensorflow", "<2.0"],
])
def test_fast_path_prints_what_typer_prints(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert launcher.parse_plan(args) is not None
    with pytest.raises(SystemExit) as exited:
        launcher.main(args)
    fast = capsys.readouterr()
    typed = runner.invoke(app, args)
    assert (exited.value.code, fast.out, fast.err) == (typed.exit_code, typed.stdout, typed.stderr)


@pytest.mark.parametrize("args", [["plan", "--help"], ["plan", "--gpu"], ["plan", "--format", "yaml"], ["detect"],
                                  ["plan", "--gpu", "a", "--gpu", "b"], ["plan", "--unknown", "x"], []])
def test_anything_unusual_is_left_to_typer(args: list[str]) -> None:
    assert launcher.parse_plan(args) is None
