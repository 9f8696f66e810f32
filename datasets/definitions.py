"""The dataset workbook's layout, in ONE place: sheet names, Japanese column headers, key columns.

The xlsx writer, the CSV writer, the import-export resources and the importer all read these
definitions, so a header changes everywhere or nowhere. Headers are a contract with the auditors'
spreadsheets and with the offline editors' files: change them only together with ``LAYOUT``.

- ``key`` columns identify a row (団体コード + 事業番号 + 枝番 + 指標 + 年度 + 値の種類 …).
- ``importable`` columns are the ones an import may change; every other column is for reading.
- ``kind`` says how a value is written: text, integer, number, amount (千円), ratio (a fraction
  shown as percent), fiscal year (the Western year as a number), date, datetime, flag (○ / blank).
"""

from __future__ import annotations

from dataclasses import dataclass

from indicators.choices import FundingSource

#: Written to the workbook's custom properties and the 説明 sheet; bump when a header changes.
LAYOUT = "dataset/1"
#: How many fiscal years a dataset "for a year" covers: E−5 … E, the window the Kamakura forms print.
YEAR_WINDOW = 6

TEXT, INTEGER, NUMBER, AMOUNT, RATIO, FISCAL_YEAR, DATE, DATETIME, FLAG = (
    "text",
    "integer",
    "number",
    "amount",
    "ratio",
    "fiscal_year",
    "date",
    "datetime",
    "flag",
)
#: The mark of a true flag (暫定値, 重点事業); an import also accepts 1, TRUE, はい, ✓.
FLAG_MARK = "○"


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    kind: str = TEXT
    width: float = 12
    key: bool = False
    importable: bool = False


@dataclass(frozen=True)
class SheetSpec:
    slug: str  # CSV file name (ASCII, so every unzip tool keeps it) and the --sheet argument
    title: str  # worksheet name
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def header(self, name: str) -> str:
        return self.column(name).header

    def index(self, name: str) -> int:
        return [c.name for c in self.columns].index(name)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.key)

    @property
    def importable_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.importable)


def _owner(*, key: bool) -> tuple[Column, ...]:
    """Who a row belongs to: the organisation, the program (or its sub-program) or the policy node."""
    return (
        Column("org_code", "団体コード", TEXT, 10, key=key),
        Column("org_name", "団体名", TEXT, 12),
        Column("program_code", "事業番号", TEXT, 10, key=key),
        Column("branch_no", "枝番", INTEGER, 6, key=key),
        Column("program_name", "事業名", TEXT, 28),
        Column("sub_program_name", "事務事業名", TEXT, 28, key=key),
        Column("policy_code", "施策番号", TEXT, 10, key=key),
    )


PROGRAMS = SheetSpec(
    "programs",
    "事業",
    (
        Column("org_code", "団体コード", TEXT, 10, key=True),
        Column("org_name", "団体名", TEXT, 12),
        Column("program_code", "事業番号", TEXT, 10, key=True),
        Column("branch_no", "枝番", INTEGER, 6, key=True),
        Column("name", "事業名・事務事業名", TEXT, 30),
        Column("kind", "種別", TEXT, 14),
        Column("parent_name", "上位事業名", TEXT, 28),
        Column("owner_unit", "主管課", TEXT, 14),
        Column("valid_from_fy", "開始年度", FISCAL_YEAR, 9),
        Column("valid_to_fy", "終了年度", FISCAL_YEAR, 9),
        Column("administrative_category", "事務区分（評価年度）", TEXT, 12),
        Column("is_priority", "重点事業（評価年度）", FLAG, 8),
        Column("policy_code", "施策番号（評価年度）", TEXT, 12),
    ),
)

INDICATORS = SheetSpec(
    "indicators",
    "指標",
    (
        *_owner(key=True),
        Column("kind", "指標種別", TEXT, 10, key=True),
        Column("slot", "記号", TEXT, 6, key=True),
        Column("name", "指標名", TEXT, 30, key=True),
        Column("unit", "単位", TEXT, 6),
        Column("decimals", "小数点以下の桁数", INTEGER, 8),
        Column("polarity", "方向", TEXT, 12),
        Column("achievement_method", "達成度の算定方法", TEXT, 20),
        Column("display_cap", "表示上限", RATIO, 9),
        Column("cumulative_mode", "累計の扱い", TEXT, 14),
        Column("cumulative_start_fy", "累計開始年度", FISCAL_YEAR, 9),
        Column("baseline_value", "初期値", NUMBER, 10),
        Column("baseline_label", "初期値の時点", TEXT, 12),
        Column("source_text", "出典", TEXT, 20),
    ),
)

INDICATOR_VALUES = SheetSpec(
    "indicator_values",
    "指標値",
    (
        *_owner(key=True),
        Column("indicator_kind", "指標種別", TEXT, 10, key=True),
        Column("slot", "記号", TEXT, 6, key=True),
        Column("indicator_name", "指標名", TEXT, 30, key=True),
        Column("unit", "単位", TEXT, 6),
        Column("fiscal_year", "年度", FISCAL_YEAR, 7, key=True),
        Column("fiscal_year_label", "和暦", TEXT, 11),
        Column("value_type", "値の種類", TEXT, 12, key=True),
        Column("value", "値", NUMBER, 11, importable=True),
        Column("provisional", "暫定値", FLAG, 7, importable=True),
        Column("note", "注記", TEXT, 16, importable=True),
        Column("achievement", "達成度", RATIO, 9),
        Column("achievement_raw", "達成度（上限なし）", RATIO, 11),
    ),
)

