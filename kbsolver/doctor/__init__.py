"""``kbsolve doctor``: the consistency check of the machine's facts, ranked with the error text's symptoms.

:func:`diagnose` reads the error text's symptoms (``matrix/symptoms.yaml``) and the facts the text
shows, combines them with the snapshot and the declared facts, and asks the solver's constraints
whether the installed environment is consistent (:func:`kbsolver.solve.check.check`). Each rule of
:mod:`kbsolver.doctor.rules` weighs one cause from both: a cause backed by a broken requirement and
by a symptom ranks first. A failure symptom that nothing explains gives status ``unexplained``,
never an all-clear. When the fix is a new install, a finding carries the plan ``kbsolve plan`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from kbsolver.detect.snapshot import Snapshot
from kbsolver.doctor.errortext import ErrorText, read_error
from kbsolver.doctor.facts import Facts, apply_declared, apply_text, from_snapshot
from kbsolver.doctor.rules import FINDING_IDS, RULES, Context, Finding, generic, model_without_avx
from kbsolver.doctor.symptoms import Hit, match, text_facts
from kbsolver.errors import KbError
from kbsolver.knowledge import Knowledge
from kbsolver.solve.check import CheckReport, Environment, check

__all__ = ["FINDING_IDS", "DoctorReport", "ErrorText", "Facts", "Finding", "diagnose", "read_error"]

SCHEMA_VERSION = 2



@dataclass
class DoctorReport:
    """Ranked ``findings`` (most likely first), the ``status`` (``ok`` | ``findings`` | ``unexplained``),
    the ``snapshot`` used, the ``facts`` reasoned about, the consistency ``check`` of those facts,
    the failure ``symptoms`` seen, and informational ``notes``."""

    findings: list[Finding]
    snapshot: Optional[Snapshot]
    facts: Facts
    notes: list[str] = field(default_factory=list)
    check: Optional[CheckReport] = None
    symptoms: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.symptoms and not explains(self.findings):
            return "unexplained"  # the findings (if any) are real, but none explains the text's failure
        return "findings" if self.findings else "ok"

    @property
    def exit_code(self) -> int:
        """0 when consistent and no failure symptom; 1 for findings or an unexplained symptom."""
        return 0 if self.status == "ok" else 1

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "status": self.status,
                "findings": [f.to_dict() for f in self.findings],
                "symptoms": self.symptoms, "checked": self.check.checked if self.check else [],
                "facts": {name: {"value": getattr(self.facts, name), "origin": origin}
                          for name, origin in sorted(self.facts.origin.items())},
                "next_steps": self.next_steps, "notes": self.notes,
                "snapshot": self.snapshot.to_dict() if self.snapshot else None}


def explains(findings: list[Finding]) -> bool:
    """Whether the findings account for the text's failure symptoms: one quotes an error line, or the check found
    a broken requirement that is likely on its own (score >= 0.5 after the ranking)."""
    return any(item.startswith("error line") for f in findings for item in f.evidence) or \
        any(f.score >= 0.5 for f in findings)


def _planner(knowledge: Knowledge, facts: Facts) -> Any:
    """A function ``changes -> plan JSON`` for the facts' machine, or ``None`` when the facts are too thin."""
    from kbsolver.api import plan
    from kbsolver.solve.query import make_query

    def run(changes: dict[str, Any]) -> Optional[dict[str, Any]]:
        flags = {"os": facts.os, "arch": "x86" if facts.python_bits == 32 else facts.arch, "python": facts.python,
                 "driver": facts.driver}
        flags.update(changes)
        if not flags.get("os"):
            return None
        gpu = facts.gpu if facts.compute_capability is None else None
        try:
            query = make_query(knowledge, gpu=gpu, compute_capability_=facts.compute_capability, **flags)
            query = query.changed(gpu=facts.gpu) if facts.gpu and facts.compute_capability else query
            return plan(query, knowledge).to_dict()
        except KbError:
            return None

    return run


def environment(facts: Facts, gpu_wanted: bool = False, knowledge: Optional[Knowledge] = None) -> Environment:
    """The :class:`~kbsolver.solve.check.Environment` the check pins, from the doctor's facts. With ``knowledge``, a CPU
    model of a family without AVX (the catalogue's ``cpu-model-without-avx``) pins AVX off when no flags are known."""
    dlls = facts.msvc_dlls or {}
    msvc = dlls.get("msvcp140_1.dll") if isinstance(dlls.get("msvcp140_1.dll"), bool) else facts.msvc_runtime
    avx = (facts.cpu_flags or {}).get("avx")
    origin = dict(facts.origin)
    if avx is None and knowledge is not None and (family := model_without_avx(knowledge, facts.cpu_model)):
        avx = False
        origin["avx"] = f"{facts.describe('cpu_model')}: {family}"
    origin.setdefault("avx", facts.origin.get("cpu_flags", "unknown source"))
    origin.setdefault("msvc_runtime", facts.origin.get("msvc_dlls", "unknown source"))
    return Environment(
        os=facts.os, arch=facts.arch, python=facts.python, python_bits=facts.python_bits, package=facts.package,
        tensorflow=facts.tensorflow, distributions=tuple(facts.distributions), gpu=facts.gpu,
        compute_capability=facts.compute_capability, driver=facts.driver, cuda=facts.cuda, cudnn=facts.cudnn,
        msvc_runtime=msvc if facts.os == "windows" else None, avx=avx if isinstance(avx, bool) else None,
        cuda_driver_max=facts.cuda_driver_max, gpu_wanted=gpu_wanted, origin=origin)


