import io
import subprocess
import zipfile

import pytest
from django.contrib.auth import get_user_model

from sheets.choices import OrganizationKind, OrgUnitKind, Role
from sheets.models import Membership, Organization, OrgUnit


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def department(demo):
    """健康福祉部 of the demo: owner of the three 令和7年度 個表 (健福-05, 健福-17, 健福-18)."""
    return OrgUnit.objects.get(organization__lg_code="142042", name="健康福祉部")


@pytest.fixture
def other_city_user(demo):
    """An auditor of another municipality (座間市, a peer city of the demo): sees none of 鎌倉市's sheets."""
    org, _ = Organization.objects.get_or_create(
        lg_code="142166", defaults={"name": "座間市", "kind": OrganizationKind.CITY}
    )
    unit = OrgUnit.objects.create(organization=org, kind=OrgUnitKind.DEPARTMENT, name="福祉部")
    user = get_user_model().objects.create_user("zama_auditor", password="x")
    Membership.objects.create(user=user, organization=org, role=Role.AUDITOR)
    user.department = unit
    return user


@pytest.fixture
def pdf_text(tmp_path):
    """The text of a PDF as poppler's pdftotext reads it."""

    def _text(content: bytes) -> str:
        path = tmp_path / "read.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=60
        ).stdout

    return _text


@pytest.fixture
def unzip():
    def _unzip(content: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    return _unzip