#: The funding lines as columns of the 事業費 sheet (literal headers: a contract, not a translation).
FUNDING_HEADERS = {
    FundingSource.NATIONAL_PREFECTURAL: "国県支出金（千円）",
    FundingSource.NATIONAL: "国庫支出金（千円）",
    FundingSource.PREFECTURAL: "都道府県支出金（千円）",
    FundingSource.LOCAL_BOND: "地方債（千円）",
    FundingSource.OTHER_SPECIFIC: "その他特定財源（千円）",
    FundingSource.OTHER: "その他（千円）",
    FundingSource.GENERAL: "一般財源（千円）",
}
FUNDING_COLUMNS = tuple(
    Column(f"funding_{source}", header, AMOUNT, 12, importable=True)
    for source, header in FUNDING_HEADERS.items()
)

COSTS = SheetSpec(
    "costs",
    "事業費",
    (
        *_owner(key=True),
        Column("budget_project", "予算事業名", TEXT, 20, key=True),
        Column("fiscal_year", "年度", FISCAL_YEAR, 7, key=True),
        Column("fiscal_year_label", "和暦", TEXT, 11),
        Column("basis", "区分", TEXT, 10, key=True),
        Column("amount", "事業費（千円）", AMOUNT, 12, importable=True),
        *FUNDING_COLUMNS,
        Column("funding_total", "財源内訳の合計（千円）", AMOUNT, 12),
        Column("work_hours", "延べ業務時間", AMOUNT, 10, importable=True),
        Column("personnel_cost", "人件費（千円）", AMOUNT, 12, importable=True),
        Column("main_funding", "主な財源", TEXT, 12),
        Column("execution_method", "実施方法", TEXT, 12),
    ),
)

STAFFING = SheetSpec(
    "staffing",
    "職員数",
    (
        Column("org_code", "団体コード", TEXT, 10, key=True),
        Column("program_code", "事業番号", TEXT, 10, key=True),
        Column("program_name", "事業名", TEXT, 28),
        Column("fiscal_year", "年度", FISCAL_YEAR, 7, key=True),
        Column("fiscal_year_label", "和暦", TEXT, 11),
        Column("category", "職員区分", TEXT, 16, key=True),
        Column("fte", "人数（人工）", NUMBER, 10),
    ),
)

EVALUATIONS = SheetSpec(
    "evaluations",
    "評価シート",
    (
        Column("org_code", "団体コード", TEXT, 10, key=True),
        Column("form_type", "様式", TEXT, 24, key=True),
        Column("evaluation_fy", "評価年度", FISCAL_YEAR, 8, key=True),
        Column("subject_fy", "評価対象年度", FISCAL_YEAR, 8),
        Column("subject_code", "事業番号・施策番号", TEXT, 12, key=True),
        Column("subject_name", "事業名・施策名", TEXT, 30),
        Column("owner_unit", "主管課・施策統括課", TEXT, 14),
        Column("status", "状態", TEXT, 8),
        Column("sheet_date", "作成日", DATE, 11),
        Column("locked_at", "確定日時", DATETIME, 16),
        Column("updated_at", "更新日時", DATETIME, 16),
        Column("direction", "今後の方針", TEXT, 12),
        Column("direction_text", "【今後の方針】", TEXT, 40),
    ),
)

SUB_PROGRAM_EVALUATIONS = SheetSpec(
    "sub_program_evaluations",
    "最小事業評価",
    (
        Column("org_code", "団体コード", TEXT, 10, key=True),
        Column("evaluation_fy", "評価年度", FISCAL_YEAR, 8, key=True),
        Column("program_code", "事業番号", TEXT, 10, key=True),
        Column("branch_no", "枝番", INTEGER, 6, key=True),
        Column("sub_program_name", "事務事業名", TEXT, 28, key=True),
        Column("indicator_analysis", "指標分析の推移、目標未達の理由", TEXT, 40),
        Column("contribution_validity", "上位施策への寄与、妥当性", TEXT, 40),
        Column("issues_improvements", "事業実施上の課題、改善点", TEXT, 40),
    ),
)

#: Every sheet of the dataset workbook, in the order written (after the 説明 sheet).
DATASET_SHEETS: tuple[SheetSpec, ...] = (
    PROGRAMS,
    INDICATORS,
    INDICATOR_VALUES,
    COSTS,
    STAFFING,
    EVALUATIONS,
    SUB_PROGRAM_EVALUATIONS,
)
#: The sheets an import reads; the others are for reading only and are skipped.
IMPORTABLE_SHEETS: tuple[SheetSpec, ...] = (INDICATOR_VALUES, COSTS)
INFO_SHEET_TITLE = "説明"


def sheet_by_slug(slug: str) -> SheetSpec:
    for spec in DATASET_SHEETS:
        if spec.slug == slug:
            return spec
    raise KeyError(slug)
