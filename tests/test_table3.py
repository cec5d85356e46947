"""Every row of NVIDIA's CUDA release notes Table 3 ('CUDA Toolkit and Corresponding Driver Versions',
13.2 GA edition) has a cuda-toolkits record with the row's Linux and Windows toolkit drivers, citing Table 3."""

from __future__ import annotations

import pytest

from kbsolver.knowledge import Knowledge

NA = None  # Table 3 writes 'N/A' in the Windows column from 13.0 on
# (versions, Linux, Windows): a row's versions, as the matrix numbers them ('GA' -> x.y.0, 'Update N' -> x.y.N)
TABLE_3 = [
    (["13.2.0"], "595.45.04", NA), (["13.1.1"], "590.48.01", NA), (["13.1.0"], "590.44.01", NA),
    (["13.0.2"], "580.95.05", NA), (["13.0.1"], "580.82.07", NA), (["13.0.0"], "580.65.06", NA),
    (["12.9.1"], "575.57.08", "576.57"), (["12.9.0"], "575.51.03", "576.02"),
    (["12.8.1"], "570.124.06", "572.61"), (["12.8.0"], "570.26", "570.65"),
    (["12.6.3"], "560.35.05", "561.17"), (["12.6.2", "12.6.1"], "560.35.03", "560.94"), (["12.6.0"], "560.28.03", "560.76"),
    (["12.5.1"], "555.42.06", "555.85"), (["12.5.0"], "555.42.02", "555.85"),
    (["12.4.1"], "550.54.15", "551.78"), (["12.4.0"], "550.54.14", "551.61"),
    (["12.3.1"], "545.23.08", "546.12"), (["12.3.0"], "545.23.06", "545.84"),
    (["12.2.2"], "535.104.05", "537.13"), (["12.2.1"], "535.86.09", "536.67"), (["12.2.0"], "535.54.03", "536.25"),
    (["12.1.1", "12.1.0"], "530.30.02", "531.14"), (["12.0.1"], "525.85.12", "528.33"), (["12.0.0"], "525.60.13", "527.41"),
    (["11.8.0"], "520.61.05", "520.06"), (["11.7.1"], "515.48.07", "516.31"), (["11.7.0"], "515.43.04", "516.01"),
    (["11.6.2", "11.6.1"], "510.47.03", "511.65"), (["11.6.0"], "510.39.01", "511.23"),
    (["11.5.2", "11.5.1"], "495.29.05", "496.13"), (["11.5.0"], "495.29.05", "496.04"),
    (["11.4.4", "11.4.3"], "470.82.01", "472.50"), (["11.4.2", "11.4.1"], "470.57.02", "471.41"),
    (["11.4.0"], "470.42.01", "471.11"), (["11.3.1", "11.3.0"], "465.19.01", "465.89"),
    (["11.2.2"], "460.32.03", "461.33"), (["11.2.1"], "460.32.03", "461.09"), (["11.2.0"], "460.27.03", "460.82"),
    (["11.1.1"], "455.32", "456.81"), (["11.1.0"], "455.23", "456.38"),
    (["11.0.3"], "450.51.06", "451.82"), (["11.0.2"], "450.51.05", "451.48"), (["11.0.1"], "450.36.06", "451.22"),
    (["10.2.89"], "440.33", "441.22"),
    (["10.1.105", "10.1.168", "10.1.243"], "418.39", "418.96"),  # '10.1.105 general release, and updates'
    (["10.0.130"], "410.48", "411.31"), (["9.2.148"], "396.37", "398.26"), (["9.2.88"], "396.26", "397.44"),
    (["9.1.85"], "390.46", "391.29"), (["9.0.76"], "384.81", "385.54"), (["8.0.61"], "375.26", "376.51"),
    (["8.0.44"], "367.48", "369.30"), (["7.5.16"], "352.31", "353.66"), (["7.0.28"], "346.46", "347.62"),
]
ROWS = [(version, linux, windows) for versions, linux, windows in TABLE_3 for version in versions]


@pytest.mark.parametrize(("version", "linux", "windows"), ROWS, ids=[r[0] for r in ROWS])
def test_table_3_row_has_a_record(kb: Knowledge, version: str, linux: str, windows: str) -> None:
    record = next((t for t in kb.cuda_toolkits if t.version == version), None)
    assert record is not None, f"no cuda-toolkits record for {version}"
    assert (record.driver("linux"), record.driver("windows")) == (linux, windows)
    assert any("Table 3" in source.where for source in record.sources), record.id


def test_update_releases_table_3_omits_are_recorded_from_nvidia_installers(kb: Knowledge) -> None:
    record = next(t for t in kb.cuda_toolkits if t.version == "12.3.2")
    assert (record.driver("linux"), record.driver("windows")) == ("545.23.08", "546.12")
    assert record.confidence == "derived" and "no 'CUDA 12.3 Update 2' row" in (record.notes or "")
    assert any("cuda_12.3.2_545.23.08_linux.run" in s.url for s in record.sources)
