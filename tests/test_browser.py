"""The main journey in a real browser: Playwright driving Debian's Chromium (never a downloaded one)."""

import os
import shutil
import subprocess

import pytest

from indicators.choices import ValueType
from indicators.models import IndicatorValue

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        yield context.new_page()
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.django_db(transaction=True)
def test_staff_edits_an_actual_sees_the_rate_change_saves_and_downloads_the_pdf(
    live_server, browser_page, tmp_path
):
    from sheets.demo import demo_load

    demo_load()
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "demo-pass-2025")
    page.click("button[type=submit]")
    page.get_by_role("link", name="ひきこもり対策推進事業").click()
    page.get_by_role("link", name="編集する").click()

    rate = page.get_by_test_id("achievement-0")
    assert rate.inner_text().strip() == "83%"
    actual = page.locator("input[name='sub-0-actual_s']")
    actual.fill("66")
    # The rate is recomputed on the server by the same function the PDF uses: 66 / 72 = 91.7% → 92%.
    page.wait_for_function(
        "document.querySelector('[data-testid=\"achievement-0\"]').innerText.trim() === '92%'"
    )

    page.get_by_test_id("save-top").click()
    page.wait_for_url(f"{live_server.url}/sheets/*/")
    assert "保存しました" in page.content()
    assert (
        IndicatorValue.objects.get(
            indicator__program__name="ひきこもり家庭等相談支援事業",
            fiscal_year=2024,
            value_type=ValueType.ACTUAL,
        ).value
        == 66
    )

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF を出力").click()
    pdf = tmp_path / "sheet.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "92%" in text
