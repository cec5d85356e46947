"""Text and JSON renderers for results; the CLI prints what these return."""

from __future__ import annotations

from typing import Any

from kbsolver.errors import Problem
from kbsolver.solve.result import PlanResult, Suggestion


def to_json(data: Any) -> str:
    """Serialise a result dictionary as stable, indented JSON."""
    import json  # not at import: text output needs none

    return json.dumps(data, indent=2, ensure_ascii=False)


def _suggestion(s: Suggestion) -> str:
    return f"  - {s.summary}\n      {s.command}"


PROMPTS = {"bash": "$", "powershell": "PS>", "cmd": ">"}


def plan_text(result: PlanResult, verbose: bool = False, sources: bool = False) -> str:
    """Human-readable rendering of a plan or a conflict.

    By default a plan shows its components, steps (each command after its shell's prompt, ``$`` or ``PS>``),
    the notes the user must act on and one line about sources; ``verbose`` adds every detail note and the
    source list, ``sources`` the source list alone.
    """
    q = result.query
    target = f"{q.gpu} (compute capability {q.compute_capability})" if q.gpu else (
        f"compute capability {q.compute_capability}" if q.compute_capability else "no GPU")
    python = f"Python {q.python}" if q.python else "any Python"
    where = f"{q.os} {q.arch}" + (" inside WSL2" if q.environment == "wsl2" else "") + \
        (", a CPU without AVX" if q.avx is False else "")
    head = f"TensorFlow install plan for {target}{', CPU only' if q.cpu_only else ''}, {python}, {where}"
    lines = [head, ""]
    if result.plan is None:
        conflict = result.conflict
        assert conflict is not None
        lines += ["No plan: no TensorFlow install fits these facts.", "", "Why:"]
        lines += [f"  - {reason}" for reason in conflict.reasons]
        if conflict.suggestions:
            lines += ["", "What would give a plan (each checked by solving again):"]
            lines += [_suggestion(s) for s in conflict.suggestions]
        return "\n".join(lines)
    plan = result.plan
    lines.append("Components:")
    for c in plan.components:
        if c.min_version:
            value = f">= {c.min_version}" + (f", <= {c.max_version.replace('.*', '.x')}" if c.max_version else "")
            value += "  (on the Windows host)" if c.installed_on == "windows-host" else ""
        else:
            value = c.version or ""
            if c.package:
                value += f"  (pip: {c.package}{'[' + c.extra + ']' if c.extra else ''})"
        lines.append(f"  {c.name:<15} {value}")
    lines += ["", "Steps:"]
    for number, step in enumerate(plan.steps, 1):
        lines.append(f"  {number}. {step.description}")
        prompt = PROMPTS.get(step.shell or "bash", "$")
        lines += [f"       {prompt} {command}" for command in step.commands]
    notes = plan.notes + (plan.details if verbose else ())
    if notes:
        lines += ["", "Notes:"] + [f"  - {note}" for note in notes]
    if plan.sources and (verbose or sources):
        lines += ["", "Sources:"] + [f"  - {url}" for url in plan.sources]
    elif plan.sources:
        hidden = f"; {len(plan.details)} more note(s) with --verbose" if plan.details else ""
        lines += ["", f"Sources: {len(plan.sources)} pages (--sources lists them; --format json has everything{hidden})."]
    return "\n".join(lines)


def problems_text(problems: list[Problem]) -> str:
    """One line per problem: ``file:line:col: message``."""
    return "\n".join(str(p) for p in problems)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_cell(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def table_text(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """A plain-text table of ``rows`` showing ``columns``; cells are never shortened (a long cell widens its column)."""
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in cells]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)


def snapshot_text(snapshot: Any) -> str:
    """A detected snapshot, one field per line: value and source, or '-' and the reason."""
    lines = []
    for section, fields in snapshot.sections.items():
        lines.append(f"{section}:")
        for name, item in fields.items():
            if item.value is None:
                lines.append(f"  {name:<16} -  ({item.reason})")
            else:
                lines.append(f"  {name:<16} {_cell(_short(item.value))}  ({item.source})")
    return "\n".join(lines)


def _short(value: Any) -> Any:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return [", ".join(f"{k}={v}" for k, v in item.items()) if isinstance(item, dict) else item for item in value] or "none"
    return value


def doctor_text(report: Any) -> str:
    """Human-readable report: status, findings most likely first (evidence, fix, the plan and its OS), or the
    unexplained symptoms with what was checked and what to give next."""
    count = len(report.findings)
    checks = len(report.check.checked) if report.check else 0
    if report.status == "findings":
        lines = [f"{count} finding(s), most likely first:"]
    elif report.status == "unexplained":
        lines = ["Unexplained: the error text shows a failure that no known fact explains.", "Symptoms:"]
        if count:
            lines[0] += f" ({count} unrelated finding(s) below)"
        lines += [f"  - {item}" for item in report.symptoms]
        lines += ["Checked:"] + [f"  - {item}" for item in (report.check.checked if report.check else [])[:12]] \
            if checks else ["Checked: nothing (no facts known)"]
        lines += ["What to give next:"] + [f"  - {item}" for item in report.next_steps]
    elif checks:
        lines = [f"No problem found: the facts agree with every requirement checked ({checks} check(s)) and the error "
                 "text shows no failure symptom."]
    else:
        lines = ["No problem found, but little was checked: give the installed versions (--tensorflow, --python, --gpu, "
                 "--driver, --cuda, --cudnn), a snapshot, or the error text."]
    for number, finding in enumerate(report.findings, 1):
        lines += ["", f"{number}. [{finding.id}] {finding.title} (confidence: {finding.confidence})", "   Evidence:"]
        lines += [f"     - {item}" for item in finding.evidence]
        lines += ["   Fix:"] + [f"     - {item}" for item in finding.fix]
        plan = (finding.plan or {}).get("plan")
        if plan:
            parts = [f"{c['name']} {c.get('version') or '>= ' + str(c.get('min_version'))}" for c in plan["components"]]
            where = (finding.plan or {}).get("query", {})
            target = f" for {where.get('os')} {where.get('arch')}" if where.get("os") else ""
            lines.append(f"   Plan{target} (kbsolve plan): {', '.join(parts)}")
    if report.notes:
        lines += ["", "Notes:"] + [f"  - {note}" for note in report.notes]
    return "\n".join(lines)
