"""GPU did-you-mean: display names, family lists (each a valid --gpu value), bounded input."""

from __future__ import annotations

import pytest

import kbsolver
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.gpumatch import MAX_SUGGESTIONS, family, misspelt, shown


def _hint(kb: Knowledge, name: str) -> str:
    with pytest.raises(kbsolver.UnknownGpuError) as caught:
        kb.find_gpu(name)
    return str(caught.value)


def _listed(message: str) -> list[str]:
    """The quoted GPU names of a 'did you mean' hint."""
    hint = message.split("did you mean", 1)[1].split("?")[0]
    return [part.strip(" ,:") for part in hint.split("'")[1::2]]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("RTX PRO 6000", {"NVIDIA RTX PRO 6000 Blackwell Workstation Edition", "NVIDIA RTX PRO 6000 Blackwell Server Edition",
                          "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition"}),
        ("GT 630", {"GeForce GT 630 (GF108)", "GeForce GT 630 (GK107)", "GeForce GT 630 (GK208)", "GeForce GT 630M"}),
        ("NVIDIA GeForce GT 630", {"GeForce GT 630 (GF108)", "GeForce GT 630 (GK107)", "GeForce GT 630 (GK208)",
                                   "GeForce GT 630M"}),
        # NVIDIA lists the plain 'GeForce 710M' at 2.1 (Fermi); pci.ids 1295 is a Kepler GK208M 710M
        ("GeForce 710M", {"GeForce 710M (GF117)", "GeForce 710M (GK208)"}),
        ("GT 720M", {"GeForce GT 720M (GF117)", "GeForce GT 720M (GK208)"}),
        ("810M", {"GeForce 810M (GF117)", "GeForce 810M (GK107)"}),  # pci.ids 1140 GF117M, 0fee GK107M
    ],
)
def test_family_names_list_every_variant_by_display_name(kb: Knowledge, name: str, expected: set[str]) -> None:
    message = _hint(kb, name)
    assert "names several GPUs" in message and "--compute-capability" in message
    listed = _listed(message)
    assert set(listed) == expected
    for display in listed:  # each listed name is a valid --gpu value for that very GPU
        assert kb.find_gpu(display).name == display


def test_gt_640_lists_its_kepler_variants(kb: Knowledge) -> None:
    listed = _listed(_hint(kb, "GT 640"))
    assert {"GeForce GT 640 (GK107)", "GeForce GT 640 (GDDR5)"} <= set(listed)  # pci.ids 0fc1 GK107, 1282 GK208
    assert kb.find_gpu("GeForce GT 640 (GK107)").compute_capability == "3.0"


def test_fermi_and_kepler_variants_keep_their_own_compute_capability(kb: Knowledge) -> None:
    assert kb.find_gpu("GeForce GT 630 (GF108)").compute_capability == "2.1"  # NVIDIA: 'GeForce GT 630' 2.1
    assert kb.find_gpu("GeForce 710M (GK208)").compute_capability == "3.5"
    assert kb.find_gpu("GeForce 710M (GF117)").compute_capability == "2.1"
    assert kb.find_gpu("GeForce GT 730 DDR3,128bit").compute_capability == "2.1"  # NVIDIA lists it apart
    assert kb.find_gpu("GeForce GT 730").compute_capability == "3.5"  # NVIDIA's plain 'GeForce GT 730'
    assert kb.find_gpu("GeForce GT 640 (GF116)").compute_capability == "2.1"  # pci.ids 124b GF116
    listed = _listed(_hint(kb, "GT 640"))
    assert {"GeForce GT 640 (GF116)", "GeForce GT 640 (GK107)", "GeForce GT 640 (GDDR5)"} <= set(listed)


def test_family_lists_are_short(kb: Knowledge) -> None:
    listed = _listed(_hint(kb, "titan"))
    assert 1 < len(listed) <= MAX_SUGGESTIONS


def test_misspelling_names_the_display_name_not_a_key(kb: Knowledge) -> None:
    assert "unknown GPU 'rtx3600'; did you mean 'GeForce RTX 3060'?" in _hint(kb, "rtx3600")
    assert "did you mean 'GeForce GTX 1080 Ti'?" in _hint(kb, "GeForce GTX 1080 Tii")
    assert "did you mean" not in _hint(kb, "xyz")


def test_ambiguous_gt_630_variants_resolve_by_their_own_names(kb: Knowledge) -> None:
    assert kb.find_gpu("GeForce GT 630 Rev. 2").compute_capability == "3.5"  # pci.ids 1284 GK208
    assert kb.find_gpu("GeForce GT 630 (GK107)").compute_capability == "3.0"  # pci.ids 0fc2 GK107
    assert kb.find_gpu("GeForce GTX 750 v2").compute_capability == "5.2"  # pci.ids 1407 GM206
    assert kb.find_gpu("GeForce GTX 750").compute_capability == "5.0"  # NVIDIA: GM107 GTX 750


@pytest.mark.parametrize("name", ["a" * 100_000, "rtx" * 40_000, "GeForce RTX 3060 " * 6_000, "é" * 50_000])
def test_huge_names_are_cut_and_not_echoed_whole(kb: Knowledge, name: str) -> None:
    message = _hint(kb, name)
    assert len(message) < 400


def test_matchers_ignore_short_keys_and_cap_long_ones() -> None:
    index = {"rtx3060": "A", "rtx3060ti": "B", "rtx2060": "C"}
    assert family("30", index) == [] and misspelt("rt", index) == []
    assert family("rtx3060", index) == ["A", "B"]
    assert misspelt("rtx3600", index) == ["A"]  # a swap of two characters wins over rtx2060
    assert family("x" * 10_000, index) == [] and misspelt("rtx3060" * 1000, index) == []
    assert shown("abc") == "abc" and shown("a" * 100).endswith("...") and len(shown("a" * 100)) == 60


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NVIDIA 1080ti", "GeForce GTX 1080 Ti"),  # the series left out, as users write it
        ("GeForce 860M", "GeForce GTX 860M"),
        ("4080 RTX", "GeForce RTX 4080"),  # the series last
        ("V100 32G", "NVIDIA V100"),  # a memory size written without its B
    ],
)
def test_model_number_without_series_finds_the_one_gpu(kb: Knowledge, name: str, expected: str) -> None:
    assert kb.find_gpu(name).name == expected


def test_shared_compute_capability_of_a_family_name(kb: Knowledge) -> None:
    assert kb.shared_compute_capability("RTX 3060") == "8.6"
    # GT 630 is a Kepler GK107 (3.0) or a GK208 (3.5): no compute capability both share
    assert kb.shared_compute_capability("GT 630") is None
    assert kb.shared_compute_capability("RTX PRO 6000") == "12.0"
    assert kb.shared_compute_capability("Radeon RX 580") is None
