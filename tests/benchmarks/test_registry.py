"""The municipality registry: codes, check digits, size classes, idempotence."""

import json

import pytest
from django.core.exceptions import ValidationError

from benchmarks.registry import REGISTRY_FILE, registry_load
from sheets.choices import OrganizationKind
from sheets.models import Organization, SizeClass
from sheets.validators import lg_code_check_digit, validate_lg_code

REAL_CODES = {
    "131016": "千代田区",
    "142042": "鎌倉市",
    "011002": "札幌市",
    "472018": "那覇市",
    "141003": "横浜市",
    "132152": "国立市",
    "142131": "大和市",
    "142166": "座間市",
    "130001": "東京都",
    "470007": "沖縄県",
}


@pytest.mark.parametrize(("code", "name"), REAL_CODES.items())
def test_check_digit_of_real_codes(code, name):
    assert lg_code_check_digit(code[:5]) == int(code[5]), name
    validate_lg_code(code)


@pytest.mark.parametrize("code", ["131017", "142041", "011001", "472019"])
def test_a_wrong_check_digit_is_refused(code):
    with pytest.raises(ValidationError):
        validate_lg_code(code)


def test_the_fixture_has_every_prefecture_and_the_six_size_classes():
    data = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    assert len(data["prefectures"]) == 47
    assert [s["code"] for s in data["size_classes"]] == [
        "tokubetsuku",
        "shitei_toshi",
        "chukakushi",
        "ippanshi_ge100k",
        "ippanshi_lt100k",
        "choson",
    ]
    by_class = {}
    for spec in data["municipalities"]:
        by_class.setdefault(spec["size_class"], []).append(spec)
    # Every special ward, designated city and core city of April 2024 (forms.md §8.2).
    assert len(by_class["tokubetsuku"]) == 23
    assert len(by_class["shitei_toshi"]) == 20
    assert len(by_class["chukakushi"]) == 62
    assert all(len(by_class[code]) >= 10 for code in ("ippanshi_ge100k", "ippanshi_lt100k", "choson"))


def test_registry_load_creates_the_organisations(db):
    result = registry_load()
    assert result.created == Organization.objects.count() == 47 + 159
    assert SizeClass.objects.count() == 6
    for code, name in REAL_CODES.items():
        assert Organization.objects.get(lg_code=code).name == name
    kamakura = Organization.objects.select_related("prefecture", "size_class").get(lg_code="142042")
    assert kamakura.prefecture.name == "神奈川県"
    assert kamakura.size_class.code == "ippanshi_ge100k"
    assert Organization.objects.get(lg_code="131016").kind == OrganizationKind.SPECIAL_WARD
    assert Organization.objects.get(lg_code="011002").size_class.label == "指定都市"
    assert Organization.objects.get(lg_code="472018").kind == OrganizationKind.CORE_CITY
    assert Organization.objects.get(lg_code="132152").size_class.code == "ippanshi_lt100k"
    assert Organization.objects.get(lg_code="144029").kind == OrganizationKind.VILLAGE
    assert not Organization.objects.filter(prefecture__isnull=True).exclude(kind="prefecture").exists()


def test_registry_load_is_idempotent(db):
    registry_load()
    before = list(Organization.objects.values_list("pk", "lg_code", "name", "size_class_id"))
    result = registry_load()
    assert result.created == 0
    assert list(Organization.objects.values_list("pk", "lg_code", "name", "size_class_id")) == before


def test_existing_demo_organisations_are_updated_not_duplicated(demo):
    kamakura = Organization.objects.get(lg_code="142042")
    peers = set(Organization.objects.filter(lg_code__in=["142131", "142166"]).values_list("pk", flat=True))
    registry_load()
    assert Organization.objects.filter(lg_code="142042").count() == 1
    kamakura.refresh_from_db()
    assert kamakura.population == 172000  # the registry has no verified figure: the demo's stays
    assert (
        set(Organization.objects.filter(lg_code__in=["142131", "142166"]).values_list("pk", flat=True))
        == peers
    )
    assert SizeClass.objects.count() == 6


def test_a_bad_check_digit_in_the_file_writes_nothing(db, tmp_path):
    data = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    data["municipalities"][0]["lg_code"] = "131017"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match="131017"):
        registry_load(path)
    assert not Organization.objects.exists()
