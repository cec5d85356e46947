// kbsolver selector page. Every answer shown is an answer of `kbsolve plan --format json`, computed when the page was
// built (scripts/build_site.py); this script only picks it, fills in the chosen GPU and renders it. State lives in
// the URL query: ?gpu=rtx3060&python=3.8&os=windows[&arch=x86_64][&cpu=1][&driver=535.104.05].
(function () {
  "use strict";
  const D = window.KBSOLVER_DATA;
  const OS_LABELS = { linux: "Linux", windows: "Windows", wsl2: "WSL2", macos: "macOS" };
  const OS_ALIASES = { linux: "linux", ubuntu: "linux", windows: "windows", win: "windows", wsl: "wsl2", wsl2: "wsl2",
    macos: "macos", mac: "macos", osx: "macos", darwin: "macos" };
  const ARCH_LABELS = { x86_64: "x86_64 (64-bit)", arm64: "arm64 (Apple silicon, aarch64)", x86: "x86 (32-bit Python)" };
  const ARCH_ALIASES = { x86_64: "x86_64", amd64: "x86_64", x64: "x86_64", arm64: "arm64", aarch64: "arm64",
    x86: "x86", i686: "x86", win32: "x86" };
  const $ = (id) => document.getElementById(id);

  // -- data ---------------------------------------------------------------------------------------------------
  function decode(value) {
    if (typeof value === "string") return value.charCodeAt(0) === 1 ? D.strings[Number(value.slice(1))] : value;
    if (Array.isArray(value)) return value.map(decode);
    if (value && typeof value === "object") {
      const out = {};
      for (const key of Object.keys(value)) out[key] = decode(value[key]);
      return out;
    }
    return value;
  }

  // Ports of kbsolver.knowledge.gpu_key / gpu_variant_key; the keys they produce are resolved at build time by
  // Knowledge.find_gpu, so the page finds the GPU that `--gpu` finds.
  const NOISE = /\b(nvidia|geforce|tesla)\b/g;
  const VARIANT = /\b(\d+\s?gb?|pcie|sxm\d?|hbm\d?e?|nvl|max-?q|mobile|notebook|design|oem)\b/g;
  function gpuKey(name) {
    return name.toLowerCase().replace(NOISE, " ").replace(/\blaptop gpu\b/g, "laptop").replace(/[^a-z0-9]+/g, "");
  }
  function gpuVariantKey(name) {
    return gpuKey(name.toLowerCase().replace(NOISE, " ").replace(/-/g, " ").replace(VARIANT, " "));
  }
  function findGpu(text) {
    for (const key of [gpuKey(text), gpuVariantKey(text)]) {
      if (key && Object.prototype.hasOwnProperty.call(D.gpu_index, key)) return D.gpus[D.gpu_index[key]];
    }
    return null;
  }
  function searchGpus(text, limit) {
    const key = gpuKey(text);
    if (!key) return [];
    const exact = findGpu(text);
    const found = D.gpus.filter((g) => g !== exact && (g.key.includes(key) || gpuKey(g.name).includes(key)));
    found.sort((a, b) => a.key.length - b.key.length || a.name.localeCompare(b.name));
    return (exact ? [exact] : []).concat(found).slice(0, limit);
  }

  // -- state -------------------------------------------------------------------------------------------------
  function normPython(text) {
    const m = /^(?:python)?\s*(\d)\.(\d{1,2})(?:\.\d+)?$/i.exec(text.trim()) || /^(?:cp|py)(\d)(\d{1,2})$/i.exec(text.trim());
    return m ? m[1] + "." + Number(m[2]) : null;
  }
  function readState() {
    const q = new URLSearchParams(location.search);
    const problems = [];
    const state = { gpu: (q.get("gpu") || "").trim(), cpu: /^(1|true|yes)$/i.test(q.get("cpu") || ""),
      driver: (q.get("driver") || "").trim(), os: "linux", arch: "x86_64", python: "" };
    if (q.get("os")) {
      state.os = OS_ALIASES[q.get("os").trim().toLowerCase()] || state.os;
      if (!OS_ALIASES[q.get("os").trim().toLowerCase()]) problems.push(`os: unknown value '${q.get("os")}'; use linux, windows, wsl2 or macos`);
    }
    if (q.get("arch")) {
      state.arch = ARCH_ALIASES[q.get("arch").trim().toLowerCase()] || state.arch;
      if (!ARCH_ALIASES[q.get("arch").trim().toLowerCase()]) problems.push(`arch: unknown value '${q.get("arch")}'; use x86_64, arm64 or x86`);
    }
    if (q.get("python") && !/^(any)?$/i.test(q.get("python").trim())) {
      const python = normPython(q.get("python"));
      if (python) state.python = python; else problems.push(`python: '${q.get("python")}' is not a Python version; write it as X.Y`);
    }
    if (state.driver && !/^\d+(\.\d+)*$/.test(state.driver)) {
      problems.push(`driver: '${state.driver}' is not a driver version (e.g. 535.104.05)`);
      state.driver = "";
    }
    return { state, problems };
  }
  function queryString(state) {
    const q = new URLSearchParams();
    if (state.gpu) q.set("gpu", state.gpu);
    if (state.cpu) q.set("cpu", "1");
    if (state.driver) q.set("driver", state.driver);
    if (state.python) q.set("python", state.python);
    q.set("os", state.os);
    if (state.arch !== "x86_64") q.set("arch", state.arch);
    return "?" + q.toString();
  }

  // -- answers -----------------------------------------------------------------------------------------------
  function replaceTokens(value, gpu) {
    if (typeof value === "string") {
      return value.split(D.placeholders.name).join(gpu.name).split(D.placeholders.jetson).join(gpu.name);
    }
    if (Array.isArray(value)) return value.map((v) => replaceTokens(v, gpu));
    if (value && typeof value === "object") {
      const out = {};
      for (const key of Object.keys(value)) out[key] = replaceTokens(value[key], gpu);
      return out;
    }
    return value;
  }
  function withQuery(answer, fields) {
    const order = ["os", "arch", "python", "gpu", "compute_capability", "driver", "tensorflow", "cpu_only"];
    const merged = Object.assign({}, answer.query, fields);
    const query = {};
    for (const key of order) if (merged[key] !== undefined) query[key] = merged[key];
    for (const key of Object.keys(merged)) if (!(key in query)) query[key] = merged[key];
    answer.query = query;
    return answer;
  }
  // The answer for a state: {kind: "answer", data, gpu, exact} or {kind: "unknown-gpu" | "missing", ...}.
  function answerFor(state) {
    const gpu = state.gpu ? findGpu(state.gpu) : null;
    if (state.gpu && !gpu) return { kind: "unknown-gpu" };
    const os = state.os === "wsl2" ? "linux" : state.os;
    const group = state.cpu ? "cpu-only" : gpu ? gpu.group : "cpu";
    const index = D.index[`${group}|${os}|${state.arch}|${state.python}`];
    if (index === undefined) return { kind: "missing" };
    let data = decode(D.answers[index]);
    if (gpu && !state.cpu) {
      data = replaceTokens(data, gpu);
      if (data.plan) {
        const urls = [];
        for (const url of data.plan.sources) {
          if (url === D.placeholders.sources) urls.push(...gpu.sources.map(decode)); else urls.push(url);
        }
        data.plan.sources = Array.from(new Set(urls));
      }
    } else if (gpu) {
      withQuery(data, { gpu: gpu.name, compute_capability: gpu.cc });
    }
    const result = { kind: "answer", data, gpu, exact: true, driver: null };
    if (state.driver) {  // the JSON carries the driver only where the driver-free answer is the driver's answer too
      if (gpu && !state.cpu) result.driver = driverCheck(state.driver, data, gpu);
      if (result.driver && !result.driver.fits) result.exact = false; else withQuery(data, { driver: state.driver });
    }
    return result;
  }
  function versionParts(text) { return String(text).split(".").map((p) => Number(p) || 0); }
  function compareVersions(a, b) {
    const x = versionParts(a), y = versionParts(b);
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) - (y[i] || 0);
    return 0;
  }
  // The page does not solve with the driver: it checks the driver-free answer's floor and the architecture's last
  // driver branch. A plan the driver meets is the plan `--driver` gives; otherwise only a solve can tell.
  function driverCheck(driver, data, gpu) {
    const arch = D.architectures[gpu.cc] || {};
    const branch = arch.last_driver_branch;
    if (!data.plan) return { fits: false, conflict: true, text: `The page answers without your driver ${driver}: ` +
      "with it, the reasons and suggestions can differ; run the command below for the exact answer." };
    const component = data.plan.components.find((c) => c.name === "nvidia-driver");
    const floor = component && component.min_version && component.min_version !== "unknown" ? component.min_version : null;
    if (floor && compareVersions(driver, floor) < 0) {
      return { fits: false, text: `Your driver ${driver} is older than this plan needs (${floor} or newer). Update the ` +
        `driver to ${floor} or newer, or run the command below: it finds the newest TensorFlow that driver ${driver} runs.` };
    }
    if (branch && versionParts(driver)[0] > Number(branch)) {
      return { fits: false, text: `${arch.name} GPUs are supported up to the R${branch} driver branch; driver ${driver} ` +
        `is newer. Install an R${branch} driver, or run the command below for the exact answer.` };
    }
    return { fits: true, text: `Your driver ${driver} meets this plan (${floor ? floor + " or newer" : "no published floor"}` +
      `${branch ? `, R${branch} branch at most` : ""}).` };
  }
  function statusOf(result) {
    if (result.kind !== "answer") return result.kind;
    return result.data.status;
  }
  function reasonOf(result) {
    if (result.kind === "missing") return "not computed in this build of the page";
    if (result.kind === "unknown-gpu") return "unknown GPU";
    return result.data.conflict ? result.data.conflict.summary : "";
  }

  // -- rendering helpers ---------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value; else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }
  function link(url) { return el("a", { href: url, rel: "noreferrer", text: url }); }
  function shellQuote(text) { return /^[A-Za-z0-9_.\/-]+$/.test(text) ? text : "'" + text.replace(/'/g, "'\\''") + "'"; }
  function cliCommand(state, gpu) {
    const parts = ["kbsolve", "plan"];
    if (gpu) parts.push("--gpu", shellQuote(gpu.name));
    if (state.python) parts.push("--python", state.python);
    parts.push("--os", state.os === "wsl2" ? "linux" : state.os, "--arch", state.arch);
    if (state.driver) parts.push("--driver", state.driver);
    if (state.cpu) parts.push("--cpu-only");
    parts.push("--format", "json");
    return parts.join(" ");
  }
  function changedState(state, change) {
    const next = Object.assign({}, state);
    for (const [key, value] of Object.entries(change)) {
      if (key === "os") next.os = value === "linux" && state.os === "windows" ? "wsl2" : value;
      else if (key === "cpu_only") next.cpu = Boolean(value);
      else if (key === "python" || key === "arch" || key === "driver") next[key] = String(value);
      else return null;  // e.g. a TensorFlow range: the page has no such input
    }
    return next;
  }
  function flagsFor(change) {
    return Object.entries(change).map(([key, value]) =>
      value === true ? "--" + key.replace(/_/g, "-") : `--${key.replace(/_/g, "-")} ${shellQuote(String(value))}`).join(" ");
  }

  function renderSteps(steps) {
    const list = el("ol", { class: "steps", id: "steps" });
    for (const step of steps) {
      const item = el("li", {}, el("span", { class: "description", text: step.description }));
      const commands = Array.isArray(step.commands) ? step.commands : step.command ? [step.command] : [];
      if (commands.length) {
        if (step.shell) item.append(el("div", { class: "shell", text: `${step.shell}:` }));
        for (const command of commands) item.append(el("pre", { class: "command" }, el("code", { text: command })));
      }
      for (const [key, value] of Object.entries(step)) {  // any further field a newer plan contract adds
        if (["description", "command", "commands", "shell"].includes(key)) continue;
        item.append(el("div", { class: "extra", text: `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}` }));
      }
      list.append(item);
    }
    return list;
  }
  function renderPlan(plan) {
    const parts = [];
    const version = (name) => { const c = plan.components.find((x) => x.name === name); return c ? c.version : null; };
    const headline = [`TensorFlow ${version("tensorflow")}`, `Python ${version("python")}`];
    if (version("cuda")) headline.push(`CUDA ${version("cuda")}`, `cuDNN ${version("cudnn")}`);
    else headline.push("CPU only");
    parts.push(el("p", { class: "headline", id: "headline", text: headline.join(" · ") }));
    const rows = plan.components.map((c) => el("tr", { "data-name": c.name },
      el("th", { scope: "row", text: c.name }),
      el("td", { class: "version", text: c.min_version ? `>= ${c.min_version}` : c.version || "" }),
      el("td", { text: c.package ? c.package + (c.extra ? `[${c.extra}]` : "") : "" })));
    parts.push(el("h3", { text: "Components" }), el("div", { class: "table-wrap" }, el("table", { id: "components" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "component" }), el("th", { scope: "col", text: "version" }),
        el("th", { scope: "col", text: "pip package" }))), el("tbody", {}, ...rows))));
    parts.push(el("h3", { text: "Steps" }), renderSteps(plan.steps));
    if (plan.notes.length) parts.push(el("h3", { text: "Notes" }), el("ul", { class: "notes", id: "notes" },
      ...plan.notes.map((n) => el("li", { text: n }))));
    parts.push(el("h3", { text: "Sources" }), el("ul", { class: "sources", id: "sources" },
      ...plan.sources.map((u) => el("li", {}, link(u)))));
    return parts;
  }
  function renderConflict(conflict, state, gpu) {
    const parts = [el("p", { class: "headline", id: "headline", text: "No plan: no TensorFlow install fits these facts." }),
      el("h3", { text: "Why" }), el("ul", { id: "reasons" }, ...conflict.reasons.map((r) => el("li", { text: r.message })))];
    if (conflict.suggestions.length) {
      const items = conflict.suggestions.map((s) => {
        const next = changedState(state, s.change);
        const text = next ? el("a", { href: queryString(next), class: "suggestion", text: s.summary }) : el("span", { text: s.summary });
        return el("li", { "data-change": JSON.stringify(s.change) }, text, el("div", { class: "flags" },
          el("code", { text: `kbsolve plan ... ${flagsFor(s.change)}` })));
      });
      parts.push(el("h3", { text: "What would give a plan (each checked by solving again)" }),
        el("ul", { class: "suggestions", id: "suggestions" }, ...items));
    }
    const sources = gpu ? gpu.sources.map(decode) : [];
    parts.push(el("h3", { text: "Sources" }), el("p", { text: "The facts named above are rows of the tables below; each row's " +
      "official source is in the matrix. " + (sources.length ? "The GPU's compute capability:" : "") }));
    if (sources.length) parts.push(el("ul", { class: "sources", id: "sources" }, ...sources.map((u) => el("li", {}, link(u)))));
    parts.push(el("p", {}, el("a", { href: "#tables", text: "The tested builds and the whole matrix" })));
    return parts;
  }

  // -- the form ---------------------------------------------------------------------------------------------------
  let state = null;

  function optionGroup(name, values, labels, current) {
    const box = $(`${name}-options`), reasons = $(`${name}-reasons`);
    box.textContent = ""; reasons.textContent = "";
    for (const value of values) {
      const probe = Object.assign({}, state, { [name]: value });
      const result = answerFor(Object.assign(probe, { driver: "" }));
      const status = statusOf(result);
      const id = `${name}-${value || "any"}`.replace(/\./g, "_");
      const input = el("input", { type: "radio", name, value, id, checked: value === current });
      const label = el("label", { for: id, "data-status": status }, input, el("span", { text: labels[value] || value }));
      if (status !== "ok" && status !== "unknown-gpu") {
        const reason = reasonOf(result);
        label.classList.add("unavailable");
        if (status === "missing") label.classList.add("missing");
        label.title = reason;
        label.setAttribute("data-reason", reason);
        input.setAttribute("aria-describedby", `${id}-why`);
        reasons.append(el("li", { id: `${id}-why`, "data-value": value },
          el("strong", { text: `${labels[value] || value}: ` }), document.createTextNode(reason)));
      }
      input.addEventListener("change", () => update({ [name]: value }));
      box.append(label);
    }
  }

  function renderGpuResults() {
    const list = $("gpu-results");
    list.textContent = "";
    const text = $("gpu-search").value;
    const chosen = state.gpu ? findGpu(state.gpu) : null;
    if (!text.trim() || (chosen && gpuKey(text) === gpuKey(chosen.name) && document.activeElement !== $("gpu-search"))) return;
    for (const gpu of searchGpus(text, 8)) {
      const result = answerFor(Object.assign({}, state, { gpu: gpu.key, cpu: false, driver: "" }));
      const status = statusOf(result);
      const button = el("button", { type: "button", class: "gpu-option", "data-key": gpu.key, "data-status": status },
        el("span", { text: `${gpu.name} — compute capability ${gpu.cc}, ${gpu.architecture}` }));
      if (status !== "ok") {
        button.classList.add("unavailable");
        button.append(el("span", { class: "why", text: reasonOf(result) }));
      }
      button.addEventListener("click", () => { $("gpu-search").value = gpu.name; update({ gpu: gpu.key, cpu: false }); list.textContent = ""; });
      list.append(el("li", {}, button));
    }
  }

  function render(problems) {
    const result = answerFor(state);
    const gpu = state.gpu ? findGpu(state.gpu) : null;
    $("gpu-chosen").textContent = gpu ? `${gpu.name}: compute capability ${gpu.cc}, ${gpu.architecture}` +
      (gpu.segment === "jetson" ? " (Jetson module)" : "") : state.gpu ? "" : "No GPU chosen: CPU-only answers.";
    $("cpu-only").checked = state.cpu;
    const cpuProbe = answerFor(Object.assign({}, state, { cpu: true, driver: "" }));
    $("cpu-reason").hidden = statusOf(cpuProbe) === "ok";
    $("cpu-reason").textContent = statusOf(cpuProbe) === "ok" ? "" : `CPU-only: ${reasonOf(cpuProbe)}`;
    $("driver").value = state.driver;
    optionGroup("os", D.oses.flatMap((o) => (o === "linux" ? ["linux", "wsl2"] : [o])), OS_LABELS, state.os);
    optionGroup("arch", D.arches, ARCH_LABELS, state.arch);
    const pythonLabels = { "": "newest that fits" };
    optionGroup("python", ["", ...D.pythons], pythonLabels, state.python);
    renderGpuResults();

    const answer = $("answer"), body = $("answer-body");
    body.textContent = "";
    for (const problem of problems || []) body.append(el("p", { class: "warn input-problem", text: problem }));
    answer.setAttribute("data-status", result.kind === "answer" ? (result.exact ? result.data.status : "driver") : result.kind);
    if (result.kind === "unknown-gpu") {
      const close = searchGpus(state.gpu, 3).map((g) => g.name);
      body.append(el("p", { class: "headline", id: "headline", text: `Unknown GPU '${state.gpu}'.` }),
        el("p", { text: close.length ? `Did you mean: ${close.join(", ")}?` : "Search by another name, or give the compute capability to kbsolve plan --compute-capability." }));
    } else if (result.kind === "missing") {
      body.append(el("p", { class: "headline", id: "headline", text: "This combination was not computed in this build of the page." }));
    } else {
      if (result.driver) body.append(el("p", { id: "driver-check", class: result.driver.fits ? "ok" : "warn", text: result.driver.text }));
      if (result.data.plan && result.exact) body.append(...renderPlan(result.data.plan));
      else if (result.data.plan) body.append(el("p", { class: "headline", id: "headline", text: "No plan shown for this driver." }));
      else body.append(...renderConflict(result.data.conflict, state, gpu));
      if (state.os === "wsl2") body.append(el("p", { class: "note", text: "WSL2 runs the Linux plan inside Windows (the Windows " +
        "NVIDIA driver provides the GPU to WSL2)." }));
    }
    const exact = result.kind === "answer" && result.exact;
    $("cli-command").textContent = cliCommand(state, gpu);
    $("answer-json").textContent = result.kind === "answer" ? JSON.stringify(result.data, null, 2) : "";
    $("answer-json").setAttribute("data-exact", exact ? "true" : "false");
    $("json-details").hidden = result.kind !== "answer";
    $("json-summary").textContent = exact ? "This answer as JSON (the output of the command above)" :
      "The answer without your driver, as JSON (the command above gives the exact answer)";
    $("share-link").href = queryString(state);
  }

  function update(changes) {
    Object.assign(state, changes);
    try { history.replaceState(null, "", queryString(state)); } catch (e) { /* some file:// contexts refuse */ }
    render([]);
  }

  function init() {
    const read = readState();
    state = read.state;
    $("version").textContent = D.version;
    $("matrix-date-from").textContent = `(${D.matrix_date_from})`;
    $("restricted").hidden = !D.restricted;
    const gpu = state.gpu ? findGpu(state.gpu) : null;
    $("gpu-search").value = gpu ? gpu.name : state.gpu;
    $("gpu-search").addEventListener("input", () => {
      const text = $("gpu-search").value;
      const found = text.trim() ? findGpu(text) : null;
      if (!text.trim()) update({ gpu: "" });
      else if (found) update({ gpu: found.key });
      else renderGpuResults();
    });
    $("gpu-search").addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = $("gpu-results").querySelector("button");
        if (first) first.click();
      }
    });
    $("cpu-only").addEventListener("change", () => update({ cpu: $("cpu-only").checked }));
    $("driver").addEventListener("change", () => {
      const value = $("driver").value.trim();
      if (value && !/^\d+(\.\d+)*$/.test(value)) { render([`driver: '${value}' is not a driver version (e.g. 535.104.05)`]); return; }
      update({ driver: value });
    });
    $("facts").addEventListener("submit", (event) => event.preventDefault());
    $("copy-link").addEventListener("click", () => {
      const url = location.href;
      if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {});
    });
    render(read.problems);
    document.documentElement.setAttribute("data-ready", "true");
  }
  // For the browser tests: the GPU-name normalisation, compared with kbsolver's own.
  window.kbsolverPage = { gpuKey, gpuVariantKey, findGpu: (text) => (findGpu(text) || {}).name || null,
    stepsHtml: (steps) => renderSteps(steps).outerHTML };
  init();
})();
