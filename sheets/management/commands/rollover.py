from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hikikomori_eval.numbers import normalize_width
from hikikomori_eval.wareki import fy_label, parse_fiscal_year
from sheets.models import EvaluationSheet, Organization
from sheets.services.year import rollover


class Command(BaseCommand):
    help = (
        "評価年度を繰り越し、翌年度の評価シートを作成します（実行を繰り返しても重複しません）。"
        "終了した事業は繰り越さず、後継事業があればそちらに引き継ぎます。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", required=True, dest="from_year", help="繰越元の評価年度（2025、R7 など）"
        )
        parser.add_argument("--to", required=True, dest="to_year", help="繰越先の評価年度（翌年度）")
        parser.add_argument(
            "--organization", help="団体コード（6桁）。省略するとその年度にシートのある全団体"
        )

    def handle(self, *args, from_year, to_year, organization, **options):
        try:
            from_fy, to_fy = parse_fiscal_year(from_year), parse_fiscal_year(to_year)
        except ValueError as error:
            raise CommandError(str(error)) from error
        organizations = Organization.objects.filter(sheets__evaluation_fy=from_fy).distinct()
        if organization:
            organizations = organizations.filter(lg_code=normalize_width(organization))
        if not organizations.exists():
            raise CommandError(f"{fy_label(from_fy, 'plain')}の評価シートがある団体はありません。")
        for org in organizations:
            try:
                result = rollover(organization=org, from_fy=from_fy, to_fy=to_fy, by=None, system=True)
            except ValidationError as error:
                raise CommandError("\n".join(error.messages)) from error
            self.stdout.write(
                f"{org.name}: {fy_label(to_fy, 'plain')}のシートを {len(result.created)} 件作成しました"
                f"（既存 {result.existing} 件）。"
            )
            for name in result.ended:
                self.stdout.write(f"  終了した事業のため繰り越していません: {name}")
        total = EvaluationSheet.objects.filter(evaluation_fy=to_fy, organization__in=organizations).count()
        self.stdout.write(self.style.SUCCESS(f"{fy_label(to_fy, 'plain')}の評価シートは {total} 件です。"))
