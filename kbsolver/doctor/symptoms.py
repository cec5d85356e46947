"""Symptoms in an error text, from the catalogue ``matrix/symptoms.yaml``; facts the text itself shows.

The catalogue is data (schema ``schemas/symptoms.schema.json``): per symptom its regular
expressions, the findings it points to with weights, the facts it implies (``os``), and real
example lines from public reports. Named groups in a pattern give facts: ``python`` (X.Y),
``python_compact`` ("37" = 3.7), ``bits32``, ``tensorflow``, ``package``, ``cuda``, ``library``...
Lines are already bounded by :func:`~kbsolver.doctor.errortext.read_error`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from kbsolver.doctor.errortext import ErrorText
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.model import Symptom


@dataclass(frozen=True)
class Hit:
    """One line showing a symptom: its 1-based ``number`` in the original text, the ``line``, the regex ``match``."""

    symptom: Symptom
    number: int
    line: str
    match: re.Match[str]

    @property
    def evidence(self) -> str:
        return f"error line {self.number}: {self.line.strip()[:300]}"

    def every(self, name: str) -> list[str]:
        """Every value of the named group on the line (a line may name several files), in line order."""
        try:
            return [m.group(name) for m in self.match.re.finditer(self.line) if m.group(name)]
        except IndexError:
            return []

    def group(self, name: str) -> Optional[str]:
        """A named group's text (``None`` when the pattern has no such group or it did not take part)."""
        try:
            return self.match.group(name)
        except IndexError:
            return None


@lru_cache(maxsize=512)
def _compiled(symptom: Symptom) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.I | re.M) for pattern in symptom.patterns)


_LOG_PREFIX = re.compile(r"^[0-9TWIEF:.,/ \-\[\]]{8,}")  # "2023-06-01 15:58:54.130390: I " / "W0000 00:00:17373.25 10111 "


def match(knowledge: Knowledge, error: ErrorText) -> dict[str, list[Hit]]:
    """Every symptom of the catalogue found in ``error``: symptom id -> hits in line order (absent ids: no hit).

    Log lines that differ only in their timestamp prefix are matched once (TensorFlow repeats the same
    warning thousands of times), so a long log costs what its distinct lines cost.
    """
    found: dict[str, list[Hit]] = {}
    compiled = [(symptom, _compiled(symptom)) for symptom in knowledge.symptoms]
    seen: dict[str, list[tuple[Symptom, re.Match[str]]]] = {}
    for number, line in zip(error.numbers, error.lines):
        key = _LOG_PREFIX.sub("", line)
        matched = seen.get(key)
        if matched is None:
            matched = []
            for symptom, patterns in compiled:
                for pattern in patterns:
                    hit = pattern.search(line)
                    if hit:
                        matched.append((symptom, hit))
                        break
            seen[key] = matched
        for symptom, hit in matched:
            found.setdefault(symptom.id, []).append(Hit(symptom, number, line, hit))
    return found


def symptom_weight(knowledge: Knowledge, symptom: str, finding: str) -> float:
    """The weight ``symptom`` gives ``finding`` in the catalogue (0.0 when it names none)."""
    return dict(_by_id(knowledge).get(symptom, Symptom("")).findings).get(finding, 0.0)


@lru_cache(maxsize=8)
def _index(symptoms: tuple[Symptom, ...]) -> dict[str, Symptom]:
    return {s.id: s for s in symptoms}


def _by_id(knowledge: Knowledge) -> dict[str, Symptom]:
    return _index(knowledge.symptoms)


@dataclass(frozen=True)
class TextFact:
    """A fact read from the error text: ``name`` (os, python, python_bits, tensorflow, package, driver,
    cuda_driver_max, cuda, cudnn, gpu), ``value``, ``origin``."""

    name: str
    value: object
    origin: str


def _python(hit: Hit) -> Optional[str]:
    if hit.group("python"):
        return hit.group("python")
    compact = hit.group("python_compact")
    return f"{compact[0]}.{compact[1:]}" if compact else None


