"""The machine as probes see it: files, commands, environment, registry — real, or recorded.

Probes never touch ``os``/``subprocess`` directly; they ask a :class:`System`. :class:`RealSystem`
reads this machine through :mod:`kbsolver.guards` (files up to a byte cap, never a FIFO or device;
commands by absolute path, never through a shell, with capped output, a timeout each, a time budget
for the whole detection, and their process groups killed at the end); :class:`RecordedSystem`
replays a fixture of real outputs copied from another machine, so detection code paths for
Windows, macOS and NVIDIA hosts run in tests on any machine.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any, Optional

from kbsolver import guards

COMMAND_TIMEOUT = guards.COMMAND_TIMEOUT  # seconds for any external command
READ_LIMIT = guards.DETECT_FILE_LIMIT  # bytes read from any one file


@dataclass(frozen=True)
class CommandResult:
    """What a command did: ``returncode`` and decoded ``stdout``/``stderr``, or ``error`` (why it did not run)."""

    returncode: Optional[int] = None
    stdout: str = ""
    stderr: str = ""
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.returncode == 0


class System:
    """Read-only access to a machine. Subclasses implement the primitives; nothing here raises."""

    platform: str = "linux"  # linux | windows | macos
    env: Mapping[str, str] = {}

    def read_text(self, path: str) -> tuple[Optional[str], Optional[str]]:
        """``(text, None)`` or ``(None, reason)``; at most :data:`READ_LIMIT` bytes, undecodable bytes replaced."""
        raise NotImplementedError

    def exists(self, path: str) -> bool:
        raise NotImplementedError

    def listdir(self, path: str) -> list[str]:
        """Names in a directory (empty if it is missing or unreadable)."""
        raise NotImplementedError

    def run(self, argv: list[str], timeout: float = COMMAND_TIMEOUT) -> CommandResult:
        raise NotImplementedError

    def registry(self, key: str) -> Optional[dict[str, Any]]:
        """Values of a Windows registry key under HKLM (``None`` where absent or not Windows)."""
        return None

    def processor_features(self) -> Optional[dict[str, bool]]:
        """Windows ``IsProcessorFeaturePresent`` answers (avx, avx2, avx512f, sse2), or ``None``."""
        return None

    def platform_info(self) -> dict[str, str]:
        """``system``, ``release``, ``version``, ``machine`` as the :mod:`platform` module reports them."""
        return {}

    def path(self, *parts: str) -> PurePath:
        """A path of this machine's flavour (Windows paths on a Windows system)."""
        return PureWindowsPath(*parts) if self.platform == "windows" else PurePosixPath(*parts)


class RealSystem(System):
    """This machine."""

    def __init__(self, command_timeout: float = guards.COMMAND_TIMEOUT, budget: float = guards.DETECT_BUDGET) -> None:
        """``command_timeout``: seconds per command; ``budget``: seconds for all commands, counted from now."""
        self.platform = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
        self.env = dict(os.environ)
        self.runner = guards.Runner(command_timeout, budget, path=self.env.get("PATH", ""))

    def read_text(self, path: str) -> tuple[Optional[str], Optional[str]]:
        try:
            return guards.read_text(path, READ_LIMIT, truncate=True, errors="replace"), None
        except guards.GuardError as error:
            return None, f"cannot read {path}: {error.message}"

    def exists(self, path: str) -> bool:
        try:
            return os.path.exists(path)
        except (OSError, ValueError):
            return False

    def listdir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(path))
        except (OSError, ValueError):
            return []

    def run(self, argv: list[str], timeout: Optional[float] = None) -> CommandResult:
        done = self.runner.run(argv, timeout)
        if done.error is not None:
            return CommandResult(error=done.error)
        return CommandResult(done.returncode, done.stdout.decode("utf-8", errors="replace"),
                             done.stderr.decode("utf-8", errors="replace"))

    def registry(self, key: str) -> Optional[dict[str, Any]]:
        if self.platform != "windows":
            return None
        try:
            import winreg  # type: ignore[import-not-found]

            values: dict[str, Any] = {}
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key) as handle:
                index = 0
                while True:
                    try:
                        name, value, _ = winreg.EnumValue(handle, index)
                    except OSError:
                        break
                    values[name] = value
                    index += 1
            return values
        except (ImportError, OSError):
            return None

    def processor_features(self) -> Optional[dict[str, bool]]:
        if self.platform != "windows":
            return None
        try:
            import ctypes

            present = ctypes.windll.kernel32.IsProcessorFeaturePresent  # type: ignore[attr-defined]
        except (ImportError, AttributeError, OSError):
            return None
        # PF_XMMI64_INSTRUCTIONS_AVAILABLE=10, PF_AVX_INSTRUCTIONS_AVAILABLE=39, PF_AVX2=40, PF_AVX512F=41 (winnt.h)
        return {"sse2": bool(present(10)), "avx": bool(present(39)), "avx2": bool(present(40)), "avx512f": bool(present(41))}

    def platform_info(self) -> dict[str, str]:
        return {"system": platform.system(), "release": platform.release(), "version": platform.version(),
                "machine": platform.machine()}


