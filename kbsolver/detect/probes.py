"""One probe per part of the machine. Each takes a :class:`System` and returns ``{name: Field}``; none raises.

Sources read (all through the System, with timeouts, no shell):
- OS: ``sys.platform``, ``/etc/os-release``, ``sw_vers``, ``platform``; WSL from ``/proc/version``; glibc from ``ldd --version``;
- CPU: ``/proc/cpuinfo``; ``sysctl machdep.cpu.*`` / ``hw.optional.arm64`` (macOS);
  ``IsProcessorFeaturePresent`` and the ``CentralProcessor`` registry key (Windows);
- NVIDIA: NVML (nvidia-ml-py, optional) or ``nvidia-smi --query-gpu=...`` and the ``nvidia-smi`` banner ("CUDA Version");
- CUDA: ``nvcc --version``, ``CUDA_PATH``/``CUDA_PATH_V*``/``CUDA_HOME``, ``version.json``/``version.txt``,
  libraries on the loader path;
- cuDNN: ``cudnn_version.h``/``cudnn.h`` defines, ``cudnn64_*.dll``/``libcudnn.so.*`` files;
- MSVC runtime: the ``VC\\Runtimes\\x64`` registry key and the DLLs in System32.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any, Optional

from kbsolver.detect.snapshot import Field, found, missing
from kbsolver.detect.system import System
from kbsolver.guards import GuardError, parse_json

Probe = dict[str, Field]

CPU_FLAGS = ("sse2", "avx", "avx2", "avx512f", "fma")
ARCH_NAMES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64", "i386": "x86", "i686": "x86",
              "x86": "x86"}


# -- OS ----------------------------------------------------------------------------------------

def _os_release(system: System) -> Optional[str]:
    text, _ = system.read_text("/etc/os-release")
    match = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', text or "", re.M)
    return match.group(1) if match else None


def _wsl(proc_version: str) -> int:
    """2 inside WSL2 ("microsoft-standard" kernels), 1 inside WSL1 ("-Microsoft" kernels), 0 otherwise."""
    text = proc_version.lower()
    if "microsoft-standard" in text or "wsl2" in text:
        return 2
    return 1 if "microsoft" in text else 0


def probe_os(system: System) -> Probe:
    info = system.platform_info()
    result: Probe = {"name": found(system.platform, "sys.platform")}
    if system.platform == "linux" and (pretty := _os_release(system)):
        result["version"] = found(pretty, "/etc/os-release")
    elif system.platform == "macos" and (done := system.run(["sw_vers"])).ok and \
            (product := re.search(r"ProductVersion:\s*(\S+)", done.stdout)):
        result["version"] = found(product.group(1), "sw_vers ProductVersion")
    elif info.get("release"):
        result["version"] = found(" ".join(v for v in (info.get("release"), info.get("version")) if v), "platform.release()")
    else:
        result["version"] = missing("no OS version source answered")
    machine = (info.get("machine") or "").lower()
    if not machine and (done := system.run(["uname", "-m"])).ok:
        machine = done.stdout.strip().lower()
    result["arch"] = found(ARCH_NAMES.get(machine, machine), "platform.machine()") if machine else missing("machine type unknown")
    if system.platform == "linux":
        version_text, reason = system.read_text("/proc/version")
        result["wsl"] = found(_wsl(version_text or ""), "/proc/version") if version_text is not None else missing(reason or "")
        done = system.run(["ldd", "--version"])
        match = re.search(r"(\d+\.\d+)\s*$", (done.stdout or "").splitlines()[0] if done.stdout else "")
        result["glibc"] = found(match.group(1), "ldd --version") if match else missing(done.error or "not glibc (ldd --version)")
    elif system.platform == "windows":
        wsl = system.exists("C:\\Windows\\System32\\wsl.exe")
        result["wsl"] = found(wsl, "C:\\Windows\\System32\\wsl.exe") if wsl else missing("wsl.exe not found in System32")
    return result


# -- CPU ---------------------------------------------------------------------------------------

def _cpuinfo(system: System) -> Probe:
    text, reason = system.read_text("/proc/cpuinfo")
    if text is None:
        return {"model": missing(reason or ""), "flags": missing(reason or "")}
    block = text.split("\n\n")[0]
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in block.splitlines()) if _}
    model = fields.get("model name") or fields.get("hardware") or fields.get("cpu model")
    words = set((fields.get("flags") or fields.get("features") or "").lower().split())
    result: Probe = {"model": found(model, "/proc/cpuinfo") if model else missing("no model name in /proc/cpuinfo")}
    if "flags" in fields:
        result["flags"] = found({f: f in words for f in CPU_FLAGS}, "/proc/cpuinfo flags")
    elif "features" in fields:
        result["flags"] = found({f: False for f in CPU_FLAGS}, "/proc/cpuinfo Features (Arm: no x86 SIMD)")
    else:
        result["flags"] = missing("no flags line in /proc/cpuinfo")
    return result


SYSCTL = ["sysctl", "machdep.cpu", "hw.optional"]


def parse_sysctl(text: str) -> dict[str, str]:
    """``name: value`` lines of ``sysctl NODE...`` as a dict."""
    return {k.strip(): v.strip() for k, sep, v in (line.partition(":") for line in text.splitlines()) if sep}


def _sysctl(system: System) -> Probe:
    done = system.run(SYSCTL)
    values = parse_sysctl(done.stdout) if done.stdout else {}
    source = " ".join(SYSCTL)
    if not values:
        reason = done.error or done.stderr.strip() or "sysctl printed nothing"
        return {"model": missing(reason), "flags": missing(reason)}
    brand = values.get("machdep.cpu.brand_string")
    result: Probe = {"model": found(brand, f"{source}: machdep.cpu.brand_string") if brand
                     else missing("no machdep.cpu.brand_string")}
    if values.get("hw.optional.arm64") == "1":
        result["flags"] = found({f: False for f in CPU_FLAGS}, f"{source}: hw.optional.arm64 = 1 (Apple silicon: no x86 SIMD)")
        return result
    words = {w.lower() for key in ("machdep.cpu.features", "machdep.cpu.leaf7_features") for w in values.get(key, "").split()}
    if not words:
        result["flags"] = missing("no machdep.cpu.features in sysctl output")
        return result
    flags = {"sse2": "sse2" in words, "avx": bool({"avx1.0", "avx"} & words), "avx2": "avx2" in words,
             "avx512f": "avx512f" in words, "fma": "fma" in words}
    result["flags"] = found(flags, f"{source}: machdep.cpu.features, leaf7_features")
    return result


def _windows_cpu(system: System) -> Probe:
    key = "HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0"
    values = system.registry(key) or {}
    name = str(values.get("ProcessorNameString", "")).strip()
    result: Probe = {"model": found(name, f"HKLM\\{key}") if name else missing("CentralProcessor registry key not readable")}
    features = system.processor_features()
    if features is None:
        result["flags"] = missing("IsProcessorFeaturePresent not available")
    else:
        result["flags"] = found({f: bool(features.get(f, False)) for f in CPU_FLAGS if f in features},
                                "IsProcessorFeaturePresent")
    return result


def probe_cpu(system: System) -> Probe:
    if system.platform == "macos":
        return _sysctl(system)
    if system.platform == "windows":
        return _windows_cpu(system)
    return _cpuinfo(system)


# -- NVIDIA ------------------------------------------------------------------------------------

QUERY = ["--query-gpu=name,compute_cap,memory.total,driver_version", "--format=csv"]
QUERY_OLD = ["--query-gpu=name,memory.total,driver_version", "--format=csv"]  # drivers before compute_cap existed


def _nvidia_smi(system: System) -> str:
    if system.platform == "windows":
        for path in ("C:\\Windows\\System32\\nvidia-smi.exe", "C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe"):
            if system.exists(path):
                return path
    return "nvidia-smi"


def _memory_mib(text: str) -> Optional[int]:
    match = re.fullmatch(r"\s*(\d{1,12})\s*MiB\s*", text)
    return int(match.group(1)) if match else None


def parse_csv(text: str) -> list[dict[str, Any]]:
    """Rows of ``nvidia-smi --query-gpu=... --format=csv`` (with its header line) as GPU dicts.

    Columns are found by header name (``name``, ``compute_cap``, ``memory.total [MiB]``,
    ``driver_version``), so any column order and any extra columns work; an error text gives ``[]``.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = [cell.strip().split(" [")[0] for cell in lines[0].split(",")]
    if "name" not in header:
        return []
    gpus = []
    for line in lines[1:]:
        cells = dict(zip(header, (cell.strip() for cell in line.split(","))))
        cc = cells.get("compute_cap") or ""
        gpus.append({"name": cells["name"], "compute_capability": cc if re.fullmatch(r"\d+\.\d+", cc) else None,
                     "memory_mib": _memory_mib(cells.get("memory.total", "")), "driver": cells.get("driver_version")})
    return gpus


