"""cuDNN records name exact CUDA versions wherever NVIDIA's per-release support matrix was read; an 'N.x' entry
is kept only where that matrix could not be read, and the record says so."""

from __future__ import annotations

from kbsolver.knowledge import Knowledge

UNREAD = ("not found", "not in the stored docs", "lost")


def test_major_only_entries_say_the_support_matrix_was_not_read(kb: Knowledge) -> None:
    for record in kb.cudnn:
        if any(v.endswith(".x") for v in record.cuda):
            notes = (record.notes or "").lower()
            assert "matrix" in notes and any(word in notes for word in UNREAD), record.id


def test_releases_with_a_read_matrix_are_exact(kb: Knowledge) -> None:
    read = {"8.5.0", "8.9.1", "8.9.5", "8.9.6", "9.0.0", "9.5.0", "9.5.1", "9.10.2", "9.17.0"}
    for record in kb.cudnn:
        if record.version in read:
            assert not any(v.endswith(".x") for v in record.cuda), record.id


def test_exact_lists_tell_minor_versions_apart(kb: Knowledge) -> None:
    by_version = {c.version: c for c in kb.cudnn}
    assert by_version["9.5.1"].lists_cuda("11.8") and not by_version["9.5.1"].lists_cuda("11.2")  # 11.x row: 11.8
    assert by_version["8.9.6"].lists_cuda("12.2") and not by_version["8.9.6"].lists_cuda("12.3")  # 12.0-12.2
    assert not by_version["9.17.0"].supports_cuda("11.8")  # no CUDA 11 build


def test_a_later_minor_of_a_major_package_is_supported_by_minor_version_compatibility(kb: Knowledge) -> None:
    by_version = {c.version: c for c in kb.cudnn}
    # NVIDIA's 8.9.6 matrix lists 12.0-12.2 for 'cuDNN 8.9.6 for CUDA 12.x'; TensorFlow 2.16 pairs cuDNN 8.9 with 12.3
    assert by_version["8.9.6"].supports_cuda("12.3") and by_version["8.9.6"].supports_cuda("11.8")
    assert not by_version["9.5.1"].supports_cuda("11.2")  # an earlier minor than the 11.x package lists
    assert not by_version["8.8.0"].supports_cuda("12.1")  # 'for CUDA 12.0' names an exact version, not 12.x
    assert not by_version["8.1.0"].supports_cuda("11.3")  # no 'N.x' package recorded: the exact list decides
    assert not by_version["8.4.0"].supports_cuda("12.0")  # only within the package's major


def test_packages_name_majors_the_cuda_list_covers(kb: Knowledge) -> None:
    for record in kb.cudnn:
        majors = {v.split(".")[0] for v in record.cuda}
        for package in record.packages:
            assert package.split(".")[0] in majors, (record.id, package)
