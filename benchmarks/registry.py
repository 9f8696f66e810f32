"""The municipality registry: every prefecture and the municipalities of fixtures/registry/, as Organizations.

Keyed on the 全国地方公共団体コード, so loading twice changes nothing and a code that already exists (a
demo city, a peer city) is updated in place, never duplicated. Every code's check digit is validated
before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from sheets.choices import OrganizationKind
from sheets.models import Organization, SizeClass
from sheets.validators import validate_lg_code

REGISTRY_FILE = Path(settings.BASE_DIR) / "fixtures" / "registry" / "municipalities.json"


@dataclass(frozen=True)
class RegistryResult:
    created: int
    updated: int


def _check_codes(data: dict) -> None:
    errors = []
    for spec in [*data["prefectures"], *data["municipalities"]]:
        try:
            validate_lg_code(spec["lg_code"])
        except ValidationError as error:
            errors.extend(f"{spec['name']}: {message}" for message in error.messages)
    if errors:
        raise ValidationError(errors)


def _save(spec: dict, defaults: dict) -> tuple[Organization, bool]:
    if spec.get("population") is not None:
        defaults["population"] = spec["population"]  # unknown population keeps what the installation has
    org, created = Organization.objects.update_or_create(lg_code=spec["lg_code"], defaults=defaults)
    org.full_clean()
    return org, created


@transaction.atomic
def registry_load(path: Path = REGISTRY_FILE) -> RegistryResult:
    """Load (or refresh) the size classes, the prefectures and the municipalities of the registry file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    _check_codes(data)
    size_classes = {
        spec["code"]: SizeClass.objects.update_or_create(
            code=spec["code"], defaults={"label": spec["label"], "order": spec["order"]}
        )[0]
        for spec in data["size_classes"]
    }
    created = 0
    prefectures = {}
    for spec in data["prefectures"]:
        org, is_new = _save(
            spec, {"name": spec["name"], "kind": OrganizationKind.PREFECTURE, "prefecture": None}
        )
        prefectures[spec["lg_code"]] = org
        created += is_new
    for spec in data["municipalities"]:
        _org, is_new = _save(
            spec,
            {
                "name": spec["name"],
                "kind": spec["kind"],
                "prefecture": prefectures[spec["prefecture"]],
                "size_class": size_classes[spec["size_class"]],
            },
        )
        created += is_new
    total = len(data["prefectures"]) + len(data["municipalities"])
    return RegistryResult(created=created, updated=total - created)


__all__ = ["REGISTRY_FILE", "RegistryResult", "registry_load"]
