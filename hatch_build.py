"""Wheel build hook: compile the bundled matrix into ``kbsolver/_data/compiled.bin``.

The matrix is validated in full (schemas and cross-file checks) while the wheel is built, so an
installed kbsolver loads its bundled knowledge without YAML or jsonschema; ``kbsolver.load()``
still verifies the entry against the installed files' bytes and falls back to YAML if it does not
match. A matrix that does not validate fails the build.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompiledKnowledgeHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        sys.path.insert(0, self.root)
        try:
            from kbsolver.knowledge import BUNDLED_ENTRY, _validated_load, compiled_payload, matrix_files
            from kbsolver.knowledge.compiled import encode, input_key
        finally:
            sys.path.pop(0)
        files = matrix_files([Path(self.root) / "matrix"])
        knowledge = _validated_load(None, files)
        key = input_key(files)
        payload = compiled_payload(knowledge)
        if key is None or payload is None:
            raise RuntimeError("cannot compile the bundled matrix")
        target = Path(tempfile.mkdtemp(prefix="kbsolver-compiled-")) / BUNDLED_ENTRY
        target.write_bytes(encode(key, {**payload, "key": key}, None))
        build_data["force_include"][str(target)] = f"kbsolver/_data/{BUNDLED_ENTRY}"