@dataclass
class RecordedSystem(System):
    """A machine replayed from a fixture: ``files`` (path -> text), ``commands`` (argv joined by spaces ->
    {returncode, stdout, stderr} or {hang: true}), ``env``, ``registry`` (key -> values), ``features``."""

    platform: str = "linux"
    env: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    commands: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    registry_values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    features: Optional[Mapping[str, bool]] = None
    info: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_fixture(cls, data: Mapping[str, Any]) -> RecordedSystem:
        """Build from a parsed ``tests/fixtures/detect/*.yaml`` mapping."""
        return cls(platform=data.get("platform", "linux"), env=dict(data.get("env") or {}),
                   files=dict(data.get("files") or {}), commands=dict(data.get("commands") or {}),
                   registry_values=dict(data.get("registry") or {}), features=data.get("processor_features"),
                   info=dict(data.get("platform_info") or {}))

    def _key(self, path: str) -> str:
        return path.replace("/", "\\").lower() if self.platform == "windows" else path

    def _files(self) -> dict[str, str]:
        return {self._key(k): v for k, v in self.files.items()}

    def read_text(self, path: str) -> tuple[Optional[str], Optional[str]]:
        text = self._files().get(self._key(path))
        return (text, None) if text is not None else (None, f"cannot read {path}: no such file")

    def exists(self, path: str) -> bool:
        key = self._key(path).rstrip("\\/")
        return any(f == key or f.startswith(key + ("\\" if self.platform == "windows" else "/")) for f in self._files())

    def listdir(self, path: str) -> list[str]:
        sep = "\\" if self.platform == "windows" else "/"
        prefix = self._key(path).rstrip("\\/") + sep
        names = {f[len(prefix):].split(sep)[0] for f in self._files() if f.startswith(prefix)}
        return sorted(n for n in names if n)

    def run(self, argv: list[str], timeout: float = COMMAND_TIMEOUT) -> CommandResult:
        recorded = self.commands.get(" ".join(argv))
        if recorded is None:
            return CommandResult(error=f"{argv[0]} not found")
        if recorded.get("hang"):
            return CommandResult(error=f"{argv[0]} did not answer within {timeout:g} s")
        return CommandResult(int(recorded.get("returncode", 0)), recorded.get("stdout", "") or "",
                             recorded.get("stderr", "") or "")

    def registry(self, key: str) -> Optional[dict[str, Any]]:
        for name, values in self.registry_values.items():
            if name.lower().removeprefix("hklm\\") == key.lower():
                return dict(values)
        return None

    def processor_features(self) -> Optional[dict[str, bool]]:
        return dict(self.features) if self.features is not None else None

    def platform_info(self) -> dict[str, str]:
        return dict(self.info)
