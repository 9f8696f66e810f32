"""The menu links a user's roles open (the views check the same functions)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from sheets.names import person_name
from sheets.permissions import can_manage_years, can_see_progress

register = template.Library()


@register.simple_tag
def nav_links(user) -> list[tuple[str, str]]:
    links = [(reverse("sheets:list"), _("評価シート一覧"))]
    links.append((reverse("printing:form"), _("一括印刷")))
    links.append((reverse("datasets:export"), _("データ出力・取込")))
    links.append((reverse("benchmarks:survey_index"), _("全国調査")))
    if can_see_progress(user):
        links.append((reverse("sheets:progress"), _("進捗状況")))
    if can_manage_years(user):
        links.append((reverse("sheets:years"), _("年度の管理")))
    return links


@register.filter(name="person_name")
def person_name_filter(user) -> str:
    return person_name(user)
