"""Facts of the real matrix: it validates, loads, round-trips, and holds what the issues ask for."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

import kbsolver
from kbsolver.knowledge import Knowledge, matrix_files
from kbsolver.knowledge.model import TestedBuild, build


def test_bundled_matrix_has_no_problems() -> None:
    assert [str(p) for p in kbsolver.validate()] == []


def test_every_tested_build_row_loads_and_round_trips(kb: Knowledge) -> None:
    raw = yaml.safe_load(next(p for p in matrix_files() if p.name == "tested_builds.yaml").read_text(encoding="utf-8"))
    rows = raw["records"]
    assert len(rows) == len(kb.tested_builds) >= 170
    for record, loaded in zip(rows, kb.tested_builds):
        assert build(TestedBuild, record) == loaded
        for field in ("package", "version", "os", "device", "python", "compiler", "bazel", "cuda", "cudnn"):
            assert getattr(loaded, field) == record.get(field), (loaded.id, field)
        assert loaded.python_versions  # every Python column expands


def test_tested_tables_cover_every_os_and_device_from_2_0_to_2_21(kb: Knowledge) -> None:
    tables = Counter((row.os, row.device) for row in kb.tested_builds)
    assert set(tables) == {(o, d) for o in ("linux", "windows", "macos") for d in ("cpu", "gpu")}
    linux_gpu = {row.version for row in kb.tested_builds if (row.os, row.device) == ("linux", "gpu")}
    assert {"2.0.0", "2.10.0", "2.13.0", "2.21.0"} <= linux_gpu


@pytest.mark.parametrize(
    ("os", "version", "python", "cuda", "cudnn"),
    [
        ("windows", "2.10.0", "3.7-3.10", "11.2", "8.1"),
        ("linux", "2.13.0", "3.8-3.11", "11.8", "8.6"),
        ("linux", "2.4.0", "3.6-3.8", "11.0", "8.0"),
        ("linux", "1.15.0", "2.7, 3.3-3.7", "10.0", "7.4"),
    ],
)
def test_tested_gpu_rows_as_the_tables_give_them(
    kb: Knowledge, os: str, version: str, python: str, cuda: str, cudnn: str
) -> None:
    row = next(r for r in kb.tested_builds if (r.os, r.device, r.version) == (os, "gpu", version))
    assert (row.python, row.cuda, row.cudnn) == (python, cuda, cudnn)


def test_versions_keep_their_written_form(kb: Knowledge) -> None:
    toolkit = next(t for t in kb.cuda_toolkits if t.version == "12.2.2")
    assert toolkit.driver("linux") == "535.104.05"  # not 535.104.5
    assert kb.cuda_major("11").floor("windows") == "452.39"  # type: ignore[union-attr]
    assert next(r for r in kb.tested_builds if r.os == "windows" and r.version == "2.10.0").version == "2.10.0"


@pytest.mark.parametrize(
    ("name", "official", "cc", "architecture"),
    [
        ("rtx3060", "GeForce RTX 3060", "8.6", "Ampere"),
        ("RTX 3060", "GeForce RTX 3060", "8.6", "Ampere"),
        ("GeForce RTX 3060 Laptop GPU", "GeForce RTX 3060 Laptop GPU", "8.6", "Ampere"),
        ("NVIDIA GeForce GTX 1080 Ti", "GeForce GTX 1080 Ti", "6.1", "Pascal"),
        ("gtx970", "GeForce GTX 970", "5.2", "Maxwell"),
        ("rtx 4090", "GeForce RTX 4090", "8.9", "Ada Lovelace"),
        ("rtx5090", "GeForce RTX 5090", "12.0", "Blackwell"),
        ("Tesla T4", "Tesla T4", "7.5", "Turing"),
        ("NVIDIA A100-SXM4-40GB", "NVIDIA A100", "8.0", "Ampere"),
        ("h100", "NVIDIA H100", "9.0", "Hopper"),
        ("Tesla K80", "Tesla K80", "3.7", "Kepler"),
        ("Jetson AGX Orin", "Jetson AGX Orin", "8.7", "Ampere"),
        # NVIDIA's earlier /cuda-gpus table (Lei Mao's copy): GTX 580 2.0, GT 610 2.1, Tesla C2075 2.0
        ("GTX 580", "GeForce GTX 580", "2.0", "Fermi"),
        ("NVIDIA GeForce GT 610", "GeForce GT 610", "2.1", "Fermi"),
        ("Tesla C2075", "Tesla C2075", "2.0", "Fermi"),
        ("GeForce GTX 560", "GeForce GTX 560", "2.1", "Fermi"),  # pci.ids 1201 GF114
        ("GRID K520", "GRID K520", "3.0", "Kepler"),  # pci.ids 118a GK104GL; Wikipedia 3.0 row
        ("Quadro 400", "Quadro 400", "1.2", "Tesla"),  # NVIDIA legacy row 1.2; a GT216 board, not Fermi
        ("8800 GTX", "GeForce 8800 GTX", "1.0", "Tesla"),  # NVIDIA legacy row 1.0
        ("GeForce GTX 285", "GeForce GTX 285", "1.3", "Tesla"),  # Wikipedia 1.3 row (GT200b)
    ],
)
def test_gpu_names_resolve_to_their_compute_capability(kb: Knowledge, name: str, official: str, cc: str,
                                                        architecture: str) -> None:
    gpu = kb.find_gpu(name)
    assert (gpu.name, gpu.compute_capability, gpu.architecture) == (official, cc, architecture)


def test_unknown_gpu_suggests_the_nearest_name(kb: Knowledge) -> None:
    with pytest.raises(kbsolver.UnknownGpuError) as caught:
        kb.find_gpu("rtx3600")
    assert "did you mean 'GeForce RTX 3060'?" in str(caught.value)


def test_gpu_coverage(kb: Knowledge) -> None:
    segments = Counter(g.segment for g in kb.gpus)
    assert len(kb.gpus) >= 300
    assert segments["geforce"] and segments["geforce-laptop"] and segments["datacenter"] and segments["jetson"]
    architectures = {g.architecture for g in kb.gpus}
    assert {"Tesla", "Fermi", "Kepler", "Maxwell", "Pascal", "Volta", "Turing", "Ampere", "Ada Lovelace", "Hopper",
            "Blackwell"} <= architectures


def test_legacy_architectures_end_with_their_last_cuda_and_driver_branch(kb: Knowledge) -> None:
    fermi = kb.architecture_of("2.1")
    assert fermi and (fermi.architecture, fermi.last_cuda, fermi.last_driver_branch) == ("Fermi", "8.0", "390")
    tesla = kb.architecture_of("1.3")
    assert tesla and (tesla.architecture, tesla.last_cuda, tesla.last_driver_branch) == ("Tesla", "6.5", "340")
    g80 = kb.architecture_of("1.0")
    assert g80 and (g80.architecture, g80.last_cuda) == ("Tesla", "6.0")  # sm_10 left in CUDA 6.5, sm_11-13 in 7.0


def test_every_gpu_belongs_to_the_architecture_of_its_compute_capability(kb: Knowledge) -> None:
    for gpu in kb.gpus:
        architecture = kb.architecture_of(gpu.compute_capability)
        assert architecture and architecture.architecture == gpu.architecture, gpu.id


def test_cuda_toolkits_span_10_to_13_with_driver_floors(kb: Knowledge) -> None:
    series = {t.series for t in kb.cuda_toolkits}
    assert {"10.0", "10.1", "10.2", "11.0", "11.2", "11.8", "12.0", "12.3", "12.5", "13.0"} <= series
    assert next(t for t in kb.cuda_toolkits if t.version == "11.2.0").driver("linux") == "460.27.03"
    assert kb.cuda_major("10").minor_version_floor is None  # type: ignore[union-attr]


def test_every_tested_gpu_row_has_cuda_and_cudnn_records(kb: Knowledge) -> None:
    for row in kb.tested_builds:
        if row.device == "gpu":
            assert kb.cuda_series(row.cuda or ""), row.id
            assert kb.cudnn_series(row.cudnn or ""), row.id


def test_every_record_is_sourced(kb: Knowledge) -> None:
    from kbsolver.knowledge.model import KIND_CLASSES

    for kind in KIND_CLASSES:
        for record in kb.records(kind):
            assert record.sources and all(s.url.startswith("https://") for s in record.sources), (kind, record.id)
