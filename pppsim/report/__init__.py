"""Scenario comparison reports: paired statistics, figures and a self-contained HTML page.

* :mod:`.statistics` — paired differences, effect sizes, bootstrap ratios, survival curves;
* :mod:`.compare` — what to compare, running it on the experiments engine, the tables;
* :mod:`.figures` — time series, fan charts, survival curves, end causes (matplotlib);
* :mod:`.html` — the report and its plain-language summary (``write_report``).

The ``pppsim compare`` command is :mod:`pppsim.cli.compare`.

``from pppsim.report import comparison_spec, run_comparison`` runs a comparison;
``pppsim.report.html.write_report(comparison)`` writes its tables and report.  Matplotlib is
imported only by the last, so the command line starts fast.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .compare import Comparison, ComparisonSpec, comparison_spec, run_comparison

__all__ = ["Comparison", "ComparisonSpec", "comparison_spec", "run_comparison"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), {
    ".compare": ("Comparison", "ComparisonSpec", "comparison_spec", "run_comparison"),
})
