"""``pppsim compare`` end to end: the report's numbers are the tables' numbers, the statistics
are paired, every figure is there, the page is self-contained and reproducible, and bad input
gives one line with exit code 2."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import COMPARED, REPO, small_scenarios
from matplotlib import image
from scipy import stats

from pppsim.cli import main
from pppsim.report.compare import (
    HEADLINE,
    LIFETIME,
    OUTCOMES,
    comparison_spec,
    default_folder,
    run_comparison,
)
from pppsim.report.html import write_report

NAMES = [stem.replace("_", " ").capitalize() for stem in COMPARED]
NUMBER = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?")
"""A number as the English report writes it, thousands separated by commas."""


class ReportParser(HTMLParser):
    """Rows of every table (by id), items of the summary list, and image sources."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[dict[str, str], list[str]]]] = {}
        self.summary: list[str] = []
        self.images: list[str] = []
        self.table: str | None = None
        self.row: tuple[dict[str, str], list[str]] | None = None
        self.cell: list[str] | None = None
        self.in_summary = False
        self.item: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.table = attributes["id"]
            self.tables[self.table] = []
        elif tag == "tr" and self.table:
            self.row = (attributes, [])
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "ul" and attributes.get("id") == "summary-lines":
            self.in_summary = True
        elif tag == "li" and self.in_summary:
            self.item = []
        elif tag == "img":
            self.images.append(attributes["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row[1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table:
            self.tables[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag == "li" and self.item is not None:
            self.summary.append("".join(self.item).strip())
            self.item = None
        elif tag == "ul":
            self.in_summary = False

    def handle_data(self, data: str) -> None:
        for part in (self.cell, self.item):
            if part is not None:
                part.append(data)


@pytest.fixture(scope="module")
def report(small_comparison: Path) -> ReportParser:
    parser = ReportParser()
    parser.feed((small_comparison / "report.html").read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def tables(small_comparison: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(small_comparison / f"{name}.csv", keep_default_na=False,
                              na_values=[""])
            for name in ("outcomes", "runs", "lifetimes", "end_causes", "parameters",
                         "partnerships", "series", "survival")}


def numbers(text: str) -> list[float]:
    """The numbers written in a piece of report text (Unicode minus signs included)."""
    return [float(x.replace(",", "")) for x in NUMBER.findall(text.replace("\u2212", "-"))]


def assert_shown(text: str, expected: list[float]) -> None:
    """``text`` shows exactly the finite ``expected`` values, each rounded as written."""
    expected = [x for x in expected if np.isfinite(x)]
    written = [x.replace(",", "") for x in NUMBER.findall(text.replace("\u2212", "-"))]
    assert len(written) == len(expected), (text, expected)
    for shown, value in zip(written, expected, strict=True):
        decimals = len(shown.split(".")[1]) if "." in shown else 0
        assert abs(float(shown) - value) <= 0.5 * 10 ** -decimals + 1e-9, (text, expected)


def estimate(row: pd.Series, value: str, low: str, high: str) -> list[float]:
    if not np.isfinite(row[value]):
        return []
    if not (np.isfinite(row[low]) and np.isfinite(row[high])):
        return [row[value]]
    return [row[value], row[low], row[high]]


def test_folder_holds_the_report_and_every_table(small_comparison: Path,
                                                 tables: dict[str, pd.DataFrame]) -> None:
    for name in ("report.html", "runs.sqlite", "manifest.json"):
        assert (small_comparison / name).stat().st_size > 0
    outcomes = tables["outcomes"]
    assert len(outcomes) == len(OUTCOMES) * 3
    assert outcomes["scenario"].tolist()[:3] == NAMES
    assert outcomes.loc[outcomes["point"] == 0, "difference"].isna().all()
    assert outcomes.loc[outcomes["point"] > 0, "difference"].notna().all()
    assert len(tables["runs"]) == 12
    assert tables["runs"].groupby("replication")["seed"].nunique().eq(1).all()
    assert set(tables["series"]["month"]) == set(range(49))
    assert tables["parameters"]["parameter"].tolist() == [
        "legal_barrier", "organisational_barrier", "technical_barrier", "platform_share",
        "confidentiality_share"]


def test_statistics_are_paired_by_replication(tables: dict[str, pd.DataFrame]) -> None:
    runs, outcomes = tables["runs"], tables["outcomes"].set_index(["outcome", "point"])
    for metric in ("harm_prevented", "partnerships_launched", LIFETIME):
        wide = runs.pivot(index="replication", columns="point", values=metric)
        reference = wide[0]
        mean = reference.mean()
        half = stats.t.ppf(0.975, 3) * reference.std() / 2
        row = outcomes.loc[(metric, 0)]
        assert (row["mean"], row["ci_low"], row["ci_high"]) == pytest.approx(
            (mean, mean - half, mean + half))
        for point in (1, 2):
            differences = wide[point] - reference
            row = outcomes.loc[(metric, point)]
            assert row["difference"] == pytest.approx(differences.mean())
            assert row["effect_size"] == pytest.approx(differences.mean() / differences.std())
            assert row["ratio"] == pytest.approx(wide[point].mean() / reference.mean())
            assert row["ratio_low"] <= row["ratio"] <= row["ratio_high"]


def test_partnership_tables_agree_with_the_run_metrics(tables: dict[str, pd.DataFrame]
                                                       ) -> None:
    runs = tables["runs"].set_index(["point", "replication"])
    per_run = tables["partnerships"].groupby(["point", "replication"])
    counts = per_run.size().reindex(runs.index, fill_value=0)
    assert (counts == runs["partnerships_launched"]).all()
    ended = per_run["ended"].sum().reindex(runs.index, fill_value=0)
    assert (ended == runs["partnerships_ended"]).all()
    lifetimes = tables["lifetimes"]
    assert lifetimes["partnerships"].tolist() == [
        int(runs.loc[p, "partnerships_launched"].sum()) for p in range(3)]
    assert (tables["partnerships"]["lifetime_months"] <= 48).all()
    for _, curve in tables["survival"].groupby("point"):
        assert curve["months"].is_monotonic_increasing
        assert (curve["survival"].diff().dropna() <= 0).all()
        assert curve["survival"].between(0, 1).all()


def test_outcome_table_shows_the_csv_numbers(report: ReportParser,
                                             tables: dict[str, pd.DataFrame]) -> None:
    rows = {(a["data-outcome"], a["data-scenario"]): cells
            for a, cells in report.tables["outcomes-table"] if "data-outcome" in a}
    assert len(rows) == len(tables["outcomes"])
    for _, row in tables["outcomes"].iterrows():
        cells = rows[(row["outcome"], row["scenario"])]
        assert cells[0] == row["scenario"]
        assert_shown(cells[1].split("undefined")[0], estimate(row, "mean", "ci_low", "ci_high"))
        if row["missing"]:
            assert f"undefined in {row['missing']} of {row['n'] + row['missing']} runs" \
                in cells[1]
        else:
            assert "undefined" not in cells[1]
        if row["point"] == 0:
            assert cells[2] == "reference"
            continue
        assert_shown(cells[2], estimate(row, "difference", "difference_low",
                                        "difference_high"))
        assert_shown(cells[3], [row["effect_size"]])
        assert cells[3].endswith(row["effect"] if isinstance(row["effect"], str) else "")
        assert_shown(cells[4], estimate(row, "ratio", "ratio_low", "ratio_high"))


def test_summary_shows_the_csv_numbers(report: ReportParser, small_comparison: Path,
                                       tables: dict[str, pd.DataFrame]) -> None:
    outcomes = tables["outcomes"].set_index(["outcome", "point"])
    assert len(report.summary) == 3
    lifetime, harm, launched = (outcomes.xs(m, level="outcome") for m in HEADLINE)
    first = report.summary[0].replace("95% CI", "")
    assert first.startswith(f"{NAMES[0]}: the reference.")
    assert_shown(first, [lifetime.loc[0, "mean"], 48, lifetime.loc[0, "ci_low"],
                         lifetime.loc[0, "ci_high"], launched.loc[0, "mean"],
                         launched.loc[0, "ci_low"], launched.loc[0, "ci_high"],
                         harm.loc[0, "mean"], harm.loc[0, "ci_low"], harm.loc[0, "ci_high"]])
    for point in (1, 2):
        text = report.summary[point].replace("95% CI", "")
        assert text.startswith(f"{NAMES[point]}: partnerships last ")
        expected = [lifetime.loc[point, c] for c in ("ratio", "ratio_low", "ratio_high")]
        for table in (harm, launched):
            expected += [100 * (table.loc[point, c] - 1)
                         for c in ("ratio", "ratio_low", "ratio_high")]
        assert_shown(text, expected)
        for name, table in zip(("partnership lifetime", "harm prevented",
                                "partnerships launched"), (lifetime, harm, launched),
                               strict=True):
            row = table.loc[point]
            clear = ((row["difference_low"] > 0 or row["difference_high"] < 0)
                     and (row["ratio_low"] > 1 or row["ratio_high"] < 1))
            clear_part, _, unclear_part = text.split(". ", 1)[1].lower().partition(
                "could be no change")
            assert name in (clear_part if clear else unclear_part), (name, clear, text)
    printed = (small_comparison.parent / "stdout.txt").read_text()
    assert report.summary[1].replace("\u00a0", " ") in printed


def test_survival_end_cause_and_parameter_tables_show_the_csv_numbers(
        report: ReportParser, tables: dict[str, pd.DataFrame]) -> None:
    lifetimes = {a["data-scenario"]: cells for a, cells in report.tables["lifetimes-table"]
                 if "data-scenario" in a}
    for _, row in tables["lifetimes"].iterrows():
        cells = lifetimes[row["scenario"]]
        assert [int(c.replace(",", "")) for c in cells[1:4]] == [
            row["partnerships"], row["ended"], row["operating_at_end"]]
        assert_shown(cells[4], estimate(row, "restricted_mean_months", "restricted_mean_low",
                                        "restricted_mean_high"))
        if np.isfinite(row["median_months"]) and np.isinf(row["median_high"]):
            assert cells[5].endswith("not reached]")
            assert_shown(cells[5], [row["median_months"], row["median_low"]])
        elif np.isfinite(row["median_months"]):
            assert_shown(cells[5], estimate(row, "median_months", "median_low", "median_high"))
        else:
            assert cells[5] == "not reached within 48 months"
    causes = tables["end_causes"]
    shown = {a["data-cause"]: cells for a, cells in report.tables["end-causes-table"]
             if "data-cause" in a}
    assert set(shown) == set(causes.loc[causes.groupby("end_cause")["partnerships"]
                                        .transform("sum") > 0, "end_cause"])
    for cause, cells in shown.items():
        for name, cell in zip(NAMES, cells[1:], strict=True):
            row = causes[(causes["end_cause"] == cause) & (causes["scenario"] == name)].iloc[0]
            share, count = numbers(cell)
            assert count == row["partnerships"]
            assert share == pytest.approx(100 * row["share"], abs=0.05 if "." in cell else 0.5)
    parameters = [cells for _, cells in report.tables["parameters-table"]][1:]
    for cells, (_, row) in zip(parameters, tables["parameters"].iterrows(), strict=True):
        assert cells[0].startswith(row["parameter"])
        assert [float(c) for c in cells[1:]] == [row[n] for n in NAMES]


def png_size(source: str) -> tuple[int, int, np.ndarray]:
    assert source.startswith("data:image/png;base64,")
    data = base64.b64decode(source.split(",", 1)[1], validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return width, height, image.imread(io.BytesIO(data), format="png")


def test_every_figure_is_embedded_and_not_blank(report: ReportParser) -> None:
    assert len(report.images) == 8  # headline, means, four fan charts, survival, end causes
    for source in report.images:
        width, height, pixels = png_size(source)
        assert width == 1125  # 7.5 inches at 150 dpi: A4 width
        assert 300 < height < 2000
        assert pixels.std() > 0.05, "the figure has content"


def test_report_is_self_contained(small_comparison: Path) -> None:
    text = (small_comparison / "report.html").read_text(encoding="utf-8")
    assert "<script" not in text
    assert not re.search(r'(src|href)="(?!data:|#)', text), "only inline resources"
    assert "http://" not in text and "https://" not in text
    assert "<style>" in text


def test_same_scenarios_and_seed_give_the_same_numbers(small_comparison: Path,
                                                       tmp_path: Path) -> None:
    paths = small_scenarios(small_comparison.parent)
    comparison = run_comparison(comparison_spec(paths, replications=4), tmp_path / "again",
                                workers=1)
    write_report(comparison)
    for name in ("outcomes", "series", "survival", "lifetimes", "end_causes", "runs"):
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == \
            (small_comparison / f"{name}.csv").read_bytes(), name
    again, first = ReportParser(), ReportParser()
    again.feed((tmp_path / "again" / "report.html").read_text(encoding="utf-8"))
    first.feed((small_comparison / "report.html").read_text(encoding="utf-8"))
    assert again.summary == first.summary
    assert again.tables["outcomes-table"] == first.tables["outcomes-table"]


def test_ready_comparison_file() -> None:
    path = REPO / "experiments" / "compare_barriers.toml"
    spec = comparison_spec([path])
    assert [s.name for s in spec.scenarios] == ["Baseline", "High barriers",
                                                "Data-sharing platform"]
    assert (spec.replications, spec.months, spec.seed, spec.source) == (30, None, None, path)
    assert default_folder(spec) == Path("runs/compare_barriers")
    spec = comparison_spec([path], replications=5, months=24, seed=9)
    assert (spec.replications, spec.months, spec.seed) == (5, 24, 9)
    scenarios = comparison_spec([REPO / "scenarios" / "baseline.toml",
                                 REPO / "scenarios" / "high_barriers.toml"])
    assert default_folder(scenarios) == Path("runs/compare-baseline-high_barriers")
    assert scenarios.replications == 30


@pytest.mark.parametrize(("arguments", "message"), [
    (["missing.toml"], "missing.toml: no such file"),
    ([], "Missing argument 'SCENARIOS...'"),
    (["{a}", "--replications", "1"], "Invalid value for '--replications'"),
    (["{a}", "--months", "0"], "Invalid value for '--months'"),
    (["{a}", "{a}"], "two scenarios are named 'Baseline'"),
    (["{a}", "{short}"], "different horizons [12, 48] months; choose one with --months"),
    (["{file}"], "unknown key 'replication'; did you mean 'replications'?"),
    (["{ready}", "{a}"], "compare_barriers.toml: is a comparison file; give it alone"),
    (["{a}", "{b}", "--replications", "3", "--out", "{out}"],
     "holds results of a different experiment"),
])
def test_bad_input_gives_one_line_and_exit_code_2(arguments: list[str], message: str,
                                                  small_comparison: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    a, b, _ = small_scenarios(tmp_path)
    short = tmp_path / "short.toml"
    short.write_text('name = "Short"\nmonths = 12\n')
    file = tmp_path / "comparison.toml"
    file.write_text(f'scenarios = ["{a}"]\nreplication = 3\n')
    values = {"a": a, "b": b, "short": short, "file": file, "out": small_comparison,
              "ready": REPO / "experiments" / "compare_barriers.toml"}
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", *[x.format(**values) for x in arguments]])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("pppsim: error: "), error
    assert message in error
    assert "Traceback" not in error
