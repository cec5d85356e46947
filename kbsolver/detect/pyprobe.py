"""Facts about a Python interpreter and its installed TensorFlow, printed as JSON.

Runs inside the interpreter being inspected: imported for this interpreter, or executed as a
script by ``kbsolve detect --python-exe PATH`` (so it keeps to syntax that old Pythons accept and
to the standard library). TensorFlow is never imported: its distributions are read with
``importlib.metadata`` and the CUDA/cuDNN versions it was built against from the text of its
``tensorflow/python/platform/build_info.py``.
"""

import json
import platform
import re
import struct
import sys

TF_DISTRIBUTIONS = ("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-intel", "tensorflow-macos",
                    "tensorflow-metal", "tf-nightly", "tf-nightly-gpu", "tensorflow-aarch64", "tensorflow-cpu-aws")
BUILD_INFO = "tensorflow/python/platform/build_info.py"


def _build_info(dist):
    """CUDA/cuDNN versions from build_info.py of an installed distribution (empty dict if absent)."""
    for path in dist.files or []:
        if str(path).replace("\\", "/").endswith(BUILD_INFO):
            try:
                text = path.locate().read_text(encoding="utf-8", errors="replace")
            except (OSError, ValueError):
                return {}
            found = {}
            for key in ("cuda_version", "cudnn_version"):
                match = re.search(key + r"""['"]?\s*[:=]\s*['"]([0-9.]+)""", text)
                if match:
                    found[key] = match.group(1)
            match = re.search(r"""is_cuda_build['"]?\s*[:=]\s*(True|False)""", text)
            if match:
                found["is_cuda_build"] = match.group(1) == "True"
            return found
    return {}


def tensorflow_distributions():
    """Installed TensorFlow distributions: [{name, version, location, build_info}]."""
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8: setuptools' pkg_resources, without build_info
        try:
            import pkg_resources
        except ImportError:
            return None
        return sorted(({"name": d.project_name.lower().replace("_", "-"), "version": d.version, "location": d.location,
                        "build_info": {}} for d in pkg_resources.working_set
                       if d.project_name.lower().replace("_", "-") in TF_DISTRIBUTIONS), key=lambda d: d["name"])
    found = []
    seen = set()
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name in TF_DISTRIBUTIONS and name not in seen:
            seen.add(name)
            found.append({"name": name, "version": dist.version, "location": str(dist.locate_file("")),
                          "build_info": _build_info(dist)})
    return sorted(found, key=lambda d: d["name"])


def python_facts():
    """Facts about the running interpreter as a JSON-ready dict."""
    return {
        "version": "{0}.{1}.{2}".format(*sys.version_info[:3]),
        "implementation": platform.python_implementation(),
        "bits": struct.calcsize("P") * 8,
        "executable": sys.executable,
        "tensorflow": tensorflow_distributions(),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(python_facts()))
