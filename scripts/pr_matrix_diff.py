#!/usr/bin/env python3
"""Summarise which answers a pull request's matrix edit changes, for CI (.github/workflows/matrix-diff.yml).

Usage::

    python scripts/pr_matrix_diff.py BASE_MATRIX NEW_MATRIX [--summary FILE]

Runs ``kbsolve diff BASE_MATRIX NEW_MATRIX`` (every GPU x Python x platform answer of both
matrices, grouped changes) and writes a Markdown section for the reviewer: appended to
``--summary FILE`` (the workflow passes ``$GITHUB_STEP_SUMMARY``), else printed. Output longer
than ``--max-bytes`` is cut, saying so.

Exit codes: 0 the summary was written, whether answers changed or not (a change is for the
reviewer to judge, not a failure); 2 ``kbsolve diff`` failed (bad input, invalid matrix, timeout).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Optional

TIMEOUT_S = 1800


def summary(code: int, output: str, max_bytes: int) -> str:
    """The Markdown section for ``kbsolve diff``'s exit ``code`` (0 unchanged, 1 changed) and ``output``."""
    head = "## Answers changed by this pull request\n\n"
    if code == 0:
        return head + "No answer changed: every plan and conflict is the same with the new matrix.\n"
    data = output.encode("utf-8")
    cut = len(data) > max_bytes
    text = data[:max_bytes].decode("utf-8", errors="ignore")
    fence = "````" if "```" in text else "```"
    note = f"\n(cut at {max_bytes} bytes of {len(data)}; run `kbsolve diff` locally for the rest)\n" if cut else ""
    listing = f"{fence}text\n{text.rstrip()}\n{fence}\n"
    return head + "`kbsolve diff` lists the answers that differ (old -> new):\n\n" + listing + note


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="matrix directory (or git revision) before the change")
    parser.add_argument("new", help="matrix directory (or git revision) after the change")
    parser.add_argument("--summary", type=Path, help="append the Markdown here (e.g. $GITHUB_STEP_SUMMARY); default stdout")
    parser.add_argument("--max-bytes", type=int, default=60_000, help="cut the listing after this many bytes")
    parser.add_argument("--command", default="kbsolve diff", help="the diff command (default: %(default)s)")
    args = parser.parse_args(argv)
    command = [*shlex.split(args.command), args.base, args.new]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"pr_matrix_diff: error: cannot run {args.command}: {error}", file=sys.stderr)
        return 2
    if result.returncode not in (0, 1):
        message = (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[0]
        print(f"pr_matrix_diff: error: {args.command} failed: {message}", file=sys.stderr)
        return 2
    text = summary(result.returncode, result.stdout, args.max_bytes)
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
