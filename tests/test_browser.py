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


@pytest.mark.django_db(transaction=True)
def test_staff_reads_an_initiative_sheet_and_changes_its_status_with_a_live_warning(
    live_server, browser_page
):
    from sheets.demo import demo_load
    from sheets.models import OkinawaInitiativeSheet

    demo_load()
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "oki_staff")
    page.fill("#id_password", "demo-pass-2025")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/?year=2023")
    page.get_by_role("link", name="市町村との連携及び支援者研修の充実").click()
    page.wait_for_load_state()  # the body is still being parsed when the click returns
    assert "（実数 150.0%）" in page.inner_text(".sheet-screen")  # the raw ratio beside the capped 100.0%
    page.get_by_role("link", name="編集する").click()

    page.select_option("#id_main-progress_status", label="概ね順調")
    page.fill("#id_main-status_basis", "")
    # Checked on the server against the ratio bands while typing (before saving).
    page.wait_for_function(
        "(document.querySelector('[data-testid=status-warning]')?.innerText || '')"
        ".includes('判定根拠の記入が必要です')"
    )
    page.fill("#id_main-status_basis", "協議会と研修会は計画を上回ったが、一部地域で日程を見直したため。")
    page.get_by_test_id("save-top").click()
    page.wait_for_url(f"{live_server.url}/sheets/*/")
    assert "保存しました" in page.content()
    saved = OkinawaInitiativeSheet.objects.get(
        sheet__program__name="市町村との連携及び支援者研修の充実", sheet__evaluation_fy=2023
    )
    assert saved.progress_status.label == "概ね順調"


@pytest.mark.django_db(transaction=True)
def test_staff_grades_the_kunitachi_sheet_and_gives_the_reason_a_distant_grade_needs(
    live_server, browser_page, tmp_path
):
    from sheets.demo_kunitachi import kunitachi_demo_load
    from sheets.models import PolicyManagementSheet

    kunitachi_demo_load()
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "kni_staff")
    page.fill("#id_password", "demo-pass-2025")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/?year=2024")
    page.get_by_role("link", name="支え合いの地域づくりと自立支援").click()
    # The page shows the grade suggested from the data beside the chosen one (the PDF does not).
    page.wait_for_load_state()  # the body is still being parsed when the click returns
    assert "C（横ばい）" in page.inner_text(".sheet-screen")
    page.get_by_role("link", name="編集する").click()

    page.select_option("#id_pm-goal_grade", label="C（半数程度を達成）")
    page.get_by_test_id("save-top").click()
    assert "2段階以上異なるため、理由を入力してください" in page.inner_text("body")
    page.fill("#id_pm-goal_grade_reason", "調査の設問が変わり、数値が比較できないため。")
    page.get_by_test_id("save-top").click()
    page.wait_for_url(f"{live_server.url}/sheets/*/")
    assert "保存しました" in page.content()
    assert PolicyManagementSheet.objects.get().goal_grade.code == "C"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF を出力").click()
    pdf = tmp_path / "kunitachi.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "C（半数程度を達成）" in text and "597,613" in text


def _sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-pass-2025")
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_a_year_is_submitted_returned_approved_locked_and_rolled_over(live_server, browser_page):
    from django.contrib.auth import get_user_model

    from sheets.demo import demo_load
    from sheets.models import EvaluationSheet
    from sheets.services.workflow import sheet_transition

    demo_load()
    page, base = browser_page, live_server.url
    sheet = EvaluationSheet.objects.get(program__code="健福-17", evaluation_fy=2025)
    sheet_url = f"{base}/sheets/{sheet.pk}/"

    _sign_in(page, base, "staff")
    page.goto(sheet_url)
    page.get_by_test_id("action-submit").click()
    assert page.get_by_test_id("status").inner_text() == "提出済"

    _sign_in(page, base, "evaluator")
    page.goto(sheet_url)
    page.get_by_test_id("action-return").click()
    assert "差し戻す理由を入力してください" in page.inner_text("main")
    page.fill("#transition-comment", "令和6年度の相談件数の内訳を補ってください。")
    page.get_by_test_id("action-return").click()
    assert page.get_by_test_id("status").inner_text() == "差戻し"

    _sign_in(page, base, "staff")
    page.goto(sheet_url)
    assert "令和6年度の相談件数の内訳を補ってください。" in page.inner_text("main")
    page.get_by_test_id("action-submit").click()

    _sign_in(page, base, "evaluator")
    page.goto(sheet_url)
    page.get_by_test_id("action-approve").click()
    assert page.get_by_test_id("status").inner_text() == "承認済"

    # The other sheets of the year are approved by the administrator through the same service.
    admin = get_user_model().objects.get(username="admin")
    for other in EvaluationSheet.objects.filter(evaluation_fy=2025).exclude(pk=sheet.pk):
        for action in ("submit", "approve"):
            sheet_transition(sheet=other, action=action, by=admin)

    _sign_in(page, base, "admin")
    page.get_by_role("link", name="年度の管理").click()
    page.get_by_test_id("lock-142042-2025").click()
    assert "令和7年度を確定しました" in page.inner_text("main")
    page.get_by_test_id("rollover-142042-2025").click()
    assert "令和8年度のシートを" in page.inner_text("main")
    page.goto(f"{base}/?year=2026")
    assert "ひきこもり対策推進事業" in page.inner_text("main")
    page.goto(sheet_url)
    assert "確定済" in page.inner_text(".toolbar")
    assert page.get_by_role("link", name="編集する").count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_auditor_prints_a_department_as_one_pdf(live_server, browser_page, tmp_path, settings):
    from sheets.demo import demo_load

    settings.MEDIA_ROOT = tmp_path / "media"
    demo_load()
    page, base = browser_page, live_server.url
    _sign_in(page, base, "auditor")
    page.get_by_role("link", name="一括印刷").click()
    page.select_option("#id_department", label="鎌倉市　健康福祉部")
    page.get_by_label("PDF（1つのファイルにまとめる）").check()
    page.get_by_role("button", name="印刷を始める").click()
    page.wait_for_url(f"{base}/printing/jobs/*/")
    assert "4 / 4 シート" in page.inner_text("#print-progress")  # three 個表 and the 施策の方針

    with page.expect_download() as download_info:
        page.get_by_role("link", name="ダウンロード").click()
    pdf = tmp_path / "department.pdf"
    download_info.value.save_as(pdf)
    assert download_info.value.suggested_filename == "2025_鎌倉市_健康福祉部.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for program in ("共生社会推進事業", "ひきこもり対策推進事業", "生活保護事務"):
        assert program in text
