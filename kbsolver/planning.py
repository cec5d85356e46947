"""Turn a :class:`~kbsolver.solver.Solution` into a readable :class:`~kbsolver.result.Plan`.

Install steps follow the official guide of the release's era (``install-recipes`` records) and
fall back to NVIDIA's download archives; notes explain SASS vs PTX JIT, the driver floor, and
platform requirements (AVX, 64-bit Python). Every record used contributes its source URLs.
"""

from __future__ import annotations

import re
from typing import Optional

from .compute import PTX, SASS, runs_as
from .model import InstallRecipe, PlatformRequirement, Record, minor_of, version_key
from .platforms import platform_of
from .result import Component, Plan, Step
from .solver import Solution, TensorflowCandidate
from .solver.model import COMPUTE, CUDA, CUDNN, DRIVER, MSVC, PYTHON, Requirement

NVIDIA_DRIVERS = "https://www.nvidia.com/Download/index.aspx"
CUDA_ARCHIVE = "https://developer.nvidia.com/cuda-toolkit-archive"
CUDNN_ARCHIVE = "https://developer.nvidia.com/rdp/cudnn-archive"
MSVC_DOWNLOAD = "https://aka.ms/vc14/vc_redist.x64.exe"  # Microsoft's current permalink (matrix/msvc.yaml)


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
    os = solution.factory.query.os
    cuda = solution.chosen[CUDA].version if CUDA in solution.chosen else None
    matches = [r for r in knowledge.install_recipes
               if os in r.os and r.environment is None and r.device == tf.device and r.covers(tf.version or "")
               and (cuda is None or not recipe_cuda(r) or cuda in recipe_cuda(r))]
    releases = [w.version for w in knowledge.releases("tensorflow")]
    return min(matches, key=lambda r: (sum(r.covers(v) for v in releases), r.id), default=None)


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
        elif _ENVIRONMENT.search(command.strip()) or command.lstrip().startswith(("python -c", "python3 -c")):
            continue
        elif _PIP.search(command) and "tensorflow" in command:
            words = command.split(_PIP.search(command).group(0), 1)[1].split()  # type: ignore[union-attr]
            extra += [w.strip("'\"") for w in words if not w.startswith("-") and "tensorflow" not in w]
            installed = True
        elif installed or "tensorflow" in command or "import " in command:
            after.append(Step(description, command))
        else:
            setup.append(Step(description, command))
    return setup, extra, after


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
    """Components, numbered steps, notes and sources for a solved query."""
    query = solution.factory.query
    tf = solution.tensorflow
    chosen = solution.chosen
    python = chosen[PYTHON].version or ""
    components = [Component("tensorflow", tf.version, tf.package, tf.extra), Component("python", python)]
    records: list[Record] = [*tf.records]
    notes: list[str] = []
    steps: list[Step] = []
    floor = None
    if tf.device == "gpu":
        components += [Component("cuda", chosen[CUDA].version), Component("cudnn", chosen[CUDNN].version)]
        records += [*chosen[CUDA].records, *chosen[CUDNN].records]
        floor, driver_texts = driver_floor(solution)
        components.append(Component("nvidia-driver", min_version=floor or "unknown"))
        notes.extend(driver_texts)
        gpu = solution.factory.gpu
        if gpu:
            records.append(gpu)
        notes.append(_compute_note(solution))
    msvc = chosen.get(MSVC)
    if msvc is not None:
        components.append(Component("msvc-redist", msvc.version))
        records += list(msvc.records)
    recipe = _recipe(solution)
    if recipe is not None:
        records.append(recipe)
    steps += _steps(solution, floor, recipe)
    for req in platform_requirements(solution):
        notes.append(PLATFORM_NOTES[req.requirement].format(value=req.value, upper=req.value.upper()))
        records.append(req)
    notes += wheel_notes(solution)
    if recipe is not None and tf.device == "gpu":
        guide = sorted(recipe_cudnn(recipe) - {solution.chosen[CUDNN].version or ""})
        if guide:
            notes.append(f"The official guide's step installs cuDNN {', '.join(guide)}; the tested-build table lists cuDNN "
                         f"{tf.cudnn} for {minor_of(tf.version or '0')}. TensorFlow accepts a runtime cuDNN of the same major "
                         "and an equal or higher minor version (its check: 'CuDNN library needs to have matching major "
                         "version and equal or higher minor version').")
    if any("apt-key adv --fetch-keys" in (s.command or "") for s in steps):
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
        notes.append(f"pip installs CUDA/cuDNN from the and-cuda extra's pins: {', '.join(tf.wheel.and_cuda)}.")
    urls = dict.fromkeys(s.url for r in records for s in r.sources)
    return Plan(tuple(components), tuple(steps), tuple(dict.fromkeys(n for n in notes if n)), tuple(urls))


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