def parse_list(text: str) -> list[str]:
    """GPU names from ``nvidia-smi -L`` ("GPU 0: NVIDIA H200 (UUID: ...)"); MIG devices are not GPUs."""
    return [m.group(1).strip() for m in re.finditer(r"^GPU \d+: (.+?) \(UUID", text, re.M)]


def parse_banner(text: str) -> tuple[Optional[str], Optional[str], list[dict[str, Any]]]:
    """``(driver, cuda_driver_max, gpus)`` from the plain ``nvidia-smi`` table.

    Reads "Driver Version" (or "KMD Version" from R610 on) and "CUDA Version" ("CUDA UMD Version";
    ``None`` when it prints ERR!), and each GPU row's name (truncated by nvidia-smi to fit) and memory.
    """
    driver = re.search(r"(?:Driver|KMD) Version:\s*([\d.]+)", text)
    cuda = re.search(r"CUDA (?:UMD )?Version:\s*([\d.]+)", text)
    gpus: list[dict[str, Any]] = []
    for line in text.splitlines():
        if re.search(r"MIG devices|Processes:", line):
            break
        row = re.match(r"^\|\s+(\d+)\s+(.+?)\s+(?:On|Off|WDDM|TCC)\s+\|", line)
        if row:
            gpus.append({"name": row.group(2).strip(), "compute_capability": None, "memory_mib": None})
        elif gpus and gpus[-1]["memory_mib"] is None and (memory := re.search(r"(\d+)MiB\s*/\s*(\d+)MiB", line)):
            gpus[-1]["memory_mib"] = int(memory.group(2))
    return (driver.group(1) if driver else None), (cuda.group(1) if cuda else None), gpus


