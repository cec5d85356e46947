"""The consistency check: installed versions pinned against the solver's own requirements.

Plans from tests/cases/plans.yaml are installed as they were planned (consistent), then one fact
is pinned wrong (CUDA, driver, Python, TensorFlow): the check must report the requirement it breaks.
Also: the examples from the issue that asked for it (doctor gave false all-clears before).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml
from typer.testing import CliRunner

import kbsolver
from kbsolver.cli import app
from kbsolver.detect import RecordedSystem, detect
from kbsolver.doctor import FINDING_IDS, diagnose, read_error
from kbsolver.doctor.symptoms import match, text_facts
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.schema import validate_output
from kbsolver.solve import Factory
from kbsolver.solve.check import Environment, check

HERE = Path(__file__).parent
PLANS = [c for c in yaml.safe_load((HERE / "cases" / "plans.yaml").read_text(encoding="utf-8"))
         if c["expect"].get("status") == "ok"]
try:
    runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
except TypeError:
    runner = CliRunner()


def installed(kb: Knowledge, case: dict[str, Any]) -> Optional[Environment]:
    """The environment a user has after following the scenario's plan exactly."""
    query = kbsolver.make_query(kb, **{("compute_capability_" if k == "compute_capability" else k): v
                                       for k, v in case["query"].items()})
    result = kbsolver.plan(query, kb)
    if result.plan is None:
        return None
    parts = {c.name: c for c in result.plan.components}
    tf = parts["tensorflow"]
    driver = parts.get("nvidia-driver")
    return Environment(
        os=query.os, arch=query.arch, python=parts["python"].version, package=tf.package, tensorflow=tf.version,
        distributions=(tf.package or "tensorflow",), gpu=query.gpu, compute_capability=query.compute_capability,
        driver=driver.min_version if driver else None,
        cuda=parts["cuda"].version if "cuda" in parts else None,
        cudnn=parts["cudnn"].version if "cudnn" in parts else None,
        msvc_runtime=True if query.os == "windows" else None, origin={})


@pytest.mark.parametrize("case", PLANS, ids=[c["name"] for c in PLANS])
def test_a_planned_install_is_consistent(kb: Knowledge, case: dict[str, Any]) -> None:
    env = installed(kb, case)
    assert env is not None
    report = check(kb, env)
    assert report.violations == [], [v.reason for v in report.violations]


def _wrong_python(kb: Knowledge, env: Environment) -> Optional[str]:
    assert env.tensorflow
    factory = Factory(kb, kbsolver.Query(os=env.os or "", arch=env.arch or ""))
    builds = [c for c in factory.tensorflow_candidates("gpu" if env.compute_capability else "cpu") if c.version == env.tensorflow]
    return next((p for p in ("2.7", "3.5", "3.14", "3.13") if p != env.python and not any(p in c.pythons for c in builds)), None)


@pytest.mark.parametrize("case", PLANS, ids=[c["name"] for c in PLANS])
def test_a_wrong_pin_is_reported(kb: Knowledge, case: dict[str, Any]) -> None:
    env = installed(kb, case)
    assert env is not None
    wrong_python = _wrong_python(kb, env)
    if wrong_python:
        broken = check(kb, Environment(**{**env.__dict__, "python": wrong_python}))
        assert [v.finding for v in broken.violations][:1] == ["python-unsupported"], wrong_python
    if env.compute_capability and env.driver:
        broken = check(kb, Environment(**{**env.__dict__, "driver": "340.29"}))
        assert "driver-too-old" in [v.finding for v in broken.violations]
    build = kbsolver.solve.check.gpu_build(kb, env.os or "", env.arch or "", env.tensorflow or "", env.package)
    if env.cuda and build is not None and build.cuda_from != "pip":  # pip-CUDA builds ignore a system toolkit
        other = "9.0" if not env.cuda.startswith("9") else "11.2"
        broken = check(kb, Environment(**{**env.__dict__, "cuda": other}))
        assert "cuda-library-mismatch" in [v.finding for v in broken.violations]
        assert any(f"CUDA {env.cuda}" in v.reason for v in broken.violations)
    if env.compute_capability and env.os == "windows":
        broken = check(kb, Environment(**{**env.__dict__, "tensorflow": "2.16.1", "python": "3.11"}))
        assert [v.finding for v in broken.violations] == ["windows-native-gpu-ended"]


# -- the examples that gave false all-clears ----------------------------------------------------

