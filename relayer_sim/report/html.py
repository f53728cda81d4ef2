"""A run's metrics as one self-contained HTML page: a reader can open, mail or archive the file
alone, so the CSS is inline, the plots are PNG data URIs, and nothing is fetched or scripted.

Every string that comes from the trace (scenario, client names, reasons, labels) is HTML-escaped
on the way out: a scenario file is input, and its names end up in the page.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Final

from relayer_sim.report.metrics import (
    NOT_MEASURED,
    Attack,
    EventMark,
    Interval,
    RunMetrics,
    SwitchRecovery,
)
from relayer_sim.report.metrics_table import (
    ATTACKS_NOTE,
    NO_REASON,
    forged_received,
    outcome_text,
    what_got_through,
)
from relayer_sim.report.metrics_types import ACCEPTED, FROZE_AT_ONCE, REFUSED
from relayer_sim.report.plots import mark_colour, plot_gas, plot_heights, plot_packet_latency
from relayer_sim.sim.timefmt import format_elapsed, format_span

#: The page's background colour; the browser test tells page from content by it.
PAGE_BACKGROUND: Final = "#f5f6f8"
_NONE: Final = NOT_MEASURED
_NUMERIC: Final = ' class="num"'
_KEPT: Final = ' class="keep"'
_SUMMED_OUTCOMES: Final = (ACCEPTED, FROZE_AT_ONCE, REFUSED)
PAGE_STYLE: Final = f"""
body {{ margin: 0; background: {PAGE_BACKGROUND}; color: #1d2330;
  font: 15px/1.45 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }}