GPU_NAME = re.compile(r"[ -~]{1,96}")  # printable ASCII: every NVIDIA product name fits
DRIVER = re.compile(r"\d{1,4}(?:\.\d{1,4}){1,3}")
MAX_MEMORY_MIB = 64 * 1024 * 1024  # 64 TiB: more is a misreading


def _odd_gpu(gpu: dict[str, Any]) -> Optional[str]:
    """Why a reported GPU is not usable (an empty, over-long or non-ASCII name), or ``None``."""
    name = gpu.get("name")
    if not isinstance(name, str) or not GPU_NAME.fullmatch(name.strip()) or not name.strip():
        return f"odd GPU name {str(name)[:40]!r}"
    return None


def _checked_gpus(gpus: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The reported GPUs with usable names (odd memory or compute capability dropped), and why the others were not used."""
    usable: list[dict[str, Any]] = []
    problems: list[str] = []
    for gpu in gpus:
        why = _odd_gpu(gpu)
        if why:
            problems.append(why)
            continue
        memory = gpu.get("memory_mib")
        cc = gpu.get("compute_capability")
        usable.append({**gpu, "name": gpu["name"].strip(),
                       "memory_mib": memory if isinstance(memory, int) and 0 < memory <= MAX_MEMORY_MIB else None,
                       "compute_capability": cc if isinstance(cc, str) and re.fullmatch(r"\d{1,2}\.\d", cc) else None})
    return usable, problems


def _nvml() -> Optional[Probe]:
    """NVML through nvidia-ml-py, when installed and a driver answers."""
    try:
        import pynvml  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
    except Exception:
        return None
    try:
        decode = lambda v: v.decode() if isinstance(v, bytes) else v  # noqa: E731
        driver = decode(pynvml.nvmlSystemGetDriverVersion())
        cuda = pynvml.nvmlSystemGetCudaDriverVersion_v2()
        gpus = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            major, minor = pynvml.nvmlDeviceGetCudaComputeCapability(handle)
            gpus.append({"name": decode(pynvml.nvmlDeviceGetName(handle)), "compute_capability": f"{major}.{minor}",
                         "memory_mib": int(pynvml.nvmlDeviceGetMemoryInfo(handle).total // (1024 * 1024))})
        gpus, odd = _checked_gpus(gpus)
        if not gpus:
            return {"gpus": missing(f"NVML reported {'; '.join(odd[:3]) or 'no GPU'}")}
        if not DRIVER.fullmatch(str(driver)):
            return {"gpus": missing(f"NVML reported an odd driver version {str(driver)[:40]!r}")}
        return {"gpus": found(gpus, "NVML"), "driver": found(driver, "NVML nvmlSystemGetDriverVersion"),
                "cuda_driver_max": found(f"{cuda // 1000}.{cuda % 1000 // 10}", "NVML nvmlSystemGetCudaDriverVersion_v2")}
    except Exception as error:
        return {"gpus": missing(f"NVML failed: {error}")}
    finally:
        with contextlib.suppress(Exception):
            pynvml.nvmlShutdown()


def probe_nvidia(system: System, use_nvml: bool = True) -> Probe:
    """GPUs (name, compute capability, memory), driver and the newest CUDA it supports.

    NVML first; else ``nvidia-smi --query-gpu`` (older drivers: without compute_cap), ``nvidia-smi -L``
    for full names, and the plain ``nvidia-smi`` table for the driver, "CUDA Version" and what the
    query could not give.
    """
    if use_nvml and (result := _nvml()) is not None and result["gpus"].value is not None:
        return result
    smi = _nvidia_smi(system)
    done = system.run([smi, *QUERY])
    gpus, source = (parse_csv(done.stdout) if done.ok else []), f"{smi} {' '.join(QUERY)}"
    if not gpus:
        old = system.run([smi, *QUERY_OLD])
        gpus, source = (parse_csv(old.stdout) if old.ok else []), f"{smi} {' '.join(QUERY_OLD)}"
    banner = system.run([smi])
    driver, cuda, rows = parse_banner(banner.stdout) if banner.ok else (None, None, [])
    if not gpus:
        listed = system.run([smi, "-L"])
        names = parse_list(listed.stdout) if listed.ok else []
        if names:
            gpus = [{"name": n, "compute_capability": None, "memory_mib": rows[i]["memory_mib"] if i < len(rows) else None}
                    for i, n in enumerate(names)]
            source = f"{smi} -L" + (" and the nvidia-smi table" if rows else "")
        elif rows:
            gpus, source = rows, f"{smi} table (names as nvidia-smi shortens them)"
    result: Probe = {}
    reason = done.error or banner.error or (done.stdout + done.stderr).strip().splitlines()[-1:] or ["no GPU listed"]
    reason = reason if isinstance(reason, str) else reason[0]
    reported = gpus
    gpus, odd = _checked_gpus(gpus)
    if odd and not gpus:
        reason = f"{source} reported {'; '.join(odd[:3])}"
    elif odd:
        source += f" (not used: {'; '.join(odd[:3])})"
    if gpus:
        result["gpus"] = found([{k: v for k, v in g.items() if k != "driver"} for g in gpus], source)
    else:
        nvml = "NVML not available (nvidia-ml-py not installed or no driver)" if use_nvml else "NVML not used"
        result["gpus"] = missing(f"no NVIDIA GPU found: {reason}; {nvml}")
    query_driver = next((g["driver"] for g in reported if isinstance(g.get("driver"), str) and g["driver"]), None)
    if query_driver and not DRIVER.fullmatch(query_driver):
        result["driver"] = missing(f"{source} reported an odd driver version {query_driver[:40]!r}")
    elif driver and not DRIVER.fullmatch(driver):
        result["driver"] = missing(f"{smi} reported an odd driver version {driver[:40]!r}")
    elif query_driver:
        result["driver"] = found(query_driver, source)
    elif driver:
        result["driver"] = found(driver, f"{smi} table 'Driver Version'")
    else:
        result["driver"] = missing(f"no NVIDIA driver answered: {reason}")
    if cuda and re.fullmatch(r"\d{1,3}\.\d{1,3}", cuda):
        result["cuda_driver_max"] = found(cuda, f"{smi} table 'CUDA Version'")
    else:
        result["cuda_driver_max"] = missing(banner.error or f"{smi} printed no CUDA Version")
    return result


# -- CUDA toolkits, cuDNN, libraries -----------------------------------------------------------

LIBRARY = re.compile(r"^(cudart64_\d+\.dll|cudart32_\d+\.dll|cublas64_\d+\.dll|cublasLt64_\d+\.dll|cufft64_\d+\.dll|"
                     r"curand64_\d+\.dll|cusolver64_\d+\.dll|cusparse64_\d+\.dll|cudnn64_\d+\.dll|cudnn_\w+64_\d+\.dll|"
                     r"libcudart\.so\.[\d.]+|libcublas\.so\.[\d.]+|libcublasLt\.so\.[\d.]+|libcudnn\.so\.[\d.]+|"
                     r"libcufft\.so\.[\d.]+|libcusolver\.so\.[\d.]+|libcusparse\.so\.[\d.]+|libcurand\.so\.[\d.]+)$", re.I)


def _toolkit_dirs(system: System) -> list[tuple[str, str]]:
    """Candidate toolkit directories with where each was found, environment variables first."""
    dirs: list[tuple[str, str]] = []
    for name, value in sorted(system.env.items()):
        if name == "CUDA_PATH" or name.startswith("CUDA_PATH_V") or name == "CUDA_HOME":
            dirs.append((value, f"environment {name}"))
    if system.platform == "windows":
        root = "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA"
        dirs += [(str(system.path(root, n)), root) for n in system.listdir(root)]
    elif system.platform == "linux":
        dirs += [(f"/usr/local/{n}", "/usr/local") for n in system.listdir("/usr/local") if re.fullmatch(r"cuda(-[\d.]+)?", n)]
    unique: dict[str, str] = {}
    for path, source in dirs:
        unique.setdefault(path.rstrip("\\/").lower() if system.platform == "windows" else path.rstrip("/"), source)
    return [(p, s) for p, s in unique.items()]


def toolkit_version(system: System, directory: str) -> Optional[tuple[str, str]]:
    """The toolkit version in ``directory`` from version.json (CUDA >= 11.1) or version.txt, and the file read."""
    path = str(system.path(directory, "version.json"))
    text, _ = system.read_text(path)
    if text:
        try:
            version = parse_json(text)["cuda"]["version"]
        except (GuardError, KeyError, TypeError):
            version = None
        if isinstance(version, str) and re.fullmatch(r"\d{1,3}(?:\.\d{1,4}){1,3}", version):
            return version, path
    path = str(system.path(directory, "version.txt"))
    text, _ = system.read_text(path)
    match = re.search(r"CUDA Version\s+(\d{1,3}(?:\.\d{1,4}){1,3})\b", text or "")
    return (match.group(1), path) if match else None


def _loader_dirs(system: System) -> list[str]:
    sep = ";" if system.platform == "windows" else ":"
    variable = "PATH" if system.platform == "windows" else "LD_LIBRARY_PATH"
    return [d for d in (system.env.get(variable) or "").split(sep) if d]


def probe_cuda(system: System) -> Probe:
    result: Probe = {}
    nvcc = system.run(["nvcc", "--version"])
    match = re.search(r"release (\d+\.\d+)", nvcc.stdout) if nvcc.ok else None
    result["nvcc"] = found(match.group(1), "nvcc --version") if match else missing(nvcc.error or "nvcc printed no release")
    toolkits = []
    for directory, source in _toolkit_dirs(system):
        version = toolkit_version(system, directory)
        named = re.search(r"(?:cuda-|v)(\d+\.\d+)$", directory.rstrip("\\/"), re.I)
        if version is None and named:  # no version file (e.g. a pip-style layout): the directory name says it
            version = (named.group(1), f"directory name {directory}")
        if version:
            toolkits.append({"path": directory, "version": version[0], "source": version[1], "found_by": source})
    result["toolkits"] = found(toolkits, "CUDA_PATH*/CUDA_HOME, standard install dirs") if toolkits else missing(
        "no CUDA toolkit directory with version.json/version.txt found")
    libraries = []
    for directory in _loader_dirs(system):
        for name in system.listdir(directory):
            if LIBRARY.match(name):
                libraries.append({"name": name, "dir": directory})
    if system.platform == "linux":
        done = system.run(["ldconfig", "-p"])
        for line in done.stdout.splitlines() if done.ok else []:
            name, _, target = line.strip().partition(" ")
            if LIBRARY.match(name):
                libraries.append({"name": name, "dir": target.rpartition("=> ")[2].rpartition("/")[0] or "ldconfig"})
    variable = "PATH" if system.platform == "windows" else "LD_LIBRARY_PATH"
    result["libraries"] = found(libraries, f"{variable} directories" + (" and ldconfig -p" if system.platform == "linux" else ""))
    return result


def _cudnn_header(text: str) -> Optional[str]:
    parts = [re.search(rf"#define\s+CUDNN_{k}\s+(\d+)", text) for k in ("MAJOR", "MINOR", "PATCHLEVEL")]
    return ".".join(p.group(1) for p in parts) if all(parts) else None  # type: ignore[union-attr]


def probe_cudnn(system: System, toolkits: list[dict[str, Any]], libraries: Optional[list[dict[str, Any]]] = None) -> Probe:
    candidates = [str(system.path(t["path"], "include", h)) for t in toolkits for h in ("cudnn_version.h", "cudnn.h")]
    if system.platform == "linux":
        candidates += ["/usr/include/cudnn_version.h", "/usr/include/x86_64-linux-gnu/cudnn_version_v9.h",
                       "/usr/include/x86_64-linux-gnu/cudnn_version_v8.h", "/usr/include/cudnn.h",
                       "/usr/local/cuda/include/cudnn_version.h", "/usr/local/cuda/include/cudnn.h"]
    for path in candidates:
        text, _ = system.read_text(path)
        version = _cudnn_header(text or "")
        if version:
            return {"version": found(version, path)}
    for library in libraries or []:  # no header: the library file names the major (cudnn64_8.dll, libcudnn.so.8)
        match = re.fullmatch(r"(?:cudnn64_|libcudnn\.so\.)(\d+)(?:\.dll)?(?:\.[\d.]+)?", library["name"], re.I)
        if match:
            return {"version": found(match.group(1), f"library file name {library['name']} in {library['dir']}")}
    return {"version": missing("no cudnn_version.h / cudnn.h with CUDNN_MAJOR, and no cudnn64_*.dll / libcudnn.so.* found")}


# -- MSVC runtime ------------------------------------------------------------------------------

MSVC_KEY = "SOFTWARE\\Microsoft\\VisualStudio\\14.0\\VC\\Runtimes\\x64"
MSVC_DLLS = ("msvcp140.dll", "msvcp140_1.dll", "vcruntime140.dll", "vcruntime140_1.dll")


def probe_msvc(system: System) -> Probe:
    if system.platform != "windows":
        return {"runtime": missing("not Windows"), "dlls": missing("not Windows")}
    result: Probe = {}
    values = system.registry(MSVC_KEY) or system.registry(MSVC_KEY.replace("SOFTWARE\\", "SOFTWARE\\WOW6432Node\\"))
    if values and int(values.get("Installed", 0) or 0) == 1:
        result["runtime"] = found(str(values.get("Version", "")).lstrip("v") or "installed", f"HKLM\\{MSVC_KEY}")
    else:
        result["runtime"] = missing(f"HKLM\\{MSVC_KEY} not found or Installed != 1")
    system32 = "C:\\Windows\\System32"
    present = {name: system.exists(str(system.path(system32, name))) for name in MSVC_DLLS}
    result["dlls"] = found(present, system32)
    return result


# -- Python and TensorFlow ---------------------------------------------------------------------

def _python_facts_ok(facts: Any) -> bool:
    """Whether ``facts`` has the shape :func:`kbsolver.detect.pyprobe.python_facts` prints."""
    if not isinstance(facts, dict):
        return False
    version, bits, dists = facts.get("version"), facts.get("bits"), facts.get("tensorflow")
    return (isinstance(version, str) and re.fullmatch(r"\d{1,2}\.\d{1,3}\.\d{1,4}", version) is not None
            and bits in (32, 64) and all(isinstance(facts.get(k), (str, type(None))) for k in ("implementation", "executable"))
            and (dists is None or (isinstance(dists, list) and all(isinstance(d, dict) for d in dists))))


def probe_python(system: System, python_exe: Optional[str] = None) -> tuple[Probe, Probe]:
    """Facts about the interpreter that will run TensorFlow (this one, or ``python_exe`` by running it)."""
    from kbsolver.detect import pyprobe

    if python_exe is None:
        facts, source = pyprobe.python_facts(), "this interpreter"
    else:
        done = system.run([python_exe, pyprobe.__file__], timeout=30)
        if not done.ok:
            reason = done.error or (done.stderr.strip().splitlines() or ["no output"])[-1]
            return ({"version": missing(f"{python_exe}: {reason}")}, {"distributions": missing(f"{python_exe}: {reason}")})
        try:
            facts, source = parse_json(done.stdout), python_exe
        except GuardError as error:
            facts = error.message
        if not _python_facts_ok(facts):
            reason = f"{python_exe} printed no Python facts (a JSON object with version, bits, tensorflow)"
            return {"version": missing(reason)}, {"distributions": missing(reason)}
    python = {"version": found(facts.get("version"), source), "implementation": found(facts.get("implementation"), source),
              "bits": found(facts.get("bits"), source), "executable": found(facts.get("executable"), source)}
    dists = facts.get("tensorflow")
    tensorflow = {"distributions": found(dists, f"importlib.metadata in {source}") if dists is not None
                  else missing("importlib.metadata not available (Python < 3.8)")}
    return python, tensorflow