def wheel_notes(solution: Solution) -> list[str]:
    """What the chosen wheel's own tags require of the machine (the loosest tag wins, as pip takes any that fits):
    pip, glibc (Linux) and macOS versions. These replace the install page's general statements."""
    from packaging.tags import parse_tag

    query = solution.factory.query
    tf = solution.tensorflow
    python = solution.chosen[PYTHON].version
    wheel = solution.factory.knowledge.wheel(tf.package, tf.version or "")
    platforms = [t.platform for text in (wheel.tags if wheel else ()) for t in parse_tag(text)
                 if t.interpreter == f"cp{(python or '').replace('.', '')}" and (query.os, query.arch) in platform_of(t.platform)]
    notes = []
    if query.os == "linux" and platforms:
        pips = [next((pip for prefix, pip in PIP_FOR_TAG if p.startswith(prefix)), "8.1") for p in platforms]
        glibcs = [GLIBC_FOR_TAG.get(p.split("_x86")[0].split("_aarch")[0]) or
                  ".".join(p.removeprefix("manylinux_").split("_")[:2]) for p in platforms if p.startswith("manylinux")]
        notes.append(f"The wheel ({', '.join(sorted(set(platforms)))}) needs pip {min(pips, key=version_key)} or newer "
                     "to be recognised: python -m pip install --upgrade pip.")
        if glibcs:
            notes.append(f"The wheel needs glibc {min(glibcs, key=version_key)} or newer (its manylinux tag).")
    if query.os == "macos" and platforms:
        versions = [".".join(p.split("_")[1:3]) for p in platforms if p.startswith("macosx_")]
        if versions:
            notes.append(f"The wheel needs macOS {min(versions, key=version_key)} or newer (its macosx tag).")
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


def _steps(solution: Solution, floor: Optional[str], recipe: Optional[InstallRecipe]) -> list[Step]:
    query = solution.factory.query
    knowledge = solution.factory.knowledge
    tf = solution.tensorflow
    chosen = solution.chosen
    python = chosen[PYTHON].version or ""
    steps: list[Step] = []
    if tf.device == "gpu":
        steps.append(Step(f"Install an NVIDIA driver {floor} or newer for the {query.gpu or 'GPU'} "
                          f"({NVIDIA_DRIVERS}); check with nvidia-smi", "nvidia-smi"))
    msvc = chosen.get(MSVC)
    if msvc is not None:
        record = next((m for m in knowledge.msvc if m.version == msvc.version), None)
        download = (record.download if record and record.download else MSVC_DOWNLOAD)
        dlls = f"; it provides {', '.join(record.dlls)}" if record and record.dlls else ""
        steps.append(Step(f"Install the Microsoft Visual C++ {msvc.version} (or newer) Redistributable, x64 "
                          f"({download}){dlls}", None))
    venv = f"py -{python} -m venv tf-env" if query.os == "windows" else f"python{python} -m venv tf-env"
    activate = r"tf-env\Scripts\activate" if query.os == "windows" else "source tf-env/bin/activate"
    steps.append(Step(f"Create and activate a virtual environment with 64-bit CPython {python}", f"{venv} && {activate}"))
    extra: list[str] = []
    after: list[Step] = []
    if recipe is not None:
        setup, extra, after = recipe_steps(recipe, tf)
        conda = next((i for i, s in enumerate(setup) if (s.command or "").startswith("conda install")), None)
        if conda is not None:  # the guide's CUDA comes from conda: a conda environment, after installing Miniconda
            steps.pop()
            setup.insert(conda, Step(f"Create and activate a conda environment with Python {python} (Miniconda)",
                                     f"conda create --name tf-env python={python} && conda activate tf-env"))
        steps += setup
    if tf.device == "gpu" and tf.cuda_from != "pip" and not any(s.command and "cud" in s.command.lower() for s in steps):
        steps.append(Step(f"Install CUDA Toolkit {chosen[CUDA].version} ({CUDA_ARCHIVE})", None))
        steps.append(Step(f"Install cuDNN {chosen[CUDNN].version} for CUDA {chosen[CUDA].version} ({CUDNN_ARCHIVE}) "
                          "and put its bin/lib directory on the library path", None))
    requirements = " ".join(f'"{r}"' for r in [tf.requirement_text, *extra])
    steps.append(Step(f"Install {tf.package} {tf.version}" + (f" with {', '.join(extra)}" if extra else ""),
                      f"python -m pip install {requirements}"))
    troubleshooting = [s for s in after if "fails" in s.description]
    steps += [s for s in after if s not in troubleshooting]
    modern = version_key(tf.version or "0") >= version_key("2.1")  # tf.config.list_physical_devices arrived in 2.1
    probe = "tf.config.list_physical_devices('GPU')" if modern else "tf.test.is_gpu_available()"
    check = f"python -c \"import tensorflow as tf; print(tf.__version__, {probe})\""
    steps.append(Step("Check that TensorFlow imports" + (" and sees the GPU" if tf.device == "gpu" else ""), check))
    return steps + troubleshooting
