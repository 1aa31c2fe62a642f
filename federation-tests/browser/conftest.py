"""Real-browser tests of Staffroom's web interface: Debian's Chromium driven headless through
chromedriver by Selenium, each scenario with JavaScript on and off. axe-core (from its npm
package) checks every page visited with JavaScript on. Screenshots of failures go to
$SCREENSHOTS."""

import os
import pathlib
import shlex
import subprocess

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

NODE_OPEN = os.environ["NODE_OPEN"]
NODE_APPROVAL = os.environ["NODE_APPROVAL"]
AXE = pathlib.Path(os.environ["AXE_JS"]).read_text()
SCREENSHOTS = pathlib.Path(os.environ.get("SCREENSHOTS", "screenshots"))


def cli_approval(*args):
    """Runs `staffroom` against the approval node (as its secretariat would)."""
    cmd = shlex.split(os.environ["STAFFROOM_BIN_CMD_APPROVAL"]) + list(args)
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def make_driver(js):
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900",
              "--lang=en-GB", "--disable-gpu"):
        opts.add_argument(a)
    if not js:
        opts.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    d = webdriver.Chrome(options=opts, service=service)
    d.set_page_load_timeout(30)
    d.js_enabled = js
    return d


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def browser(request):
    d = make_driver(request.param)
    d.checked_pages = []
    yield d
    d.quit()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        d = item.funcargs.get("browser")
        if d is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = item.nodeid.replace("/", "_").replace(":", "_").replace("[", "_").replace("]", "")
            d.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
            (SCREENSHOTS / f"{name}.html").write_text(d.page_source)
            print(f"screenshot of the failure: {SCREENSHOTS / name}.png")
