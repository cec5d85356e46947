"""Turn a :class:`~kbsolver.solve.Solution` into a readable :class:`~kbsolver.solve.result.Plan`.

Install steps follow the official guide of the release's era (``install-recipes`` records) and
fall back to NVIDIA's download archives; notes explain SASS vs PTX JIT, the driver floor, and
platform requirements (AVX, 64-bit Python). Every record used contributes its source URLs.

Every step names its shell (:func:`plan_shell`): bash on Linux, WSL2 and macOS; PowerShell on Windows,
written to run on Windows PowerShell 5.1 and PowerShell 7 alike (no ``&&``, no ``export``/``source``).
Each command is one pasteable line; a guide's consecutive commands under one title become one step.
Inside WSL2 the NVIDIA driver is the Windows host's and no step installs a Linux driver (NVIDIA's
CUDA on WSL User Guide, :data:`WSL_GUIDE`).
"""

from __future__ import annotations

import re
from typing import Optional

from kbsolver.knowledge.compute import PTX, SASS, runs_as
from kbsolver.knowledge.model import (
    InstallRecipe,
    MsvcRedist,
    PlatformRequirement,
    Record,
    Step,
    minor_of,
    safe_version,
    version_key,
)
from kbsolver.knowledge.platforms import platform_of, tag_parts
from kbsolver.solve import Solution, TensorflowCandidate
from kbsolver.solve.candidates import COMPUTE, CUDA, CUDNN, DRIVER, MSVC, PYTHON, Requirement
from kbsolver.solve.query import Query
from kbsolver.solve.result import Component, Plan

NVIDIA_DRIVERS = "https://www.nvidia.com/Download/index.aspx"
CUDA_ARCHIVE = "https://developer.nvidia.com/cuda-toolkit-archive"
CUDNN_ARCHIVE = "https://developer.nvidia.com/rdp/cudnn-archive"
MSVC_DOWNLOAD = "https://aka.ms/vc14/vc_redist.x64.exe"  # Microsoft's current permalink (matrix/msvc.yaml)
#: NVIDIA's CUDA on WSL User Guide: "Step 1: Install NVIDIA Driver for GPU Support ... This is the only driver you
#: need to install. Do not install any Linux display driver in WSL"; section "CUDA Support for WSL 2": "users must not
#: install any NVIDIA GPU Linux driver within WSL 2" and the WSL-Ubuntu CUDA toolkit "will not overwrite the NVIDIA
#: driver that was already mapped into the WSL 2 environment".
WSL_GUIDE = "https://docs.nvidia.com/cuda/wsl-user-guide/index.html"
WSL_CUDA_DOWNLOAD = "https://developer.nvidia.com/cuda-downloads?target_os=Linux&target_arch=x86_64&Distribution=WSL-Ubuntu"
#: The documented way to change an environment variable for good from PowerShell (about_Environment_Variables:
#: "use the [Environment]::SetEnvironmentVariable() method"); ``$env:Path`` changes the open session only.
PS_ENVIRONMENT = "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_environment_variables"
PROMPTS = {"bash": "$", "powershell": "PS>", "cmd": ">"}


def plan_shell(os: str) -> str:
    """The shell a plan's commands are written for: ``powershell`` on Windows, else ``bash``."""
    return "powershell" if os == "windows" else "bash"


def _requirements(solution: Solution, name: str) -> list[Requirement]:
    factory = solution.factory
    found = []
    for candidate in solution.chosen.values():
        found.extend(r for r in factory.dependencies(candidate) if r.name == name)
    return found


def driver_floor(solution: Solution) -> tuple[Optional[str], list[str]]:
    """The highest driver floor among the chosen components, and the texts of all driver requirements."""
    requirements = _requirements(solution, DRIVER)
    floors = [r for r in requirements if r.bound]
    top = max(floors, key=lambda r: version_key(r.bound or "0")).bound if floors else None
    return top, [r.text for r in requirements]


