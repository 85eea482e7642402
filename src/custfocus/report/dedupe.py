"""Render a :class:`DedupeResult`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from custfocus.match.dedupe import DedupeResult


def dedupe_as_dict(result: DedupeResult) -> dict[str, Any]:
    data = asdict(result)
    data["duplicates"] = result.duplicates
    data["cluster_sizes"] = {str(k): v for k, v in result.cluster_sizes.items()}
    return data


def render_dedupe(result: DedupeResult, console: Console) -> None:
    rate = result.duplicates / result.records if result.records else 0.0
    console.print(
        f"[bold]{result.records:,}[/] records -> [bold]{result.customers:,}[/] customers "
        f"({result.duplicates:,} duplicates, {rate:.1%}); {result.mode} run #{result.run_id}"
    )
    table = Table(title="Matching", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("distinct identities (after collapsing repeats)", f"{result.distinct_identities:,}")
    table.add_row("candidate pairs", f"{result.candidate_pairs:,}")
    table.add_row("pairs compared this run", f"{result.compared_pairs:,}")
    table.add_row("pairs merged", f"{result.merged_pairs:,}")
    table.add_row("pairs to review", f"{result.review_pairs:,}")
    for reason, count in sorted(result.refused.items()):
        table.add_row(f"merges refused: {reason.replace('_', ' ')}", f"{count:,}")
    table.add_row("records with no identifier (kept as their own customer)",
                  f"{result.no_identifier_records:,}")
    table.add_row("largest customer (records)", f"{result.largest_cluster:,}")
    table.add_row("ids kept / new", f"{result.kept_ids:,} / {result.new_ids:,}")
    for kind, count in sorted(result.events.items()):
        table.add_row(f"customers {kind}", f"{count:,}")
    console.print(table)
    sizes = Table(title="Customers by number of records", title_justify="left")
    sizes.add_column("records", justify="right")
    sizes.add_column("customers", justify="right")
    for size, count in list(result.cluster_sizes.items())[:12]:
        sizes.add_row(str(size), f"{count:,}")
    console.print(sizes)
    rules = Table(title="Candidate pairs per blocking key", title_justify="left")
    rules.add_column("key")
    rules.add_column("pairs", justify="right")
    rules.add_column("oversized blocks skipped", justify="right")
    for rule, count in sorted(result.pairs_per_rule.items(), key=lambda kv: -kv[1]):
        rules.add_row(rule, f"{count:,}", f"{result.oversized_blocks.get(rule, 0):,}")
    console.print(rules)
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    console.print(f"[dim]time per stage: {timing}[/]")


def render_explanation(explanation: Any, console: Console) -> None:
    """Members with provenance, then each link with its reasons and their weights."""
    console.print(f"[bold]{explanation.customer_id}[/]: {len(explanation.members)} record(s)")
    members = Table(show_header=True)
    for name in ("source", "row", "name", "e-mail", "phone", "id", "postcode", "city"):
        members.add_column(name)
    for m in explanation.members:
        members.add_row(*[str(m.get(k) or "") for k in (
            "source", "row", "full_name", "email", "phone", "national_id", "postal_code", "city")])
    console.print(members)
    for link in explanation.links:
        reasons = "; ".join(f"{text} ({bits:+.1f})" for text, bits in link.reasons)
        console.print(f"{link.record_a} ~ {link.record_b}: {link.probability:.0%} "
                      f"{escape('[' + link.decision + ']')} — {escape(reasons)}")
    for event in explanation.events:
        console.print(f"[dim]{event['event_time']:%Y-%m-%d} {event['kind']}: "
                      f"{', '.join(event['other_ids'] or [])} {event['reason']}[/]")
