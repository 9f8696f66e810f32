from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from datasets.services import COMMAND_LINE_USER, StalePreviewError, import_apply, import_preview


class Command(BaseCommand):
    help = (
        "データセットまたは評価シート（個表・施策の方針・検証票・施策マネジメントシート）の"
        " Excel を取り込みます。"
        "--dry-run は確認だけで何も変更しません。"
        "取り込めない値が1つでもあれば何も反映せず、0 以外で終了します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="取り込む .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="確認だけ（何も変更しない）")
        parser.add_argument("--user", help="この利用者の権限で取り込む（省略時は管理者として）")

    def handle(self, *args, file, dry_run, user, **options):
        account = COMMAND_LINE_USER
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"利用者 {user} はいません。")
        if not file.is_file():
            raise CommandError(f"ファイル {file} がありません。")
        with file.open("rb") as content:
            if dry_run:
                report = import_preview(content, name=file.name, user=account)
            else:
                try:
                    report = import_apply(content, name=file.name, user=account)
                except StalePreviewError as error:
                    raise CommandError(" ".join(error.messages)) from error
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("取り込めない値があるため、何も反映していません。")
        if dry_run:
            self.stdout.write(self.style.SUCCESS("確認のみ: 何も変更していません。"))
        else:
            self.stdout.write(self.style.SUCCESS("反映しました。"))
