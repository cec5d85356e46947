"""``@frozen``: a frozen dataclass that costs less to create, for the import time of the plan path.

``@dataclass(frozen=True)`` compiles six methods per class with ``exec`` (``__init__``, ``__setattr__``,
``__delattr__``, ``__eq__``, ``__hash__``, ``__repr__``): about 0.8 ms per class on Python 3.11, some 25 ms
for the classes ``kbsolve plan`` imports. ``@frozen`` lets :func:`dataclasses.dataclass` make the first
three and gives the class ``__eq__``, ``__hash__`` and ``__repr__`` built from :func:`operator.attrgetter`
over its fields, which behave as the generated ones do: equal when of the same class with equal
``compare`` fields, the same hash (``hash`` of the tuple of the hashed fields), the same text
(``Name(field=value, ...)`` over the ``repr`` fields). Methods a class defines itself are kept.
``@frozen(shared_init=True)`` compiles nothing: ``__init__``, ``__setattr__`` and ``__delattr__`` are shared
code as well (for classes rarely instantiated on a hot path). Either way the result is a dataclass like any
other (:func:`dataclasses.fields`, :func:`~dataclasses.replace` and :func:`~dataclasses.asdict` work;
assigning a field raises :class:`dataclasses.FrozenInstanceError`).
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T", bound=type)


def _values(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function returning the tuple of the named attributes (a tuple even for one name or none)."""
    if not names:
        return lambda _: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def frozen(cls: Optional[T] = None, *, shared_init: bool = False) -> Any:
    """Make ``cls`` a frozen dataclass (as ``@dataclass(frozen=True)``) with shared-code ``__eq__``, ``__hash__`` and
    ``__repr__``. Its dataclass bases must be made the same way (``@frozen`` or ``@frozen(shared_init=True)``).

    ``shared_init=True`` (for classes whose instances are rarely made by calling the class, such as the matrix
    records, built from compiled rows) compiles nothing at all: ``__init__`` is shared code too (keyword and
    positional arguments, defaults and default factories as the dataclass's own, a few times slower per call) and
    assignment is refused by a shared ``__setattr__``/``__delattr__``. ``__post_init__`` and ``init=False`` fields
    are not supported there (``TypeError``)."""
    if cls is None:
        return lambda c: _frozen(c, shared_init)
    return _frozen(cls, shared_init)


def _frozen(cls: T, shared_init: bool) -> T:
    own = {name for name in ("__eq__", "__repr__") if name in cls.__dict__}
    if cls.__dict__.get("__hash__") is not None:  # not the None a class body's own __eq__ implies
        own.add("__hash__")
    if shared_init:
        if hasattr(cls, "__post_init__"):
            raise TypeError(f"{cls.__qualname__}: shared_init does not run __post_init__")
        cls = dataclasses.dataclass(init=False, eq=False, repr=False)(cls)  # not frozen=True: that compiles code
        methods: list[Callable[..., Any]] = [_shared_init(cls), __setattr__, __delattr__]
    else:
        cls = dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)
        methods = []
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
            methods.append(method)
    for method in methods:
        setattr(cls, method.__name__, method)
    return cls


def __setattr__(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def __delattr__(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _shared_init(cls: type) -> Callable[..., None]:
    """An ``__init__`` for ``cls`` that sets each field from the arguments or its default (no code compiled)."""
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        raise TypeError(f"{cls.__qualname__}: shared_init needs every field in __init__")
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
    factories = {f.name: f.default_factory for f in fields if f.default_factory is not dataclasses.MISSING}
    where = f"{cls.__qualname__}.__init__()"

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(f"{where} takes {len(names) + 1} positional arguments but {len(args) + 1} were given")
        values = dict(zip(names, args))
        for name, value in kwargs.items():
            if name not in known:
                raise TypeError(f"{where} got an unexpected keyword argument {name!r}")
            if name in values:
                raise TypeError(f"{where} got multiple values for argument {name!r}")
            values[name] = value
        if len(values) < len(names):
            missing = [n for n in names if n not in values and n not in defaults and n not in factories]
            if missing:
                raise TypeError(f"{where} missing required arguments: {', '.join(map(repr, missing))}")
            values = {n: values[n] if n in values else defaults[n] if n in defaults else factories[n]() for n in names}
        elif len(kwargs):
            values = {n: values[n] for n in names}  # field order, as the dataclass's own __init__ sets them
        self.__dict__.update(values)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__
