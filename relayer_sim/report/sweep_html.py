"""A sweep's summary as one self-contained HTML page, in the style of the run report
(``relayer_sim.report.html``, whose stylesheet, tables and figures it uses): the points, then a
section per metric that varies with its table, its distribution and, when a swept parameter is
numeric, the metric against it. Every text from the results (parameter names and values,
labels) is HTML-escaped on the way out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from relayer_sim.report.html import HtmlCell, html_page, html_table, plot_section
from relayer_sim.report.sweep_plots import plot_distribution, plot_trend, trend_parameter
from relayer_sim.report.sweep_table import (
    STAT_ROWS,
    STATS_NOTE,
    format_value,
    summary_line,
)
from relayer_sim.sweep.aggregate import Metric, SweepSummary, value_text


def render_sweep_html(summary: SweepSummary, sources: Sequence[str]) -> str:
    """The report page of a sweep read from ``sources`` (its directories)."""
    body = [
        "<h1>Sweep report</h1>",
        f'<p class="subtitle">{escape(", ".join(sources))} · {escape(summary_line(summary))}</p>',
        *_points(summary),
        *_alike(summary),
    ]
    for number, metric in enumerate(summary.varying(), start=1):
        body += _metric(summary, metric, number)
    return html_page(f"relayer-sim sweep report: {', '.join(sources)}", body)


def write_sweep_html(summary: SweepSummary, sources: Sequence[str], path: Path) -> None:
    """Write the report page to ``path`` (UTF-8)."""
    path.write_text(render_sweep_html(summary, sources), encoding="utf-8")


def _points(summary: SweepSummary) -> list[str]:
    if not summary.points:
        return ["<p>No runs.</p>"]
    headers = (*summary.parameters, "runs", "failed", "met every expectation")
    rows = [
        (
            *(HtmlCell(value_text(point.value(name))) for name in summary.parameters),
            *(HtmlCell(str(n), numeric=True) for n in (point.runs, point.failed, point.met)),
        )
        for point in summary.points
    ]
    return ["<h2>Points</h2>", *html_table(headers, rows)]


def _alike(summary: SweepSummary) -> list[str]:
    section = []
    alike = summary.constant()
    if alike:
        rows = [
            (HtmlCell(metric.label), HtmlCell(format_value(metric.unit, value), numeric=True))
            for metric, value in alike
        ]
        section += ["<h2>Alike in every run</h2>", *html_table(("metric", "value"), rows)]
    missing = summary.unmeasured()
    if missing:
        names = ", ".join(metric.label for metric in missing)
        section.append(f'<p class="note">Not measured in any run: {escape(names)}.</p>')
    return section


def _metric(summary: SweepSummary, metric: Metric, number: int) -> list[str]:
    """A metric's table (a row per point), its distribution and its trend."""
    headers = ("point", *(name for name, _ in STAT_ROWS))
    rows = [
        (
            HtmlCell(point.label),
            *(HtmlCell(text(metric, point.of(metric)), numeric=True) for _, text in STAT_ROWS),
        )
        for point in summary.points
    ]
    section = [f"<h2>{escape(metric.label)}</h2>", *html_table(headers, rows)]
    section.append(f'<p class="note">{escape(STATS_NOTE)}</p>')
    several = len(summary.points) > 1
    section += plot_section(
        f"plot-distribution-{number}",
        plot_distribution(summary, metric),
        (
            f"{metric.label} at each point: the box spans p25 to p75 with a line at p50, the "
            "whiskers p5 to p95, each dot a run."
            if several
            else f"{metric.label} over the runs: how many runs had each value; the vertical "
            "lines are p50, p95 and p99."
        ),
    )
    trend = plot_trend(summary, metric)
    if trend is not None:
        x_name = trend_parameter(summary)
        others = [name for name in summary.parameters if name != x_name]
        section += plot_section(
            f"plot-trend-{number}",
            trend,
            f"{metric.label} against {x_name}: the line is the p50 of each point's runs, the "
            "band p5 to p95" + (f"; a line per value of {', '.join(others)}." if others else "."),
        )
    return section