def driver_ceiling(solution: Solution) -> tuple[Optional[str], Optional[str]]:
    """The last driver branch the GPU's architecture supports (``"470"``) and the requirement's text, or ``(None, None)``."""
    ceilings = [r for r in _requirements(solution, DRIVER) if r.ceiling]
    low = min(ceilings, key=lambda r: int(r.ceiling or "0"), default=None)
    return (low.ceiling, low.text) if low else (None, None)


def _binding(solution: Solution, floor: Optional[str]) -> Optional[str]:
    """The text of the driver requirement that sets the floor (the first such, in solving order)."""
    return next((r.text for r in _requirements(solution, DRIVER) if r.bound and r.bound == floor), None)


_RECIPE_CUDA = re.compile(r"cuda[-_]?(\d+)[-.](\d)\b|cudatoolkit=(\d+)\.(\d+)|cuda(\d+)\.(\d)\b|cuda-repo-\w+_(\d+)\.(\d)\.")


def recipe_cuda(recipe: InstallRecipe) -> set[str]:
    """The CUDA versions a recipe's commands install ("cuda-11-2", "cudatoolkit=11.8.0", "cuda9.0", ...)."""
    found = set()
    for step in recipe.steps:
        for match in _RECIPE_CUDA.finditer(step.command or ""):
            numbers = [g for g in match.groups() if g is not None]
            found.add(f"{numbers[0]}.{numbers[1]}")
    return found


_RECIPE_CUDNN = re.compile(r"libcudnn\d=(\d+\.\d+)\.|cudnn=(\d+\.\d+)|nvidia-cudnn-cu\d+==(\d+\.\d+)")


def recipe_cudnn(recipe: InstallRecipe) -> set[str]:
    """The cuDNN major.minor versions a recipe's commands install ("libcudnn7=7.6.2.24-1+cuda10.0" -> "7.6")."""
    return {next(g for g in m.groups() if g) for step in recipe.steps for m in _RECIPE_CUDNN.finditer(step.command or "")}


def _recipe(solution: Solution) -> Optional[InstallRecipe]:
    """The official guide's recipe for this release, OS and device; the most specific range wins
    (fewest releases covered). WSL2-only recipes are left to WSL2 hosts, and a recipe that installs
    another CUDA than the plan's is not used (the generic download steps are)."""
    tf = solution.tensorflow
    knowledge = solution.factory.knowledge
    query = solution.factory.query
    cuda = solution.chosen[CUDA].version if CUDA in solution.chosen else None

    def fits(r: InstallRecipe) -> bool:
        if query.environment == "wsl2":  # the guide's WSL2 tab (os windows), else its Linux commands
            return r.environment == "wsl2" or (query.os in r.os and r.environment is None)
        return query.os in r.os and r.environment is None

    matches = [r for r in knowledge.install_recipes
               if fits(r) and r.device == tf.device and r.covers(tf.version or "")
               and (cuda is None or not recipe_cuda(r) or cuda in recipe_cuda(r))]
    releases = [w.version for w in knowledge.releases("tensorflow")]
    return min(matches, key=lambda r: (r.environment != query.environment, sum(r.covers(v) for v in releases), r.id),
               default=None)


_ENVIRONMENT = re.compile(
    r"conda (create|activate)|-m venv|^source \S*activate$|Scripts\\activate|pip install --upgrade pip|^nvidia-smi$")
_PIP = re.compile(r"pip3? install ")


