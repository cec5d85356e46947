"""Time ``kbsolve doctor`` (the library call, knowledge loaded once) on large logs.

Usage: python scripts/bench_doctor.py [--sizes 1,100]

Builds a realistic log of the given sizes in MB (TensorFlow start-up lines repeated, with the
failure lines at the start, in the middle and at the end), reads it through the doctor's bounded
reader from a file, and prints the wall time of reading + diagnosing. Targets: 1 MB <= 1 s,
100 MB <= 10 s on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import kbsolver
from kbsolver.doctor import diagnose, read_error

NOISE = ("2023-06-01 15:58:54.130390: I tensorflow/core/platform/cpu_feature_guard.cc:182] This TensorFlow binary is "
         "optimized to use available CPU instructions in performance-critical operations.\n"
         "Epoch 1/10 1875/1875 [==============================] - 5s 2ms/step - loss: 0.2970 - accuracy: 0.9137\n")
FAILURE = ("2023-06-01 15:58:54.130390: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load "
           "dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file "
           "or directory\n")


def build(path: Path, megabytes: int) -> None:
    target = megabytes * 1024 * 1024
    block = NOISE * 2000
    with path.open("w", encoding="utf-8") as handle:
        handle.write(FAILURE)
        written = len(FAILURE)
        middle = False
        while written < target:
            handle.write(block)
            written += len(block)
            if not middle and written > target // 2:
                handle.write(FAILURE)
                middle = True
        handle.write(FAILURE)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,100")
    args = parser.parse_args()
    kb = kbsolver.load()
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"log-{size}MB.txt"
            build(path, size)
            start = time.perf_counter()
            with path.open("rb") as handle:
                report = diagnose(kb, None, {"os": "linux", "tensorflow": "2.4.0"}, read_error(handle))
            elapsed = time.perf_counter() - start
            first = report.findings[0].id if report.findings else report.status
            print(f"{size:>4} MB log: {elapsed:6.2f} s  (first finding: {first})")


if __name__ == "__main__":
    main()
