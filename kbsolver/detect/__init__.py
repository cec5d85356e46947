"""Detection: a :class:`Snapshot` of the machine that will run TensorFlow.

Every field carries its value and source, or ``None`` and the reason it could not be read; no
probe raises and every external command has a timeout. Pass a
:class:`~kbsolver.detect.system.RecordedSystem` to replay another machine's recorded outputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from kbsolver.detect.snapshot import Field, Snapshot, found, missing

if TYPE_CHECKING:
    from kbsolver.detect.system import CommandResult, RealSystem, RecordedSystem, System

#: Imported on first use (``import kbsolver`` stays light: planning never probes a machine).
_SYSTEM = ("CommandResult", "RealSystem", "RecordedSystem", "System")


def __getattr__(name: str) -> Any:
    if name in _SYSTEM:
        from kbsolver.detect import system

        return getattr(system, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CommandResult", "Field", "RealSystem", "RecordedSystem", "Snapshot", "System", "detect", "found", "missing"]


def detect(system: Optional[System] = None, python_exe: Optional[str] = None, use_nvml: bool = True) -> Snapshot:
    """Read the machine (default: this one) into a :class:`Snapshot`.

    ``python_exe`` inspects another interpreter by running it (default: this interpreter);
    ``use_nvml`` tries NVML (the optional nvidia-ml-py) before ``nvidia-smi``. Never raises.
    """
    from kbsolver.detect.probes import probe_cpu, probe_cuda, probe_cudnn, probe_msvc, probe_nvidia, probe_os, probe_python
    from kbsolver.detect.system import RealSystem

    system = system or RealSystem()
    snapshot = Snapshot()
    snapshot.sections["os"] = probe_os(system)
    python, tensorflow = probe_python(system, python_exe)
    snapshot.sections["python"] = python
    snapshot.sections["cpu"] = probe_cpu(system)
    snapshot.sections["nvidia"] = probe_nvidia(system, use_nvml and isinstance(system, RealSystem))
    snapshot.sections["cuda"] = probe_cuda(system)
    snapshot.sections["cudnn"] = probe_cudnn(system, snapshot.get("cuda", "toolkits") or [],
                                             snapshot.get("cuda", "libraries") or [])
    snapshot.sections["msvc"] = probe_msvc(system)
    snapshot.sections["tensorflow"] = tensorflow
    return snapshot
