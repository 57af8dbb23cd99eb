"""The languages pppsim writes for readers: English, Dutch and Swedish.

Text is translated with standard gettext catalogs (``pppsim/locale/<lang>/LC_MESSAGES/
pppsim.po``, compiled to ``.mo`` beside them), managed with Babel's ``pybabel``; numbers,
percentages and dates are formatted for the language with Babel's locale data.  The domain
words of the Dutch and Swedish catalogs are those of the seed documents (publiek-private
samenwerking, convenant, informatiedeling [002]; offentlig-privata partnerskap, datadelning,
sekretessavtal [000]).

Code marks a sentence with :func:`_` (``_("harm prevented")``, placeholders by name:
``_("{n} runs").format(n=...)``) and a constant that is translated later with :func:`N_`.
The language of a piece of work is set with :func:`language` (a context manager), or a
caller holds a :class:`Translator` itself (``translator("nl").gettext(...)``), as a page
with a language setting would.

Maintaining the catalogs (from the repository root)::

    .venv/bin/pybabel extract -F pppsim/locale/babel.cfg -o pppsim/locale/pppsim.pot \\
        --no-location --sort-output -k N_ -k ngettext:1,2 --project pppsim \\
        --copyright-holder "pppsim authors" pppsim scenarios experiments/compare_barriers.toml
    .venv/bin/pybabel update -i pppsim/locale/pppsim.pot -d pppsim/locale -D pppsim \\
        --no-fuzzy-matching --ignore-obsolete
    (translate the new entries in pppsim/locale/{nl,sv}/LC_MESSAGES/pppsim.po)
    .venv/bin/pybabel compile -d pppsim/locale -D pppsim --statistics

``tests/test_i18n.py`` fails while a marked sentence is missing from a catalog, untranslated
or fuzzy, or a compiled catalog is older than its ``.po``.  A ``%`` followed by a space and a
letter reads to ``pybabel compile`` as an old-style placeholder: write ``95% CI`` or
``95%-BI``, not ``95% interval``.

The names and descriptions of the shipped scenarios (``scenarios/*.toml``) and of the ready
comparison are in the catalogs too: reports show them translated (:func:`shown_name`); names
of one's own scenarios are shown as written.
"""

from __future__ import annotations

import functools
import gettext
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PppsimError

if TYPE_CHECKING:
    from babel import Locale

LANGUAGES = ("en", "nl", "sv")
"""Languages of the report, ``pppsim explain`` and the run summary (English is the source)."""
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "sv": "svenska"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_VARIABLE = "PPPSIM_LANG"
"""Environment variable with the default language of the commands."""
DOMAIN = "pppsim"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DASH = "\u2014"
"""What a missing (undefined) number reads as in tables."""


@dataclass(frozen=True)
class Translator:
    """Everything language-dependent: translated text and numbers, percentages and dates
    formatted for the language (Babel's locale data: ``1.234,5`` in Dutch, ``1 234,5`` in
    Swedish)."""

    lang: str
    catalog: gettext.NullTranslations

    @property
    def locale(self) -> Locale:
        """Babel's locale data of the language (imported when first needed, so that the
        command line starts fast)."""
        from babel import Locale

        return Locale.parse(self.lang)

    def gettext(self, message: str) -> str:
        """``message`` in this language (the English text where the catalog lacks it)."""
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for ``n``, in this language."""
        return self.catalog.ngettext(singular, plural, n)

    def number(self, value: float, decimals: int = 0, *, sign: bool = False) -> str:
        """``value`` with exactly ``decimals`` decimals and the language's separators and
        minus sign; a dash when it is missing (NaN or None)."""
        if value is None or not math.isfinite(value):
            return DASH
        from babel.numbers import format_decimal

        rounded = round(float(value), decimals) or 0.0  # no "-0"
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(rounded, format=f"+{pattern};-{pattern}" if sign else pattern,
                              locale=self.locale)

    def percent(self, share: float, decimals: int = 0, *, sign: bool = False) -> str:
        """A share as a percentage in the language's style (``25%``, ``25 %``)."""
        if share is None or not math.isfinite(share):
            return DASH
        return self.gettext("{number}%").format(
            number=self.number(100 * share, decimals, sign=sign))

    def date(self, when: date | datetime) -> str:
        """A date written out in the language (``2 December 2026``, ``2 december 2026``)."""
        from babel.dates import format_date

        return format_date(when, format="long", locale=self.locale)

    def datetime(self, when: datetime) -> str:
        """A date and time in the language's medium format."""
        from babel.dates import format_datetime

        return format_datetime(when, format="medium", locale=self.locale)


