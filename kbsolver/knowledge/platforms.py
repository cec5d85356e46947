"""Names of operating systems, CPU architectures and Python versions, and what wheel tags cover.

Wheel tags are expanded as :func:`packaging.tags.parse_tag` does (:func:`tag_parts`, without importing
:mod:`packaging.tags`, which costs the plan path ~10 ms); the platform part is mapped to kbsolver's
``(os, arch)`` vocabulary following the platform-tag specifications (PEP 425, PEP 600
manylinux, macOS ``macosx_<ver>_<arch>``, Windows ``win_amd64``/``win32``/``win_arm64``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Optional

from kbsolver.errors import InputError
from kbsolver.knowledge.model import ARCH_NAMES, OS_NAMES

_OS_ALIASES = {"linux": "linux", "ubuntu": "linux", "wsl": "linux", "wsl2": "linux", "windows": "windows", "win": "windows",
               "win32": "windows", "win64": "windows", "macos": "macos", "mac": "macos", "osx": "macos", "darwin": "macos"}
_ARCH_ALIASES = {"x86_64": "x86_64", "amd64": "x86_64", "x64": "x86_64", "x86-64": "x86_64", "arm64": "arm64",
                 "aarch64": "arm64", "armv8": "arm64", "x86": "x86", "i386": "x86", "i686": "x86", "win32": "x86",
                 "32bit": "x86", "32-bit": "x86"}


def _normalize(value: str, aliases: dict[str, str], flag: str, known: Iterable[str]) -> str:
    key = value.strip().lower()
    if key in aliases:
        return aliases[key]
    import difflib

    close = difflib.get_close_matches(key, list(aliases), n=1)
    hint = f"did you mean '{aliases[close[0]]}'?" if close else f"use one of: {', '.join(known)}"
    raise InputError(f"{flag}: unknown value '{value}'", hint=hint)


def normalize_os(value: str) -> str:
    """Map an OS name or alias (``Darwin``, ``win``, ``WSL2``) to linux|windows|macos; raises ``InputError``."""
    return _normalize(value, _OS_ALIASES, "--os", OS_NAMES)


def normalize_arch(value: str) -> str:
    """Map an architecture or alias (``amd64``, ``aarch64``, ``i686``) to x86_64|arm64|x86; raises ``InputError``."""
    return _normalize(value, _ARCH_ALIASES, "--arch", ARCH_NAMES)


def normalize_python(value: str) -> str:
    """Reduce ``3.8``, ``3.8.10`` or ``cp38`` to ``"3.8"``; raises ``InputError`` for anything else."""
    text = value.strip().lower()
    match = re.fullmatch(r"(?:python)?\s*(\d)\.(\d{1,2})(?:\.\d{1,6})?", text, re.ASCII) or \
        re.fullmatch(r"(?:cp|py)(\d)(\d{1,2})", text, re.ASCII)
    if not match:
        raise InputError(f"--python: '{value}' is not a Python version", hint="write it as X.Y, e.g. 3.10")
    return f"{match.group(1)}.{int(match.group(2))}"


def this_os() -> str:
    """The OS of the running interpreter in kbsolver's vocabulary."""
    return {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")


def this_arch() -> str:
    """The architecture of the running interpreter (a 32-bit Python on a 64-bit OS reports ``x86``)."""
    import os

    if hasattr(os, "uname"):  # what platform.machine() reads on POSIX, without importing platform (~2 ms)
        machine = os.uname().machine.lower() or "x86_64"
    else:
        import platform

        machine = platform.machine().lower() or "x86_64"
    arch = _ARCH_ALIASES.get(machine, machine)
    if arch == "x86_64" and sys.maxsize <= 2**32:
        return "x86"
    return arch


def marker_environment(os: str, arch: str, python: str) -> dict[str, str]:
    """The PEP 508 marker environment of CPython ``python`` on ``os``/``arch`` (for evaluating Requires-Dist markers)."""
    system = {"linux": "Linux", "windows": "Windows", "macos": "Darwin"}[os]
    machine = {("windows", "x86_64"): "AMD64", ("windows", "x86"): "x86", ("linux", "arm64"): "aarch64"}.get((os, arch), arch)
    return {"platform_system": system, "platform_machine": machine, "sys_platform": {"Linux": "linux", "Windows": "win32",
            "Darwin": "darwin"}[system], "os_name": "nt" if os == "windows" else "posix", "python_version": python,
            "python_full_version": f"{python}.0", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "extra": ""}


def platform_of(platform_tag: str) -> list[tuple[str, str]]:
    """Map a wheel platform tag to ``(os, arch)`` pairs; ``any`` maps to every pair, unknown tags to none."""
    if platform_tag == "any":
        return [(os, arch) for os in OS_NAMES for arch in ARCH_NAMES if arch != "x86"]
    if platform_tag.startswith(("manylinux", "linux", "musllinux")):
        os = "linux"
    elif platform_tag.startswith("macosx"):
        os = "macos"
    elif platform_tag.startswith("win"):
        os = "windows"
    else:
        return []
    if platform_tag.endswith(("x86_64", "amd64", "_intel")):
        return [(os, "x86_64")]
    if platform_tag.endswith(("aarch64", "arm64")):
        return [(os, "arm64")]
    if platform_tag.endswith("universal2"):
        return [(os, "x86_64"), (os, "arm64")]
    if platform_tag.endswith(("i686", "win32", "i386")):
        return [(os, "x86")]
    return []


def pythons_of(interpreter: str, abi: str, known: Iterable[str]) -> list[str]:
    """Map an interpreter tag to the CPython ``X.Y`` versions it serves.

    ``cp38`` serves 3.8; ``cp36`` with ``abi3`` serves 3.6 and later; ``py3``/``py2`` serve every
    known version of that major. ``known`` lists the X.Y versions to expand into.
    """
    match = re.fullmatch(r"(cp|py)(\d)(\d*)", interpreter)
    if not match:
        return []
    kind, major, minor = match.groups()
    if kind == "py" and not minor:
        return [v for v in known if v.split(".")[0] == major]
    version = f"{major}.{minor}" if minor else major
    if abi == "abi3":
        return [v for v in known if v.split(".")[0] == major and int(v.split(".")[1]) >= int(minor or 0)]
    return [version]


def tag_parts(tag: str) -> list[tuple[str, str, str]]:
    """Expand a wheel tag, compressed tag sets included (PEP 425: ``cp38-cp38-manylinux2010_x86_64.manylinux2014_x86_64``),
    into ``(interpreter, abi, platform)`` triples, lowercased, as :func:`packaging.tags.parse_tag` does (a test checks
    both agree on every tag in the matrix). Raises ``ValueError`` when the tag has not three ``-``-separated parts."""
    interpreters, abis, platforms = tag.lower().split("-")
    return [(i, a, p) for i in interpreters.split(".") for a in abis.split(".") for p in platforms.split(".")]


def wheel_targets(tags: Iterable[str], known_pythons: Iterable[str]) -> set[tuple[str, str, str]]:
    """Return the ``(python, os, arch)`` triples a release's wheel tags cover."""
    known = list(known_pythons)
    targets: set[tuple[str, str, str]] = set()
    for text in tags:
        for interpreter, abi, platform_tag in tag_parts(text):
            for python in pythons_of(interpreter, abi, known):
                for os, arch in platform_of(platform_tag):
                    targets.add((python, os, arch))
    return targets


def closest(value: str, options: Iterable[str]) -> Optional[str]:
    """The option most similar to ``value`` for did-you-mean hints: the shortest option containing it
    ("3060" -> "rtx3060"), else :func:`difflib.get_close_matches`' best (ratio >= 0.6); ``None`` when
    ``value`` is under 3 characters or nothing is close. Only the first 64 characters of ``value`` count."""
    value = value[:64]
    options = list(options)
    if len(value) < 3:
        return None
    containing = [o for o in options if value in o]
    if containing:
        return min(containing, key=lambda o: (len(o), o))
    import difflib

    close = difflib.get_close_matches(value, options, n=1)
    return close[0] if close else None