def recipe_steps(recipe: InstallRecipe, tf: TensorflowCandidate) -> tuple[list[Step], list[str], list[Step]]:
    """Split a guide's recipe around kbsolver's own steps.

    Returns ``(setup, extra_requirements, after)``: the CUDA/cuDNN setup steps to run before
    installing TensorFlow; requirements the guide installed together with TensorFlow (e.g.
    ``nvidia-cudnn-cu11==8.6.0.163``); steps that need TensorFlow installed (troubleshooting).
    Environment creation, MSVC, the TF install and verification are kbsolver's own steps.
    """
    setup: list[Step] = []
    extra: list[str] = []
    after: list[Step] = []
    installed = False  # steps after the guide's TF install keep their place after ours
    for step in recipe.steps:
        command = _fill(step.command, tf) if step.command else None
        description = _fill(step.description, tf)
        if command is None:
            if "Visual C++" not in description:
                (after if installed else setup).append(Step(description))
        elif _LINUX_DRIVER.search(command):
            continue  # the plan's own driver step says which driver (and, in WSL2, that none goes inside Linux)
        elif _ENVIRONMENT.search(command.strip()) or command.lstrip().startswith(("python -c", "python3 -c")):
            continue
        elif _PIP.search(command) and "tensorflow" in command:
            words = command.split(_PIP.search(command).group(0), 1)[1].split()  # type: ignore[union-attr]
            extra += [w.strip("'\"") for w in words if not w.startswith("-") and "tensorflow" not in w]
            installed = True
        elif installed or "tensorflow" in command or "import " in command:
            after.append(Step(description, (command,)))
        else:
            setup.append(Step(description, (command,)))
    return setup, extra, after


#: Guide commands that install a Linux NVIDIA driver (``nvidia-driver-418``, ``nvidia-410``, the ``/usr/lib/nvidia``
#: workaround): the plan's driver step replaces them, and inside WSL2 no Linux driver may be installed.
_LINUX_DRIVER = re.compile(r"install .*\bnvidia-(driver-)?\d{3}\b|mkdir /usr/lib/nvidia")
_SET_PATH = re.compile(r"^SET PATH=(.+);%PATH%$", re.I)


def pasteable(command: str) -> list[str]:
    """Split a guide's bash command into single pasteable lines: a statement broken after ``;`` inside a
    ``python -c`` string and ``\\``-continued lines are joined, other line breaks separate commands."""
    joined = re.sub(r";[ \t]*\n[ \t]*", ";", command)
    joined = re.sub(r"[ \t]*\\\n[ \t]*", " ", joined)
    return [line.strip() for line in joined.splitlines() if line.strip()]


def _powershell_path(directories: list[str]) -> tuple[str, ...]:
    """PowerShell commands that put ``directories`` first on the user's PATH for good, and on this session's."""
    listed = ";".join(directories) + ";"
    return (f"[Environment]::SetEnvironmentVariable('Path', '{listed}' + [Environment]::GetEnvironmentVariable('Path', "
            "'User'), 'User')", f"$env:Path = '{listed}' + $env:Path")


def for_shell(steps: list[Step], shell: str) -> list[Step]:
    """A guide's steps in ``shell``: bash commands made pasteable; on PowerShell the cmd-only ``SET PATH=...``
    lines become one persistent PATH step. Consecutive steps with one title become one step."""
    converted: list[Step] = []
    directories: list[str] = []
    for step in steps:
        found = [_SET_PATH.match(c) for c in step.commands]
        if shell == "powershell" and step.commands and all(found):
            directories += [m.group(1) for m in found if m]
            continue
        if directories:
            converted.append(_path_step(directories))
            directories = []
        commands = tuple(line for c in step.commands for line in (pasteable(c) if shell == "bash" else [c.strip()]))
        converted.append(Step(step.description, commands, shell if commands else None))
    if directories:
        converted.append(_path_step(directories))
    return merge_steps(converted)


def _path_step(directories: list[str]) -> Step:
    return Step("Add the CUDA, CUPTI and cuDNN directories to PATH for your user (the guide's example folders: adjust "
                f"them to where CUDA and cuDNN are installed; {PS_ENVIRONMENT})", _powershell_path(directories), "powershell")


def merge_steps(steps: list[Step]) -> list[Step]:
    """Join consecutive steps that share a title and a shell into one step with all their commands."""
    merged: list[Step] = []
    for step in steps:
        last = merged[-1] if merged else None
        if last is not None and last.description == step.description and last.shell == step.shell:
            merged[-1] = Step(last.description, last.commands + step.commands, last.shell)
        else:
            merged.append(step)
    return merged


