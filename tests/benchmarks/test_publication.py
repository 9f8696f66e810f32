"""Small counts in published outputs: suppressed or banded, rates built on them marked 参考値."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from benchmarks.choices import SmallCountMode
from benchmarks.models import PublicationSettings
from benchmarks.publication import publish_count, publish_rate
from sheets.choices import SheetStatus


@pytest.mark.parametrize(
    ("count", "mode", "text"),
    [
        (13, SmallCountMode.SUPPRESS, "13"),
        (5, SmallCountMode.SUPPRESS, "5"),
        (4, SmallCountMode.SUPPRESS, "X"),
        (1, SmallCountMode.SUPPRESS, "X"),
        (3, SmallCountMode.BAND, "5未満"),
        (0, SmallCountMode.SUPPRESS, "0"),
        (None, SmallCountMode.SUPPRESS, ""),
        (Decimal(1515), SmallCountMode.SUPPRESS, "1,515"),
    ],
)
def test_publish_count(count, mode, text):
    published = publish_count(count, mode=mode)
    assert published.text == text
    assert (published.value is None) == (text in ("X", "5未満", ""))


def test_publish_count_with_a_threshold_and_a_unit():
    assert publish_count(9, threshold=10, unit="人").text == "X"
    assert publish_count(9, threshold=10, mode=SmallCountMode.BAND, unit="人").text == "10人未満"
    assert publish_count(10, threshold=10, unit="人").text == "10人"


def test_publish_rate_marks_rates_built_on_small_counts():
    assert publish_rate(Decimal("75.0"), counts=[3, 4]).text == "75.0%（参考値）"
    assert publish_rate(Decimal("75.0"), counts=[30, 40]).text == "75.0%"
    assert publish_rate(Decimal("75.0"), counts=[0, 40]).text == "75.0%"
    assert publish_rate(None, counts=[3]).text == ""
    assert publish_rate(Decimal("7.6"), counts=[13], threshold=15, unit="").reference


def _csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_open_data_csv_suppresses_small_counts_of_published_sheets_only(client, login_as, demo_sheet):
    login_as("auditor")
    url = reverse("benchmarks:opendata_csv", args=[demo_sheet.organization_id, "comparisons"])
    assert len(_csv(client.get(url, {"year": 2025}))) == 1  # a draft is not published: header only
    demo_sheet.status = SheetStatus.PUBLISHED
    demo_sheet.save(update_fields=["status"])
    PublicationSettings.objects.create(organization=demo_sheet.organization, small_count_threshold=15)
    rows = _csv(client.get(url, {"year": 2025}))
    values = {(r[3], r[4]): (r[5], r[6]) for r in rows[1:]}
    # 13人 < 15: withheld, and so is its figure per 10万人, which would give it back with the population.
    assert values[("鎌倉市", "利用実人数")] == ("X", "X")
    assert values[("鎌倉市", "利用延べ人数")] == ("84人", "48.8")
    assert values[("鎌倉市", "実施頻度")] == ("56回", "")
    assert values[("鎌倉市", "相談支援件数")] == ("1,515件", "880.8")
    # The internal page still shows the real figures.
    page = client.get(reverse("benchmarks:program", args=[demo_sheet.pk])).content.decode()
    assert "13人/84人/56回" in page


def test_open_data_indicator_csv_bands_and_marks_reference_rates(client, login_as, demo_sheet):
    demo_sheet.status = SheetStatus.PUBLISHED
    demo_sheet.save(update_fields=["status"])
    PublicationSettings.objects.create(
        organization=demo_sheet.organization, small_count_threshold=15, small_count_mode=SmallCountMode.BAND
    )
    login_as("auditor")
    url = reverse("benchmarks:opendata_csv", args=[demo_sheet.organization_id, "indicators"])
    response = client.get(url, {"year": 2025})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:4] == ["評価年度", "事業番号", "事業名", "指標名"]
    by_key = {(r[3], r[5]): r for r in rows[1:]}
    # 居場所 R4: 13.0 of a target of 20.0 → banded, and its 65.0% is a reference value.
    # The rate printed beside its target would give the withheld actual back: withheld too.
    assert by_key[("ひきこもり居場所利用のべ人数", "2022")][6:] == ["20.0", "15未満", "X"]
    assert by_key[("ひきこもり居場所利用のべ人数", "2024")][6:] == ["108.0", "84.0", "77.8%"]
    assert by_key[("ひきこもり相談件数", "2021")][6:] == ["20.0", "44.0", "220.0%"]


def test_the_default_rule_is_five_and_suppress(client, login_as, demo_sheet):
    demo_sheet.status = SheetStatus.PUBLISHED
    demo_sheet.save(update_fields=["status"])
    login_as("auditor")
    url = reverse("benchmarks:opendata_csv", args=[demo_sheet.organization_id, "comparisons"])
    values = {(r[3], r[4]): r[5] for r in _csv(client.get(url, {"year": 2025}))[1:]}
    assert values[("鎌倉市", "利用実人数")] == "13人"
    assert values[("座間市", "相談延べ人数")] == "42件"
