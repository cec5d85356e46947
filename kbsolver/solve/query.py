"""The declared facts of a machine, normalised: the root requirements of a solve."""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from kbsolver.errors import InputError
from kbsolver.frozen import frozen
from kbsolver.guards import flag_values
from kbsolver.knowledge import Knowledge
from kbsolver.knowledge.platforms import normalize_arch, normalize_os, normalize_python, this_arch, this_os


@frozen
class Query:
    """What the user declared about the target machine, in canonical form.

    ``os`` is linux|windows|macos, ``arch`` x86_64|arm64|x86, ``python`` "X.Y" or ``None`` (any),
    ``gpu`` the GPU's official name or ``None``, ``compute_capability`` "X.Y" or ``None``,
    ``driver`` an NVIDIA driver version as written or ``None``, ``tensorflow`` a PEP 440
    specifier or ``None``, ``cpu_only`` True for a plan without CUDA.

    ``environment`` is ``"wsl2"`` for Linux inside WSL2 on a Windows host (the NVIDIA driver is the
    Windows host's), else ``None``. ``avx`` is ``False`` for a CPU without AVX (``--no-avx`` or
    detected), ``True`` when detection saw AVX, ``None`` when unknown. ``glibc`` and ``python_bits``
    are what detection read (``None`` when not detected); they only drop notes the machine already meets.
    """

    os: str
    arch: str
    python: Optional[str] = None
    gpu: Optional[str] = None
    compute_capability: Optional[str] = None
    driver: Optional[str] = None
    tensorflow: Optional[str] = None
    cpu_only: bool = False
    environment: Optional[str] = None
    avx: Optional[bool] = None
    glibc: Optional[str] = None
    python_bits: Optional[int] = None

    @property
    def driver_os(self) -> str:
        """The OS whose NVIDIA driver runs CUDA: the Windows host's for WSL2, else :attr:`os`."""
        return "windows" if self.environment == "wsl2" else self.os

    @property
    def platform_label(self) -> str:
        """``"wsl2"`` inside WSL2, else the OS name (as ``--os`` spells it)."""
        return self.environment or self.os

    @property
    def device(self) -> str:
        """``"gpu"`` when a GPU (or compute capability) is declared and ``cpu_only`` is not set."""
        return "gpu" if self.compute_capability and not self.cpu_only else "cpu"

    def changed(self, **changes: Any) -> Query:
        """A copy with ``changes`` applied (keys as in :meth:`to_dict`); ``os="wsl2"`` means Linux inside WSL2,
        any other ``os`` leaves WSL2."""
        if changes.get("os") == "wsl2":
            changes = {**changes, "os": "linux", "environment": "wsl2"}
        elif "os" in changes:
            changes = {"environment": None, **changes}
        return Query(**{**vars(self), **changes})  # dataclasses.replace, at a third of its cost (no InitVars here)

    def command_line(self) -> str:
        """The ``kbsolve plan`` command that asks this query, quoted so that bash, PowerShell and cmd read it alike."""
        flags: list[tuple[str, Any]] = [
            ("--gpu", self.gpu), ("--compute-capability", None if self.gpu else self.compute_capability),
            ("--python", self.python), ("--os", self.platform_label), ("--arch", self.arch), ("--driver", self.driver),
            ("--tensorflow", self.tensorflow), ("--cpu-only", self.cpu_only or None), ("--no-avx", self.avx is False or None)]
        words = ["kbsolve", "plan"]
        for flag, value in flags:
            if value is True:
                words.append(flag)
            elif value is not None:
                words += [flag, shell_word(str(value))]
        return " ".join(words)

    def to_dict(self) -> dict[str, Any]:
        """The normalised inputs as JSON-ready data (``None`` fields omitted)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


def shell_word(value: str) -> str:
    """``value`` as one word for bash, PowerShell and cmd alike: bare when it is plain, else in double quotes
    (no shell expands ``*``, ``<`` or ``=`` inside them; the flag values never hold ``"``, ``$`` or a backtick)."""
    if re.fullmatch(r"[A-Za-z0-9._+-]+", value):
        return value
    return '"' + re.sub(r'["$`]', "", value) + '"'


def tensorflow_spec(text: str) -> str:
    """Turn ``2.10``, ``2.10.*``, ``<2.11`` or ``>=2.4,<2.6`` into a PEP 440 specifier; raises ``InputError``."""
    value = text.strip().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)*(\.\*)?", value):
        value = f"=={value}" if value.endswith("*") or value.count(".") >= 2 else f"=={value}.*"
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        raise InputError(f"--tensorflow: '{text}' is not a version specifier", hint="e.g. 2.10.*, <2.11 or >=2.4,<2.6") from None
    return value


