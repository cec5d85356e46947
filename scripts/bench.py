"""Benchmarks of issue 10's table: process, load, warm plan, full cross-product, hard conflict, peak memory.

Usage::

    python scripts/bench.py                       # this checkout, its interpreter
    python scripts/bench.py --python OTHER/.venv/bin/python --skip sweep   # another checkout (e.g. the old code)

Every number comes from a fresh child process of the interpreter given (the ``kbsolve`` script beside
it for the CLI row), so an older checkout can be measured with the same script. Each row reports the
median wall time and, where the machine is shared, the CPU time (user + system) of the child, which
other load disturbs less; peak memory is the child's maximum resident set size. Bytecode caching is
enabled for the children (as in an installed wheel) even when PYTHONDONTWRITEBYTECODE is set, and
each child is run once before timing so the compiled-knowledge cache and ``__pycache__`` are warm.
Printed as a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PLAN_ARGS = ["plan", "--gpu", "rtx3060", "--python", "3.8", "--os", "windows"]
HARD = {"python": "3.5", "driver": "999.99", "tensorflow": ">=2.14", "compute_capability_": "10.3", "os": "linux",
        "arch": "x86_64"}

#: Run inside the child: a JSON line of timings. ``mode`` picks the measurement.
CHILD = r'''
import json, sys, time
mode = sys.argv[1]
t0, c0 = time.perf_counter(), time.process_time()
import kbsolver
t1, c1 = time.perf_counter(), time.process_time()
kb = kbsolver.load()
t2, c2 = time.perf_counter(), time.process_time()
out = {"import_ms": (t1 - t0) * 1e3, "load_ms": (t2 - t1) * 1e3, "load_cpu_ms": (c2 - c1) * 1e3}
if mode == "hard":
    q = kbsolver.make_query(kb, **json.loads(sys.argv[2]))
    t, c = time.perf_counter(), time.process_time()
    r = kbsolver.plan(q, kb)
    out.update(ms=(time.perf_counter() - t) * 1e3, cpu_ms=(time.process_time() - c) * 1e3, status=r.status)
elif mode == "warm":
    import random
    platforms = [("linux", "x86_64"), ("linux", "arm64"), ("windows", "x86_64"), ("macos", "x86_64"), ("macos", "arm64")]
    pythons = ["2.7"] + [f"3.{m}" for m in range(5, 15)]
    every = [(g, p, o, a) for g in [None] + [g.name for g in kb.gpus] for p in pythons for o, a in platforms]
    queries = [kbsolver.make_query(kb, gpu=g, python=p, os=o, arch=a) for g, p, o, a in random.Random(10).sample(every, 400)]
    for q in queries[:50]:
        kbsolver.plan(q, kb)  # warm-up: candidate lists and first solves
    def median(qs):
        times = []
        for q in qs:
            t = time.perf_counter(); kbsolver.plan(q, kb); times.append((time.perf_counter() - t) * 1e3)
        return sorted(times)[len(times) // 2]
    out.update(first_ms=median(queries[50:]), repeat_ms=median(queries[50:]),
               conflicts=sum(kbsolver.plan(q, kb).status == "conflict" for q in queries[50:]))
elif mode == "sweep":
    from kbsolver.solve.sweep import sweep
    t, c = time.perf_counter(), time.process_time()
    n = sum(1 for r in sweep(kb) if r.to_dict())
    out.update(ms=(time.perf_counter() - t) * 1e3, cpu_ms=(time.process_time() - c) * 1e3, queries=n)
print(json.dumps(out))
'''


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _run(command: list[str]) -> tuple[float, float, float, str]:
    """Wall ms, CPU ms (user + system) and peak RSS MiB of one child; its stdout."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env())
    assert process.stdout is not None
    out = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = (time.perf_counter() - start) * 1e3
    return wall, (usage.ru_utime + usage.ru_stime) * 1e3, usage.ru_maxrss / 1024, out


def _median_run(command: list[str], repeat: int) -> tuple[float, float, float, str]:
    _run(command)  # warm caches
    runs = [_run(command) for _ in range(repeat)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), max(r[2] for r in runs), runs[-1][3])


def _child(python: str, *args: str) -> tuple[dict[str, Any], float]:
    _, _, rss, out = _run([python, "-c", CHILD, *args])
    return json.loads(out.strip().splitlines()[-1]), rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter of the checkout to measure")
    parser.add_argument("--repeat", type=int, default=15, help="runs per process measurement")
    parser.add_argument("--skip", action="append", default=[], choices=["process", "load", "warm", "sweep", "hard"])
    options = parser.parse_args()
    python = options.python
    kbsolve = str(Path(python).parent / "kbsolve")
    rows = []
    if "process" not in options.skip:
        base = _median_run([python, "-c", "pass"], options.repeat)
        plan = _median_run([kbsolve, *PLAN_ARGS], options.repeat)
        rows.append(("`python -c pass`, whole process", f"{base[0]:.0f} ms (CPU {base[1]:.0f} ms)", f"{base[2]:.0f} MiB"))
        rows.append((f"`kbsolve {' '.join(PLAN_ARGS)}`, whole process",
                     f"{plan[0]:.0f} ms = {plan[0] / base[0]:.1f}× (CPU {plan[1]:.0f} ms = {plan[1] / base[1]:.1f}×)",
                     f"{plan[2]:.0f} MiB"))
    if "load" not in options.skip:
        _child(python, "load")
        loads = [_child(python, "load")[0] for _ in range(max(3, options.repeat // 3))]
        rows.append(("`import kbsolver` + `kbsolver.load()`, fresh process",
                     f"import {statistics.median(x['import_ms'] for x in loads):.0f} ms + load "
                     f"{statistics.median(x['load_ms'] for x in loads):.0f} ms (CPU "
                     f"{statistics.median(x['load_cpu_ms'] for x in loads):.0f} ms)", ""))
    if "warm" not in options.skip:
        warm, rss = _child(python, "warm")
        rows.append((f"library plan, warm, median of 350 sweep queries ({warm['conflicts']} conflicts)",
                     f"{warm['first_ms']:.2f} ms first time; {warm['repeat_ms']:.3f} ms asked again", f"{rss:.0f} MiB"))
    if "sweep" not in options.skip:
        sweep, rss = _child(python, "sweep")
        rows.append((f"full cross-product, {sweep['queries']:,} queries, one process",
                     f"{sweep['ms'] / 1e3:.1f} s (CPU {sweep['cpu_ms'] / 1e3:.1f} s)", f"{rss:.0f} MiB"))
    if "hard" not in options.skip:
        hard, rss = _child(python, "hard", json.dumps(HARD))
        rows.append(("conflict `--python 3.5 --driver 999.99 --tensorflow '>=2.14' --compute-capability 10.3`",
                     f"{hard['ms']:.0f} ms (CPU {hard['cpu_ms']:.0f} ms), {hard['status']}", f"{rss:.0f} MiB"))
    print(f"interpreter: {python}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}\n")
    print("| what | time | peak memory |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
