"""The declared facts of a machine, normalised: the root requirements of a solve."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from .errors import InputError
from .guards import flag_values
from .knowledge import Knowledge
from .platforms import normalize_arch, normalize_os, normalize_python, this_arch, this_os


@dataclass(frozen=True)
class Query:
    """What the user declared about the target machine, in canonical form.

    ``os`` is linux|windows|macos, ``arch`` x86_64|arm64|x86, ``python`` "X.Y" or ``None`` (any),
    ``gpu`` the GPU's official name or ``None``, ``compute_capability`` "X.Y" or ``None``,
    ``driver`` an NVIDIA driver version as written or ``None``, ``tensorflow`` a PEP 440
    specifier or ``None``, ``cpu_only`` True for a plan without CUDA.
    """

    os: str
    arch: str
    python: Optional[str] = None
    gpu: Optional[str] = None
    compute_capability: Optional[str] = None
    driver: Optional[str] = None
    tensorflow: Optional[str] = None
    cpu_only: bool = False

    @property
    def device(self) -> str:
        """``"gpu"`` when a GPU (or compute capability) is declared and ``cpu_only`` is not set."""
        return "gpu" if self.compute_capability and not self.cpu_only else "cpu"

    def changed(self, **changes: Any) -> Query:
        """A copy with ``changes`` applied (keys as in :meth:`to_dict`)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The normalised inputs as JSON-ready data (``None`` fields omitted)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


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
) -> Query:
    """Normalise raw user input into a :class:`Query`.

    ``os``/``arch`` default to the running machine. A GPU name is resolved through the matrix
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
    )