def _fill(text: str, tf: TensorflowCandidate) -> str:
    """Fill a recipe's placeholders, and point the guide's example toolkit folders (``CUDA\\v11.0``) at the
    plan's CUDA — the guide says to adjust them to the installed toolkit."""
    values = {"version": tf.version or "", "package": tf.package, "cuda": tf.cuda or "", "cudnn": tf.cudnn or "",
              "requirement": tf.requirement_text}
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    if tf.cuda:
        text = re.sub(r"(CUDA\\v)\d+\.\d+", lambda m: m.group(1) + (tf.cuda or ""), text)
    return text


def build_plan(solution: Solution) -> Plan:
    """Components, numbered steps, notes and sources for a solved query.

    ``notes`` are what the user must act on (the binding driver floor, PTX JIT, unconfirmed platform needs);
    ``details`` are the rest (every driver requirement, needs the detected machine already meets); JSON has both.
    """
    query = solution.factory.query
    tf = solution.tensorflow
    chosen = solution.chosen
    python = chosen[PYTHON].version or ""
    components = [Component("tensorflow", tf.version, tf.package, tf.extra), Component("python", python)]
    records: list[Record] = [*tf.records]
    notes: list[str] = []
    details: list[str] = []
    steps: list[Step] = []
    floor = ceiling = None
    if tf.device == "gpu":
        components += [Component("cuda", chosen[CUDA].version), Component("cudnn", chosen[CUDNN].version)]
        records += [*chosen[CUDA].records, *chosen[CUDNN].records]
        floor, driver_texts = driver_floor(solution)
        ceiling, ceiling_text = driver_ceiling(solution)
        host = "windows-host" if query.environment == "wsl2" else None
        driver_name = "macos-cuda-driver" if query.os == "macos" else "nvidia-driver"
        components.append(Component(driver_name, min_version=floor or "unknown",
                                    max_version=f"{ceiling}.*" if ceiling else None, installed_on=host))
        binding = _binding(solution, floor)
        where = " on the Windows host" if host else ""
        notes.append(f"Driver {floor} or newer{where}: {binding}." if binding else "")
        if ceiling:
            notes.append(f"Driver branch R{ceiling} at most: {ceiling_text}.")
        if query.os == "macos":
            notes.extend(driver_texts)
        else:
            details.extend(t for t in driver_texts if t not in (binding, ceiling_text))
        gpu = solution.factory.gpu
        if gpu:
            records.append(gpu)
        compute = _compute_note(solution)
        (details if " natively " in compute else notes).append(compute)
    msvc = chosen.get(MSVC)
    if msvc is not None:
        components.append(Component("msvc-redist", msvc.version))
        records += list(msvc.records)
    recipe = _recipe(solution)
    if recipe is not None:
        records.append(recipe)
    steps += _steps(solution, floor, ceiling, recipe)
    for req in platform_requirements(solution):
        text = PLATFORM_NOTES[req.requirement].format(value=req.value, upper=req.value.upper())
        (details if _confirmed(query, req) else notes).append(text)
        records.append(req)
    for text, confirmed in wheel_notes(solution):
        (details if confirmed else notes).append(text)
    if recipe is not None and tf.device == "gpu":
        guide = sorted(recipe_cudnn(recipe) - {solution.chosen[CUDNN].version or ""})
        if guide:
            notes.append(f"The official guide's step installs cuDNN {', '.join(guide)}; the tested-build table lists cuDNN "
                         f"{tf.cudnn} for {minor_of(tf.version or '0')}. TensorFlow accepts a runtime cuDNN of the same major "
                         "and an equal or higher minor version (its check: 'CuDNN library needs to have matching major "
                         "version and equal or higher minor version').")
    if any("apt-key adv --fetch-keys" in c for s in steps for c in s.commands):
        notes.append("NVIDIA replaced its CUDA repository signing key in April 2022: where the guide's step runs "
                     "'apt-key adv --fetch-keys .../7fa2af80.pub', install NVIDIA's cuda-keyring package instead "
                     "(https://developer.nvidia.com/blog/updating-the-cuda-linux-gpg-repository-key/).")
    if query.python is None:
        notes.append(f"Python {python} chosen: the newest Python with a {tf.package} {tf.version} wheel for "
                     f"{query.os} {query.arch}.")
    tested = tf.build.python_versions if tf.build else ()
    if tested and python not in tested:
        notes.append(f"PyPI has a Python {python} wheel of {tf.package} {tf.version}, but TensorFlow's tested-build "
                     f"table for {minor_of(tf.version or '0')} lists Python {tf.build.python}.")  # type: ignore[union-attr]
    if tf.wheel and tf.wheel.and_cuda and tf.extra == "and-cuda":
        details.append(f"pip installs CUDA/cuDNN from the and-cuda extra's pins: {', '.join(tf.wheel.and_cuda)}.")
    urls = dict.fromkeys(s.url for r in records for s in r.sources)
    if query.environment == "wsl2" and tf.device == "gpu":
        urls[WSL_GUIDE] = None
    shown = tuple(dict.fromkeys(n for n in notes if n))
    return Plan(tuple(components), tuple(steps), shown, tuple(urls),
                tuple(d for d in dict.fromkeys(details) if d and d not in shown))