def check_language(lang: str) -> str:
    """``lang`` if pppsim speaks it; a one-line error naming the languages otherwise."""
    if lang not in LANGUAGES:
        raise PppsimError(f"language {lang!r} is not available: expected one of "
                          f"{', '.join(LANGUAGES)}")
    return lang


@functools.cache
def translator(lang: str | None = None) -> Translator:
    """The :class:`Translator` of ``lang`` (default: ``$PPPSIM_LANG``, else English).

    Usable without the command line, e.g. by a page with a language setting::

        t = translator("sv")
        t.gettext("Partnerships launched"), t.number(2674.2, 1)
    """
    lang = check_language(lang or os.environ.get(LANGUAGE_VARIABLE) or DEFAULT_LANGUAGE)
    if lang == DEFAULT_LANGUAGE:
        catalog: gettext.NullTranslations = gettext.NullTranslations()
    else:
        catalog = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])
    return Translator(lang, catalog)


_CURRENT: ContextVar[Translator | None] = ContextVar("pppsim_language", default=None)


def current() -> Translator:
    """The translator of the work in progress (see :func:`language`)."""
    return _CURRENT.get() or translator()


@contextmanager
def language(lang: str | None) -> Iterator[Translator]:
    """Write in ``lang`` inside the ``with`` block (None: the default language)."""
    token = _CURRENT.set(translator(lang))
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


def _(message: str) -> str:
    """``message`` in the current language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural of a message for ``n``, in the current language."""
    return current().ngettext(singular, plural, n)


def shown_name(text: str) -> str:
    """A scenario's (or comparison's) name or description for readers: the catalog's
    translation of a shipped one, anything else as written."""
    return _(text) if text else text


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it)
    """Mark a constant for the catalogs without translating it now (``_(constant)`` later)."""
    return message


__all__ = ["LANGUAGES", "N_", "Translator", "_", "current", "language", "ngettext",
           "shown_name", "translator"]


def extract_vocabulary(fileobj, keywords, comment_tags, options):
    """Babel extraction method for the model's vocabulary module: every string constant
    except docstrings (end causes, kinds of organisation, crime domains, sectors, agreement
    forms), so the catalogs translate the words the model writes into its tables."""
    import ast

    tree = ast.parse(fileobj.read())
    docstrings = {id(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings and node.value.strip()):
            yield node.lineno, None, node.value, []


def extract_units(fileobj, keywords, comment_tags, options):  # Babel's signature
    """Babel extraction method for the parameter schema: every ``units="..."`` of a parameter,
    shown in the report's table of what differs between scenarios."""
    import ast

    for node in ast.walk(ast.parse(fileobj.read())):
        if isinstance(node, ast.keyword) and node.arg == "units" \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            yield node.value.lineno, None, node.value.value, []


def extract_scenario(fileobj, keywords, comment_tags, options):  # Babel's signature
    """Babel extraction method for a shipped scenario or comparison file: its ``name`` and
    ``description``, which reports show translated (a scenario of one's own, not in the
    catalogs, is shown as written)."""
    import tomllib

    data = tomllib.loads(fileobj.read().decode("utf-8"))
    for key in ("name", "description"):
        if isinstance(data.get(key), str) and data[key].strip():
            yield 1, None, data[key], []
