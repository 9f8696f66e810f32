from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from datasets.choices import ExportFormat
from datasets.definitions import DATASET_SHEETS
from datasets.permissions import export_visibility
from datasets.selectors import DatasetScope
from datasets.services import export_info, export_write
from hikikomori_eval.numbers import normalize_width
from hikikomori_eval.wareki import parse_fiscal_year
from sheets.audit import log_export
from sheets.choices import OrgUnitKind
from sheets.models import OrgUnit, PolicyNode


class Command(BaseCommand):
    help = (
        "評価年度のデータセット（事業、指標と年度別の値、事業費、職員数、評価シート）を書き出します。"
        "xlsx は1ブック、csv はシートごとの CSV の zip（--sheet を付けるとその1シートの CSV）です。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", required=True, help="評価年度（2025、R7、令和7年度 など）。前5年度分の値も含みます"
        )
        parser.add_argument("--format", choices=[f.value for f in ExportFormat], default="xlsx", dest="fmt")
        parser.add_argument("--out", required=True, type=Path, help="出力するファイル")
        parser.add_argument("--sheet", choices=[s.slug for s in DATASET_SHEETS], help="1シートだけ書き出す")
        parser.add_argument("--department", help="部の名称（例: 健康福祉部）")
        parser.add_argument("--policy", help="施策番号（例: 4-(1)-①）")
        parser.add_argument("--user", help="この利用者が見られる団体だけを書き出す（省略時はすべて）")

    def handle(self, *args, year, fmt, out, sheet, department, policy, user, **options):
        try:
            fiscal_year = parse_fiscal_year(year)
        except ValueError as error:
            raise CommandError(str(error)) from error
        organization_ids, unit_limits, account = None, {}, None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"利用者 {user} はいません。")
            organization_ids, unit_limits = export_visibility(account)
        department_id = self._one(
            OrgUnit.objects.filter(kind=OrgUnitKind.DEPARTMENT, name=department), "部", department
        )
        policy_node_id = self._one(
            PolicyNode.objects.filter(code=normalize_width(policy or "")), "施策", policy
        )
        scope = DatasetScope.for_visibility(
            fiscal_year,
            organization_ids,
            unit_limits,
            department_id=department_id,
            policy_node_id=policy_node_id,
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        rows = export_write(scope, fmt, str(out), sheet=sheet or "", info=export_info(scope))
        log_export(user=account, detail=f"export_dataset {out}")
        self.stdout.write(str(out))
        self.stdout.write(self.style.SUCCESS(f"{rows} 行を書き出しました。"))

    def _one(self, queryset, label, value):
        if not value:
            return None
        found = list(queryset.values_list("pk", flat=True)[:2])
        if len(found) != 1:
            raise CommandError(f"{label}「{value}」を特定できません。")
        return found[0]
