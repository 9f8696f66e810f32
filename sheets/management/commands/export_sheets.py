from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hikikomori_eval.numbers import normalize_width
from hikikomori_eval.wareki import parse_fiscal_year
from sheets.audit import log_export
from sheets.choices import FormType
from sheets.exports import sheet_export
from sheets.models import EvaluationSheet


class Command(BaseCommand):
    help = (
        "評価シートを PDF または Excel でフォルダに書き出します（1シート1ファイル、団体ごとのフォルダ）。"
        "絞り込まなければ、その年度の全様式の全シートを書き出します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="評価年度（2025、R7、令和7年度 など）")
        parser.add_argument("--code", help="事業番号・施策番号（例: 健福-17、4-(1)-①）")
        parser.add_argument(
            "--form",
            choices=FormType.values,
            help="様式: " + "、".join(f"{value}={label}" for value, label in FormType.choices),
        )
        parser.add_argument("--organization", help="団体コード（全国地方公共団体コード 6桁）")
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf", dest="fmt")
        parser.add_argument(
            "--public", action="store_true", help="公表用（少数の値を秘匿・区間表示）で書き出します"
        )
        parser.add_argument("--out", required=True, type=Path, help="出力先フォルダ")

    def handle(self, *args, year, code, form, organization, fmt, out, public, **options):
        try:
            fiscal_year = parse_fiscal_year(year)
        except ValueError as error:
            raise CommandError(str(error)) from error
        sheets = EvaluationSheet.objects.for_year(fiscal_year).select_related(
            "program", "policy_node", "organization"
        )
        if not sheets.exists():
            raise CommandError(f"{fiscal_year}年度の評価シートはありません。")
        if form:
            sheets = sheets.of_form(form)
        if organization:
            sheets = sheets.filter(organization__lg_code=normalize_width(organization))
        if code:
            code = normalize_width(code)
            sheets = sheets.filter(program__code=code) | sheets.filter(policy_node__code=code)
        if not sheets.exists():
            wanted = "、".join(
                part
                for part in (
                    code and f"番号 {code}",
                    form and f"様式 {FormType(form).label}",
                    organization and f"団体コード {organization}",
                )
                if part
            )
            raise CommandError(f"{wanted} の{fiscal_year}年度の評価シートはありません。")
        written = 0
        for sheet in sheets.order_by(
            "organization__lg_code", "form_type", "program__code", "policy_node__code"
        ):
            exported = sheet_export(sheet, fmt, public=public)
            folder = out / f"{sheet.organization.lg_code}_{sheet.organization.name}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / exported.filename
            path.write_bytes(exported.content)
            log_export(detail=f"export_sheets{' --public' if public else ''} {path}", sheet=sheet)
            self.stdout.write(str(path))
            written += 1
        self.stdout.write(self.style.SUCCESS(f"{written} 件を書き出しました。"))
