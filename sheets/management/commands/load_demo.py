from django.core.management.base import BaseCommand

from sheets.demo import demo_is_loaded, demo_load


class Command(BaseCommand):
    help = (
        "デモデータ（鎌倉市 令和7年度 行政評価シート【個表】・施策の方針、"
        "沖縄県 令和5年度「主な取組」検証票、"
        "国立市 令和5年度 施策マネジメントシート）を読み込みます。2回実行しても重複しません。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="読み込み済みでもデモの値を初期状態に戻します（画面での編集は失われます）。",
        )

    def handle(self, *args, reset=False, **options):
        if demo_is_loaded() and not reset:
            self.stdout.write("デモデータは読み込み済みです（初期状態に戻すには --reset）。")
            return
        org = demo_load()
        self.stdout.write(self.style.SUCCESS(f"デモデータを読み込みました: {org.name}、沖縄県、国立市"))
