"""`evalindex scorers`: list every registered scorer with its family, main metric and needs."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pytest_evalindex.scorers.registry import known_names, lookup

NOTHING = "-"
"""How an empty ``needs`` is shown in the plain and Markdown output."""


@dataclass(frozen=True)
class ScorerRow:
    """One registered name as the command reports it."""

    name: str
    family: str
    metric: str
    needs: tuple[str, ...]

    @property
    def is_variant(self) -> bool:
        """``<name>@legacy`` and other ``<name>@<variant>`` names."""
        return "@" in self.name

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "family": self.family, "metric": self.metric, "needs": list(self.needs)}


def scorer_rows() -> list[ScorerRow]:
    """Every registered scorer, sorted by family then name."""
    rows = []
    for name in known_names():
        spec = lookup(name)
        if spec is None:  # pragma: no cover - known_names() only lists registered names
            continue
        rows.append(ScorerRow(name=name, family=spec.family, metric=spec.metric, needs=spec.needs))
    return sorted(rows, key=lambda row: (row.family, row.name))


def _needs_text(needs: Iterable[str]) -> str:
    return ", ".join(needs) or NOTHING


def render_plain(rows: list[ScorerRow]) -> str:
    """A header, one aligned line per scorer and a count line."""
    table = [("name", "family", "metric", "needs")]
    table += [(row.name, row.family, row.metric, _needs_text(row.needs)) for row in rows]
    widths = [max(len(line[col]) for line in table) for col in range(3)]
    lines = ["  ".join([*(cell.ljust(width) for cell, width in zip(line[:3], widths)), line[3]]) for line in table]
    variants = sum(row.is_variant for row in rows)
    families = len({row.family for row in rows})
    lines.append(f"{len(rows)} scorers ({variants} variants) in {families} families")
    return "\n".join(lines)


MAX_METRICS = 4
"""The README table lists a family's most frequent metrics only, to stay compact."""


def _counted(values: Iterable[str], limit: int | None = None) -> str:
    ranked = sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{value} ({count})" for value, count in ranked[:limit])
    hidden = len(ranked) - len(ranked[:limit])
    return f"{shown} and {hidden} more" if hidden else shown


def render_family_table(rows: list[ScorerRow] | None = None) -> str:
    """The README's per-family Markdown summary of the registry (without a trailing newline)."""
    rows = scorer_rows() if rows is None else rows
    lines = ["| family | names | variants | main metrics | needs |", "|---|---|---|---|---|"]
    for family in sorted({row.family for row in rows}):
        members = [row for row in rows if row.family == family]
        plain = [row for row in members if not row.is_variant]
        needs = _counted(need for row in members for need in row.needs) or NOTHING
        lines.append(f"| {family} | {len(plain)} | {len(members) - len(plain)} "
                     f"| {_counted((row.metric for row in members), MAX_METRICS)} | {needs} |")
    return "\n".join(lines)


def add_scorers_command(commands: Any) -> None:
    """Register ``evalindex scorers`` on the main parser's subcommands."""
    parser = commands.add_parser(
        "scorers", help="list the registered scorers",
        description=("List every registered scorer (built-ins, entry points) with its family, main metric and "
                     "what it needs beyond the answer (- for nothing, judge, sandbox or package:<name>)."),
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true",
                        help="print a JSON list of objects with keys name, family, metric, needs")
    output.add_argument("--markdown", action="store_true",
                        help="print the per-family Markdown summary used in the README")
    parser.set_defaults(handler=_scorers)


def _scorers(args: argparse.Namespace) -> int:
    rows = scorer_rows()
    if args.json:
        print(json.dumps([row.as_json() for row in rows], indent=2))
    elif args.markdown:
        print(render_family_table(rows))
    else:
        print(render_plain(rows))
    return 0
