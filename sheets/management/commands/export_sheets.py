from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hikikomori_eval.numbers import normalize_width
from hikikomori_eval.wareki import parse_fiscal_year
from sheets.exports import sheet_export
from sheets.models import EvaluationSheet


class Command(BaseCommand):
    help = "評価シートを PDF または Excel でフォルダに書き出します（1シート1ファイル）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="評価年度（2025、R7、令和7年度 など）")
        parser.add_argument("--code", help="事業番号（例: 健福-17）。省略するとその年度の全シート")
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf", dest="fmt")
        parser.add_argument("--out", required=True, type=Path, help="出力先フォルダ")

    def handle(self, *args, year, code, fmt, out, **options):
        try:
            fiscal_year = parse_fiscal_year(year)
        except ValueError as error:
            raise CommandError(str(error)) from error
        sheets = EvaluationSheet.objects.for_year(fiscal_year).select_related("program", "policy_node")
        if not sheets.exists():
            raise CommandError(f"{fiscal_year}年度の評価シートはありません。")
        if code:
            code = normalize_width(code)
            sheets = sheets.filter(program__code=code) | sheets.filter(policy_node__code=code)
            if not sheets.exists():
                raise CommandError(f"事業番号 {code} の{fiscal_year}年度の評価シートはありません。")
        out.mkdir(parents=True, exist_ok=True)
        for sheet in sheets:
            exported = sheet_export(sheet, fmt)
            path = out / exported.filename
            path.write_bytes(exported.content)
            self.stdout.write(str(path))
        self.stdout.write(self.style.SUCCESS(f"{sheets.count()} 件を書き出しました。"))
