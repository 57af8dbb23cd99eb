"""Dutch and Swedish: the catalogs are complete and current, and the report, ``pppsim
explain`` and the run summary come out in the chosen language with no English sentence left
and numbers written in the language's style."""

from __future__ import annotations

import dataclasses
import datetime
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import (
    DEFAULT_KEYWORDS,
    check_and_call_extract_file,
    extract_from_dir,
)
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from conftest import REPO, invoke

import pppsim
from pppsim.calibration.uncertainty import ParameterDraws, spread_sentence, two_bands
from pppsim.i18n import LANGUAGES, LOCALE_DIR, language, translator
from pppsim.report.compare import OUTCOMES, comparison_spec, run_comparison
from pppsim.report.html import render
from pppsim.run import simulate, summary_text
from pppsim.scenario import open_scenario, scenario_summary, shipped_folder

PACKAGE = Path(pppsim.__file__).parent
READY_COMPARISON = "experiments/compare_barriers.toml"
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
PLACEHOLDER = re.compile(r"\{(\w*)\}")
FRAGMENT_WORDS = 4
"""An English piece of a message with this many words must not appear in a translation (a
shorter one may be the same in both: "runs per scenario" is Dutch too)."""


def source_messages() -> dict[str, object]:
    """Every message marked in pppsim's code, and the shipped scenarios' and the ready
    comparison's names and descriptions, extracted as ``pybabel extract`` does (the command
    in pppsim/i18n.py)."""
    with (LOCALE_DIR / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = DEFAULT_KEYWORDS | {"N_": None}  # as pybabel extract -k N_
    found = [entry for folder in (PACKAGE, shipped_folder())
             for entry in extract_from_dir(str(folder), method_map, options_map,
                                           keywords=keywords)]
    found += check_and_call_extract_file(REPO / READY_COMPARISON, method_map, options_map,
                                         None, keywords, (), False, dirpath=REPO)
    return {message[0] if isinstance(message, tuple) else message: message
            for _file, _line, message, _comments, _context in found}


def catalog(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "pppsim.po").open("rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_translates_every_marked_message(lang: str) -> None:
    """The catalog check: lists what is missing, untranslated, fuzzy or left over."""
    po = catalog(lang)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in po if m.id}
    wanted = source_messages()
    missing = sorted(set(wanted) - set(translated))
    untranslated = sorted(key for key, m in translated.items()
                          if not (all(m.string) if isinstance(m.string, tuple) else m.string))
    fuzzy = sorted(key for key, m in translated.items() if m.fuzzy)
    obsolete = sorted(set(translated) - set(wanted))
    assert not (missing or untranslated or fuzzy or obsolete), (
        f"{lang}: missing {missing}; untranslated {untranslated}; fuzzy {fuzzy}; obsolete "
        f"{obsolete} (update with pybabel as pppsim/i18n.py says)")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    for message in catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, (message.id, text)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalog_matches_its_source(lang: str) -> None:
    """The .mo installed with the package holds exactly the .po's translations."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    def entries(messages: Catalog) -> dict[object, object]:
        return {_tuple(m.id): _tuple(m.string) for m in messages if m.id}

    with (folder / "pppsim.mo").open("rb") as fh:
        compiled = entries(read_mo(fh))
    assert compiled == entries(catalog(lang))


def _tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_numbers_and_dates_are_written_in_the_language_style() -> None:
    value, day = -12345.678, datetime.date(2026, 12, 2)
    written = {lang: translator(lang).number(value, 1).replace("\u2212", "-")
               for lang in LANGUAGES}
    assert written == {"en": "-12,345.7", "nl": "-12.345,7", "sv": "-12\u00a0345,7"}
    assert translator("nl").percent(0.253) == "25%"
    assert translator("sv").percent(0.253) == "25\u00a0%"
    assert translator("en").number(-0.0004, 3) == "0.000"  # no negative zero
    assert translator("nl").date(day) == "2 december 2026"
    assert translator("sv").date(day) == "2 december 2026"
    assert translator("en").date(day) == "December 2, 2026"


# --- the report, explain and the run summary in every language ---------------------------
class TextOf(HTMLParser):
    """The visible text of an HTML page (no style, no attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.skip += tag in ("style", "code")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "code")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = TextOf()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def english_fragments() -> list[str]:
    """The English pieces of every message, split at placeholders and markup, that are long
    enough to be a sentence or a phrase of one."""
    fragments = set()
    for message in source_messages().values():
        for text in message if isinstance(message, tuple) else (message,):
            plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
            for piece in re.split(r"\{\w*\}|[()\[\];:]", plain):
                piece = " ".join(piece.split()).strip(" ,.")
                if len(re.findall(r"[A-Za-z]{2,}", piece)) >= FRAGMENT_WORDS:
                    fragments.add(piece)
    return sorted(fragments)


def leaked(text: str, fragments: list[str]) -> list[str]:
    return [f for f in fragments if f in text]


@pytest.fixture(scope="module")
def tiny_comparison(tmp_path_factory: pytest.TempPathFactory):
    """Small copies of three shipped scenarios (their names and descriptions, 30
    organisations), 3 runs of 24 months each."""
    folder = tmp_path_factory.mktemp("i18n")
    paths = []
    for stem in ("baseline", "high_barriers", "structural_funding"):
        path = folder / f"{stem}.toml"
        shipped = shipped_folder() / f"{stem}.toml"
        name, description = scenario_summary(shipped)
        path.write_text(f'name = "{name}"\ndescription = "{description}"\nbase = "{shipped}"\n'
                        "months = 24\nseed = 3\n\n[organisations]\nn_organisations = 30\n")
        paths.append(path)
    spec = comparison_spec(paths, replications=3)
    return run_comparison(spec, folder / "out", workers=1)


def synthetic_draws() -> ParameterDraws:
    """Uncertain parameters as a scenario's ``[uncertainty]`` table would give them (prior
    ranges), without a calibration file: only the report's words depend on them here."""
    return ParameterDraws("prior", Path("targets.toml"), pd.DataFrame(
        {"parameter": ["legal_barrier"], "low": [0.1], "high": [0.9]}))


def with_two_bands(comparison):
    """The comparison as if its scenarios drew uncertain parameters: the two bands from its
    own runs and the same runs with synthetic extra spread (as two_bands is fed by compare)."""
    runs = comparison.runs
    metrics = [o.name for o in OUTCOMES]
    noise = np.random.default_rng(0).normal(1.0, 0.3, size=(len(runs), len(metrics)))
    drawn = runs.assign(**{m: runs[m].astype(float) * noise[:, i]
                           for i, m in enumerate(metrics)})
    draws = synthetic_draws()
    spec = dataclasses.replace(comparison.spec, scenarios=tuple(
        dataclasses.replace(s, uncertainty=draws) for s in comparison.spec.scenarios))
    return dataclasses.replace(comparison, spec=spec,
                               uncertainty=two_bands(runs, drawn, metrics, comparison.names))


@pytest.fixture(scope="module")
def pages(tiny_comparison) -> dict[str, str]:
    """The report's HTML in every language, with the section on parameter uncertainty (two
    bands) that scenarios with an ``[uncertainty]`` table get."""
    uncertain = with_two_bands(tiny_comparison)
    rendered = {}
    for lang in LANGUAGES:
        with language(lang):
            rendered[lang] = render(uncertain)
    assert all('id="uncertainty-table"' in page for page in rendered.values())
    return rendered


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_spread_sentence_speaks_the_language(lang: str) -> None:
    rng = np.random.default_rng(1)
    fixed = pd.DataFrame({"point": np.repeat([0, 1], 50), "replication": np.tile(range(50), 2),
                          "harm_prevented": rng.normal(1500, 100, 100)})
    drawn = fixed.assign(harm_prevented=rng.normal(1500, 300, 100))
    bands = two_bands(fixed, drawn, ["harm_prevented"], ["Baseline", "High barriers"])
    with language("en"):
        english = spread_sentence(bands, "harm_prevented", "harm prevented", synthetic_draws())
    with language(lang) as words:
        text = spread_sentence(bands, "harm_prevented", words.gettext("harm prevented"),
                               synthetic_draws())
    fragments = english_fragments()
    assert len(leaked(english, fragments)) >= 3
    assert leaked(text, fragments) == []
    row = bands.iloc[-1]
    assert words.number(row["total_high"], 0) in text  # 3 significant digits, Dutch/Swedish
    assert words.percent(row["parameter_share"]) in text


@pytest.fixture(scope="module")
def reports(pages: dict[str, str]) -> dict[str, str]:
    return {lang: visible_text(page) for lang, page in pages.items()}


@pytest.mark.slow
def test_the_english_report_is_made_of_the_catalog_messages(reports: dict[str, str]) -> None:
    """The leak check has teeth: the English report shows many of the English fragments."""
    assert len(leaked(reports["en"], english_fragments())) >= 40


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_english_sentence_leaks_into_the_report(reports: dict[str, str], lang: str) -> None:
    text = reports[lang]
    assert leaked(text, english_fragments()) == []
    assert text != reports["en"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_declares_its_language_and_keeps_the_numbers(tiny_comparison, pages,
                                                            lang: str) -> None:
    page = pages[lang]
    assert f'<html lang="{lang}">' in page
    decimal = "." if lang == "en" else ","
    row = tiny_comparison.outcomes.query("outcome == 'partnerships_launched' and point == 0")
    mean = row["mean"].iloc[0]
    expected = translator(lang).number(mean, 2 if mean < 10 else 1).replace("-", "\u2212")
    assert expected in page
    assert any(decimal in n for n in re.findall(r"\d+[.,]\d+", visible_text(page)))


@pytest.fixture(scope="module")
def small_run():
    """The baseline for five years: exits, revitalised and transformed partnerships, and
    several end causes to tell."""
    return simulate(open_scenario("baseline"), seed=1, months=60)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_english_sentence_leaks_into_explain_and_the_summary(small_run, lang: str) -> None:
    from pppsim.explain import SENTENCES, explain

    with language("en"):
        english = explain(small_run.model) + summary_text(small_run)
    with language(lang):
        text = explain(small_run.model) + summary_text(small_run)
    fragments = english_fragments()
    assert len(leaked(english, fragments)) >= 10
    assert leaked(text, fragments) == []
    told = [row for row in small_run.model.events.rows if row.kind in SENTENCES]
    words = {str(row.cause) for row in told if row.cause} | {
        str(row.values[key]) for row in told for key in ("domain", "stage", "sector")
        if key in row.values}
    assert len(words) >= 8  # causes, decisions, stages, domains and sectors the stories tell
    with language(lang) as words_in:
        assert [w for w in sorted(words) if words_in.gettext(w) == w] == []


def test_lang_option_and_environment_variable(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import BASELINE

    done = invoke("run", BASELINE, "--months", "12", "--out", tmp_path / "r", "--lang", "sv")
    assert done.returncode == 0, done.stderr
    assert "Basscenario: 12 månader, frö 1" in done.stdout
    assert invoke("run", BASELINE, "--lang", "de").returncode == 2
    monkeypatch.setenv("PPPSIM_LANG", "nl")
    done = invoke("run", BASELINE, "--months", "12", "--out", tmp_path / "r2")
    assert "Basisscenario: 12 maanden, seed 1" in done.stdout
    monkeypatch.setenv("PPPSIM_LANG", "xx")
    done = invoke("run", BASELINE, "--months", "12", "--out", tmp_path / "r3")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "'xx' is not one of" in done.stderr
    assert not (tmp_path / "r3").exists()


@pytest.mark.slow
def test_shipped_names_are_translated_in_the_report_but_not_in_the_tables(
        tiny_comparison, pages: dict[str, str]) -> None:
    import pandas as pd

    from pppsim.report.html import write_report

    assert "Hoge drempels" in pages["nl"] and "Höga hinder" in pages["sv"]
    assert "drempel 0–1" in pages["nl"] and "barrier 0-1" not in pages["nl"]  # units
    assert "High barriers" not in pages["nl"] + pages["sv"]
    with language("nl"):
        write_report(tiny_comparison)
    tables = pd.read_csv(tiny_comparison.folder / "outcomes.csv")
    assert set(tables["scenario"]) == {"Baseline", "High barriers", "Structural funding"}
    page = (tiny_comparison.folder / "report.html").read_text(encoding="utf-8")
    assert "Structurele financiering" in page
