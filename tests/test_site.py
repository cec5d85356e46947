"""The selector page (scripts/build_site.py): what it writes, and what headless Chromium renders from it.

Browser tests are marked ``browser``; they need Debian's ``chromium`` and ``chromium-driver``
(/usr/bin/chromium, /usr/bin/chromedriver) and selenium, and are skipped when any is absent.
Screenshots go to ``$KBSOLVER_TEST_OUTPUT`` (default ``build/test-output``)/site/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

import kbsolver
from kbsolver.cli import app
from kbsolver.knowledge import Knowledge, gpu_key, gpu_variant_key

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_site.py"
OUTPUT = Path(os.environ.get("KBSOLVER_TEST_OUTPUT", ROOT / "build" / "test-output")) / "site"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
GPUS = ("rtx3060", "Tesla K80", "Jetson AGX Orin")
PYTHONS = ("3.8", "3.9", "3.12")
PLATFORMS = ("windows/x86_64", "linux/x86_64", "macos/x86_64", "macos/arm64", "windows/x86")

sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A restricted build (three GPUs, three Pythons, four platforms) shared by the tests."""
    out = tmp_path_factory.mktemp("site")
    args = [str(out), "--matrix-date", "2026-01-02"]
    for flag, values in (("--gpu", GPUS), ("--python", PYTHONS), ("--platform", PLATFORMS)):
        for value in values:
            args += [flag, value]
    assert build_site.main(args) == 0
    return out


