"""``@frozen`` behaves as ``@dataclass(frozen=True)``: equality, hash, text, immutability, dataclass helpers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Optional

import pytest

from kbsolver.frozen import frozen


def _shape(decorator: Callable[[type], type]) -> type:
    class Shape:
        name: str
        sides: int = 0
        note: Optional[str] = field(default=None, compare=False, repr=False)
        tags: tuple[str, ...] = ()

    return decorator(Shape)


Fast = _shape(frozen)
Slow = _shape(dataclass(frozen=True))


@frozen
class One:
    value: str


@dataclass(frozen=True)
class OneSlow:
    value: str


@pytest.mark.parametrize("args", [("square", 4, "n", ("a",)), ("dot",), ("line", 1, None, ())])
def test_same_equality_hash_and_text_as_a_frozen_dataclass(args: tuple) -> None:
    fast, slow = Fast(*args), Slow(*args)
    assert repr(fast) == repr(slow)
    assert hash(fast) == hash(slow)
    assert fast == Fast(*args)
    assert (fast != Fast(*args)) is False
    assert (fast == Fast(args[0], 99)) == (slow == Slow(args[0], 99))
    assert fast == dataclasses.replace(fast, note="other")  # note is not compared, as in the dataclass
    assert fast != slow  # another class
    assert hash(One("x")) == hash(OneSlow("x")) and repr(One("x")) == "One(value='x')"


def test_frozen_and_still_a_dataclass() -> None:
    fast = Fast("square", 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.sides = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del fast.sides  # type: ignore[misc]
    assert [f.name for f in dataclasses.fields(fast)] == ["name", "sides", "note", "tags"]
    assert dataclasses.replace(fast, sides=5).sides == 5
    assert dataclasses.asdict(fast) == {"name": "square", "sides": 4, "note": None, "tags": ()}
    assert {fast: 1}[Fast("square", 4, "other note")] == 1