def _resolve_gpu(knowledge: Knowledge, found: list[Any]) -> list[Any]:
    """A GPU named in the text counts only when the matrix knows it: it brings its compute capability along
    (which then replaces a compute capability the text states). A family name whose GPUs share one compute
    capability brings that compute capability alone."""
    from .symptoms import TextFact

    records = {id(f): _gpu_record(knowledge, str(f.value)) for f in found if f.name == "gpu"}
    shared = {id(f): knowledge.family_compute_capability(str(f.value)) for f in found
              if f.name == "gpu" and records[id(f)] is None}  # find_gpu refused these names already
    known = any(record is not None for record in records.values()) or any(shared.values())
    resolved = []
    for fact in found:
        if fact.name == "gpu":
            record = records[id(fact)]
            if record is not None:
                resolved += [TextFact("gpu", record.name, fact.origin),
                             TextFact("compute_capability", record.compute_capability, fact.origin)]
            elif shared.get(id(fact)):  # a family name ("GT 1030") whose GPUs share one compute capability
                resolved.append(TextFact("compute_capability", shared[id(fact)], fact.origin))
        elif not (fact.name == "compute_capability" and known):
            resolved.append(fact)
    return resolved


def _gpu_record(knowledge: Knowledge, name: str) -> Any:
    """The matrix's GPU record for ``name``, or ``None`` (unknown or ambiguous)."""
    try:
        return knowledge.find_gpu(name)
    except KbError:
        return None


def _failure_symptoms(hits: dict[str, list[Hit]]) -> list[str]:
    """The symptoms seen that point to a cause (positive weight), as ``"title (error line N: ...)"``."""
    return [f"{found[0].symptom.title} ({found[0].evidence})" for found in hits.values()
            if found[0].symptom.failure or any(weight > 0 for _, weight in found[0].symptom.findings)]


def _next_steps(facts: Facts) -> list[str]:
    """What to give next so the doctor can check more: the facts still unknown."""
    wanted = [("os", "--os"), ("python", "--python"), ("tensorflow", "--tensorflow (pip show tensorflow)"),
              ("gpu", "--gpu (nvidia-smi -L)"), ("driver", "--driver (nvidia-smi)"), ("cuda", "--cuda (nvcc --version)"),
              ("cudnn", "--cudnn")]
    missing = [flag for name, flag in wanted if getattr(facts, name) in (None, [], "")]
    steps = [f"Give the facts still unknown: {', '.join(missing)}"] if missing else []
    steps.append("Paste the whole output of: python -c \"import tensorflow as tf; print(tf.__version__); "
                 "print(tf.config.list_physical_devices('GPU'))\" (--error-file FILE)")
    return steps


def diagnose(knowledge: Knowledge, snapshot: Optional[Snapshot] = None, declared: Optional[dict[str, Any]] = None,
             error: Optional[ErrorText] = None) -> DoctorReport:
    """Diagnose a TensorFlow install.

    ``snapshot`` is a detection snapshot (or ``None`` for declared facts only); ``declared`` holds
    normalised facts that override it (os, arch, python, gpu + compute_capability, driver, tensorflow,
    package, cuda, cudnn, cpu); ``error`` is the error text read with :func:`read_error`. Facts the
    text shows (OS, Python, TensorFlow) fill what is unknown; a text from another OS than the detected
    one sets the snapshot aside. Returns a :class:`DoctorReport`; never raises on input.
    """
    error = error or read_error(None)
    hits = match(knowledge, error)
    notes: list[str] = []
    detected = from_snapshot(snapshot)
    facts = apply_declared(detected, declared or {})
    read = _resolve_gpu(knowledge, text_facts(hits))
    facts, contradiction = apply_text(facts, read, declared or {})
    if contradiction:
        notes.append(contradiction)
        facts = apply_text(apply_declared(Facts(), declared or {}), read, declared or {})[0]
    gpu_wanted = any(dict(found[0].symptom.implies).get("device") == "gpu" for found in hits.values())
    report = check(knowledge, environment(facts, gpu_wanted, knowledge))
    context = Context(knowledge, facts, error, _planner(knowledge, facts), hits, report)
    found: dict[str, Finding] = {}
    for rule in RULES:
        finding = rule(context)
        if finding is not None and (finding.id not in found or finding.score > found[finding.id].score):
            found[finding.id] = finding
    for name in FINDING_IDS:
        if name not in found and (extra := generic(context, name)) is not None:
            found[name] = extra
    for finding in found.values():
        finding.evidence = list(dict.fromkeys(finding.evidence))
    symptoms = _failure_symptoms(hits)
    if symptoms:
        for finding in found.values():  # a cause that explains none of the text's failure symptoms ranks lower
            if not any(item.startswith("error line") for item in finding.evidence):
                finding.score *= 0.6
    order = {rule.__name__.replace("_", "-"): index for index, rule in enumerate(RULES)}
    findings = sorted(found.values(), key=lambda f: (-round(f.score, 2), order.get(f.id, 99)))
    notes += [found_hits[0].symptom.note for found_hits in hits.values() if found_hits[0].symptom.note]
    if error.truncated:
        notes.append("The error text was long: its first and last lines and every line with a keyword were read.")
    if error.binary:
        notes.append("The error text contained binary data; undecodable bytes were replaced.")
    next_steps: list[str] = []
    if symptoms and not explains(findings):
        next_steps = [hit[0].symptom.hint for hit in hits.values() if hit[0].symptom.hint] + _next_steps(facts)
    if not findings and not symptoms and not facts.origin and not error:
        notes.append("Nothing to check: no facts (detection off, nothing declared) and no error text.")
    return DoctorReport(findings, snapshot, facts, notes, report, symptoms, next_steps)