def doctor(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["doctor", *args, "--format", "json"])
    data = json.loads(result.stdout)
    assert validate_output(data, "doctor") == []
    return result.exit_code, data


AMPERE = ["--no-detect", "--os", "linux", "--python", "3.8", "--tensorflow", "2.3", "--gpu", "RTX 3090", "--cuda", "10.1"]


def test_ampere_on_cuda_10_1_with_its_error() -> None:
    code, data = doctor(*AMPERE, "--error", "tensorflow.python.framework.errors_impl.InternalError: CUDA runtime implicit "
                                            "initialization on GPU:0 failed. Status: device kernel image is invalid")
    assert code == 1 and data["status"] == "findings"
    first = data["findings"][0]
    assert first["id"] == "compute-capability"
    assert any("CUDA 10.1 targets compute capabilities 3.0 to 7.5" in e for e in first["evidence"])


def test_ampere_on_cuda_10_1_without_error_text() -> None:
    code, data = doctor(*AMPERE)
    assert code == 1 and data["findings"][0]["id"] == "compute-capability"


def test_ptx_jit_driver_floor() -> None:
    code, data = doctor("--no-detect", "--os", "linux", "--tensorflow", "2.12", "--gpu", "RTX 3060", "--driver", "450.80.02")
    first = data["findings"][0]
    assert code == 1 and first["id"] == "driver-too-old"
    assert any("PTX JIT of CUDA 11.8" in e and "520.61.05" in e for e in first["evidence"])
    assert "520.61.05" in first["fix"][0]


def test_windows_2_16_cannot_use_the_gpu() -> None:
    code, data = doctor("--no-detect", "--os", "windows", "--python", "3.11", "--tensorflow", "2.16", "--cuda", "12.3",
                        "--error", "Pytorch's gpu is available, but tensorflow==2.16 can't utilize the gpu.")
    first = data["findings"][0]
    assert code == 1 and first["id"] == "windows-native-gpu-ended"
    assert first["plan"]["query"]["os"] == "linux"


def _snapshot(tmp_path: Path) -> Path:
    """A full snapshot recorded from a Linux machine whose Xeon Gold 6132 has AVX (tests/fixtures/detect)."""
    fixture = yaml.safe_load((HERE / "fixtures" / "detect" / "linux-xeon-gold-6132-avx512.yaml").read_text(encoding="utf-8"))
    snapshot = detect(RecordedSystem.from_fixture(fixture), use_nvml=False)
    assert snapshot.get("cpu", "flags")["avx"] is True and snapshot.get("os", "name") == "linux"
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot.to_dict()), encoding="utf-8")
    return path


def test_illegal_instruction_on_a_cpu_with_avx_is_unexplained(tmp_path: Path) -> None:
    snapshot = _snapshot(tmp_path)
    code, data = doctor("--snapshot", str(snapshot), "--error", "Illegal instruction (core dumped)")
    assert code == 1 and data["status"] == "unexplained" and data["findings"] == []
    assert any("instruction" in s for s in data["symptoms"])
    assert any("AVX2" in step for step in data["next_steps"])


def test_windows_traceback_on_a_linux_machine_diagnoses_the_text(tmp_path: Path) -> None:
    snapshot = _snapshot(tmp_path)
    error = tmp_path / "error.txt"
    error.write_text('Traceback (most recent call last):\n  File "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python37'
                     '\\lib\\site-packages\\tensorflow\\python\\pywrap_tensorflow.py", line 58, in <module>\n'
                     "ImportError: DLL load failed: The specified module could not be found.\n", encoding="utf-8")
    code, data = doctor("--snapshot", str(snapshot), "--error-file", str(error))
    assert code == 1
    assert data["facts"]["os"]["value"] == "windows" and "error line 2" in data["facts"]["os"]["origin"]
    assert data["facts"]["python"]["value"] == "3.7"
    assert any("comes from a windows machine" in note for note in data["notes"])
    assert data["findings"][0]["id"] == "msvc-runtime-missing"


def test_no_failure_symptom_and_nothing_inconsistent_exits_0() -> None:
    code, data = doctor("--no-detect", "--os", "linux", "--python", "3.11", "--tensorflow", "2.16.1")
    assert code == 0 and data["status"] == "ok" and data["checked"]