def _confirmed(query: Query, req: PlatformRequirement) -> bool:
    """Whether detection already showed the machine meets ``req`` (AVX seen, a 64-bit Python)."""
    if req.requirement == "cpu-isa":
        return query.avx is True
    if req.requirement == "python-bits":
        return query.python_bits is not None and str(query.python_bits) == req.value
    return False


def _compute_note(solution: Solution) -> str:
    query = solution.factory.query
    tf = solution.tensorflow
    cc = chosen_cc = solution.chosen[COMPUTE].version or ""
    name = f"{query.gpu} (compute capability {cc}, sm_{cc.replace('.', '')})" if query.gpu else f"compute capability {cc}"
    if tf.targets is None:
        return (f"The matrix does not record which compute capabilities the TensorFlow {minor_of(tf.version or '0')} "
                f"GPU build ships; {name} support is unverified.")
    how = runs_as(chosen_cc, tf.targets.sass, tf.targets.ptx)
    shipped = f"SASS {', '.join(tf.targets.sass) or 'none'}; PTX {', '.join(tf.targets.ptx) or 'none'}"
    if how == SASS:
        return f"The {name} runs TensorFlow {tf.version} natively (the build ships {shipped})."
    if how == PTX:
        return (f"The {name} runs TensorFlow {tf.version} through PTX JIT (the build ships {shipped}): the first start "
                "compiles kernels for minutes; set CUDA_CACHE_MAXSIZE (e.g. 4294967296) so the cache keeps them.")
    return f"The {name} is not supported by the build ({shipped})."


PLATFORM_NOTES = {
    "cpu-isa": "The official wheels use {upper} instructions: a CPU without {upper} fails with 'Illegal instruction'.",
    "python-bits": "Official wheels are {value}-bit only: use a {value}-bit Python.",
    "glibc": "The Linux wheels need glibc {value} or newer (their manylinux tag).",
    "macos-version": "Needs macOS {value} or newer.",
    "windows-version": "Needs Windows {value} or newer.",
    "ubuntu-version": "Documented for Ubuntu {value} or newer.",
    "pip-version": "Needs pip {value} or newer: python -m pip install --upgrade pip.",
}


