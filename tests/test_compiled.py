"""Compiled knowledge: a verified cache of the validated matrix; never a way around validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kbsolver
from kbsolver.errors import DataError
from kbsolver.knowledge import compiled, load, matrix_files
from kbsolver.knowledge.paths import matrix_dir


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(compiled.CACHE_ENV, str(directory))
    return directory


@pytest.fixture()
def matrix(tmp_path: Path) -> Path:
    copy = tmp_path / "matrix"
    shutil.copytree(matrix_dir(), copy)
    return copy


def _entry(cache: Path, matrix: Path) -> Path:
    return compiled.entry_path(cache, matrix_files([matrix]))


def _loads_from_cache(matrix: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Load ``matrix``; True when no YAML was parsed (the compiled entry was used)."""
    import kbsolver.knowledge.loader

    parsed: list[Path] = []
    original = kbsolver.knowledge.loader.read_document
    monkeypatch.setattr(kbsolver.knowledge.loader, "read_document", lambda path, *a: parsed.append(path) or original(path, *a))
    load([matrix])
    monkeypatch.setattr(kbsolver.knowledge.loader, "read_document", original)
    return not parsed


def test_second_load_reads_the_compiled_entry_and_answers_the_same(cache: Path, matrix: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = load([matrix])
    assert _entry(cache, matrix).is_file()
    assert _loads_from_cache(matrix, monkeypatch)
    again = load([matrix])
    query = kbsolver.make_query(again, gpu="rtx3060", python="3.8", os="windows")
    assert kbsolver.plan(query, again).to_dict() == kbsolver.plan(query, fresh).to_dict()
    assert again.wheel_targets("tensorflow", "2.10.1") == fresh.wheel_targets("tensorflow", "2.10.1")


@pytest.mark.parametrize("damage", ["forged payload", "corrupted bytes", "unsigned copy", "truncated"])
def test_a_forged_or_corrupted_entry_is_detected_and_rebuilt(cache: Path, matrix: Path, damage: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    load([matrix])
    entry = _entry(cache, matrix)
    data = entry.read_bytes()
    header, _, body = data.partition(b"\n")
    if damage == "forged payload":  # a record changed, the digest recomputed: only the HMAC catches it
        import hashlib

        forged = body.replace(b"\x038.6", b"\x039.9", 1)  # a marshalled "8.6" in a kind's rows
        assert forged != body
        parts = header.split(b" ")
        parts[3] = hashlib.sha256(forged).hexdigest().encode()
        entry.write_bytes(b" ".join(parts) + b"\n" + forged)
    elif damage == "corrupted bytes":
        entry.write_bytes(data[:-100] + b"x" * 100)
    elif damage == "unsigned copy":  # a well-formed entry made without this user's key
        key = header.split(b" ")[2].decode()
        entry.write_bytes(compiled.encode(key, compiled.decode(data, key, None) or {}, None))
    else:
        entry.write_bytes(data[: len(data) // 2])
    assert not _loads_from_cache(matrix, monkeypatch)  # rebuilt from YAML ...
    assert entry.read_bytes() == data  # ... and written again, verified
    assert _loads_from_cache(matrix, monkeypatch)


def test_a_stale_entry_never_lets_a_broken_matrix_pass(cache: Path, matrix: Path) -> None:
    load([matrix])
    path = matrix / "tested_builds.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('cudnn: "8.6"', "cudnn: 8.6", 1), encoding="utf-8")
    with pytest.raises(DataError, match="quote versions"):
        load([matrix])


def test_an_entry_for_other_inputs_is_not_used(cache: Path, matrix: Path) -> None:
    files = matrix_files([matrix])
    key = compiled.input_key(files)
    assert key is not None
    load([matrix])
    (matrix / "msvc.yaml").write_bytes((matrix / "msvc.yaml").read_bytes() + b"\n# edited\n")
    other = compiled.input_key(files)
    assert other != key and compiled.read_cached(files, other) is None and compiled.read_cached(files, key) is not None


def test_cache_off_and_unwritable_cache_still_load(tmp_path: Path, matrix: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(compiled.CACHE_ENV, "off")
    assert load([matrix]).gpus
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(compiled.CACHE_ENV, str(blocker / "cache"))
    assert load([matrix]).gpus


def test_records_from_the_compiled_entry_equal_those_read_from_yaml(cache: Path, matrix: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from kbsolver.knowledge.model import KIND_CLASSES

    fresh = load([matrix], use_cache=False)
    load([matrix])
    assert _loads_from_cache(matrix, monkeypatch)
    again = load([matrix])
    for kind in KIND_CLASSES:
        assert again.records(kind) == fresh.records(kind), kind
        assert [vars(r) for r in again.records(kind)] == [vars(r) for r in fresh.records(kind)], kind
    assert again.find_gpu("rtx 3060") == fresh.find_gpu("rtx 3060")


def test_a_gpu_looked_up_first_is_the_same_record_as_in_the_whole_kind(cache: Path, matrix: Path) -> None:
    load([matrix])
    kb = load([matrix])  # from the compiled entry: GPU records are made one at a time until all are asked for
    gpu = kb.find_gpu("rtx 3060")
    assert kb.gpu_named(gpu.name) is gpu and kb.gpu_named("no such GPU") is None
    assert any(g is gpu for g in kb.gpus)
    assert kb.find_gpu("A100-SXM4-40GB") is kb.gpu_named(kb.find_gpu("A100-SXM4-40GB").name)