def compute_capability(text: str) -> str:
    """Validate ``X.Y`` (``sm_86`` and ``86`` accepted too); raises ``InputError``."""
    value = text.strip().lower().removeprefix("sm_").removeprefix("compute_")
    if re.fullmatch(r"\d{2,3}", value, re.ASCII):
        value = f"{value[:-1]}.{value[-1]}"
    if not re.fullmatch(r"\d{1,2}\.\d", value, re.ASCII):
        raise InputError(f"--compute-capability: '{text}' is not X.Y", hint="e.g. 8.6 (or sm_86)")
    return value


def driver_version(text: str) -> str:
    """Validate an NVIDIA driver version (``535.104.05``); returned exactly as written."""
    value = text.strip()
    if not re.fullmatch(r"\d{1,6}(\.\d{1,6}){0,3}", value, re.ASCII):
        raise InputError(f"--driver: '{text[:40]}' is not a driver version", hint="e.g. 535.104.05")
    try:
        Version(value)
    except InvalidVersion:
        raise InputError(f"--driver: '{text}' is not a driver version", hint="e.g. 535.104.05") from None
    return value


def _known_compute_capability(knowledge: Knowledge, cc: str) -> bool:
    return any(g.compute_capability == cc for g in knowledge.gpus) or \
        any(cc in t.compute_capabilities for t in knowledge.cuda_toolkits)


def make_query(
    knowledge: Knowledge,
    *,
    gpu: Optional[str] = None,
    compute_capability_: Optional[str] = None,
    python: Optional[str] = None,
    os: Optional[str] = None,
    arch: Optional[str] = None,
    driver: Optional[str] = None,
    tensorflow: Optional[str] = None,
    cpu_only: bool = False,
    avx: Optional[bool] = None,
    glibc: Optional[str] = None,
    python_bits: Optional[int] = None,
) -> Query:
    """Normalise raw user input into a :class:`Query`.

    ``os``/``arch`` default to the running machine; ``os`` ``wsl2`` (or ``wsl``) is Linux inside WSL2.
    ``avx=False`` plans for a CPU without AVX. A GPU name is resolved through the matrix
    (its compute capability is filled in); a conflicting ``compute_capability_`` raises.
    Raises :class:`~kbsolver.errors.InputError` (exit code 2) naming the flag at fault.
    """
    flags = {"--gpu": gpu, "--compute-capability": compute_capability_, "--python": python, "--os": os, "--arch": arch,
             "--driver": driver, "--tensorflow": tensorflow}
    flag_values(flags)  # empty, over-long, non-ASCII versions: refused before any parser or lookup sees them
    cc = compute_capability(compute_capability_) if compute_capability_ else None
    if cc and not _known_compute_capability(knowledge, cc):
        raise InputError(f"--compute-capability: no NVIDIA GPU or CUDA toolkit in the matrix has compute capability {cc}",
                         hint="see kbsolve matrix gpus")
    gpu_name = None
    if gpu:
        record = knowledge.find_gpu(gpu)
        gpu_name = record.name
        if cc and cc != record.compute_capability:
            raise InputError(
                f"--compute-capability {cc} contradicts --gpu {gpu}",
                hint=f"{record.name} is compute capability {record.compute_capability}",
            )
        cc = record.compute_capability
    return Query(
        os=normalize_os(os) if os else this_os(),
        arch=normalize_arch(arch) if arch else this_arch(),
        python=normalize_python(python) if python else None,
        gpu=gpu_name,
        compute_capability=cc,
        driver=driver_version(driver) if driver else None,
        tensorflow=tensorflow_spec(tensorflow) if tensorflow else None,
        cpu_only=cpu_only,
        environment="wsl2" if os and os.strip().lower() in ("wsl", "wsl2") else None,
        avx=avx,
        glibc=glibc,
        python_bits=python_bits,
    )