#: pip that first understood each Linux platform tag: PEP 571 manylinux2010 (pip 19.0), PEP 599 manylinux2014
#: (pip 19.3), PEP 600 manylinux_x_y (pip 20.3); manylinux1 (PEP 513) and linux_* needed no new pip.
PIP_FOR_TAG = (("manylinux2010", "19.0"), ("manylinux2014", "19.3"), ("manylinux_", "20.3"))
GLIBC_FOR_TAG = {"manylinux1": "2.5", "manylinux2010": "2.12", "manylinux2014": "2.17"}
WHEEL_DERIVED = ("pip-version", "glibc", "macos-version")


def wheel_notes(solution: Solution) -> list[tuple[str, bool]]:
    """What the chosen wheel's own tags require of the machine (the loosest tag wins, as pip takes any that fits):
    pip, glibc (Linux) and macOS versions. These replace the install page's general statements.

    Returns ``(note, met)`` pairs: ``met`` when a plan step or the detected machine already takes care of it
    (the environment step upgrades pip; a detected glibc at least as new).
    """
    query = solution.factory.query
    tf = solution.tensorflow
    python = solution.chosen[PYTHON].version
    wheel = solution.factory.knowledge.wheel(tf.package, tf.version or "")
    platforms = [platform for text in (wheel.tags if wheel else ()) for interpreter, _, platform in tag_parts(text)
                 if interpreter == f"cp{(python or '').replace('.', '')}" and (query.os, query.arch) in platform_of(platform)]
    notes: list[tuple[str, bool]] = []
    if query.os == "linux" and platforms:
        pips = [next((pip for prefix, pip in PIP_FOR_TAG if p.startswith(prefix)), "8.1") for p in platforms]
        glibcs = [GLIBC_FOR_TAG.get(p.split("_x86")[0].split("_aarch")[0]) or
                  ".".join(p.removeprefix("manylinux_").split("_")[:2]) for p in platforms if p.startswith("manylinux")]
        notes.append((f"The wheel ({', '.join(sorted(set(platforms)))}) needs pip {min(pips, key=version_key)} or newer "
                      "to be recognised: python -m pip install --upgrade pip.", True))
        if glibcs:
            glibc = min(glibcs, key=version_key)
            met = query.glibc is not None and safe_version(query.glibc) is not None and \
                version_key(query.glibc) >= version_key(glibc)
            notes.append((f"The wheel needs glibc {glibc} or newer (its manylinux tag).", met))
    if query.os == "macos" and platforms:
        versions = [".".join(p.split("_")[1:3]) for p in platforms if p.startswith("macosx_")]
        if versions:
            notes.append((f"The wheel needs macOS {min(versions, key=version_key)} or newer (its macosx tag).", False))
    return notes


def platform_requirements(solution: Solution) -> list[PlatformRequirement]:
    """The platform requirements (``tf-platform-requirements``) that apply to the chosen release and machine.

    The CPU instruction-set requirement (AVX) concerns x86 CPUs only; Arm wheels have none.
    """
    query = solution.factory.query
    tf = solution.tensorflow
    return [req for req in solution.factory.knowledge.platform_requirements
            if req.requirement in PLATFORM_NOTES and req.requirement not in WHEEL_DERIVED and query.os in req.os
            and req.covers(tf.version or "") and not (req.requirement == "cpu-isa" and query.arch == "arm64")]


def _macos_driver_steps(solution: Solution, floor: Optional[str]) -> list[Step]:
    """macOS: the GPU's display driver, then NVIDIA's "CUDA Driver" for Mac (a separate package; ``cuda-toolkits``
    records say which macOS versions the CUDA release supports and whether NVIDIA names a lowest CUDA Driver)."""
    query = solution.factory.query
    cuda = solution.chosen[CUDA].version or ""
    macos = solution.factory.macos_builds(cuda)
    where = f"macOS {', '.join(macos)}" if macos else "macOS"
    gpu = query.gpu or "GPU"
    version = f"{floor} or newer" if floor else "(NVIDIA names no minimum version for it)"
    return [Step(f"Run {where} (the versions NVIDIA's CUDA {cuda} installation guide for Mac OS X supports) with the "
                 f"{gpu}'s display driver for that macOS build installed", ("sw_vers -productVersion",), "bash"),
            Step(f"Install the CUDA Driver for Mac {version}: the 'CUDA Driver' package of the CUDA {cuda} installer "
                 f"puts it in /Library/Frameworks/CUDA.framework ({CUDA_ARCHIVE}); check with kextstat",
                 ("kextstat | grep -i com.nvidia",), "bash")]


