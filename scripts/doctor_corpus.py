"""Score kbsolve doctor on the public-report corpus (tests/cases/doctor.yaml), per split.

Usage: python scripts/doctor_corpus.py [--show tuning]

Prints top-1 accuracy on the tuning split (cases the symptom catalogue was tuned on) and on the
validation split (never used for tuning), and the families' case counts. With ``--show tuning``
the misranked tuning cases are listed (validation cases are never listed, so they stay unseen).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

import kbsolver
from kbsolver.doctor import diagnose, read_error

HERE = Path(__file__).resolve().parent.parent


def declared(kb: kbsolver.Knowledge, facts: dict) -> dict:
    found = {k: str(facts[k]) for k in ("os", "arch", "python", "tensorflow", "package", "cuda", "cudnn", "driver", "cpu")
             if facts.get(k)}
    if facts.get("gpu"):
        try:
            gpu = kb.find_gpu(str(facts["gpu"]))
        except kbsolver.KbError:
            return found
        found["gpu"], found["compute_capability"] = gpu.name, gpu.compute_capability
    return found


def first(kb: kbsolver.Knowledge, case: dict) -> str:
    report = diagnose(kb, None, declared(kb, case.get("declared") or {}), read_error(case["error"]))
    return report.findings[0].id if report.findings else "none"


def main() -> None:
    kb = kbsolver.load()
    cases = yaml.safe_load((HERE / "tests" / "cases" / "doctor.yaml").read_text(encoding="utf-8"))
    show = "--show" in sys.argv
    scores: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for case in cases:
        split = case.get("split", "tuning")
        got = first(kb, case)
        totals[split] += 1
        scores[split] += got == case["expected"]
        if show and split == "tuning" and got != case["expected"]:
            print(f"  {case['id']}: expected {case['expected']}, got {got}")
    for split in ("tuning", "validation"):
        print(f"{split:10} top-1 {scores[split]}/{totals[split]} = {100 * scores[split] / max(totals[split], 1):.1f} %")
    families = Counter(c["expected"] for c in cases)
    print("cases per family:", ", ".join(f"{k} {v}" for k, v in sorted(families.items())))


if __name__ == "__main__":
    main()
