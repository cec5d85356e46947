"""``@frozen``: a frozen dataclass that costs half as much to create, for the import time of the plan path.

``@dataclass(frozen=True)`` compiles six methods per class with ``exec`` (``__init__``, ``__setattr__``,
``__delattr__``, ``__eq__``, ``__hash__``, ``__repr__``): about 0.8 ms per class on Python 3.11, some 25 ms
for the classes ``kbsolve plan`` imports. ``@frozen`` lets :func:`dataclasses.dataclass` make the first
three and gives the class ``__eq__``, ``__hash__`` and ``__repr__`` built from :func:`operator.attrgetter`
over its fields, which behave as the generated ones do: equal when of the same class with equal
``compare`` fields, the same hash (``hash`` of the tuple of the hashed fields), the same text
(``Name(field=value, ...)`` over the ``repr`` fields). Methods a class defines itself are kept. The
result is a dataclass like any other (:func:`dataclasses.fields`, :func:`~dataclasses.replace` and
:func:`~dataclasses.asdict` work; assigning a field raises :class:`dataclasses.FrozenInstanceError`).
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, Callable, TypeVar

T = TypeVar("T", bound=type)


def _values(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function returning the tuple of the named attributes (a tuple even for one name or none)."""
    if not names:
        return lambda _: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def frozen(cls: T) -> T:
    """Make ``cls`` a frozen dataclass (as ``@dataclass(frozen=True)``) with shared-code ``__eq__``, ``__hash__`` and
    ``__repr__``. Its dataclass bases must be made with ``@frozen`` or ``@dataclass(frozen=True)``."""
    own = {name for name in ("__eq__", "__repr__") if name in cls.__dict__}
    if cls.__dict__.get("__hash__") is not None:  # not the None a class body's own __eq__ implies
        own.add("__hash__")
    cls = dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)
    fields = dataclasses.fields(cls)
    compared = _values(tuple(f.name for f in fields if f.compare))
    hashed = _values(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))
    shown = tuple((f.name, attrgetter(f.name)) for f in fields if f.repr)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __repr__(self: Any) -> str:
        return f"{self.__class__.__qualname__}({', '.join(f'{name}={get(self)!r}' for name, get in shown)})"

    for method in (__eq__, __hash__, __repr__):
        if method.__name__ not in own:
            method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
            setattr(cls, method.__name__, method)
    return cls
