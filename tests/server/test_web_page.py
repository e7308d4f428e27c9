"""The web page in a real headless Chromium (Debian's, driven by Playwright): paste a
screenshot, upload another, wait for the streamed answer, see the cited article and its
evidence thumbnail, open it large."""

from __future__ import annotations

import base64
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.server.conftest import KEY, SHOTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASTE = """async ([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, {type: "image/png"}));
  document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data}));
}"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make setup` (it installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                       env={**os.environ, "HOME": str(Path.home())})
        yield browser
        browser.close()


def test_paste_upload_answer_and_evidence(browser, support_server: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
    external: list[str] = []
    local = ("http://127.0.0.1", "data:", "blob:")
    page.on("request", lambda req: None if req.url.startswith(local) else external.append(req.url))
    page.goto(support_server)
    page.fill("#key", KEY)
    page.dispatch_event("#key", "change")
    page.wait_for_selector("#pipeline option", state="attached")
    # a Chinese question with a pasted screenshot (Ctrl+V) of a Chinese error dialog
    page.fill("#question", "这个错误怎么解决？")
    shot = SHOTS / "shot13-zh-msvcp140.png"
    page.evaluate(PASTE, [base64.b64encode(shot.read_bytes()).decode(), shot.name])
    page.wait_for_selector("#attached img")
    page.click("#send")
    page.wait_for_selector("#sources li img.thumb", timeout=120_000)
    assert "vc_redist.x64.exe" in page.inner_text("#answer")
    first = page.inner_text("#sources li:first-child .where")
    assert first.startswith(
        "[1] examples/error-screenshot-support/kb/zh-windows-msvcp140-missing.pdf")
    thumb = page.locator("#sources li:first-child img.thumb")
    box = thumb.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 50  # the page crop really loaded
    page.screenshot(path=str(tmp_path / "web-page-zh.png"), full_page=True)
    thumb.click()
    page.wait_for_selector("#viewer[open] #large")
    page.screenshot(path=str(tmp_path / "web-page-zh-large.png"))
    page.click("#viewer button")
    # an English question with a picked file, after removing the pasted one
    page.click("#attached button")
    page.fill("#question", "I keep getting this, any idea?")
    page.set_input_files("#files", str(SHOTS / "shot11-nginx-502.png"))
    page.wait_for_selector("#attached img")
    page.click("#send")
    expect(page.locator("#status")).to_have_text(re.compile(r"^Done in \d+ ms"),
                                                  timeout=120_000)
    assert "sudo nginx -t" in page.inner_text("#answer")
    assert "nginx-502-bad-gateway.pdf" in page.inner_text("#sources li:first-child .where")
    page.screenshot(path=str(tmp_path / "web-page-en.png"), full_page=True)
    if os.environ.get("MMRAG_PAGE_SHOTS"):  # where the README's picture comes from
        shutil.copy(tmp_path / "web-page-zh.png", os.environ["MMRAG_PAGE_SHOTS"])
    assert not problems and not external, (problems, external)
