"""Property-based: random bytes, YAML trees, snapshots and flag values give results or documented errors only.

Documented errors: :class:`~kbsolver.errors.DataError` from loading (exit 1), :class:`~kbsolver.errors.InputError`
from flag values and snapshots (exit 2), :class:`~kbsolver.guards.GuardError` from the guards. Anything
else (``ValueError``, ``RecursionError``, ``AttributeError``...) fails the test. Examples are few and
small so the suite stays fast; the GPU strategy stays short because the did-you-mean search is per name.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kbsolver import guards
from kbsolver.api import plan
from kbsolver.detect import Snapshot
from kbsolver.detect.snapshot import SECTIONS
from kbsolver.doctor import diagnose, read_error
from kbsolver.errors import DataError, InputError
from kbsolver.knowledge import Knowledge, load
from kbsolver.knowledge.loader import parse_text
from kbsolver.knowledge.model import KIND_CLASSES
from kbsolver.knowledge.views import VIEWS, Filters, view
from kbsolver.solve.query import make_query
from kbsolver.solve.result import PlanResult

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                    st.sampled_from(["11.2", "8.1", "2.10.1", "rtx3060", "linux", "535.104.05", "1" * 70]))
trees = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                          max_size=4), max_leaves=20)


def _load_file(name: str, data: bytes) -> None:
    """Load one matrix file: a :class:`Knowledge` or :class:`DataError`, nothing else."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        try:
            load([path], use_cache=False)
        except DataError as error:
            assert error.problems and all(str(problem) for problem in error.problems)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_as_a_matrix_file(data: bytes) -> None:
    _load_file("random.yaml", data)
    document, problems = parse_text(data.decode("utf-8", errors="replace"), "random.yaml")
    assert document is not None or problems


@FAST
@given(st.sampled_from(sorted(KIND_CLASSES)), st.lists(trees, max_size=4), trees)
def test_random_yaml_trees_as_matrix_records(kind: str, records: list[Any], extra: Any) -> None:
    _load_file("tree.yaml", yaml.safe_dump({"kind": kind, "records": records}).encode())
    _load_file("any.yml", yaml.safe_dump(extra).encode())


@FAST
@given(st.dictionaries(st.sampled_from(SECTIONS), st.dictionaries(st.text(max_size=12), trees, max_size=5), max_size=8),
       st.binary(max_size=200))
def test_random_snapshots_and_error_texts_through_the_doctor(kb: Knowledge, sections: dict[str, Any], error: bytes) -> None:
    data = {"schema_version": 1, **{s: {} for s in SECTIONS},
            **{s: {k: {"value": v, "source": "random"} for k, v in fields.items()} for s, fields in sections.items()}}
    text = json.dumps(data)
    assert guards.parse_json(text) == json.loads(text) or guards.depth_of(data, 32) > 32
    report = diagnose(kb, Snapshot.from_dict(data), {}, read_error(error))
    json.dumps(report.to_dict())
    assert report.exit_code in (0, 1)


@FAST
@given(st.text(max_size=300))
def test_random_json_text(text: str) -> None:
    try:
        guards.parse_json(text)
    except guards.GuardError as error:
        assert error.exit_code == 2


def _flag(examples: list[str], size: int = 20) -> st.SearchStrategy[Any]:
    """Mostly absent or a real example, sometimes any text (so that some queries get as far as a plan)."""
    printable = st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=size)
    return st.one_of(st.sampled_from([None, None, *examples]), st.sampled_from([None, *examples]), printable,
                     st.sampled_from(["", " ", "\x00", "x" * 300, "1" * 5000, "3.８"]))


@settings(FAST, max_examples=80)
@given(gpu=_flag(["rtx3060", "A100", "GeForce GTX 1080"], 12), cc=_flag(["8.6", "sm_75", "3.0"]),
       python=_flag(["3.8", "3.12", "cp310", "3.８"]), os=_flag(["linux", "windows", "darwin"]),
       arch=_flag(["x86_64", "arm64", "x86"]), driver=_flag(["535.104.05", "470.82"]),
       tensorflow=_flag(["2.10.*", "<2.11", ">=2.4,<2.6", "2.15"]), cpu_only=st.booleans())
def test_random_flag_values_through_the_library(kb: Knowledge, gpu: Any, cc: Any, python: Any, os: Any, arch: Any,
                                                driver: Any, tensorflow: Any, cpu_only: bool) -> None:
    try:
        query = make_query(kb, gpu=gpu, compute_capability_=cc, python=python, os=os, arch=arch, driver=driver,
                           tensorflow=tensorflow, cpu_only=cpu_only)
    except InputError as error:
        assert error.exit_code == 2 and str(error)
        event(f"refused: {error.reference}")
        return
    result = plan(query, kb)
    event(f"plan exit {result.exit_code}")
    assert isinstance(result, PlanResult) and result.exit_code in (0, 1)


@FAST
@given(kind=st.sampled_from(sorted(VIEWS)), os=_flag(["linux", "windows"]), python=_flag(["3.8", "3.11"]),
       gpu=_flag(["rtx3060", "a100"], 12), package=_flag(["tensorflow", "tensorflow-gpu"]),
       tensorflow=_flag(["2.10.*", "<2.5"]), device=_flag(["cpu", "gpu"]))
def test_random_matrix_filters_through_the_library(kb: Knowledge, kind: str, os: Any, python: Any, gpu: Any, package: Any,
                                                   tensorflow: Any, device: Any) -> None:
    from kbsolver.knowledge.platforms import normalize_os, normalize_python
    from kbsolver.solve.query import tensorflow_spec

    values = {"--os": os, "--python": python, "--gpu": gpu, "--package": package, "--tensorflow": tensorflow,
              "--device": device}
    try:
        os, python, gpu, package, tensorflow, device = guards.flag_values(values).values()
        filters = Filters(os=normalize_os(os) if os else None, python=normalize_python(python) if python else None,
                          gpu=gpu, package=package, tensorflow=tensorflow_spec(tensorflow) if tensorflow else None,
                          device=device)
        rows, _ = view(kb, kind, filters)
    except InputError as error:
        assert error.exit_code == 2
        return
    assert isinstance(rows, list)
