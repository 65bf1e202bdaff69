"""`evalindex report RUN [RUN…] [--baseline RUN] -o FILE`: the self-contained HTML report of one or more runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pytest_evalindex.render.html import load_run, write_report
from pytest_evalindex.runs.reader import BaselineError

USER_ERROR = 2


def add_report_command(commands: Any) -> None:
    """Register ``evalindex report``."""
    report = commands.add_parser(
        "report", help="write the HTML report of one or more runs",
        description=("Write one self-contained HTML file (no network, opens from disk) for RUN: the index and its "
                     "interval, gates, the five levels, every sample, performance and settings. Further RUNs are "
                     "shown side by side; --baseline compares the first RUN with BASELINE sample by sample "
                     "(regressions first)."),
    )
    report.add_argument("runs", type=Path, nargs="+", metavar="RUN",
                        help="a run folder (outputs/<timestamp>) or its evalindex_report.json")
    report.add_argument("--baseline", type=Path, metavar="RUN", help="the run to compare the first RUN with")
    report.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="HTML file to write")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    try:
        runs = [load_run(path, with_details=i == 0) for i, path in enumerate(args.runs)]  # texts: first RUN's
        baseline = load_run(args.baseline, with_details=False) if args.baseline is not None else None
    except BaselineError as exc:
        print(f"evalindex: error: {exc}", file=sys.stderr)
        return USER_ERROR
    output: Path = args.output
    if not output.parent.is_dir():
        print(f"evalindex: error: {output}: folder {output.parent} does not exist; create it or choose another -o "
              "path", file=sys.stderr)
        return USER_ERROR
    try:
        write_report(output, runs, baseline=baseline)
    except BaselineError as exc:
        print(f"evalindex: error: {exc}", file=sys.stderr)
        return USER_ERROR
    except OSError as exc:
        print(f"evalindex: error: {output}: cannot write ({exc.strerror})", file=sys.stderr)
        return USER_ERROR
    print(output)
    return 0
