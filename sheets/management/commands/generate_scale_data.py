from django.core.management.base import BaseCommand, CommandError

from sheets.scale_data import NATIONAL_MUNICIPALITIES, ScaleSpec, generate


class Command(BaseCommand):
    help = (
        "性能測定用の架空のデータ（団体 × 事業 × 年度）を作成します。既定は県内の全市町村規模"
        "（40団体 × 150事業 × 6年度）。組織・総合計画の体系・事業と事務事業・指標と年度別の値・"
        "事業費と財源内訳・職員数・過年度のシートを一括で作成し、最新年度の個表と施策の方針のシートはアプリの保存処理で書き込みます。"
        "同じ --seed なら同じデータになります。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=int, default=40, help="団体数（既定 40）")
        parser.add_argument(
            "--national",
            action="store_true",
            help=f"全国の市町村数（{NATIONAL_MUNICIPALITIES}団体、47都道府県に分散）で作成します。",
        )
        parser.add_argument("--programs-per", type=int, default=150, help="1団体あたりの事業数（既定 150）")
        parser.add_argument("--years", type=int, default=6, help="年度数（最新の評価年度から遡る。既定 6）")
        parser.add_argument("--last-year", type=int, default=2025, help="最新の評価年度（西暦。既定 2025）")
        parser.add_argument("--seed", type=int, default=1, help="乱数の種（既定 1）")
        parser.add_argument(
            "--no-policy-sheets", action="store_true", help="施策の方針のシートを作成しません。"
        )
        parser.add_argument(
            "--only-missing",
            action="store_true",
            help="作成済みの団体は飛ばし、足りない団体だけ作成します（何度実行しても重複しません）。",
        )

    def handle(self, *args, **options):
        spec = ScaleSpec(
            municipalities=NATIONAL_MUNICIPALITIES if options["national"] else options["municipalities"],
            programs_per=options["programs_per"],
            years=options["years"],
            last_fy=options["last_year"],
            seed=options["seed"],
            policy_sheets=not options["no_policy_sheets"],
        )
        if min(spec.municipalities, spec.programs_per, spec.years) < 1:
            raise CommandError("団体数・事業数・年度数は1以上を指定してください。")
        self.stdout.write(
            f"作成します: {spec.municipalities}団体 × {spec.programs_per}事業 × {spec.years}年度"
            f"（{spec.fiscal_years[0]}〜{spec.last_fy}年度、seed {spec.seed}）"
        )
        try:
            created = generate(spec, only_missing=options["only_missing"], log=self.stdout.write)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{created}団体を作成しました。"))
