"""``@frozen`` behaves as ``@dataclass(frozen=True)``: equality, hash, text, immutability, dataclass helpers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pytest

from kbsolver.frozen import frozen


def _shape(decorator: Callable[[type], type]) -> type:
    class Shape:
        name: str
        sides: int = 0
        note: Optional[str] = field(default=None, compare=False, repr=False)
        tags: tuple[str, ...] = ()
        seen: list[str] = field(default_factory=list, compare=False)

    return decorator(Shape)


Slow = _shape(dataclass(frozen=True))
VARIANTS = {"frozen": _shape(frozen), "shared_init": _shape(frozen(shared_init=True))}


@frozen
class One:
    value: str


@dataclass(frozen=True)
class OneSlow:
    value: str


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("args", [("square", 4, "n", ("a",)), ("dot",), ("line", 1, None, ())])
def test_same_equality_hash_and_text_as_a_frozen_dataclass(variant: str, args: tuple) -> None:
    fast_class = VARIANTS[variant]
    fast, slow = fast_class(*args), Slow(*args)
    assert repr(fast) == repr(slow)
    assert hash(fast) == hash(slow)
    assert fast == fast_class(*args)
    assert (fast != fast_class(*args)) is False
    assert (fast == fast_class(args[0], 99)) == (slow == Slow(args[0], 99))
    assert fast == dataclasses.replace(fast, note="other")  # note is not compared, as in the dataclass
    assert fast != slow  # another class
    assert hash(One("x")) == hash(OneSlow("x")) and repr(One("x")) == "One(value='x')"


@pytest.mark.parametrize("variant", VARIANTS)
def test_frozen_and_still_a_dataclass(variant: str) -> None:
    fast_class = VARIANTS[variant]
    fast = fast_class("square", 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.sides = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        del fast.sides
    assert [f.name for f in dataclasses.fields(fast)] == ["name", "sides", "note", "tags", "seen"]
    assert dataclasses.replace(fast, sides=5).sides == 5
    assert dataclasses.asdict(fast) == {"name": "square", "sides": 4, "note": None, "tags": (), "seen": []}
    assert {fast: 1}[fast_class("square", 4, "other note")] == 1
    assert fast.seen == [] and fast.seen is not fast_class("square").seen  # a fresh default per instance


@pytest.mark.parametrize("args, kwargs", [((), {}), (("a", 1, None, (), [], "extra"), {}), (("a",), {"name": "b"}),
                                          (("a",), {"colour": "red"}), ((), {"sides": 3})])
def test_shared_init_refuses_what_the_dataclass_refuses(args: tuple, kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        Slow(*args, **kwargs)
    with pytest.raises(TypeError):
        VARIANTS["shared_init"](*args, **kwargs)


def test_shared_init_takes_keywords_in_any_order() -> None:
    made = VARIANTS["shared_init"](tags=("t",), name="n", seen=["s"], note="x", sides=2)
    assert list(vars(made)) == ["name", "sides", "note", "tags", "seen"]
    assert repr(made) == repr(Slow(tags=("t",), name="n", seen=["s"], note="x", sides=2))
