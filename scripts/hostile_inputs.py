#!/usr/bin/env python3
"""Run ``kbsolve`` on every hostile input of issue 8 and report time, peak memory, exit code and tracebacks.

Usage::

    python scripts/hostile_inputs.py            # a table, one row per case
    python scripts/hostile_inputs.py --json     # the same as JSON

Each case runs ``python -m kbsolver.cli ...`` in a child process with its address space capped at
1.5 GiB (``RLIMIT_AS``) and a 60 s wall-clock limit, with the real limits (no test shortcuts).
Fake ``nvidia-smi``/``nvcc``/``ldconfig``/``ldd`` are shell scripts in a temporary directory put
first on ``PATH``. A case passes when it ends within 15 s, exits 0, 1 or 2, prints no traceback,
and (detect) leaves no process of its fake tools running. POSIX only (FIFOs, process groups, /dev/zero).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ADDRESS_SPACE = 1536 * 1024 * 1024
WALL_LIMIT = 60.0
PASS_SECONDS = 15.0


def _tool(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


#: runs the CLI in-process and writes its peak resident set (KiB on Linux) to the file named first
WRAPPER = ("import atexit, resource, sys\n"
           "out = sys.argv.pop(1)\n"
           "atexit.register(lambda: open(out, 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
           "from kbsolver.cli import main\n"
           "sys.argv[0] = 'kbsolve'\n"
           "main()\n")


def _run(args: list[str], env: dict[str, str], stdin: Any = subprocess.DEVNULL, cwd: Path = ROOT) -> dict[str, Any]:
    start = time.monotonic()
    peak_file = Path(tempfile.mktemp(prefix="kbsolve-peak-"))
    process = subprocess.Popen([sys.executable, "-c", WRAPPER, str(peak_file), *args], stdin=stdin, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, cwd=cwd, preexec_fn=_limit, start_new_session=True)
    try:
        out, err = process.communicate(timeout=WALL_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
    seconds = time.monotonic() - start
    try:
        peak: Any = int(peak_file.read_text()) // 1024
        peak_file.unlink()
    except (OSError, ValueError):
        peak = None
    return {"exit": process.returncode, "seconds": round(seconds, 2), "out": out.decode(errors="replace"),
            "err": err.decode(errors="replace"), "peak_mib": peak}


def _alive(pid_file: Path) -> int:
    """Processes named in ``pid_file`` still running (zombies count as gone)."""
    count = 0
    for line in pid_file.read_text().split() if pid_file.exists() else []:
        try:
            state = Path(f"/proc/{line}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        count += state != "Z"
    return count


def cases(tmp: Path) -> list[tuple[str, list[str], dict[str, str], Any]]:
    """``(name, argv, extra environment, stdin)`` for every row of the issue's table."""
    big = "x" * 100_000
    digits = "1" * 5000
    (tmp / "cycle").mkdir()
    (tmp / "cycle" / "cudnn.yaml").write_text("kind: cudnn\nrecords: &r\n- *r\n")
    laughs = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9))
    (tmp / "laughs.yaml").write_text(laughs)
    majors = (ROOT / "matrix" / "cuda_majors.yaml").read_text(encoding="utf-8")
    (tmp / "digits.yaml").write_text(majors.replace('major: "11"', f'major: "{digits}"', 1), encoding="utf-8")
    (tmp / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp / "loop").mkdir()
    os.symlink(tmp / "loop" / "b.yaml", tmp / "loop" / "a.yaml")
    os.symlink(tmp / "loop" / "a.yaml", tmp / "loop" / "b.yaml")
    bad = tmp / "bad"
    bad.mkdir()
    for path in (ROOT / "matrix").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "cudnn.yaml":
            text = text.replace('version: "5.1"', "version: 5.1", 1)
        (bad / path.name).write_text(text, encoding="utf-8")
    yml = tmp / "yml"
    yml.mkdir()
    (yml / "cudnn.yml").write_text((ROOT / "matrix" / "cudnn.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    snapshot = json.loads(_run(["detect", "--format", "json"], dict(os.environ))["out"])
    (tmp / "snap-utf16.json").write_bytes(json.dumps(snapshot).encode("utf-16"))
    (tmp / "snap-utf8bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(snapshot).encode())
    snapshot["nvidia"]["driver"] = {"value": digits, "source": "x"}
    (tmp / "snap-digits.json").write_text(json.dumps(snapshot))
    # CUDA_HOME with a FIFO version.json, a nested one, a 5000-digit one
    for name, content in (("fifo", None), ("nested", "[" * 100_000), ("digits", json.dumps({"cuda": {"version": digits}}))):
        home = tmp / f"cuda-{name}"
        home.mkdir()
        if content is None:
            os.mkfifo(home / "version.json")
        else:
            (home / "version.json").write_text(content)
    pids = tmp / "pids"
    tools: dict[str, dict[str, str]] = {}
    for kind, body in (
        ("hang", f"/bin/sleep 300 & echo $! >> {pids}; echo $$ >> {pids}; exec /bin/sleep 300"),
        ("yes", "exec yes"),
        ("digits", f"echo 'name, compute_cap, memory.total [MiB], driver_version'; echo 'NVIDIA H100, 9.0, 81559 MiB, {digits}'"),
        ("odd", "echo 'name, compute_cap, memory.total [MiB], driver_version'; echo ', 9.0, -5 MiB, 535.104.05';"
                " echo '\U0001f600, 9.0, 100 MiB, 535.104.05'"),
    ):
        directory = tmp / f"bin-{kind}"
        directory.mkdir()
        for tool in ("nvidia-smi", "nvcc", "ldconfig", "ldd") if kind == "hang" else ("nvidia-smi",):
            _tool(directory, tool, body)
        tools[kind] = {"PATH": f"{directory}{os.pathsep}{os.environ.get('PATH', '')}"}
    _tool(tmp, "python-list", "echo '[]'")
    cwd_nvcc = tmp / "cwd"
    cwd_nvcc.mkdir()
    _tool(cwd_nvcc, "nvcc", f"echo planted > {tmp / 'planted'}; echo 'Cuda compilation tools, release 99.9'")
    return [
        ("alias cycle: validate", ["validate", str(tmp / "cycle" / "cudnn.yaml")], {}, None),
        ("alias cycle: plan --matrix DIR", ["plan", "--matrix", str(tmp / "cycle"), "--python", "3.8"], {}, None),
        ("billion laughs: validate", ["validate", str(tmp / "laughs.yaml")], {}, None),
        ("validate /dev/zero", ["validate", "/dev/zero"], {}, None),
        ("plan --matrix /dev/zero", ["plan", "--matrix", "/dev/zero"], {}, None),
        ("doctor --snapshot /dev/zero", ["doctor", "--snapshot", "/dev/zero"], {}, None),
        ("doctor --error-file /dev/zero", ["doctor", "--no-detect", "--error-file", "/dev/zero"], {}, None),
        ("doctor --error-file - < /dev/zero", ["doctor", "--no-detect", "--os", "linux", "--error-file", "-"], {}, "/dev/zero"),
        ("plan --gpu 100 KB", ["plan", "--gpu", big], {}, None),
        ("doctor --gpu 100 KB", ["doctor", "--no-detect", "--gpu", big], {}, None),
        ("matrix cuda --gpu 100 KB", ["matrix", "cuda", "--gpu", big], {}, None),
        ("plan --driver 5000 digits", ["plan", "--driver", digits], {}, None),
        ("plan --tensorflow 5000 digits", ["plan", "--tensorflow", digits], {}, None),
        ("doctor --cuda 5000 digits", ["doctor", "--no-detect", "--cuda", digits], {}, None),
        ("doctor --cudnn 5000 digits", ["doctor", "--no-detect", "--cudnn", digits], {}, None),
        ("doctor --tensorflow 5000 digits", ["doctor", "--no-detect", "--tensorflow", digits], {}, None),
        ("doctor --driver 5000 digits", ["doctor", "--no-detect", "--driver", digits], {}, None),
        ("validate: 5000-digit version in YAML", ["validate", str(tmp / "digits.yaml")], {}, None),
        ("doctor --snapshot: 5000-digit driver", ["doctor", "--snapshot", str(tmp / "snap-digits.json")], {}, None),
        ("detect: nvidia-smi prints 5000-digit driver", ["detect", "--format", "json"], tools["digits"], None),
        ("detect: version.json 5000 digits", ["detect", "--format", "json"], {"CUDA_HOME": str(tmp / "cuda-digits")}, None),
        ("doctor --snapshot: 100000 nested brackets", ["doctor", "--snapshot", str(tmp / "deep.json")], {}, None),
        ("detect: version.json 100000 nested", ["detect", "--format", "json"], {"CUDA_HOME": str(tmp / "cuda-nested")}, None),
        ("detect: nvidia-smi runs yes", ["detect", "--format", "json"], tools["yes"], None),
        ("detect: hanging nvidia-smi, nvcc, ldconfig, ldd", ["detect", "--format", "json"], tools["hang"], None),
        ("detect: FIFO version.json", ["detect", "--format", "json"], {"CUDA_HOME": str(tmp / "cuda-fifo")}, None),
        ("doctor (detects): FIFO version.json", ["doctor"], {"CUDA_HOME": str(tmp / "cuda-fifo")}, None),
        ("detect --python-exe printing []", ["detect", "--python-exe", str(tmp / "python-list")], {}, None),
        ("validate: symlink loop in matrix dir", ["validate", str(tmp / "loop")], {}, None),
        ("plan --matrix: symlink loop", ["plan", "--matrix", str(tmp / "loop")], {}, None),
        ("plan --matrix: one bad cudnn record", ["plan", "--matrix", str(bad), "--python", "3.8"], {}, None),
        ("validate: *.yml file read", ["validate", str(yml)], {}, None),
        ("doctor --snapshot UTF-16 BOM", ["doctor", "--snapshot", str(tmp / "snap-utf16.json")], {}, None),
        ("doctor --snapshot UTF-8 BOM", ["doctor", "--snapshot", str(tmp / "snap-utf8bom.json")], {}, None),
        ("doctor --tensorflow ''", ["doctor", "--no-detect", "--tensorflow", ""], {}, None),
        ("matrix gpus --gpu ''", ["matrix", "gpus", "--gpu", ""], {}, None),
        ("plan --python 3.８ (full-width)", ["plan", "--python", "3.８"], {}, None),
        ("detect: -5 MiB, empty and emoji GPU names", ["detect", "--format", "json"], tools["odd"], None),
        ("detect: nvcc planted in cwd, '.' on PATH", ["detect", "--format", "json"],
         {"PATH": f".{os.pathsep}{os.pathsep}{os.environ.get('PATH', '')}", "_CWD": str(cwd_nvcc)}, None),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    options = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        for name, argv, extra, stdin in cases(tmp):
            env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
            cwd = Path(env.pop("_CWD", ROOT))
            handle = open(stdin, "rb") if stdin else subprocess.DEVNULL  # noqa: SIM115
            try:
                done = _run(argv, env, handle, cwd)
            finally:
                if stdin:
                    handle.close()
            time.sleep(0.2)
            left = _alive(tmp / "pids")
            (tmp / "pids").unlink(missing_ok=True)
            traceback = "Traceback" in done["err"] or "Traceback" in done["out"]
            peak = done["peak_mib"]
            planted = (tmp / "planted").exists()
            ok = done["exit"] in (0, 1, 2) and not traceback and done["seconds"] <= PASS_SECONDS and not left and not planted
            first = (done["err"].strip().splitlines() or done["out"].strip().splitlines() or [""])[0][:110]
            results.append({"case": name, "exit": done["exit"], "seconds": done["seconds"], "peak_rss_mib": peak,
                            "traceback": traceback, "left_running": left, "ok": ok, "message": first})
    if options.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'case':48} {'exit':>4} {'s':>6} {'MiB':>5}  ok  first line")
        for r in results:
            peak = r["peak_rss_mib"] if r["peak_rss_mib"] is not None else "?"
            verdict = "ok" if r["ok"] else "NO"
            print(f"{r['case'][:48]:48} {r['exit']:>4} {r['seconds']:>6} {peak!s:>5}  {verdict:3} {r['message']}")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
