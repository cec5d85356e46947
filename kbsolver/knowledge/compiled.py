"""Compiled knowledge: the validated, indexed matrix stored as one file that loads without YAML or jsonschema.

An entry is keyed by a SHA-256 of every input's bytes: each matrix file (name and content), every
schema file (:func:`kbsolver.knowledge.schema.schema_fingerprint`), the package version and this format's
number. The payload is plain data (dicts, tuples, strings, numbers, frozensets) in :mod:`marshal`'s format,
which loads several times faster than JSON; it is unmarshalled only after it has been verified. It is
verified on every read: the key must match the inputs as they are now, the payload must match its digest,
and an entry in the user cache must carry an HMAC made with this user's secret (``secret`` beside the
entries, mode 0600), so an entry written by hand or copied from elsewhere is not trusted. A missing,
stale, unreadable, oversized or forged entry is not an error: :func:`kbsolver.knowledge.load` then
reads the YAML with full validation and writes a new entry. The cache never decides whether input is
valid; it only remembers the result of a validation.

Where entries live: ``kbsolver/_data/compiled.bin`` inside a wheel (built at wheel build time for the
bundled matrix; trusted like the package's code, so verified by key and digest only), and one file per
matrix (per set of ``--matrix`` paths) in the per-user cache directory (``platformdirs``' user cache
when installed, else XDG_CACHE_HOME / LOCALAPPDATA / ~/Library/Caches). Rewriting a matrix's entry
replaces its stale one; entries unused for :data:`MAX_AGE_DAYS` days and those beyond
:data:`MAX_ENTRIES` are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import marshal
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

FORMAT = 2
#: :mod:`marshal`'s format version: the one every supported Python (3.9-3.13) reads and writes alike for plain data.
MARSHAL_VERSION = 4
#: The suffix of an entry file (format 1 entries, JSON, ended in ``.json``: pruned when unused for MAX_AGE_DAYS).
SUFFIX = ".bin"
#: Modules whose code decides what is valid and what is compiled: their bytes join the key, so an edited
#: rule (in a source checkout, where the package version does not change) re-validates every matrix.
CODE = ("knowledge/compiled.py", "knowledge/__init__.py", "knowledge/checks.py", "knowledge/model.py", "knowledge/platforms.py",
        "knowledge/loader.py", "knowledge/schema.py", "guards.py")
MAGIC = b"kbsolver-compiled"
MAX_BYTES = 64 * 1024 * 1024  # an entry larger than this is not read (the bundled matrix compiles to ~2 MB)
MAX_ENTRIES = 32
MAX_AGE_DAYS = 30
#: Set to a directory to move the user cache (tests, read-only homes); "off" disables it.
CACHE_ENV = "KBSOLVER_CACHE_DIR"


def cache_dir() -> Optional[Path]:
    """The per-user directory of compiled entries, or ``None`` when ``KBSOLVER_CACHE_DIR=off``."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return None if override == "off" else Path(override)
    try:
        from platformdirs import user_cache_path

        return user_cache_path("kbsolver", appauthor=False) / "compiled"
    except ImportError:
        pass
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kbsolver" / "compiled"


def input_key(files: Sequence[Path]) -> Optional[str]:
    """SHA-256 (hex) of every input a compiled entry depends on; ``None`` if a file cannot be read.

    Inputs: this format's number, the package version, every schema file, the code in :data:`CODE`,
    and each matrix file's name and bytes, in the order given.
    """
    from kbsolver import __version__, guards
    from kbsolver.knowledge.schema import schema_fingerprint

    digest = hashlib.sha256(b"%s %d %s %s\n" % (MAGIC, FORMAT, __version__.encode(), schema_fingerprint().encode()))
    package = Path(__file__).parent.parent  # kbsolver/
    try:
        for name in CODE:
            digest.update((package / name).read_bytes())
        for path in files:
            data = guards.read_bytes(path, guards.MATRIX_FILE_LIMIT)  # never a FIFO, a device or an endless file
            digest.update(b"%s %d\n" % (path.name.encode("utf-8", "surrogateescape"), len(data)))
            digest.update(data)
    except (OSError, guards.GuardError):
        return None  # the full validation reports the file
    return digest.hexdigest()


def entry_path(directory: Path, files: Sequence[Path]) -> Path:
    """The one entry file of the matrix made of ``files`` (named after their resolved paths)."""
    where = "\n".join(str(p.resolve()) for p in files)
    return directory / f"{hashlib.sha256(where.encode('utf-8', 'surrogateescape')).hexdigest()[:32]}{SUFFIX}"