@pytest.mark.parametrize("text", [
    "Illegal instruction (core dumped)",
    "ImportError: DLL load failed: The specified module could not be found.",
    "Num GPUs Available:  0",
    "Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR",
])
def test_a_failure_symptom_never_exits_0(text: str) -> None:
    code, data = doctor("--no-detect", "--error", text)
    assert code == 1 and data["status"] in ("findings", "unexplained")


# -- the symptom catalogue and facts from the text ---------------------------------------------

def test_finding_vocabulary_is_one_list() -> None:
    schema = json.loads((HERE.parent / "schemas" / "symptoms.schema.json").read_text(encoding="utf-8"))
    assert set(schema["$defs"]["finding"]["enum"]) == set(FINDING_IDS)
    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    assert all(f"`{finding}`" in readme for finding in FINDING_IDS)


def test_every_symptom_example_is_recognised_as_its_symptom(kb: Knowledge) -> None:
    assert len(kb.symptoms) >= 30
    for symptom in kb.symptoms:
        assert symptom.sources and symptom.examples, symptom.id
        for example in symptom.examples:
            hits = match(kb, read_error(example))
            assert symptom.id in hits, (symptom.id, example)
        for finding, _ in symptom.findings:
            assert finding in FINDING_IDS


@pytest.mark.parametrize(("cpu", "without_avx"), [
    ("Intel(R) Celeron(R) CPU N3050 @ 1.60GHz", True),
    ("Intel(R) Celeron(R) CPU J1900 @ 1.99GHz", True),
    ("Intel(R) Pentium(R) Silver N5000 CPU @ 1.10GHz", True),
    ("Intel(R) Pentium(R) CPU G640 @ 2.80GHz", True),
    ("Intel(R) Pentium(R) Gold G5400 CPU @ 3.70GHz", True),
    ("Intel(R) Core(TM) i5 CPU M 480 @ 2.67GHz", False),  # the pattern needs the model number form i5-480M
    ("Intel(R) Pentium(R) Gold 7505 @ 2.00GHz", False),  # Tiger Lake: AVX2
    ("11th Gen Intel(R) Celeron(R) 6305 @ 1.80GHz", False),  # Tiger Lake: AVX2
    ("Intel(R) Pentium(R) Gold 8505", False),  # Alder Lake: AVX2
    ("Intel(R) Celeron(R) G6900 @ 3.40GHz", False),  # Alder Lake: AVX2
    ("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", False),
])
def test_cpu_families_without_avx(kb: Knowledge, cpu: str, without_avx: bool) -> None:
    record = next(s for s in kb.symptoms if s.id == "cpu-model-without-avx")
    assert any(re.search(p, cpu, re.I) for p in record.patterns) is without_avx


def test_facts_read_from_the_text(kb: Knowledge) -> None:
    text = read_error('  File "C:\\Users\\u\\AppData\\Local\\Programs\\Python\\Python37-32\\lib\\site-packages\\x.py"\n'
                      "Could not load dynamic library 'cudart64_110.dll'; dlerror: cudart64_110.dll not found\n")
    facts = {f.name: f.value for f in text_facts(match(kb, text))}
    assert facts == {"os": "windows", "python": "3.7", "python_bits": 32}
    linux = read_error("Successfully installed tensorflow-gpu-2.4.0\nlibcudart.so.11.0: cannot open shared object file")
    facts = {f.name: f.value for f in text_facts(match(kb, linux))}
    assert facts["os"] == "linux" and facts["package"] == "tensorflow-gpu" and facts["tensorflow"] == "2.4.0"


def test_facts_stated_in_prose(kb: Knowledge) -> None:
    text = read_error("Ubuntu 18.04, python 3.6, tensorflow-gpu 1.12, CUDA 9.0, cudnn 7.1\n"
                      "GeForce GTX 1050 Ti with driver 391.35")
    facts = {f.name: f.value for f in text_facts(match(kb, text))}
    assert facts == {"os": "linux", "python": "3.6", "package": "tensorflow-gpu", "tensorflow": "1.12", "cuda": "9.0",
                     "cudnn": "7.1", "gpu": "GeForce GTX 1050 Ti", "driver": "391.35"}
    # WSL runs the Linux build: a line naming both Windows and WSL is Linux
    wsl = {f.name: f.value for f in text_facts(match(kb, read_error("Windows 11, Ubuntu 22.04 under WSL2")))}
    assert wsl["os"] == "linux"