def _driver_step(solution: Solution, floor: Optional[str], ceiling: Optional[str], shell: str) -> Step:
    query = solution.factory.query
    limit = f", from the R{ceiling} branch or older" if ceiling else ""
    if query.environment == "wsl2":
        return Step(f"On the Windows host, install the NVIDIA Windows driver {floor} or newer{limit} ({NVIDIA_DRIVERS}); "
                    f"it serves WSL2 too: never install a Linux NVIDIA driver inside WSL ({WSL_GUIDE}). Check inside WSL",
                    ("nvidia-smi",), "bash")
    return Step(f"Install an NVIDIA driver {floor} or newer for the {query.gpu or 'GPU'}{limit} ({NVIDIA_DRIVERS}); "
                "check it", ("nvidia-smi",), shell)


def _msvc_step(solution: Solution) -> Optional[Step]:
    msvc = solution.chosen.get(MSVC)
    if msvc is None:
        return None
    records = solution.factory.knowledge.msvc
    record = next((m for m in records if m.version == msvc.version), None)
    download = (record.download if record and record.download else MSVC_DOWNLOAD)
    dlls = f"; it provides {', '.join(record.dlls)}" if record and record.dlls else ""
    older = _msvc_for_old_windows(records)
    return Step(f"Install the Microsoft Visual C++ {msvc.version} (or newer) Redistributable, x64 ({download}){dlls}{older}")


def _msvc_for_old_windows(records: tuple[MsvcRedist, ...]) -> str:
    """Where the current redistributable drops Windows 7/8.1 (``msvc-redist`` ``windows`` lists), the last one for them."""
    current = next((m for m in records if m.download == MSVC_DOWNLOAD and m.windows), None)
    if current is None or "7" in current.windows:
        return ""
    last = max((m for m in records if "7" in m.windows), key=lambda m: version_key(m.version), default=None)
    if last is None:
        return ""
    return (f". The current one supports Windows {', '.join(current.windows)} only: on Windows 7 SP1 / 8.1 install the "
            f"Visual Studio {last.version} Redistributable ({last.download or 'my.visualstudio.com'})")


def _environment_step(python: str, shell: str, conda: bool) -> Step:
    if conda:
        where = " (in the Anaconda PowerShell Prompt, or after 'conda init powershell')" if shell == "powershell" else ""
        return Step(f"Create and activate a conda environment with Python {python} (Miniconda){where}",
                    (f"conda create --name tf-env python={python}", "conda activate tf-env"), shell)
    if shell == "powershell":  # docs.python.org/3/library/venv.html: PowerShell activates with Activate.ps1
        return Step(f"Create and activate a virtual environment with 64-bit CPython {python}, and upgrade pip (if "
                    "PowerShell refuses to run Activate.ps1: Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope "
                    "CurrentUser)", (f"py -{python} -m venv tf-env", r".\tf-env\Scripts\Activate.ps1",
                                    "python -m pip install --upgrade pip"), shell)
    return Step(f"Create and activate a virtual environment with 64-bit CPython {python}, and upgrade pip",
                (f"python{python} -m venv tf-env", "source tf-env/bin/activate", "python -m pip install --upgrade pip"), shell)