# Named groups that are machine facts as they stand: group -> fact name. A contributor's new symptom
# with one of these groups gives the fact without code. ``cuda`` is the toolkit in use; directories
# of other installs use ``cuda_dir``.
FACT_GROUPS = {"tensorflow": "tensorflow", "driver": "driver", "cuda_driver_max": "cuda_driver_max", "cuda": "cuda",
               "cudnn": "cudnn", "gpu": "gpu", "compute_capability": "compute_capability", "bits": "python_bits"}
# Python from install paths and wheel tags (what the machine runs) before Python named in prose.
_PYTHON_FROM_MACHINE = ("python-dir-windows", "python-dir-posix", "wheel-python-tag")


def _in_line_order(hits: dict[str, list[Hit]]) -> list[Hit]:
    return sorted((hit for hit_list in hits.values() for hit in hit_list), key=lambda h: h.number)


def text_facts(hits: dict[str, list[Hit]]) -> list[TextFact]:
    """The machine facts the text shows, each with the line it came from.

    OS: the majority of the lines whose symptom implies one (Windows paths and ``.dll`` names vs
    ``.so`` names and POSIX paths, or an OS named in prose). Python version and bitness from install
    paths and wheel tags, else from prose; every other fact (TensorFlow version and distribution,
    driver, CUDA, cuDNN, GPU, compute capability, Python bitness) from the first line whose symptom
    has the fact's named group (:data:`FACT_GROUPS`); the architecture from the first line whose symptom implies one.
    """
    found: list[TextFact] = []
    votes: Counter[str] = Counter()
    first: dict[str, Hit] = {}
    ordered = _in_line_order(hits)
    for hit in ordered:
        value = dict(hit.symptom.implies).get("os")
        if value:
            votes[value] += 1
            first.setdefault(value, hit)
    if votes:
        os, _ = votes.most_common(1)[0]
        found.append(TextFact("os", os, f"error text ({first[os].evidence})"))
    rejected_wheel = "wheel-not-supported" in hits  # a rejected wheel's tag names the wheel's Python, not the machine's
    machine = [h for name in _PYTHON_FROM_MACHINE if not (rejected_wheel and name == "wheel-python-tag")
               for h in hits.get(name, [])]
    prose = [h for h in ordered if h.symptom.id not in _PYTHON_FROM_MACHINE]
    for hit in machine + prose:
        python = _python(hit)
        if python:
            found.append(TextFact("python", python, f"error text ({hit.evidence})"))
            if hit.symptom.id == "python-dir-windows":
                found.append(TextFact("python_bits", 32 if hit.group("bits32") else 64, f"error text ({hit.evidence})"))
            break
    seen = {f.name for f in found}
    for hit in ordered:
        for group, name in FACT_GROUPS.items():
            value = hit.group(group)
            if not value or name in seen:
                continue
            seen.add(name)
            origin = f"error text ({hit.evidence})"
            if name == "python_bits":
                found.append(TextFact(name, int(value), origin))
            elif name == "tensorflow":
                package = (hit.group("package") or "").replace("_", "-").lower()
                if package and "package" not in seen:
                    seen.add("package")
                    found.append(TextFact("package", package, origin))
                found.append(TextFact(name, value, origin))
            else:
                found.append(TextFact(name, value, origin))
    arch = next((h for h in ordered if dict(h.symptom.implies).get("arch")), None)
    if arch is not None:
        found.append(TextFact("arch", dict(arch.symptom.implies)["arch"], f"error text ({arch.evidence})"))
    listed = [h for h in ordered if h.group("installed")]
    if listed:  # every TensorFlow distribution a package listing shows (two of them shadow each other)
        names = list(dict.fromkeys(h.group("installed").lower().replace("_", "-") for h in listed))  # type: ignore[union-attr]
        found.append(TextFact("distributions", names, f"error text ({listed[0].evidence})"))
    installed = sorted({h.group("cuda_dir") for h in hits.get("cuda-dir-in-text", []) if h.group("cuda_dir")})
    if installed:
        found.append(TextFact("cuda_installed", installed, f"error text ({hits['cuda-dir-in-text'][0].evidence})"))
    return found