def test_text_facts_reach_the_check(kb: Knowledge) -> None:
    """A version stated only in the text is checked like a declared one: TF 2.16 on Windows 10 has no GPU build."""
    report = diagnose(kb, None, {}, read_error("I installed tensorflow==2.16.1 on Windows 10, Num GPUs Available: 0"))
    assert report.findings[0].id == "windows-native-gpu-ended" and report.findings[0].score >= 0.8
    assert report.facts.tensorflow == "2.16.1" and report.facts.origin["tensorflow"].startswith("error text")
    unknown = diagnose(kb, None, {}, read_error("I installed it on Windows 10, Num GPUs Available: 0"))
    assert unknown.facts.tensorflow is None and unknown.findings[0].score < 0.8


def test_fixes_name_the_users_os_only(kb: Knowledge) -> None:
    report = diagnose(kb, None, {"os": "linux", "tensorflow": "2.4.0"},
                      read_error("Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot "
                                 "open shared object file: No such file or directory"))
    fix = " ".join(report.findings[0].fix)
    assert "LD_LIBRARY_PATH" in fix and "Windows" not in fix and "11.x" not in fix


def test_rules_name_only_catalogue_symptoms_and_list_them(kb: Knowledge) -> None:
    from kbsolver.doctor import rules

    source = Path(rules.__file__).read_text(encoding="utf-8")
    named = set(re.findall(r'c\.(?:line|lines|weight)\("([a-z0-9-]+)"', source))
    groups = re.findall(r"symptom in \(([^)]*)\)", source) + re.findall(r'strongest\("[a-z-]+", \(([^)]*)\)', source)
    named |= {s for group in groups for s in re.findall(r'"([a-z0-9-]+)"', group)}
    named.discard("cudart-stub-note")  # an informational symptom: read for its note, weighs no finding
    catalogue = {s.id for s in kb.symptoms}
    assert named <= catalogue, named - catalogue
    assert named == set(rules.READ_BY_RULES) - {"cudart-stub-note"}, named ^ set(rules.READ_BY_RULES)


def test_a_new_catalogue_symptom_reaches_findings_without_code(kb: Knowledge) -> None:
    report = diagnose(kb, None, {"os": "windows"}, read_error("Can't install tensorflow on ARM32  Windows10"))
    assert report.findings[0].id == "no-wheel-for-platform"  # arm-platform: weights only, no rule reads it


def test_no_avx_fix_never_offers_a_release_without_a_wheel_for_the_python(kb: Knowledge) -> None:
    report = diagnose(kb, None, {"os": "linux", "python": "3.8"}, read_error("Illegal instruction (core dumped)"))
    fix = " ".join(report.findings[0].fix)
    assert report.findings[0].id == "cpu-lacks-avx"
    assert "1.5" not in fix and "up to Python 3.6" in fix and "--no-avx" in fix
    old = diagnose(kb, None, {"os": "linux", "python": "3.6"}, read_error("Illegal instruction (core dumped)"))
    assert "TensorFlow 1.5.1" in " ".join(old.findings[0].fix)


def test_kbsolve_check_command() -> None:
    bad = runner.invoke(app, ["check", "--no-detect", "--os", "linux", "--tensorflow", "2.12.0", "--gpu", "RTX 3060",
                              "--driver", "450.80.02", "--format", "json"])
    data = json.loads(bad.stdout)
    assert bad.exit_code == 1 and data["status"] == "findings" and data["findings"][0]["id"] == "driver-too-old"
    good = runner.invoke(app, ["check", "--no-detect", "--os", "linux", "--tensorflow", "2.12.0", "--gpu", "RTX 3060",
                               "--driver", "535.104.05"])
    assert good.exit_code == 0 and "No problem found" in good.stdout
    assert runner.invoke(app, ["check", "--no-detect", "--os", "linux", "--tensorflow", "2.x"]).exit_code == 2


def test_versions_stated_in_prose_and_nvidia_smi_become_facts(kb: Knowledge) -> None:
    text = read_error("I have CUDA 11.2 and cuDNN 8.1 on my GTX 1050 Ti, Python 3.8.10\n"
                      "| NVIDIA-SMI 450.80.02    Driver Version: 450.80.02    CUDA Version: 11.0     |")
    report = diagnose(kb, None, {"os": "linux", "tensorflow": "2.12.0"}, text)
    facts = report.facts
    assert (facts.cuda, facts.cudnn, facts.python, facts.driver, facts.cuda_driver_max) == ("11.2", "8.1", "3.8",
                                                                                               "450.80.02", "11.0")
    assert facts.gpu == "GeForce GTX 1050 Ti" and facts.compute_capability == "6.1"
    assert "error line 1" in facts.origin["cuda"] and "error line 2" in facts.origin["driver"]
    assert report.findings[0].id == "driver-too-old"  # TF 2.12 loads CUDA 11.8; the driver supports CUDA up to 11.0


