"""SVG charts: pure functions, readable without colour, with the project's font and text alternatives."""

from decimal import Decimal

from benchmarks.charts import Series, bar_chart, line_chart


def test_bar_chart_names_itself_and_uses_the_project_font():
    svg = bar_chart(
        title="Q3 窓口の設定",
        description="全体と町村",
        categories=["設定していない", "直営"],
        series=[Series("全体", [Decimal("16.3"), Decimal("54.2")]), Series("町村", [Decimal("22.3"), None])],
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'font-family="HikiIPAexGothic"' in svg
    assert "<title" in svg and "Q3 窓口の設定</title>" in svg
    assert "<desc" in svg and "全体と町村</desc>" in svg
    assert 'role="img"' in svg
    for text in ("16.3%", "54.2%", "22.3%", "―", "設定していない", "全体", "町村"):
        assert text in svg
    # Series differ by pattern, not by colour alone: solid ink for the first, hatching for the second.
    assert "-hatch)" in svg
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_chart_text_is_escaped():
    svg = bar_chart(
        title="<b>&", description="x", categories=["<i>"], series=[Series("a&b", [1]), Series("c", [2])]
    )
    assert "<b>" not in svg and "<i>" not in svg
    assert "&lt;b&gt;&amp;" in svg and "a&amp;b" in svg


def test_bar_chart_without_fixed_maximum_uses_whole_ticks_for_counts():
    svg = bar_chart(
        title="方針",
        description="件数",
        categories=["拡充", "現状維持"],
        series=[Series("件数", [2, 1], 0)],
        unit="件",
        max_value=None,
    )
    assert "0.5件" not in svg and "4件" in svg


def test_line_chart_draws_target_and_actual_and_breaks_at_gaps():
    svg = line_chart(
        title="相談件数",
        description="目標と実績",
        x_labels=["R2年度", "R3年度", "R4年度"],
        series=[Series("目標値", [None, Decimal(20), Decimal(50)], 1), Series("実績値", [13, 44, 60], 1)],
        unit="人",
    )
    assert 'font-family="HikiIPAexGothic"' in svg
    for text in ("R2年度", "20.0人", "50.0人", "13.0人", "44.0人", "60.0人", "目標値", "実績値"):
        assert text in svg
    assert svg.count("<polyline") == 2
    assert 'stroke-dasharray="6,4"' in svg  # the second series is dashed: distinct in greyscale
