"""A realistic synthetic installation for benchmarks: municipalities × programs × fiscal years.

Each municipality is built in one transaction (so a run stopped half-way leaves only whole
municipalities, and ``only_missing`` simply skips those that exist). Reference rows (org units, plan,
programs, indicators and their values, costs with funding lines, staffing, past years' archived
sheets) are written with ``bulk_create``; the sheets of the latest evaluation year are written
through the app's own services (``program_sheet_save``, ``policy_sheet_save``), which also check that
the generated figures add up (Σ 財源内訳 = 事業費). The same seed gives the same data.

Local government codes are valid (check digit of ``sheets.validators``) and use the local numbers
900–999 of each prefecture, which no real municipality has, so they never collide with the demo
or the municipalities registry.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from hikikomori_eval.numbers import parse_value
from indicators.choices import CostBasis, FundingSource, IndicatorKind, ValueType
from indicators.models import (
    CostRecord,
    FundingLine,
    Indicator,
    IndicatorValue,
    PersonnelUnitCost,
    StaffAllocation,
    StaffCategory,
)
from sheets import services
from sheets.choices import (
    CONTRIBUTION,
    DIRECTION,
    AdministrativeCategory,
    FormType,
    OrganizationKind,
    OrgUnitKind,
    PlanKind,
    ProgramKind,
    Role,
    SheetStatus,
)
from sheets.demo import choices_load
from sheets.models import (
    ChoiceOption,
    ChoiceSet,
    EvaluationSheet,
    Membership,
    Organization,
    OrgUnit,
    Plan,
    PolicyLevel,
    PolicyNode,
    Program,
    ProgramPolicyLink,
    ProgramSheet,
    ProgramYear,
    SheetSignatory,
    SubProgramEvaluation,
    ViewpointAnswer,
    ViewpointQuestion,
)
from sheets.validators import lg_code_check_digit

NATIONAL_MUNICIPALITIES = 1741
PREFECTURES = 47
DEPARTMENTS = [
    ("総務部", "総務"),
    ("企画部", "企画"),
    ("市民生活部", "市民"),
    ("健康福祉部", "健福"),
    ("こども未来部", "こど"),
    ("環境部", "環境"),
    ("都市整備部", "都市"),
    ("教育部", "教育"),
]
DIVISIONS = ["総務課", "企画課", "事業課", "管理課"]
TOPICS = [
    "ひきこもり支援",
    "生活困窮者自立支援",
    "地域福祉",
    "高齢者見守り",
    "介護予防",
    "障害者就労支援",
    "子育て相談",
    "児童虐待防止",
    "防災啓発",
    "交通安全",
    "ごみ減量",
    "公園管理",
    "道路維持",
    "図書館運営",
    "生涯学習",
    "スポーツ振興",
    "観光振興",
    "商店街活性化",
    "移住定住促進",
    "空き家対策",
]
SUFFIXES = ["推進事業", "支援事業", "運営事業", "管理事業", "対策事業"]
FIELDS = ["健康・福祉", "子育て・教育", "安全・安心", "環境・都市", "産業・観光", "市民・行政"]
VIEWPOINTS = [
    ("need", "必要性", "市が関与する必要性があるか"),
    ("effect", "有効性", "成果は上がっているか"),
    ("cost", "効率性", "コスト削減の余地はないか"),
]
SENTENCES = [
    "相談窓口への来所と訪問による支援を継続し、関係機関と連携して個別の支援計画を作成した。",
    "前年度の課題を踏まえ、周知の方法を見直して対象者への情報提供を強化した。",
    "事業の実施方法を見直し、委託先との役割分担を明確にして効率化を図った。",
    "利用者アンケートの結果、満足度は前年度よりも向上しており、一定の成果が見られる。",
    "対象者の把握が十分でないことが課題であり、地域の関係者との情報共有を進める必要がある。",
    "目標値には届かなかったものの、新たな利用者の掘り起こしにつながった。",
]


@dataclass(frozen=True)
class ScaleSpec:
    municipalities: int = 40
    programs_per: int = 150
    years: int = 6
    last_fy: int = 2025
    seed: int = 1
    policy_sheets: bool = True

    @property
    def fiscal_years(self) -> list[int]:
        return list(range(self.last_fy - self.years + 1, self.last_fy + 1))


def municipality_codes(count: int, *, prefectures: int = 1) -> list[str]:
    """Valid 全国地方公共団体コード pp9nn + check digit, spread over ``prefectures`` (14 = 神奈川 for one)."""
    prefs = [14] if prefectures == 1 else list(range(1, prefectures + 1))
    codes = []
    for i in range(count):
        pref, local = prefs[i % len(prefs)], 900 + i // len(prefs)
        five = f"{pref:02d}{local:03d}"
        codes.append(five + str(lg_code_check_digit(five)))
    return codes


def generate(spec: ScaleSpec, *, only_missing: bool = False, log: Callable[[str], None] = print) -> int:
    """Build the installation; return the number of municipalities created."""
    choices_load()
    prefectures = PREFECTURES if spec.municipalities > 100 else 1
    codes = municipality_codes(spec.municipalities, prefectures=prefectures)
    existing = set(Organization.objects.filter(lg_code__in=codes).values_list("lg_code", flat=True))
    if existing and not only_missing:
        raise ValueError(f"{len(existing)} 団体は作成済みです（不足分だけ作るには --only-missing）。")
    created = 0
    for index, code in enumerate(codes):
        if code in existing:
            continue
        started = timezone.now()
        with transaction.atomic():
            _Municipality(spec, index, code).build()
        created += 1
        seconds = (timezone.now() - started).total_seconds()
        log(f"{index + 1}/{len(codes)} {code}: {seconds:.1f} 秒")
    return created


def _text(rng: random.Random, sentences: int = 2) -> str:
    return "".join(rng.sample(SENTENCES, sentences))


class _Municipality:
    """One municipality's rows, built in a fixed order from its own random generator."""

    def __init__(self, spec: ScaleSpec, index: int, code: str):
        self.spec, self.code = spec, code
        self.rng = random.Random(f"{spec.seed}-{code}")
        self.years, self.e = spec.fiscal_years, spec.last_fy

    def build(self) -> None:
        self.org = Organization(
            name=f"試験{self.code[:2]}{self.code[2:5]}市",
            kind=OrganizationKind.CITY,
            lg_code=self.code,
            population=self.rng.randint(20_000, 400_000),
        )
        self.org.full_clean()
        self.org.save()
        self.user = get_user_model().objects.create(username=f"scale_{self.code}", last_name="試験管理者")
        Membership.objects.create(user=self.user, organization=self.org, role=Role.ADMINISTRATOR)
        self._units()
        self._staff()
        self._viewpoints()
        self._plan()
        self._programs()
        self._values_and_costs()
        self._archived_sheets()
        self._current_sheets()
        if self.spec.policy_sheets:
            self._policy_sheets()

    def _units(self) -> None:
        self.departments = OrgUnit.objects.bulk_create(
            OrgUnit(
                organization=self.org,
                kind=OrgUnitKind.DEPARTMENT,
                name=name,
                code_prefix=prefix,
                head_title=f"{name}長",
                order=i,
            )
            for i, (name, prefix) in enumerate(DEPARTMENTS, start=1)
        )
        self.divisions = OrgUnit.objects.bulk_create(
            OrgUnit(
                organization=self.org,
                kind=OrgUnitKind.DIVISION,
                parent=dept,
                order=i,
                name=f"{dept.name[:-1]}{name}",
                head_title=f"{dept.name[:-1]}{name}長",
            )
            for dept in self.departments
            for i, name in enumerate(DIVISIONS, start=1)
        )

    def _staff(self) -> None:
        self.categories = StaffCategory.objects.bulk_create(
            [
                StaffCategory(organization=self.org, code="regular", label="正規職員等", order=1),
                StaffCategory(organization=self.org, code="appointed", label="会計年度任用職員", order=2),
            ]
        )
        PersonnelUnitCost.objects.bulk_create(
            PersonnelUnitCost(
                organization=self.org,
                fiscal_year=fy,
                category=cat,
                per_fte=Decimal(8000 + 40 * (fy - 2000)) if cat.code == "regular" else Decimal(2600),
            )
            for fy in self.years
            for cat in self.categories
        )

    def _viewpoints(self) -> None:
        sets = ChoiceSet.objects.bulk_create(
            ChoiceSet(key=f"KMK_VP_{key.upper()}", organization=self.org, label=f"視点別評価: {text}")
            for key, _, text in VIEWPOINTS
        )
        options = ChoiceOption.objects.bulk_create(
            ChoiceOption(choice_set=cs, code=str(n), label=label, order=n)
            for cs in sets
            for n, label in enumerate(["高い", "普通", "低い"], start=1)
        )
        self.questions = ViewpointQuestion.objects.bulk_create(
            ViewpointQuestion(organization=self.org, viewpoint=vp, key=key, text=text, choice_set=cs, order=i)
            for i, ((key, vp, text), cs) in enumerate(zip(VIEWPOINTS, sets, strict=True), start=1)
        )
        self.options = {
            q.pk: [o for o in options if o.choice_set_id == q.choice_set_id] for q in self.questions
        }
        self.directions = list(
            ChoiceOption.objects.filter(choice_set__key=DIRECTION, choice_set__organization=None)
        )
        self.contributions = list(
            ChoiceOption.objects.filter(choice_set__key=CONTRIBUTION, choice_set__organization=None)
        )

    def _plan(self) -> None:
        plan = Plan.objects.create(
            organization=self.org,
            name="第4次総合計画",
            kind=PlanKind.COMPREHENSIVE,
            start_fy=self.years[0] - 1,
            end_fy=self.e + 4,
        )
        field_level, policy_level = PolicyLevel.objects.bulk_create(
            [
                PolicyLevel(plan=plan, depth=1, label="分野"),
                PolicyLevel(plan=plan, depth=2, label="施策の方針"),
            ]
        )
        fields = PolicyNode.objects.bulk_create(
            PolicyNode(plan=plan, level=field_level, code=str(i), code_raw=str(i), name=name, order=i)
            for i, name in enumerate(FIELDS, start=1)
        )
        self.nodes = PolicyNode.objects.bulk_create(
            PolicyNode(
                plan=plan,
                level=policy_level,
                parent=field,
                code=f"{field.code}-({n})",
                code_raw=f"{field.code}-({n})",
                name=f"{field.name}の施策{n}",
                order=n,
                lead_unit=self.divisions[(int(field.code) * 4 + n) % len(self.divisions)],
            )
            for field in fields
            for n in range(1, 5)
        )

    def _programs(self) -> None:
        rng, counters = self.rng, {}
        programs = []
        for i in range(self.spec.programs_per):
            unit = self.divisions[i % len(self.divisions)]
            prefix = unit.parent.code_prefix if unit.parent else self.departments[0].code_prefix
            counters[prefix] = counters.get(prefix, 0) + 1
            name = f"{TOPICS[i % len(TOPICS)]}{SUFFIXES[(i // len(TOPICS)) % len(SUFFIXES)]}"
            programs.append(
                Program(
                    organization=self.org,
                    kind=ProgramKind.PROGRAM,
                    owner_unit=unit,
                    code=f"{prefix}-{counters[prefix]:02d}",
                    name=name,
                    order=i,
                )
            )
        self.programs = Program.objects.bulk_create(programs)
        subs = [
            Program(
                organization=self.org,
                kind=ProgramKind.SUB_PROGRAM,
                parent=p,
                owner_unit_id=p.owner_unit_id,
                name=f"{p.name[:-2]}（{n}）",
                branch_no=n,
                order=n,
            )
            for p in self.programs
            for n in range(1, rng.randint(1, 5) + 1)
        ]
        self.subs: dict[int, list[Program]] = {}
        for sub in Program.objects.bulk_create(subs):
            self.subs.setdefault(sub.parent_id, []).append(sub)
        self.node_of = {p.pk: self.nodes[i % len(self.nodes)] for i, p in enumerate(self.programs)}
        ProgramPolicyLink.objects.bulk_create(
            ProgramPolicyLink(program=p, policy_node=self.node_of[p.pk], fiscal_year=fy)
            for p in self.programs
            for fy in self.years
        )
        ProgramYear.objects.bulk_create(
            [
                *(
                    ProgramYear(
                        program=p,
                        fiscal_year=fy,
                        is_priority=rng.random() < 0.1,
                        administrative_category=AdministrativeCategory.AUTONOMOUS
                        if rng.random() < 0.85
                        else AdministrativeCategory.STATUTORY_ENTRUSTED,
                        target_text="市民",
                        purpose_text=_text(rng, 1),
                        intended_state_text=_text(rng, 1),
                    )
                    for p in self.programs
                    for fy in self.years
                ),
                *(
                    ProgramYear(
                        program=s, fiscal_year=fy, main_expenses=f"委託料 {rng.randint(100, 9000):,}千円"
                    )
                    for subs in self.subs.values()
                    for s in subs
                    for fy in self.years
                ),
            ]
        )

    def _values_and_costs(self) -> None:
        rng, e = self.rng, self.e
        indicators = [
            Indicator(
                organization=self.org,
                program=s,
                kind=IndicatorKind.ACTIVITY,
                name=f"{s.name}の実施件数",
                unit="件",
                order=1,
            )
            for subs in self.subs.values()
            for s in subs
        ] + [
            Indicator(
                organization=self.org,
                program=p,
                kind=IndicatorKind.REFERENCE,
                name=f"{p.name}の利用者数",
                unit="人",
                decimals=1,
                order=1,
            )
            for p in self.programs
        ]
        Indicator.objects.bulk_create(indicators)
        self.activity = {i.program_id: i for i in indicators if i.kind == IndicatorKind.ACTIVITY}
        self.reference = {i.program_id: i for i in indicators if i.kind == IndicatorKind.REFERENCE}
        self.values: dict[tuple[int, int, str], Decimal] = {}
        for ind in indicators:
            base = rng.randint(20, 400)
            for fy in self.years:
                self.values[(ind.pk, fy, ValueType.TARGET)] = Decimal(base + 5 * (fy - self.years[0]))
                if fy < e:
                    self.values[(ind.pk, fy, ValueType.ACTUAL)] = Decimal(int(base * rng.uniform(0.6, 1.2)))
        IndicatorValue.objects.bulk_create(
            IndicatorValue(indicator_id=i, fiscal_year=fy, value_type=vt, value=v, raw_text=str(v))
            for (i, fy, vt), v in self.values.items()
        )
        columns = [
            (fy, b) for fy in self.years if fy < e for b in (CostBasis.SETTLEMENT, CostBasis.INITIAL_BUDGET)
        ]
        columns.append((e, CostBasis.BUDGET))
        self.amounts: dict[tuple[int, int, str], Decimal] = {}
        sub_records = []
        for subs in self.subs.values():
            for s in subs:
                base = rng.randint(200, 20_000)
                for fy, basis in columns:
                    amount = Decimal(int(base * rng.uniform(0.8, 1.2)))
                    self.amounts[(s.pk, fy, basis)] = amount
                    sub_records.append(CostRecord(program=s, fiscal_year=fy, basis=basis, amount=amount))
        CostRecord.objects.bulk_create(sub_records)
        program_records = CostRecord.objects.bulk_create(
            CostRecord(program=p, fiscal_year=fy, basis=basis) for p in self.programs for fy, basis in columns
        )
        self.funding: dict[tuple[int, int, str], dict[str, Decimal]] = {}
        lines = []
        for record in program_records:
            total = sum(
                self.amounts[(s.pk, record.fiscal_year, record.basis)] for s in self.subs[record.program_id]
            )
            national = (total * Decimal(rng.choice([0, 0, 25, 50]) / 100)).quantize(Decimal(1))
            bond = Decimal(rng.randint(0, int(total - national) // 4)) if rng.random() < 0.2 else Decimal(0)
            split = {
                FundingSource.NATIONAL_PREFECTURAL: national,
                FundingSource.LOCAL_BOND: bond,
                FundingSource.GENERAL: total - national - bond,
            }
            split = {k: v for k, v in split.items() if v}
            self.funding[(record.program_id, record.fiscal_year, record.basis)] = split
            lines += [FundingLine(cost_record=record, source_type=k, amount=v) for k, v in split.items()]
        FundingLine.objects.bulk_create(lines)
        self.ftes = {
            (p.pk, fy, cat.pk): Decimal(
                rng.choice(["0.5", "1.0", "1.5", "2.0", "3.0"])
                if cat.code == "regular"
                else rng.choice(["0", "0.5", "1.0"])
            )
            for p in self.programs
            for fy in self.years
            for cat in self.categories
        }
        StaffAllocation.objects.bulk_create(
            StaffAllocation(program_id=p, fiscal_year=fy, category_id=c, fte=fte)
            for (p, fy, c), fte in self.ftes.items()
        )

    def _archived_sheets(self) -> None:
        """Sheets of the earlier evaluation years: approved or published and locked, as an archive."""
        rng = self.rng
        sheets = EvaluationSheet.objects.bulk_create(
            EvaluationSheet(
                organization=self.org,
                form_type=FormType.KAMAKURA_PROGRAM,
                evaluation_fy=fy,
                program=p,
                status=SheetStatus.PUBLISHED if fy < self.e - 1 else SheetStatus.APPROVED,
                locked_at=datetime.datetime(fy, 10, 1, tzinfo=datetime.UTC),
            )
            for fy in self.years[:-1]
            for p in self.programs
        )
        ProgramSheet.objects.bulk_create(
            ProgramSheet(
                sheet=s,
                activities_summary=_text(rng, 3),
                direction=rng.choice(self.directions),
                direction_text=_text(rng, 2),
            )
            for s in sheets
        )
        SubProgramEvaluation.objects.bulk_create(
            SubProgramEvaluation(
                sheet=s,
                sub_program=sub,
                indicator_analysis=_text(rng, 1),
                contribution_validity=_text(rng, 1),
                issues_improvements=_text(rng, 1),
            )
            for s in sheets
            for sub in self.subs[s.program_id]
        )
        ViewpointAnswer.objects.bulk_create(
            ViewpointAnswer(sheet=s, question=q, option=rng.choice(self.options[q.pk]))
            for s in sheets
            for q in self.questions
        )
        units = {u.pk: u for u in self.divisions}
        SheetSignatory.objects.bulk_create(
            SheetSignatory(
                sheet=s,
                title=units[self.node_of[s.program_id].lead_unit_id].head_title,
                person_name="試験 太郎",
            )
            for s in sheets
        )

    def _current_sheets(self) -> None:
        """Sheets of the latest evaluation year, written through program_sheet_save like the edit page."""
        sheets = EvaluationSheet.objects.bulk_create(
            EvaluationSheet(
                organization=self.org, form_type=FormType.KAMAKURA_PROGRAM, evaluation_fy=self.e, program=p
            )
            for p in self.programs
        )
        by_program = {p.pk: p for p in self.programs}
        for sheet in sheets:
            services.program_sheet_save(
                sheet=sheet,
                data=self._program_input(by_program[sheet.program_id]),
                by=self.user,
                expected_version=sheet.version,
            )

    def _cell(self, indicator, fy, value_type):
        value = self.values.get((indicator.pk, fy, value_type))
        return services.BLANK_VALUE if value is None else parse_value(str(value))

    def _program_input(self, program: Program) -> services.ProgramSheetInput:
        rng, e = self.rng, self.e
        s = e - 1
        window = [fy for fy in services.staff_years(e) if fy in self.years]
        subs = [
            services.SubProgramInput(
                sub_program_id=sub.pk,
                branch_no=sub.branch_no,
                name=sub.name,
                main_expenses=f"委託料 {rng.randint(100, 9000):,}千円",
                indicator_name=self.activity[sub.pk].name,
                indicator_unit="件",
                actual_s=self._cell(self.activity[sub.pk], s, ValueType.ACTUAL),
                target_s=self._cell(self.activity[sub.pk], s, ValueType.TARGET),
                target_e=self._cell(self.activity[sub.pk], e, ValueType.TARGET),
                amounts={basis: self.amounts.get((sub.pk, fy, basis)) for fy, basis in self._columns()},
                indicator_analysis=_text(rng, 1),
                contribution_validity=_text(rng, 1),
                issues_improvements=_text(rng, 1),
                form_index=n,
            )
            for n, sub in enumerate(self.subs[program.pk])
        ]
        ref = self.reference[program.pk]
        return services.ProgramSheetInput(
            header=services.HeaderInput(
                owner_unit_id=program.owner_unit_id,
                evaluator_title=program.owner_unit.head_title,
                evaluator_name="試験 花子",
                policy_node_id=self.node_of[program.pk].pk,
                target_text="市民",
                purpose_text=_text(rng, 1),
                intended_state_text=_text(rng, 1),
                activities_summary=_text(rng, 3),
            ),
            sub_programs=tuple(subs),
            funding={basis: self.funding.get((program.pk, fy, basis), {}) for fy, basis in self._columns()},
            staffing=services.StaffingInput(
                ftes={(fy, c.pk): self.ftes[(program.pk, fy, c.pk)] for fy in window for c in self.categories}
            ),
            viewpoints=tuple(
                services.ViewpointInput(q.pk, rng.choice(self.options[q.pk]).pk, "") for q in self.questions
            ),
            direction_id=rng.choice(self.directions).pk,
            direction_text=_text(rng, 2),
            reference_indicators=(
                services.ReferenceIndicatorInput(
                    indicator_id=ref.pk,
                    name=ref.name,
                    unit=ref.unit,
                    targets={fy: self._cell(ref, fy, ValueType.TARGET) for fy in window},
                    actuals={fy: self._cell(ref, fy, ValueType.ACTUAL) for fy in window},
                ),
            ),
        )

    def _columns(self):
        s = self.e - 1
        return [(s, CostBasis.SETTLEMENT), (s, CostBasis.INITIAL_BUDGET), (self.e, CostBasis.BUDGET)]

    def _policy_sheets(self) -> None:
        """One 施策の方針 sheet per policy node for the latest year, through policy_sheet_save."""
        rng = self.rng
        sheets = EvaluationSheet.objects.bulk_create(
            EvaluationSheet(
                organization=self.org,
                form_type=FormType.KAMAKURA_POLICY,
                evaluation_fy=self.e,
                policy_node=node,
            )
            for node in self.nodes
        )
        linked: dict[int, list[Program]] = {}
        for program in self.programs:
            linked.setdefault(self.node_of[program.pk].pk, []).append(program)
        for sheet in sheets:
            programs = linked.get(sheet.policy_node_id, []) if self.e - 1 in self.years else []
            departments = list({p.owner_unit.parent_id: p.owner_unit.parent for p in programs}.values())
            data = services.PolicySheetInput(
                sheet_date=datetime.date(self.e, 7, 1),
                signatories=tuple(
                    services.SignatoryInput(d.pk, d.head_title, "試験 次郎") for d in departments
                ),
                narratives={
                    (key, d.pk): _text(rng, 2) for key in ("002.1", "002.4", "002.7") for d in departments
                },
                program_evaluations=tuple(
                    services.ProgramEvaluationInput(
                        p.pk, None, rng.choice(self.contributions).pk, rng.choice(self.directions).pk
                    )
                    for p in programs
                ),
            )
            services.policy_sheet_save(sheet=sheet, data=data, by=self.user, expected_version=sheet.version)