def test_every_catalogue_example_survives_the_long_text_prefilter(kb: Knowledge) -> None:
    from kbsolver.doctor.errortext import KEYWORDS

    missed = [(s.id, e) for s in kb.symptoms if any(w > 0 for _, w in s.findings) for e in s.examples
              if not KEYWORDS.search(e.lower())]
    assert missed == []


def test_a_decisive_line_in_the_middle_of_a_long_log_is_found(kb: Knowledge) -> None:
    lines = [f"2023-06-01 15:58:{i % 60:02d}.130390: I tensorflow/core/common_runtime/step {i}" for i in range(3000)]
    lines[1500] = "Loaded runtime CuDNN library: 8.0.5 but source was compiled with: 8.1.0"
    report = diagnose(kb, None, {"os": "linux"}, read_error("\n".join(lines)))
    assert report.findings[0].id == "cudnn-mismatch" and "error line 1501" in report.findings[0].evidence[0]


@pytest.mark.parametrize(("declared", "text", "status", "first"), [
    # the output the doctor itself asks for: an empty GPU list is a failure, never an all-clear
    ({"os": "linux", "python": "3.11", "tensorflow": "2.15.0", "gpu": "GeForce RTX 3080", "compute_capability": "8.6"},
     "2.15.0\n[]", "unexplained", None),
    # the CPU-only distribution: no CUDA fix, the package is the cause
    ({"os": "linux", "python": "3.11", "tensorflow": "2.15.0", "package": "tensorflow-cpu", "gpu": "GeForce RTX 3080",
      "compute_capability": "8.6"}, "Num GPUs Available: 0", "findings", "package-confusion"),
    # a missing compiler (pip building a source package) is not the MSVC runtime
    ({}, "error: Microsoft Visual C++ 14.0 or greater is required. Get it with \"Microsoft C++ Build Tools\"", "ok", None),
    # a release newer than the matrix knows is not a platform problem
    ({"os": "linux", "python": "3.10", "tensorflow": "2.99.0"}, "", "ok", None),
])
def test_review_cases(kb: Knowledge, declared: dict[str, Any], text: str, status: str, first: Optional[str]) -> None:
    report = diagnose(kb, None, declared, read_error(text))
    assert report.status == status, [(f.id, f.score) for f in report.findings]
    if first:
        assert report.findings[0].id == first
        assert not any("CUDA" in fix and "Install" in fix for fix in report.findings[0].fix)


def test_macos_with_an_nvidia_gpu_points_to_linux(kb: Knowledge) -> None:
    report = diagnose(kb, None, {"os": "macos", "arch": "arm64", "python": "3.10", "gpu": "GeForce RTX 3080",
                                 "compute_capability": "8.6", "cuda": "11.2"}, read_error(None))
    first = report.findings[0]
    assert first.id == "no-wheel-for-platform" and "Linux" in first.fix[0] and first.plan["query"]["os"] == "linux"


def test_an_over_long_line_does_not_shift_line_numbers() -> None:
    text = read_error(b"x" * 3_000_000 + b"\nsecond\nImportError: DLL load failed\n")
    assert text.numbers == (1, 2, 3) and text.lines[2].startswith("ImportError")


def test_an_unknown_package_is_bad_input() -> None:
    result = runner.invoke(app, ["doctor", "--no-detect", "--package", "tensorflw-gpu"])
    assert result.exit_code == 2 and "did you mean 'tensorflow-gpu'?" in result.stderr


def test_a_cudnn_patch_release_belongs_to_its_series(kb: Knowledge) -> None:
    """TF 2.8 was tested with cuDNN 8.1: an installed 8.1.1 is that series, 8.0.5 is not."""
    def found(cudnn: str) -> list[str]:
        env = Environment(os="linux", python="3.8", tensorflow="2.8.0", cuda="11.2", cudnn=cudnn)
        return [v.finding for v in check(kb, env).violations]
    assert found("8.1.1") == [] and found("8.1") == []
    assert found("8.0.5") == ["cudnn-mismatch"]