main {{ max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; }}
h1 {{ font-size: 26px; margin: 0 0 4px; overflow-wrap: anywhere; }}
h2 {{ font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid #d5dae3; }}
h3 {{ font-size: 16px; margin: 18px 0 6px; }}
p.subtitle, p.note, figcaption {{ color: #566075; }}
p.note {{ font-size: 14px; margin: 4px 0 12px; }}
table {{ border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }}
th, td {{ padding: 5px 12px; border-bottom: 1px solid #dde1e8; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }}
thead th {{ background: #e6e9ef; font-weight: 600; }}
tbody th {{ font-weight: 600; white-space: nowrap; }}
.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.keep {{ white-space: nowrap; overflow-wrap: normal; }}
figure {{ margin: 12px 0 20px; }}
figure img {{ display: block; max-width: 100%; height: auto; background: #fff; }}
figcaption {{ font-size: 13px; margin-top: 6px; }}
"""


@dataclass(frozen=True, slots=True)
class HtmlCell:
    """A table cell's text (escaped when written), right-aligned if ``numeric``, optionally in
    one of this module's own colours."""

    text: str
    numeric: bool = False
    colour: str | None = None
    #: A name kept on one line (a message type): the prose beside it wraps instead.
    keep: bool = False


def render_html(metrics: RunMetrics) -> str:
    """The report page for one run: summary, plots and every metric as a table; a kind of
    metric the run has none of gets no section (the summary says so)."""
    title = f"{metrics.scenario}, seed {metrics.seed}"
    body = [
        f"<h1>{escape(metrics.scenario)}</h1>",
        f'<p class="subtitle">seed {metrics.seed} · '
        f"{format_elapsed(metrics.duration_ns)} of simulated time</p>",
        *_summary(metrics),
        *_timeline(metrics),
        *_clients(metrics),
        *_switch(metrics),
        *_packets(metrics),
        *_attacks(metrics),
        *_refused(metrics),
        *_downtime(metrics),
        *_gas(metrics),
    ]
    return html_page(f"relayer-sim report: {title}", body)


def write_html_report(metrics: RunMetrics, path: Path) -> None:
    """Write the report page for ``metrics`` to ``path`` (UTF-8)."""
    path.write_text(render_html(metrics), encoding="utf-8")


# -- sections -------------------------------------------------------------------------------------


def _summary(metrics: RunMetrics) -> list[str]:
    packets, switch = metrics.packets, metrics.switch
    worst_downtime = max((client.downtime_ns for client in metrics.clients), default=None)
    outcomes = [sum(a.outcome == kind for a in metrics.attacks) for kind in _SUMMED_OUTCOMES]
    rows = [
        ("scenario", metrics.scenario),
        ("seed", str(metrics.seed)),
        ("simulated time", format_elapsed(metrics.duration_ns)),
        ("clients", str(len(metrics.clients))),
        ("worst client downtime", _time(worst_downtime)),
        ("consensus switch", _NONE if switch is None else _switch_title(switch)),
        ("switch → first good update", _time(None if switch is None else switch.recovery_ns)),
        (
            "packets sent / received / delayed",
            f"{packets.sent:,} / {packets.received:,} / {packets.delayed:,}",
        ),
        ("packet latency p50 / p99", f"{_time(packets.p50_ns)} / {_time(packets.p99_ns)}"),
        (
            "forks sent / accepted / froze the client at once / refused",
            " / ".join(str(n) for n in (len(metrics.attacks), *outcomes)),
        ),
        ("refused transactions", f"{sum(refused.count for refused in metrics.refused):,}"),
        ("host downtime", format_elapsed(metrics.host_downtime_ns)),
    ]
    body = "".join(
        f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in rows
    )
    return ["<h2>Summary</h2>", f"<table><tbody>{body}</tbody></table>"]


def _timeline(metrics: RunMetrics) -> list[str]:
    """The heights plot, and right below it the events its numbers stand for."""
    if not (metrics.clients or metrics.marks):
        return []
    section = ["<h2>Timeline</h2>"]
    section += plot_section(
        "plot-heights",
        plot_heights(metrics),
        "Counterparty and client heights (top) and each client's lag in blocks (bottom) over "
        "simulated time; client downtime is shaded in the client's colour, a host halt is a "
        "grey hatched band and a counterparty's halt or stall an olive one, and the numbered "
        "vertical lines are the events listed below the plot.",
    )
    if metrics.marks:
        section += [
            "<h3>Events</h3>",
            '<p class="note">Numbered as on the plot above.</p>',
            *_marks_table(metrics.marks, numbered=True),
        ]
    return section


def _clients(metrics: RunMetrics) -> list[str]:
    if not metrics.clients:
        return []
    several = metrics.several_counterparties()
    named = ("client", "id", "follows") if several else ("client", "id")
    section = ["<h2>Clients</h2>"]
    section += html_table(
        (*named, "max lag (blocks)", "mean lag (blocks)", "downtime", "down spans"),
        [
            (
                HtmlCell(client.name),
                HtmlCell(client.client_id),
                *((HtmlCell(client.counterparty),) if several else ()),
                HtmlCell(f"{client.max_lag_blocks:,}", numeric=True),
                HtmlCell(f"{client.mean_lag_blocks:,}", numeric=True),
                HtmlCell(format_elapsed(client.downtime_ns), numeric=True),
                HtmlCell(str(len(client.downtime)), numeric=True),
            )
            for client in metrics.clients
        ],
    )
    spans = [(client.name, span) for client in metrics.clients for span in client.downtime]
    if spans:
        section += ["<h3>Client downtime</h3>", *_intervals(spans, metrics.duration_ns)]
    return section


def _switch(metrics: RunMetrics) -> list[str]:
    switch = metrics.switch
    if switch is None:
        return []
    section = [f"<h2>Consensus switch: {escape(_switch_title(switch))}</h2>"]
    section += html_table(
        ("client", "past the switch at", "after the switch"),
        [
            (
                HtmlCell(client.client),
                HtmlCell(_time(client.first_good_update_ns), numeric=True),
                HtmlCell(_time(client.recovery_ns), numeric=True),
            )
            for client in switch.clients
        ],
    )
    section.append(
        f'<p class="note">Steps (governance, host halts): {len(switch.steps)} after the switch, '
        f"{len(switch.steps_before)} before it.</p>"
    )
    if switch.steps:
        section += ["<h3>Steps after the switch</h3>", *_marks_table(switch.steps)]
    return section


def _packets(metrics: RunMetrics) -> list[str]:
    packets = metrics.packets
    if not packets.sent:
        return []
    section = ["<h2>Packets</h2>"]
    rows = metrics.packet_rows()
    named = ("channel",) if len(rows) > 1 else ()
    section += html_table(
        (*named, "sent", "received", "never received", "delayed", "p50", "p90", "p99", "max"),
        [
            (
                *((HtmlCell(name),) if named else ()),
                *(HtmlCell(f"{n:,}", numeric=True) for n in (counted.sent, counted.received)),
                *(HtmlCell(f"{n:,}", numeric=True) for n in (counted.lost, counted.delayed)),
                *(
                    HtmlCell(_time(ns), numeric=True)
                    for ns in (counted.p50_ns, counted.p90_ns, counted.p99_ns, counted.max_ns)
                ),
            )
            for name, counted in rows
        ],
    )
    if packets.delay_threshold_ns is not None:
        section.append(
            '<p class="note">Delayed: received more than '
            f"{format_elapsed(packets.delay_threshold_ns)} after being sent (a healthy relay: "
            "one counterparty block, then three host blocks).</p>"
        )
    return section + plot_section(
        "plot-latency",
        plot_packet_latency(metrics),
        "Latency of each received packet (log scale) against the simulated time it was sent; "
        "the dashed line is the delay threshold.",
    )


def _attacks(metrics: RunMetrics) -> list[str]:
    """Each fork sent and what came of it, as the text report's two tables; then what got
    through before a patch, if anything did."""
    got_through = what_got_through(metrics)
    if not (metrics.attacks or got_through):
        return []
    section = ["<h2>Attacks</h2>"]
    if metrics.attacks:
        section += [
            "<h3>What was sent</h3>",
            *html_table(
                ("#", "sent", "client", "fork", "height", "trusting", "signed by"),
                [_sent_row(number, fork) for number, fork in enumerate(metrics.attacks, 1)],
            ),
            "<h3>What came of it</h3>",
            *html_table(
                ("#", "outcome", "detected", "frozen", "latency", "forged packets received"),
                [_outcome_row(number, fork) for number, fork in enumerate(metrics.attacks, 1)],
            ),
            f'<p class="note">{escape(ATTACKS_NOTE)}</p>',
        ]
    if got_through:
        section += ["<h3>What got through</h3>", f"<p>{escape(got_through)}</p>"]
    return section


def _sent_row(number: int, fork: Attack) -> tuple[HtmlCell, ...]:
    return (
        HtmlCell(str(number), numeric=True),
        HtmlCell(format_elapsed(fork.sent_ns), numeric=True),
        HtmlCell(fork.client),
        HtmlCell(fork.kind),
        HtmlCell(fork.height),
        HtmlCell(fork.trusted or _NONE),
        HtmlCell(", ".join(fork.coalition) or _NONE),
    )


def _outcome_row(number: int, fork: Attack) -> tuple[HtmlCell, ...]:
    return (
        HtmlCell(str(number), numeric=True),
        HtmlCell(outcome_text(fork)),
        HtmlCell(_time(fork.detected_ns), numeric=True),
        HtmlCell(_time(fork.frozen_ns), numeric=True),
        HtmlCell(_NONE if fork.latency_ns is None else format_span(fork.latency_ns), numeric=True),
        HtmlCell(forged_received(fork), numeric=True),
    )


def _refused(metrics: RunMetrics) -> list[str]:
    if not metrics.refused:
        return []
    alike = any("…" in (refused.reason or "") for refused in metrics.refused)
    note = (
        '<p class="note">Failures that differ only in the heights they name are counted '
        "together, each height written ….</p>"
    )
    return [
        "<h2>Refused transactions</h2>",
        *html_table(
            ("message", "reason", "count", "first"),
            [
                (
                    HtmlCell(refused.message, keep=True),
                    HtmlCell(refused.reason or NO_REASON),
                    HtmlCell(f"{refused.count:,}", numeric=True),
                    HtmlCell(format_elapsed(refused.first_ns), numeric=True),
                )
                for refused in metrics.refused
            ],
        ),
        *([note] if alike else []),
    ]


def _downtime(metrics: RunMetrics) -> list[str]:
    """The host's halts, and the counterparties' halts and stalls, each when there are any."""
    section = []
    if metrics.host_downtime:
        spans = [("host", span) for span in metrics.host_downtime]
        section += ["<h2>Host downtime</h2>", *_intervals(spans, metrics.duration_ns)]
    if metrics.counterparty_downtime:
        spans = [("counterparty", span) for span in metrics.counterparty_downtime]
        section += ["<h2>Counterparty halts and stalls</h2>"]
        section += _intervals(spans, metrics.duration_ns)
    return section


def _gas(metrics: RunMetrics) -> list[str]:
    if not metrics.gas:
        return []
    section = ["<h2>Gas by message type</h2>"]
    section += html_table(
        ("message", "txs", "ok", "SDK gas", "mean", "contract gas", "mean"),
        [
            (
                HtmlCell(gas.message),
                *(
                    HtmlCell(f"{n:,}", numeric=True)
                    for n in (
                        gas.count,
                        gas.ok,
                        gas.sdk_gas_total,
                        gas.sdk_gas_mean,
                        gas.contract_gas_total,
                        gas.contract_gas_mean,
                    )
                ),
            )
            for gas in metrics.gas
        ],
    )
    return section + plot_section(
        "plot-gas",
        plot_gas(metrics),
        "Mean SDK gas (left) and mean contract gas (right) per transaction, by message type.",
    )


# -- building blocks ------------------------------------------------------------------------------


def _marks_table(marks: Sequence[EventMark], numbered: bool = False) -> list[str]:
    rows = []
    for number, mark in enumerate(marks, start=1):
        colour = mark_colour(mark.category)[1]
        cells = (
            HtmlCell(format_elapsed(mark.t_ns), numeric=True),
            HtmlCell(mark.category.replace("_", " "), colour=colour),
            HtmlCell(mark.label),
        )
        rows.append(
            (HtmlCell(str(number), numeric=True, colour=colour), *cells) if numbered else cells
        )
    headers = ("time", "category", "detail")
    return html_table(("#", *headers) if numbered else headers, rows)


def _intervals(spans: Sequence[tuple[str, Interval]], end_ns: int) -> list[str]:
    """A table of downtime spans; one still open runs to ``end_ns`` for its length."""
    return html_table(
        ("", "from", "to", "length", "why"),
        [
            (
                HtmlCell(owner),
                HtmlCell(format_elapsed(span.start_ns), numeric=True),
                HtmlCell(
                    "end" if span.end_ns is None else format_elapsed(span.end_ns), numeric=True
                ),
                HtmlCell(
                    format_elapsed(
                        (end_ns if span.end_ns is None else span.end_ns) - span.start_ns
                    ),
                    numeric=True,
                ),
                HtmlCell(span.reason),
            )
            for owner, span in spans
        ],
    )


def html_table(headers: Sequence[str], rows: Sequence[Sequence[HtmlCell]]) -> list[str]:
    """A table with a header row; none at all without rows, rather than headers alone."""
    if not rows:
        return []
    numeric = [any(row[index].numeric for row in rows) for index in range(len(headers))]
    head = "".join(
        f"<th{_NUMERIC if is_numeric else ''}>{escape(header)}</th>"
        for header, is_numeric in zip(headers, numeric, strict=True)
    )
    body = "".join(f"<tr>{''.join(_cell(cell) for cell in row)}</tr>" for row in rows)
    return [f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"]


def _cell(cell: HtmlCell) -> str:
    classes = _NUMERIC if cell.numeric else (_KEPT if cell.keep else "")
    style = f' style="color: {cell.colour}"' if cell.colour else ""
    return f"<td{classes}{style}>{escape(cell.text)}</td>"


def plot_section(element_id: str, png: bytes, description: str) -> list[str]:
    """A PNG as an inline image at its own pixel size, with ``description`` as alt text and
    caption."""
    width, height = _png_size(png)
    source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return [
        "<figure>",
        f'<img id="{element_id}" src="{source}" width="{width}" height="{height}" '
        f'alt="{escape(description)}">',
        f"<figcaption>{escape(description)}</figcaption>",
        "</figure>",
    ]


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, which always comes first."""
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def _switch_title(switch: SwitchRecovery) -> str:
    return (
        f"{switch.from_version} → {switch.to_version} at {switch.switch_height}, "
        f"{format_elapsed(switch.switch_ns)}"
    )


def _time(ns: int | None) -> str:
    return _NONE if ns is None else format_elapsed(ns)


def html_page(title: str, body: Sequence[str]) -> str:
    """A self-contained page: ``title`` (escaped here), the report style, ``body``'s HTML."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{PAGE_STYLE}</style>",
            "</head>",
            "<body>",
            "<main>",
            *body,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )
