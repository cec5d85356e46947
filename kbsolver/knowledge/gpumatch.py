"""Did-you-mean for GPU names: close display names for a name the matrix does not know.

Bounded for any input: only the first :data:`MAX_NAME_CHARS` characters of a name are read and
only the first :data:`MAX_KEY_CHARS` of its lookup key are compared (the longest GPU key in the
matrix has 41); candidate keys are prefiltered by length and by :meth:`difflib.SequenceMatcher.
quick_ratio` before the full ratio is computed, so a 100 KB name costs the same as a 40-character one.

Two kinds of answer, both lists of GPU records whose display names are valid ``--gpu`` values:

- a family name that several GPUs share ("RTX PRO 6000" -> Blackwell Workstation / Server /
  Max-Q Workstation Edition): every GPU whose key contains the given key, shortest first;
- a misspelling ("rtx3600"): the GPUs whose keys are most similar (``difflib`` ratio), best first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

#: Characters of a GPU name that are read at all (longer input is cut here before normalising).
MAX_NAME_CHARS = 200
#: Characters of a normalised key that are compared (longer keys are cut; no GPU key is this long).
MAX_KEY_CHARS = 64
#: Most names listed in one answer.
MAX_SUGGESTIONS = 5
#: Lowest ``difflib`` similarity ratio that counts as a misspelling of a key.
CUTOFF = 0.75
#: Misspelling matches within this ratio of the best one are listed with it.
NEAR_BEST = 0.05

T = TypeVar("T")


def shown(name: str, limit: int = 60) -> str:
    """``name`` cut to ``limit`` characters for a message (an over-long value is not echoed whole)."""
    return name if len(name) <= limit else name[: limit - 3] + "..."


def _distinct(items: Iterable[T]) -> list[T]:
    seen: set[int] = set()
    found = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            found.append(item)
    return found


def family(key: str, index: Mapping[str, T]) -> list[T]:
    """Records whose key contains ``key`` (at least 3 characters), shortest key first, distinct."""
    key = key[:MAX_KEY_CHARS]
    if len(key) < 3:
        return []
    containing = sorted((k for k in index if key in k), key=lambda k: (len(k), k))
    return _distinct(index[k] for k in containing)


def misspelt(key: str, index: Mapping[str, T]) -> list[T]:
    """Records whose key is most like ``key`` by ``difflib`` ratio (>= :data:`CUTOFF`), best first, distinct."""
    key = key[:MAX_KEY_CHARS]
    if len(key) < 3:
        return []
    import difflib  # not at import: find_gpu reads MAX_NAME_CHARS on every plan

    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(key)
    scored: list[tuple[float, bool, str]] = []
    for candidate in index:
        if abs(len(candidate) - len(key)) > max(2, len(key) // 3):
            continue  # the ratio cannot reach the cutoff with this length difference
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() < CUTOFF or matcher.quick_ratio() < CUTOFF:
            continue
        ratio = matcher.ratio()
        if ratio >= CUTOFF:
            scored.append((ratio, sorted(candidate) == sorted(key), candidate))  # same letters: a swap
    scored.sort(key=lambda s: (-s[0], not s[1], len(s[2]), s[2]))
    if not scored:
        return []
    best, swapped = scored[0][0], scored[0][1]  # a swap of two characters beats other edits of equal ratio
    return _distinct(index[k] for ratio, swap, k in scored if ratio >= best - NEAR_BEST and (swap or not swapped))


def suggestions(keys: Sequence[str], index: Mapping[str, T]) -> tuple[bool, list[T]]:
    """What to offer for a name none of whose ``keys`` (its lookup keys, most exact first) is in ``index``.

    Returns ``(is_family, records)``: the GPUs sharing the first key that is a family name, or else the
    nearest misspellings of the first key; at most :data:`MAX_SUGGESTIONS` records.
    """
    for key in keys:
        found = family(key, index)
        if found:
            return True, found[:MAX_SUGGESTIONS]
    return False, misspelt(keys[0], index)[:MAX_SUGGESTIONS] if keys else []