def test_unknown_os_keeps_what_holds_on_linux_and_windows(kb: Knowledge) -> None:
    """Without an OS the facts are checked as both; Python 3.11 has no TF 2.8 wheel on either."""
    report = check(kb, Environment(python="3.11", tensorflow="2.8.0"))
    assert [v.finding for v in report.violations] == ["python-unsupported"]
    assert "linux and as windows" in report.checked[0]
    ok = check(kb, Environment(python="3.8", tensorflow="2.8.0", cuda="11.2", cudnn="8.1.1"))
    assert ok.consistent and "cudnn-mismatch" in ok.verified


def test_cudnn_not_found_although_installed_is_the_path(kb: Knowledge) -> None:
    report = diagnose(kb, None, {"os": "windows", "tensorflow": "2.10.0", "cuda": "11.2", "cudnn": "8.1"},
                      read_error("Could not load dynamic library 'cudnn64_8.dll'; dlerror: cudnn64_8.dll not found"))
    assert report.findings[0].id == "path-conflict"
    wrong = diagnose(kb, None, {"os": "windows", "tensorflow": "2.10.0", "cuda": "11.2", "cudnn": "7.6"},
                     read_error("Could not load dynamic library 'cudnn64_8.dll'; dlerror: cudnn64_8.dll not found"))
    assert wrong.findings[0].id == "cudnn-mismatch"


@pytest.mark.parametrize(("text", "expected"), [
    ("ImportError: TensorFlow requires a 64-bit Python interpreter, but this interpreter is 32-bit. Reinstall the "
     "64-bit build of Python and reinstall TensorFlow into it.", "python-32bit"),
    ("ImportError: Found conflicting TensorFlow installations in this environment: tensorflow 2.16.1, tensorflow-cpu "
     "2.15.0.", "package-confusion"),
    ("The TensorFlow library was compiled to use SSE4.1 instructions, but these aren't available on your machine.",
     "cpu-lacks-avx"),
    ("E tensorflow/stream_executor/cuda/cuda_blas.cc:226] failed to create cublas handle: CUBLAS_STATUS_ALLOC_FAILED",
     "gpu-out-of-memory"),
    ("E tensorflow/stream_executor/cuda/cuda_diagnostics.cc:313] kernel version 455.32.0 does not match DSO version "
     "460.73.1 -- cannot find working devices in this configuration", "driver-too-old"),
    ("Can't find libdevice directory ${CUDA_DIR}/nvvm/libdevice.", "cuda-library-mismatch"),
])
def test_tensorflows_own_messages(kb: Knowledge, text: str, expected: str) -> None:
    report = diagnose(kb, None, {}, read_error(text))
    assert report.findings and report.findings[0].id == expected


def test_a_cudnn_library_of_another_major_than_installed(kb: Knowledge) -> None:
    text = ("the new DLL from Nvidia is called cudnn64_6.dll; the latest build of TensorFlow requires that to be "
            "cudnn64_5.dll.")
    assert diagnose(kb, None, {"os": "windows", "cudnn": "6.0"}, read_error(text)).findings[0].id == "cudnn-mismatch"
    # the installed cuDNN's own file alone is no mismatch
    same = diagnose(kb, None, {"os": "windows", "cudnn": "6.0"}, read_error("I have cudnn64_6.dll in CUDA\\v8.0\\bin"))
    assert not any(f.id == "cudnn-mismatch" for f in same.findings)


def test_intel_graphics_are_not_a_cuda_gpu(kb: Knowledge) -> None:
    report = diagnose(kb, None, {"os": "linux", "package": "tensorflow-gpu"}, read_error("GPU model: Intel® UHD Graphics 620"))
    assert report.findings[0].id == "package-confusion"


@pytest.mark.parametrize(("text", "expected"), [
    ("Particularly it is looking for a `GLIBC-2.16.so` but can't find it.", "no-wheel-for-platform"),
    ("ImportError: /lib64/libc.so.6: version `GLIBC_2.17' not found (required by _pywrap_tensorflow_internal.so)",
     "no-wheel-for-platform"),
    ("[Windows] Couldn't open CUDA library cupti64_80.dll", "path-conflict"),
    ("checking that tensorflow doesnt work with 32bit systems", "python-32bit"),
])
def test_platform_and_path_symptoms(kb: Knowledge, text: str, expected: str) -> None:
    report = diagnose(kb, None, {}, read_error(text))
    assert report.findings and report.findings[0].id == expected