def _cuda_steps(solution: Solution) -> list[Step]:
    """Generic CUDA and cuDNN steps (NVIDIA's archives) for plans whose guide recipe installs no CUDA."""
    chosen = solution.chosen
    cuda, cudnn = chosen[CUDA].version, chosen[CUDNN].version
    if solution.factory.query.environment == "wsl2":
        toolkit = (f"Install CUDA Toolkit {cuda} for WSL-Ubuntu ({CUDA_ARCHIVE}: Linux > x86_64 > WSL-Ubuntu; "
                   f"{WSL_CUDA_DOWNLOAD} for the newest): its packages bring no driver ({WSL_GUIDE})")
    else:
        toolkit = f"Install CUDA Toolkit {cuda} ({CUDA_ARCHIVE})"
    return [Step(toolkit), Step(f"Install cuDNN {cudnn} for CUDA {cuda} ({CUDNN_ARCHIVE}) and put its bin/lib directory "
                                "on the library path")]


def _installs_cuda(step: Step) -> bool:
    return any(_RECIPE_CUDA.search(c) for c in step.commands)


def _steps(solution: Solution, floor: Optional[str], ceiling: Optional[str], recipe: Optional[InstallRecipe]) -> list[Step]:
    query = solution.factory.query
    tf = solution.tensorflow
    python = solution.chosen[PYTHON].version or ""
    shell = plan_shell(query.os)
    gpu = tf.device == "gpu"
    steps: list[Step] = []
    if gpu:
        steps = _macos_driver_steps(solution, floor) if query.os == "macos" else [_driver_step(solution, floor, ceiling, shell)]
    msvc = _msvc_step(solution)
    if msvc is not None:
        steps.append(msvc)
    extra: list[str] = []
    after: list[Step] = []
    setup: list[Step] = []
    if recipe is not None:
        setup, extra, after = recipe_steps(recipe, tf)
        if query.environment == "wsl2":  # the cuda-X-Y metapackage brings a Linux driver; cuda-toolkit-X-Y does not
            setup = [Step(s.description, tuple(re.sub(r"\bcuda-(\d+-\d+)\b", r"cuda-toolkit-\1", c) for c in s.commands),
                          s.shell) for s in setup]
    # the guide's "install the driver, the CUDA Toolkit and cuDNN" text becomes the plan's own driver + CUDA/cuDNN steps
    generic = [i for i, s in enumerate(setup) if not s.commands and "CUDA Toolkit" in s.description]
    needs_cuda = gpu and tf.cuda_from != "pip" and not any(_installs_cuda(s) for s in setup)
    cuda_steps = _cuda_steps(solution) if needs_cuda else []
    if generic:
        setup = [s for i, s in enumerate(setup) if i not in generic[1:]]
        setup[generic[0]:generic[0] + 1] = cuda_steps
        cuda_steps = []
    conda = next((i for i, s in enumerate(setup) if any(c.startswith("conda install") for c in s.commands)), None)
    environment = _environment_step(python, shell, conda is not None)
    lead = next((i for i, s in enumerate(setup) if s.commands), len(setup))  # the guide's prerequisites come first
    setup.insert(lead if conda is None else conda, environment)  # conda: the guide's CUDA comes from conda
    if query.environment == "wsl2" and lead and not generic:  # "install WSL2 ..." before the host's driver
        steps, setup = setup[:lead] + steps, setup[lead:]
    steps += for_shell(setup, shell) + cuda_steps
    requirements = " ".join(f'"{r}"' for r in [tf.requirement_text, *extra])
    steps.append(Step(f"Install {tf.package} {tf.version}" + (f" with {', '.join(extra)}" if extra else ""),
                      (f"python -m pip install {requirements}",), shell))
    troubleshooting = [s for s in after if "fails" in s.description]
    steps += for_shell([s for s in after if s not in troubleshooting], shell)
    modern = version_key(tf.version or "0") >= version_key("2.1")  # tf.config.list_physical_devices arrived in 2.1
    probe = "tf.config.list_physical_devices('GPU')" if modern else "tf.test.is_gpu_available()"
    check = f"python -c \"import tensorflow as tf; print(tf.__version__, {probe})\""
    steps.append(Step("Check that TensorFlow imports" + (" and sees the GPU" if gpu else ""), (check,), shell))
    return merge_steps(steps + for_shell(troubleshooting, shell))