def _secret(directory: Path, create: bool) -> Optional[bytes]:
    """This user's HMAC key (32 random bytes, created once with mode 0600); ``None`` if unavailable."""
    path = directory / "secret"
    try:
        data = path.read_bytes()
        if len(data) == 32:
            return data
    except OSError:
        pass
    if not create:
        return None
    import secrets

    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        return path.read_bytes()
    except OSError:
        try:  # lost a race with another process: use its key
            data = path.read_bytes()
            return data if len(data) == 32 else None
        except OSError:
            return None


def _mac(secret: Optional[bytes], key: str, payload: bytes) -> str:
    if secret is None:
        return "-"
    return hmac.new(secret, key.encode() + b"\n" + payload, hashlib.sha256).hexdigest()


def encode(key: str, payload: dict[str, Any], secret: Optional[bytes]) -> bytes:
    """One entry: a header line (magic, format, key, payload digest, HMAC or ``-``) and the marshalled payload.

    Raises ``ValueError`` when the payload holds something :mod:`marshal` cannot store."""
    body = marshal.dumps(payload, MARSHAL_VERSION)
    header = b"%s %d %s %s %s\n" % (MAGIC, FORMAT, key.encode(), hashlib.sha256(body).hexdigest().encode(),
                                    _mac(secret, key, body).encode())
    return header + body


def decode(data: bytes, key: str, secret: Optional[bytes]) -> Optional[dict[str, Any]]:
    """The payload of an entry if it verifies against ``key`` (and ``secret`` when given), else ``None``."""
    header, _, body = data.partition(b"\n")
    parts = header.split(b" ")
    if len(parts) != 5 or parts[0] != MAGIC or parts[1] != b"%d" % FORMAT:
        return None
    if not hmac.compare_digest(parts[2], key.encode()):
        return None
    if not hmac.compare_digest(parts[3], hashlib.sha256(body).hexdigest().encode()):
        return None
    if secret is not None and not hmac.compare_digest(parts[4], _mac(secret, key, body).encode()):
        return None
    try:
        payload = marshal.loads(body)  # verified above: written by kbsolver (the wheel's build or this user)
    except (ValueError, EOFError, TypeError):
        return None
    return payload if isinstance(payload, dict) and payload.get("key") == key else None


def _read_bounded(path: Path) -> Optional[bytes]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_BYTES else None


def read_entry(path: Path, key: str, secret: Optional[bytes]) -> Optional[dict[str, Any]]:
    """The verified payload at ``path`` (``None`` when missing, unreadable, too large, stale or forged)."""
    data = _read_bounded(path)
    return decode(data, key, secret) if data is not None else None


def _cache(create: bool) -> Optional[tuple[Path, bytes]]:
    """The user-cache directory and its HMAC secret (made when ``create``), or ``None`` when there is none."""
    directory = cache_dir()
    secret = _secret(directory, create=create) if directory is not None else None
    return (directory, secret) if directory is not None and secret is not None else None


def read_cached(files: Sequence[Path], key: str) -> Optional[dict[str, Any]]:
    """The verified payload of the user-cache entry for ``files``, or ``None``."""
    found = _cache(create=False)
    if found is None:
        return None
    directory, secret = found
    path = entry_path(directory, files)
    payload = read_entry(path, key, secret)
    if payload is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # keeps an entry in use from being pruned as old
    return payload


def write_cached(files: Sequence[Path], key: str, payload: dict[str, Any]) -> Optional[Path]:
    """Store ``payload`` (already validated) as the entry for ``files``; atomic; ``None`` if not writable."""
    found = _cache(create=True)
    if found is None:
        return None
    directory, secret = found
    import tempfile

    path = entry_path(directory, files)
    try:
        data = encode(key, {**payload, "key": key}, secret)
        if len(data) > MAX_BYTES:
            return None
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=SUFFIX)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except (OSError, TypeError, ValueError):
        return None
    _prune(directory, keep=path)
    return path


def _prune(directory: Path, keep: Path) -> None:
    """Remove entries unused for MAX_AGE_DAYS and the oldest beyond MAX_ENTRIES (and stray temporaries)."""
    now = time.time()
    try:
        entries = sorted(((p.stat().st_mtime, p) for p in directory.glob(f"*{SUFFIX}") if p != keep), reverse=True)
        strays = [p for p in directory.glob(".tmp-*") if now - p.stat().st_mtime > 3600]
        strays += [p for p in directory.glob("*.json") if now - p.stat().st_mtime > MAX_AGE_DAYS * 86400]  # format 1
    except OSError:
        return
    old = [p for i, (mtime, p) in enumerate(entries) if i >= MAX_ENTRIES - 1 or now - mtime > MAX_AGE_DAYS * 86400]
    for path in old + strays:
        with contextlib.suppress(OSError):
            path.unlink()
