"""The doctor's reasoning from facts the text states: each test pins one rule with real facts.

Facts used: Rosetta 2 does not translate AVX before macOS 15 (Apple, "About the Rosetta translation environment");
the Core 2 and Westmere-EX families have no AVX (Intel); tensorflow-gpu had no macOS build after 1.1
(TensorFlow 1.1 release notes); TensorFlow's PyPI wheels start at 0.12.0; tensorflow-cpu publishes no
Linux aarch64 wheel; Python 3.7 made ``async`` a reserved keyword.
"""

from __future__ import annotations

from typing import Any

import pytest

from kbsolver.doctor import diagnose, read_error
from kbsolver.knowledge import Knowledge


def first(kb: Knowledge, declared: dict[str, Any], text: str) -> tuple[str, Any]:
    report = diagnose(kb, None, declared, read_error(text))
    return (report.findings[0].id if report.findings else "none"), report


def test_illegal_instruction_on_apple_silicon_is_the_x86_build_under_rosetta(kb: Knowledge) -> None:
    got, report = first(kb, {"os": "macos", "arch": "arm64"}, "zsh: illegal hardware instruction  python")
    assert got == "no-wheel-for-platform"
    assert any("Rosetta 2" in item for item in report.findings[0].evidence)
    # the same line on an Intel Mac is the CPU's AVX
    assert first(kb, {"os": "macos", "arch": "x86_64"}, "zsh: illegal hardware instruction  python")[0] == "cpu-lacks-avx"


def test_an_apple_silicon_mac_named_in_prose_gives_arm64(kb: Knowledge) -> None:
    got, report = first(kb, {}, "The m1 Macs don't have the AVX extensions, so Spleeter cannot be run on them.")
    assert (report.facts.os, report.facts.arch) == ("macos", "arm64") and got == "no-wheel-for-platform"


@pytest.mark.parametrize("cpu", ["Intel Core 2 Quad CPU Q8400 2.66GHz", "Intel(R) Xeon(R) CPU E7- 8837 @ 2.67GHz"])
def test_a_declared_cpu_without_avx_is_checked_like_a_flag(kb: Knowledge, cpu: str) -> None:
    got, report = first(kb, {"os": "windows", "cpu": cpu, "tensorflow": "2.3.0"}, "DLL load failed error?")
    assert got == "cpu-lacks-avx"
    assert any(v.finding == "cpu-lacks-avx" for v in report.check.violations)


def test_a_later_xeon_e7_with_avx_is_not_flagged(kb: Knowledge) -> None:
    report = diagnose(kb, None, {"os": "linux", "cpu": "Intel(R) Xeon(R) CPU E7-8890 v4 @ 2.20GHz", "tensorflow": "2.3.0"},
                      read_error(""))
    assert not any(v.finding == "cpu-lacks-avx" for v in report.check.violations)


def test_a_pip_listing_shows_two_distributions_that_shadow_each_other(kb: Knowledge) -> None:
    text = "tensorflow                2.2.0\ntensorflow-cpu         2.2.0"
    got, report = first(kb, {"os": "linux", "package": "tensorflow-cpu", "tensorflow": "2.2.0"}, text)
    assert got == "package-confusion" and set(report.facts.distributions) == {"tensorflow", "tensorflow-cpu"}


def test_prose_tensorflow_version_does_not_name_the_distribution(kb: Knowledge) -> None:
    report = diagnose(kb, None, {}, read_error("I was getting bad outputs with Tensorflow 1.13."))
    assert report.facts.tensorflow == "1.13" and report.facts.package is None
    report = diagnose(kb, None, {}, read_error("ERROR: No matching distribution found for tensorflow-gpu==1.13.1"))
    assert (report.facts.package, report.facts.tensorflow) == ("tensorflow-gpu", "1.13.1")


def test_cannot_install_tensorflow_cpu_on_arm64_linux_asks_the_index(kb: Knowledge) -> None:
    got, report = first(kb, {"os": "linux", "arch": "arm64", "python": "3.10"}, "I cannot install **tensorflow-cpu**")
    assert got == "no-wheel-for-platform"
    assert any("no tensorflow-cpu wheel for linux arm64" in item for item in report.findings[0].evidence)


def test_tensorflow_gpu_after_1_1_on_macos_is_a_platform_finding(kb: Knowledge) -> None:
    got, report = first(kb, {"os": "macos", "package": "tensorflow-gpu", "tensorflow": "1.3.0"}, "")
    assert got == "no-wheel-for-platform"
    assert any("no build for macos" in v.reason for v in report.check.violations)


def test_a_release_older_than_pypi_is_not_judged_by_pypi(kb: Knowledge) -> None:
    report = diagnose(kb, None, {"os": "linux", "python": "2.7", "tensorflow": "0.10.0"}, read_error(""))
    assert not report.check.violations
    assert any("older than any release in the matrix" in line for line in report.check.checked)


def test_the_async_keyword_error_is_a_tensorflow_older_than_the_python(kb: Knowledge) -> None:
    text = "    def TFE_ContextOptionsSetAsync(arg1, async):\n" + " " * 41 + "^\nSyntaxError: invalid syntax"
    assert first(kb, {"os": "windows", "python": "3.8"}, text)[0] == "python-unsupported"


def test_a_missing_cudart_is_a_failure_when_the_reporter_has_a_gpu(kb: Knowledge) -> None:
    lines = ("Could not load dynamic library 'cudart64_110.dll'; dlerror: cudart64_110.dll not found\n"
             "Ignore above cudart dlerror if you do not have a GPU set up on your machine.")
    assert first(kb, {"os": "windows"}, lines)[1].findings == []  # TensorFlow's own note: harmless without a GPU
    assert first(kb, {"os": "windows"}, lines + "\nI do have a GPU set up, so should I be worried?")[0] == \
        "cuda-library-mismatch"


def test_harmless_start_up_lines_give_notes_not_findings(kb: Knowledge) -> None:
    text = ("E0000 00:00:1736841518.537290   68237 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to "
            "register factory for plugin cuDNN when one has already been registered\n"
            "W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT")
    report = diagnose(kb, None, {"os": "linux"}, read_error(text))
    assert report.status == "ok" and report.findings == [] and len(report.notes) >= 2


def test_the_allocators_not_a_failure_warning_is_no_oom(kb: Knowledge) -> None:
    text = ("W tensorflow/core/common_runtime/bfc_allocator.cc:237] Allocator (GPU_0_bfc) ran out of memory trying to "
            "allocate 2.14GiB with freed_by_count=0. The caller indicates that this is not a failure, but may mean "
            "that there could be performance gains if more memory were available.")
    assert first(kb, {"os": "linux"}, text)[0] != "gpu-out-of-memory"
    assert first(kb, {"os": "linux"}, "ResourceExhaustedError: OOM when allocating tensor")[0] == "gpu-out-of-memory"


def test_tf1_api_on_tf2_is_not_an_install_problem(kb: Knowledge) -> None:
    report = diagnose(kb, None, {}, read_error("AttributeError: module 'tensorflow' has no attribute 'Session'"))
    assert report.findings == [] and any("tf.compat.v1" in note for note in report.notes)