def cli_json(*args: str) -> dict[str, Any]:
    """``kbsolve plan ARGS --format json``, parsed."""
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    result = runner.invoke(app, ["plan", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# -- the build, without a browser ----------------------------------------------------------------------------

def test_site_has_page_assets_and_fits_the_budget(site: Path) -> None:
    names = sorted(p.name for p in site.iterdir())
    assert names == ["app.js", "data.js", "index.html", "style.css"]
    assert sum(p.stat().st_size for p in site.iterdir()) <= build_site.MAX_SITE_BYTES
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "2026-01-02" in page and "<!--" not in page.split("<body>")[1].split("<footer>")[0]
    assert "tensorflow | 2.10.0" not in page and "<td>2.10.0</td>" in page  # docs/matrix.md tables as HTML


def test_page_references_no_other_host(site: Path) -> None:
    import re

    page = (site / "index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'<(?:script|link|img|iframe)[^>]*(?:src|href)="([^"]+)"', page)
    assert sorted(loaded) == ["app.js", "data.js", "style.css"]
    assert "http" not in (site / "app.js").read_text(encoding="utf-8").replace("https://", "")


@pytest.mark.parametrize("name, os_name, python", [
    ("rtx3060", "windows", "3.8"), ("rtx3060", "macos", "3.9"), ("Tesla K80", "linux", "3.12"), ("Tesla K80", "windows", "3.8"),
    ("Jetson AGX Orin", "linux", "3.8"), ("a100", "linux", "3.12"), ("GTX 1080", "windows", "3.9"),
])
def test_placeholder_answers_personalised_equal_the_cli(kb: Knowledge, name: str, os_name: str, python: str) -> None:
    placeholders = build_site.with_placeholders(kb)
    gpu = kb.find_gpu(name)
    job = build_site.Job(build_site.group_of(gpu), os_name, "x86_64", python)
    answer = kbsolver.plan(build_site.query_for(placeholders, job), placeholders).to_dict()
    expected = cli_json("--gpu", name, "--python", python, "--os", os_name, "--arch", "x86_64")
    assert build_site.personalise(answer, gpu) == expected


def test_bad_platform_is_one_line_exit_2(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), "--platform", "windows/sparc"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "--platform" in result.stderr
    unknown = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), "--gpu", "rtx9999x"],
                             capture_output=True, text=True, check=False)
    assert unknown.returncode == 2 and "unknown GPU" in unknown.stderr and "Traceback" not in unknown.stderr


def test_markdown_tables_become_html_tables() -> None:
    text = build_site.markdown_html("## CUDA\n\n| a | b |\n|---|---|\n| `x` | 1 |\n\nplain <text>\n")
    assert "<h3>CUDA</h3>" in text and "<td><code>x</code></td><td>1</td>" in text and "plain &lt;text&gt;" in text


# -- in headless Chromium ------------------------------------------------------------------------------------

def _browser_missing() -> str:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return "Debian chromium/chromium-driver not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install selenium)"
    return ""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1200,1400"):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="kbsolver-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(browser: Any, site: Path, query: str) -> None:
    browser.get((site / "index.html").as_uri() + query)
    wait_ready(browser)


def wait_ready(browser: Any) -> None:
    """Wait (at most 10 s) until the page's script has rendered the answer of the current URL."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.documentElement.dataset.ready") == "true")


def shown_json(browser: Any) -> dict[str, Any]:
    from selenium.webdriver.common.by import By

    assert browser.find_element(By.ID, "answer-json").get_attribute("data-exact") == "true"
    return json.loads(browser.execute_script("return document.getElementById('answer-json').textContent"))


def texts(browser: Any, selector: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.get_attribute("textContent") for e in browser.find_elements(By.CSS_SELECTOR, selector)]


def assert_rendered(browser: Any, expected: dict[str, Any]) -> None:
    """The page shows the CLI's answer: its JSON, and in the visible answer every component, step, reason,
    suggestion and source of it."""
    from selenium.webdriver.common.by import By

    assert shown_json(browser) == expected
    assert browser.find_element(By.ID, "answer").get_attribute("data-status") == expected["status"]
    if expected["status"] == "ok":
        plan = expected["plan"]
        rows = {r.get_attribute("data-name"): r.find_element(By.CSS_SELECTOR, ".version").text
                for r in browser.find_elements(By.CSS_SELECTOR, "#components tbody tr")}
        assert rows == {c["name"]: f">= {c['min_version']}" if "min_version" in c else c["version"]
                        for c in plan["components"]}
        assert texts(browser, "#steps > li > .description") == [s["description"] for s in plan["steps"]]
        commands = [c for s in plan["steps"] for c in (s.get("commands") or [s["command"]] if "command" in s or
                                                       "commands" in s else [])]
        assert texts(browser, "#steps pre.command") == commands
        assert texts(browser, "#notes li") == plan["notes"]
        assert [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#sources a")] == plan["sources"]
    else:
        conflict = expected["conflict"]
        assert texts(browser, "#reasons li") == [r["message"] for r in conflict["reasons"]]
        assert [t.split("kbsolve plan")[0] for t in texts(browser, "#suggestions > li")] == \
            [s["summary"] for s in conflict["suggestions"]]


def screenshot(browser: Any, name: str, element_id: str) -> Path:
    from selenium.webdriver.common.by import By

    OUTPUT.mkdir(parents=True, exist_ok=True)
    browser.execute_script("document.getElementById(arguments[0]).scrollIntoView()", element_id)
    path = OUTPUT / f"{name}.png"
    assert browser.save_screenshot(str(path))
    assert browser.find_element(By.ID, element_id).is_displayed()
    return path


@pytest.mark.browser
def test_url_rtx3060_python38_windows_renders_tf_2_10_1_cuda_11_2_cudnn_8_1(browser: Any, site: Path) -> None:
    open_page(browser, site, "?gpu=rtx3060&python=3.8&os=windows")
    expected = cli_json("--gpu", "rtx3060", "--python", "3.8", "--os", "windows", "--arch", "x86_64")
    assert_rendered(browser, expected)
    assert texts(browser, "#headline") == ["TensorFlow 2.10.1 · Python 3.8 · CUDA 11.2 · cuDNN 8.1"]
    screenshot(browser, "plan-rtx3060-python3.8-windows", "answer")


@pytest.mark.browser
def test_url_rtx3060_python312_windows_renders_the_conflict_with_wsl2(browser: Any, site: Path) -> None:
    open_page(browser, site, "?gpu=rtx3060&python=3.12&os=windows")
    expected = cli_json("--gpu", "rtx3060", "--python", "3.12", "--os", "windows", "--arch", "x86_64")
    assert expected["status"] == "conflict"
    assert_rendered(browser, expected)
    wsl2 = [t for t in texts(browser, "#suggestions a.suggestion") if "WSL2" in t]
    assert wsl2 and "TensorFlow 2.21.0" in wsl2[0]
    screenshot(browser, "conflict-rtx3060-python3.12-windows", "answer")


@pytest.mark.browser
def test_url_tesla_k80_python39_linux_renders_2_14_1(browser: Any, site: Path) -> None:
    open_page(browser, site, "?gpu=Tesla%20K80&python=3.9&os=linux")
    assert_rendered(browser, cli_json("--gpu", "Tesla K80", "--python", "3.9", "--os", "linux", "--arch", "x86_64"))
    assert texts(browser, "#components tr[data-name=tensorflow] .version") == ["2.14.1"]


@pytest.mark.browser
def test_greyed_python_option_shows_its_reason(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, "?gpu=rtx3060&python=3.8&os=windows")
    label = browser.find_element(By.CSS_SELECTOR, "label[for=python-3_12]")
    expected = cli_json("--gpu", "rtx3060", "--python", "3.12", "--os", "windows", "--arch", "x86_64")
    assert "unavailable" in label.get_attribute("class").split()
    assert label.get_attribute("data-reason") == expected["conflict"]["summary"]
    assert texts(browser, "#python-reasons li[data-value='3.12']") == [f"3.12: {expected['conflict']['summary']}"]
    available = browser.find_element(By.CSS_SELECTOR, "label[for=python-3_9]")
    assert "unavailable" not in (available.get_attribute("class") or "").split()
    # macOS with an NVIDIA GPU gives no plan: the OS option is greyed with the solver's reason.
    macos = browser.find_element(By.CSS_SELECTOR, "label[for=os-macos]")
    assert "unavailable" in macos.get_attribute("class").split()
    assert macos.get_attribute("data-reason") == cli_json("--gpu", "rtx3060", "--python", "3.8", "--os", "macos", "--arch",
                                                          "x86_64")["conflict"]["summary"]
    screenshot(browser, "greyed-python-3.12-on-windows", "facts")


@pytest.mark.browser
def test_clicking_gpu_python_and_cpu_only_follows_the_cli(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, "?os=windows&python=3.8")
    assert_rendered(browser, cli_json("--python", "3.8", "--os", "windows", "--arch", "x86_64"))
    search = browser.find_element(By.ID, "gpu-search")
    search.send_keys("K80")
    options = browser.find_elements(By.CSS_SELECTOR, "#gpu-results button.gpu-option")
    assert [o.get_attribute("data-key") for o in options] == ["k80"]
    assert "compute capability 3.7, Kepler" in options[0].text
    options[0].click()
    assert_rendered(browser, cli_json("--gpu", "Tesla K80", "--python", "3.8", "--os", "windows", "--arch", "x86_64"))
    browser.find_element(By.CSS_SELECTOR, "label[for=python-3_9]").click()
    assert "python=3.9" in browser.current_url and "gpu=k80" in browser.current_url
    assert_rendered(browser, cli_json("--gpu", "Tesla K80", "--python", "3.9", "--os", "windows", "--arch", "x86_64"))
    browser.find_element(By.ID, "cpu-only").click()
    assert_rendered(browser, cli_json("--gpu", "Tesla K80", "--python", "3.9", "--os", "windows", "--arch", "x86_64",
                                      "--cpu-only"))


@pytest.mark.browser
def test_clicking_the_wsl2_suggestion_gives_the_linux_plan(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, "?gpu=rtx3060&python=3.12&os=windows")
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, "#suggestions a.suggestion") if "WSL2" in a.text)
    link.click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: "os=wsl2" in d.current_url)
    wait_ready(browser)
    assert_rendered(browser, cli_json("--gpu", "rtx3060", "--python", "3.12", "--os", "linux", "--arch", "x86_64"))


@pytest.mark.browser
def test_keyboard_only_choice_of_python(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser, site, "?gpu=rtx3060&python=3.8&os=linux")
    browser.find_element(By.ID, "python-3_8").send_keys(Keys.ARROW_RIGHT)  # radio group: arrow moves the choice
    assert "python=3.9" in browser.current_url
    assert_rendered(browser, cli_json("--gpu", "rtx3060", "--python", "3.9", "--os", "linux", "--arch", "x86_64"))


@pytest.mark.browser
@pytest.mark.parametrize("query, args", [
    ("?gpu=Jetson%20AGX%20Orin&python=3.8&os=linux", ("--gpu", "Jetson AGX Orin", "--python", "3.8", "--os", "linux")),
    ("?gpu=rtx3060&python=3.9&os=macos&arch=arm64", ("--gpu", "rtx3060", "--python", "3.9", "--os", "macos", "--arch", "arm64")),
    ("?python=3.12&os=macos&arch=arm64", ("--python", "3.12", "--os", "macos", "--arch", "arm64")),
    ("?gpu=rtx3060&python=3.8&os=windows&arch=x86", ("--gpu", "rtx3060", "--python", "3.8", "--os", "windows", "--arch", "x86")),
    ("?gpu=rtx3060&os=windows", ("--gpu", "rtx3060", "--os", "windows")),
    ("?gpu=rtx3060&python=3.8&os=windows&driver=531.14",
     ("--gpu", "rtx3060", "--python", "3.8", "--os", "windows", "--driver", "531.14")),
    ("?gpu=k80&python=3.9&os=linux&driver=470.256.02",
     ("--gpu", "Tesla K80", "--python", "3.9", "--os", "linux", "--driver", "470.256.02")),
    ("?python=3.8&os=windows&driver=531.14", ("--python", "3.8", "--os", "windows", "--driver", "531.14")),
])
def test_more_urls_equal_the_cli(browser: Any, site: Path, query: str, args: tuple[str, ...]) -> None:
    open_page(browser, site, query)
    assert_rendered(browser, cli_json(*args, *(() if "--arch" in args else ("--arch", "x86_64"))))


@pytest.mark.browser
def test_driver_below_the_floor_gives_the_command_not_a_plan(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, "?gpu=rtx3060&python=3.8&os=windows&driver=440.33")
    assert browser.find_element(By.ID, "answer").get_attribute("data-status") == "driver"
    assert "older than this plan needs (460.82 or newer)" in browser.find_element(By.ID, "driver-check").text
    assert browser.find_element(By.ID, "answer-json").get_attribute("data-exact") == "false"
    assert "--driver 440.33" in browser.find_element(By.ID, "cli-command").text
    assert "driver" not in json.loads(browser.find_element(By.ID, "answer-json").get_attribute("textContent"))["query"]
    # Kepler GPUs stop at the R470 branch: a newer driver is not this plan's driver either.
    open_page(browser, site, "?gpu=k80&python=3.9&os=linux&driver=535.104.05")
    assert browser.find_element(By.ID, "answer").get_attribute("data-status") == "driver"
    assert "supported up to the R470 driver branch" in browser.find_element(By.ID, "driver-check").text
    # A conflict is shown without the driver, saying so.
    open_page(browser, site, "?gpu=rtx3060&python=3.12&os=windows&driver=531.14")
    assert browser.find_element(By.ID, "answer").get_attribute("data-status") == "driver"
    assert "answers without your driver 531.14" in browser.find_element(By.ID, "driver-check").text
    assert texts(browser, "#reasons li")


@pytest.mark.browser
def test_gpu_name_keys_match_kbsolver(browser: Any, site: Path, kb: Knowledge) -> None:
    open_page(browser, site, "")
    names = [n for g in kb.gpus for n in (g.name, *g.aliases)] + ["Tesla K80", "A100-SXM4-40GB", "rtx-3060 laptop gpu"]
    keys = browser.execute_script("return arguments[0].map(n => [kbsolverPage.gpuKey(n), kbsolverPage.gpuVariantKey(n)])",
                                  names)
    assert keys == [[gpu_key(n), gpu_variant_key(n)] for n in names]
    assert browser.execute_script("return kbsolverPage.findGpu('NVIDIA Tesla K80')") == kb.find_gpu("NVIDIA Tesla K80").name


@pytest.mark.browser
def test_steps_render_both_shapes_of_the_plan_contract(browser: Any, site: Path) -> None:
    open_page(browser, site, "")
    html = browser.execute_script("return kbsolverPage.stepsHtml(arguments[0])", [
        {"description": "Install the driver", "command": "nvidia-smi"},
        {"description": "Set PATH", "shell": "PowerShell", "commands": ["$env:A = 1", "python -V"]},
        {"description": "Read the guide"},
    ])
    assert html.count('<pre class="command">') == 3 and html.count('class="shell"') == 1
    assert "PowerShell:" in html and "$env:A = 1" in html and html.index("Set PATH") < html.index("python -V")


@pytest.mark.browser
def test_no_request_leaves_the_machine_and_no_script_errors(browser: Any, site: Path) -> None:
    open_page(browser, site, f"?gpu={quote('GeForce RTX 3060')}&python=3.12&os=windows")
    browser.get_log("performance")  # drop earlier pages' events
    open_page(browser, site, "?gpu=rtx3060&python=3.8&os=windows")
    urls = [json.loads(e["message"])["message"]["params"].get("request", {}).get("url", "")
            for e in browser.get_log("performance")]
    requested = [u for u in urls if u]
    assert requested and all(u.startswith(("file://", "data:")) for u in requested), requested
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


@pytest.mark.browser
def test_phone_width_has_no_sideways_scrolling(browser: Any, site: Path) -> None:
    browser.set_window_size(390, 844)
    try:
        open_page(browser, site, "?gpu=rtx3060&python=3.8&os=windows")
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        screenshot(browser, "phone-plan-rtx3060", "answer")
    finally:
        browser.set_window_size(1200, 1400)
