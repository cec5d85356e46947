"""kbsolve doctor on real error reports (tests/cases/doctor.yaml, each with its source thread).

Each case declares the facts its report states and the cause the thread established; the doctor
must rank that cause first ("none": no finding at all, the text is only informational).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import kbsolver
from kbsolver.cli import app
from kbsolver.detect import Field, RecordedSystem, detect
from kbsolver.doctor import FINDING_IDS, diagnose, read_error
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.schema import validate_output

HERE = Path(__file__).parent
CASES = yaml.safe_load((HERE / "cases" / "doctor.yaml").read_text(encoding="utf-8"))
try:  # click < 8.2 mixes stderr into stdout unless told not to
    runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
except TypeError:
    runner = CliRunner()


def declared(kb: Knowledge, facts: dict[str, Any]) -> dict[str, Any]:
    found = {k: str(facts[k]) for k in ("os", "arch", "python", "tensorflow", "package", "cuda", "cudnn", "driver", "cpu")
             if facts.get(k)}
    if facts.get("gpu"):
        try:
            gpu = kb.find_gpu(facts["gpu"])
        except kbsolver.UnknownGpuError:
            return found  # a name the matrix does not know; the case does not depend on it
        found["gpu"], found["compute_capability"] = gpu.name, gpu.compute_capability
    return found


TUNING = [c for c in CASES if c.get("split", "tuning") == "tuning"]
VALIDATION = [c for c in CASES if c.get("split") == "validation"]


def test_corpus_covers_every_family_with_sources() -> None:
    assert len(CASES) >= 120
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert len({c["source"] for c in CASES}) == len(CASES)
    assert len(VALIDATION) >= 0.25 * len(CASES)
    families = Counter(c["expected"] for c in CASES)
    assert set(FINDING_IDS) <= set(families)
    assert min(families.values()) >= 4, families
    assert all(c["source"].startswith("https://") and c["error"].strip() for c in CASES)


def _first(kb: Knowledge, case: dict[str, Any]) -> str:
    report = diagnose(kb, None, declared(kb, case.get("declared") or {}), read_error(case["error"]))
    assert validate_output(report.to_dict(), "doctor") == []
    if report.findings:
        assert report.findings[0].evidence and report.findings[0].fix
    return report.findings[0].id if report.findings else "none"


@pytest.mark.parametrize("case", TUNING, ids=[c["id"] for c in TUNING])
def test_doctor_ranks_the_established_cause_first(kb: Knowledge, case: dict[str, Any]) -> None:
    first = _first(kb, case)
    if case["id"] in KNOWN_MISSES:
        assert first != case["expected"], "ranked right now: take it out of KNOWN_MISSES"
        pytest.xfail(KNOWN_MISSES[case["id"]])
    assert first == case["expected"]


# Tuning cases the doctor still misranks, and why (kept visible rather than tuned away).
KNOWN_MISSES = {
    "cpu-lacks-avx-g12-dlc-m1-rosetta-tf25": "x86 TF under Rosetta on an M1: labelled AVX here, platform elsewhere",
    "cpu-lacks-avx-g12-recognize-proxmox-vm-cpu": "a VM's CPU without AVX; the text names neither",
    "cuda-library-mismatch-g11-colab-tf-nightly-needs-cuda112": "Colab's CUDA is not in the text",
    "cuda-library-mismatch-g11-win-cuda10-prebuilt-tf111": "a bare Windows DLL load failure",
    "cuda-library-mismatch-g12-colab-tf-lt-215-cuda122": "the title only",
    "cuda-library-mismatch-g12-colab-tf20-cuda101": "prose; Colab's CUDA move is not in the text",
    "cuda-library-mismatch-g12-deepspeech-gpu-gtx1070-no-cuda": "prose; deepspeech-gpu's native TensorFlow",
    "cuda-library-mismatch-g12-odapi-forced-tf241": "prose names TF 2.4.1 with cuDNN 7.6.5: both CUDA and cuDNN differ",
    "cuda-library-mismatch-g12-yolov4-tf2-no-cudatoolkit": "prose ('Not support gpu?')",
    "cudnn-mismatch-g11-convbackwardfilter-v2-needs-cudnn4": "a cuDNN DSO error with CUDA 7.5 declared reads as a CUDA library",
    "cudnn-mismatch-g11-win-cudnn60-needs-51": "the title only; cuDNN 6.0 declared, TF version unknown",
    "cudnn-mismatch-g11-win-cudnn64-5-missing": "the title only",
    "cudnn-mismatch-g12-edje-driver-insufficient-cudnn71": "'driver version is insufficient', fixed by another cuDNN",
    "cudnn-mismatch-g12-faceswap-playground-gpu-instead-cpu": "the title only",
    "no-wheel-for-platform-g11-windows-2015-no-pip-package": "Windows had no wheels in 2015; the date is not in the text",
    "none-g12-yolov4-deepsort-taskmanager-gpu": "judged from Task Manager; reads as a failure",
    "package-confusion-g11-no-gpu-windows-use-tensorflow-cpu": "a GPU-less machine is stated only in prose",
    "package-confusion-g11-tf011-gpu-wheel-named-tensorflow": "TF 0.11's GPU wheel was named tensorflow: not modelled",
    "package-confusion-g12-odapi-tf260-over-tfgpu250": "prose: tensorflow 2.6.0 installed over tensorflow-gpu 2.5.0",
    "package-confusion-g12-retinanet-no-tensorflow-gpu-win7": "prose; nothing names the installed package",
    "package-confusion-g12-sku110k-retinanet-cpu-tf": "prose; the Pipfile's CPU package is not in the text",
    "path-conflict-g11-cuda90-installed-not-on-ld-path": "prose ('already installed CUDA 9.0')",
    "path-conflict-g11-cudnn-path-missing-bin": "prose about the PATH fix",
    "path-conflict-g12-pycharm-libcudart75": "a missing libcudart.so.7.5; that only PyCharm lacks the path is prose",
    "python-unsupported-g11-py36-before-release": "pip saw no file; OS unknown, so 32-bit Python ranks first",
    "python-unsupported-g11-py37-beta-2018": "prose; the report predates Python 3.7 wheels",
    "python-unsupported-g12-spleeter-tf23-pin": "a pin to TF 2.3; the Python version is not stated",
    "path-conflict-01": "TF 0.10 cannot open libcudnn.so; the mixed-up CUDA installs are prose",
    "python-unsupported-tf08-anaconda-py35-cp34-wheel": "a rejected wheel without its name; Python 3.5 wheels exist today",
    "cuda-library-mismatch-g10-dlc-colab-cuda122-tf210": "prose; Colab's CUDA update is not in the text",
    "windows-native-gpu-ended-g10-maskrcnn-tf214-gpu-idle": "prose; neither Windows nor TF 2.14 is in the text",
    "cudnn-mismatch-rstudio-keras-tf13-needs-cudnn6": "a cut Windows traceback; TF 1.3 not stated",
    "none-deeplabcut-task-manager-gpu-usage": "judged from Task Manager; reads as a failure",
    "path-conflict-rstudio-keras3-wsl-tf216-nvidia-libs": "WSL cuInit NO_DEVICE; TF 2.16's pip CUDA libs not in text",
    "compute-capability-esri-dl-frameworks-rtx3090-cuda101-builds": "prose; the bundled CUDA 10.1 build not in text",
    "cpu-lacks-avx-g8-i7-860-win": "prose; the CPU model came later in the thread",
    "cpu-lacks-avx-g8-winpython-cpu": "the title only; the CPU without AVX came later in the thread",
    "cpu-lacks-avx-g8-old-cpu-tf10-works": "prose; nothing names the CPU",
    "package-confusion-g8-tf-macos-on-intel-py39": "tensorflow-macos is for Apple silicon only: not modelled",
    "gpu-out-of-memory-g8-no-known-devices-shared-gpu": "another user held the GPU memory: not in text",
    "path-conflict-a06-conda-prefix-old-cudnn-first": "the posted line is broken in two ('CuD' / 'NN library')",
    "python-32bit-py37-windows-nothing-happens": "prose ('nothing happens'): nothing says 32-bit",
    "python-32bit-pip-scripts-python36-32": "the title only; the 32-bit path is in an attachment",
    "none-cudart64-110-no-gpu-lightweight-mmm": "a machine without a GPU is not stated; the CUDA warning reads as a failure",
    "none-chiron-libcuda-warning-cpu-mode": "a missing libcuda on a CPU-only machine reads as a missing driver",
    "compute-capability-rtx50xx-prose": "'rtx50xx' names no GPU the matrix can look up",
    "compute-capability-fo40225-tensorcore-wheel-cc61": "a community wheel built for other GPUs; nothing in the facts says so",
    "path-conflict-windows-cudnn-bin-not-on-path": "a bare 'DLL load failed' on Windows: the MSVC runtime ranks first",
    "path-conflict-cudart110-python39-add-dll-directory": "Python 3.8+'s DLL search on Windows is not modelled",
    "cpu-lacks-avx-deepfacelab-dx12-no-avx": "the title only ('DLL load failed'); the CPU is in an attachment",
    "python-unsupported-win7-py361-pywrap": "a generic import failure with an MSVC DLL named: the MSVC runtime ranks first",
    "python-unsupported-py381-not-even-detected": "prose only",
    "msvc-runtime-missing-imprting-tensorflow-cpu": "prose only ('problem in imprting')",
    "no-wheel-for-platform-m1-homebrew-tf-nightly": "tf-nightly is not among the distributions the matrix knows",
    "cudnn-mismatch-pathdreamer-requirements-overwrites-colab-tf": "'cuDNN failed to initialize' alone: memory ranks first",
    "cudnn-mismatch-gpu-jupyter-image-cudnn9-tf216": "the image's cuDNN 9 is not in the facts; a path conflict ranks first",
    "gpu-out-of-memory-rtx3090-restrain-video-memory": "prose without a memory symptom",
    "python-32bit-g1-virtualblu-requirements-no-tf": "no wheel found, Python unknown: unsupported Python ranks first",
    "python-32bit-g2-tf-gpu-no-matching-dist": "no wheel found, Python unknown: unsupported Python ranks first",
    "python-32bit-g1-tf23-import-dll-failed-auto-32bit-download": "the title only ('Import Error DLL failed')",
    "package-confusion-g1-wavenet-requirements-breaks-gpu": "prose over two lines ('pip install -r' / 'breaks GPU support')",
    "cuda-library-mismatch-g2-win10-tf23-cudart64-101": "no TF/CUDA version; the cudart stub note reads as no GPU",
    "windows-native-gpu-ended-g3-rstudio-keras-210": "prose only, and no TensorFlow version",
    "compute-capability-g3-dfl-rtx3080-cuda92": "prose; the project's CUDA 9.2 build is not in the facts",
    "gpu-out-of-memory-g4-v100-tf115-ptx-deletefile": "the title only (a failed PTX file delete); the memory was held elsewhere",
    "no-wheel-for-platform-g5-aws-graviton-2111": "tensorflow-cpu-aws 2.11.1 had cp37 wheels only; not in the matrix",
    "path-conflict-g5-hpc-cvmfs-cuda-libs": "prose; the cluster's other CUDA on the path is not in the facts",
    "msvc-runtime-missing-g5-inspect-module-anaconda": "an IPython traceback that shows no failing DLL",
    "no-wheel-for-platform-g5-bigsur-macosx11-tag": "pip on Big Sur rejected macosx_10_9 tags; the wheel tags are not modelled",
    "path-conflict-g5-tf212-activate-script-ld-library-path": "prose about a typo in the install guide",
    "package-confusion-g6-azure-dsvm-cpu-tf": "prose only ('not detecting gpu')",
    "package-confusion-g6-tfnet-cpu-and-gpu-redist": "'no known devices' alone; the .NET CPU package is not in the facts",
}


def test_scores_on_both_splits(kb: Knowledge) -> None:
    """Top-1 on the tuning split and on the validation split (never used to tune patterns or weights).

    The floors are regression guards at today's scores (scripts/doctor_corpus.py prints them);
    the targets are 95 % and 90 % (see the closing notes: neither is met on today's 630 cases).
    """
    tuning = sum(_first(kb, c) == c["expected"] for c in TUNING) / len(TUNING)
    validation = sum(_first(kb, c) == c["expected"] for c in VALIDATION) / len(VALIDATION)
    assert tuning >= 0.83, tuning
    assert validation >= 0.62, validation


def test_cli_json_output_follows_the_contract() -> None:
    case = next(c for c in CASES if c["expected"] == "cuda-library-mismatch")
    args = ["doctor", "--no-detect", "--format", "json", "--error", case["error"]]
    for key in ("os", "python", "tensorflow", "cuda", "gpu"):
        if (case.get("declared") or {}).get(key):
            args += [f"--{key}", str(case["declared"][key])]
    result = runner.invoke(app, args)
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and validate_output(data, "doctor") == []
    assert data["findings"][0]["id"] == "cuda-library-mismatch"


def test_snapshot_alone_finds_a_cpu_without_avx(tmp_path: Path) -> None:
    fixture = yaml.safe_load((HERE / "fixtures" / "detect" / "linux-pentium-g640-no-avx.yaml").read_text(encoding="utf-8"))
    snapshot = detect(RecordedSystem.from_fixture(fixture), use_nvml=False)
    assert validate_output(snapshot.to_dict(), "snapshot") == []
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot.to_dict()), encoding="utf-8")
    result = runner.invoke(app, ["doctor", "--snapshot", str(path), "--format", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["findings"][0]["id"] == "cpu-lacks-avx"
    assert any("/proc/cpuinfo" in e for e in data["findings"][0]["evidence"])


def test_declared_facts_override_the_snapshot(kb: Knowledge) -> None:
    fixture = yaml.safe_load((HERE / "fixtures" / "detect" / "linux-xeon-gold-6132-avx512.yaml").read_text(encoding="utf-8"))
    snapshot = detect(RecordedSystem.from_fixture(fixture), use_nvml=False)
    report = diagnose(kb, snapshot, {"os": "windows", "python": "3.12", "tensorflow": "2.10.0"},
                      read_error("ERROR: Could not find a version that satisfies the requirement tensorflow==2.10.0 "
                                 "(from versions: 2.16.1, 2.16.2)"))
    assert report.facts.os == "windows" and report.facts.origin["os"] == "declared"
    assert report.findings[0].id == "python-unsupported"
    assert report.findings[0].plan is not None and report.findings[0].plan["status"] == "ok"


def test_nothing_wrong_exits_0() -> None:
    result = runner.invoke(app, ["doctor", "--no-detect", "--os", "linux", "--error",
                                 "I tensorflow/core/platform/cpu_feature_guard.cc:142] Your CPU supports instructions that "
                                 "this TensorFlow binary was not compiled to use: AVX2 FMA"])
    assert result.exit_code == 0 and "No problem found" in result.stdout and "information, not an error" in result.stdout


def _windows_with_two_cudas() -> RecordedSystem:
    root = "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\"
    return RecordedSystem(
        platform="windows",
        env={"PATH": f"{root}v10.1\\bin;{root}v11.2\\bin;C:\\Windows\\System32", "CUDA_PATH": f"{root}v10.1"},
        files={f"{root}v10.1\\bin\\cudart64_101.dll": "", f"{root}v11.2\\bin\\cudart64_110.dll": "",
               f"{root}v10.1\\version.txt": "CUDA Version 10.1.243\n",
               f"{root}v11.2\\version.json": '{"cuda": {"name": "CUDA SDK", "version": "11.2.2"}}'})


def test_two_cuda_installs_with_the_wrong_one_first_on_path(kb: Knowledge) -> None:
    snapshot = detect(_windows_with_two_cudas(), use_nvml=False)
    assert [t["version"] for t in snapshot.get("cuda", "toolkits")] == ["10.1.243", "11.2.2"]
    assert [lib["name"] for lib in snapshot.get("cuda", "libraries")] == ["cudart64_101.dll", "cudart64_110.dll"]
    error = "W dso_loader.cc:64] Could not load dynamic library 'cudnn64_8.dll'; dlerror: cudnn64_8.dll not found"
    report = diagnose(kb, snapshot, {"tensorflow": "2.10.0", "python": "3.9"}, read_error(error))
    ids = [f.id for f in report.findings]
    assert "path-conflict" in ids
    conflict = next(f for f in report.findings if f.id == "path-conflict")
    assert any("the first is CUDA 10.1" in e for e in conflict.evidence)


def test_tensorflow_and_tensorflow_gpu_installed_together(kb: Knowledge) -> None:
    snapshot = kbsolver.Snapshot.from_dict({"os": {"name": {"value": "linux", "source": "recorded"}},
                                            "tensorflow": {"distributions": {"value": [
                                                {"name": "tensorflow", "version": "2.10.0"},
                                                {"name": "tensorflow-gpu", "version": "2.9.1"}], "source": "recorded"}}})
    report = diagnose(kb, snapshot, {}, read_error(""))
    assert report.findings[0].id == "package-confusion"
    assert "tensorflow, tensorflow-gpu" in report.findings[0].evidence[0]


def test_build_info_of_the_installed_tensorflow_is_evidence(kb: Knowledge) -> None:
    snapshot = kbsolver.Snapshot.from_dict({
        "os": {"name": {"value": "windows", "source": "recorded"}},
        "cuda": {"nvcc": {"value": "10.1", "source": "recorded"}},
        "tensorflow": {"distributions": {"value": [{"name": "tensorflow", "version": "2.10.0",
                                                    "build_info": {"cuda_version": "64_112", "cudnn_version": "64_8"}},
                                                   ], "source": "recorded"}}})
    report = diagnose(kb, snapshot, {}, read_error("Could not load dynamic library 'cudart64_110.dll'"))
    assert report.findings[0].id == "cuda-library-mismatch"
    assert report.facts.built_cuda is None  # "64_112" is not a version: ignored, not trusted
    built = [{"name": "tensorflow", "version": "2.10.0", "build_info": {"cuda_version": "11.2", "cudnn_version": "8"}}]
    snapshot.set("tensorflow", "distributions", Field(built, "recorded"))
    report = diagnose(kb, snapshot, {}, read_error("Could not load dynamic library 'cudart64_110.dll'"))
    assert any("built against CUDA 11.2 and cuDNN 8" in e for e in report.findings[0].evidence)
