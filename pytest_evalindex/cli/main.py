"""The ``evalindex`` command: one argparse subcommand per job (``schema expand``, ``sample``, …).

User errors print one line ``evalindex: error: …`` to stderr and exit with code 2.
To add a command, write an ``_add_<name>(subcommands)`` function that registers a parser with
``set_defaults(handler=…)`` and call it from :func:`build_parser`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from tabulate import tabulate

from pytest_evalindex import __version__
from pytest_evalindex.authoring.sampler import (
    STRATEGIES,
    MixedSample,
    Strategy,
    sample_schema,
    write_mixed,
    write_sidecar,
)
from pytest_evalindex.authoring.schema import SchemaError, flatten, load_schema
from pytest_evalindex.authoring.sources import (
    SourceError,
    resolve_local_path,
    source_files,
)
from pytest_evalindex.cli.merge import add_merge_command
from pytest_evalindex.cli.mock import add_mock_commands
from pytest_evalindex.cli.scorers import add_scorers_command

Handler = Callable[[argparse.Namespace], int]
USER_ERROR = 2


class UserError(Exception):
    """An error the user can fix; printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    """The ``evalindex`` argument parser with all subcommands."""
    parser = argparse.ArgumentParser(
        prog="evalindex",
        description="Build and inspect mixed evaluation collections (EvalScope's data_collection format).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_schema(commands)
    _add_sample(commands)
    add_scorers_command(commands)
    add_mock_commands(commands)
    add_merge_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``evalindex`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = cast(Handler, args.handler)
    try:
        return handler(args)
    except (UserError, SchemaError, SourceError) as exc:
        print(f"evalindex: error: {exc}", file=sys.stderr)
        return USER_ERROR
    except KeyboardInterrupt:
        print("evalindex: interrupted", file=sys.stderr)
        return 130


# --- evalindex schema … ---------------------------------------------------------------------------

def _add_schema(commands: Any) -> None:
    schema = commands.add_parser("schema", help="inspect a collection schema")
    actions = schema.add_subparsers(dest="schema_command", metavar="ACTION", required=True)
    expand = actions.add_parser(
        "expand", help="print the flattened leaves with their normalised weights",
        description="Print every leaf of SCHEMA with its path, normalised weight, task type and tags.",
    )
    expand.add_argument("schema", type=Path, metavar="SCHEMA", help="schema JSON file (EvalScope's CollectionSchema)")
    expand.set_defaults(handler=_schema_expand)


def _schema_expand(args: argparse.Namespace) -> int:
    schema = load_schema(args.schema)
    leaves = flatten(schema)
    rows = [[leaf.path, leaf.name, f"{leaf.weight:.4f}", leaf.info.task_type, ", ".join(leaf.info.tags)]
            for leaf in leaves]
    print(tabulate(rows, headers=["path", "dataset", "weight", "task_type", "tags"], tablefmt="github",
                   disable_numparse=True))
    total = sum(leaf.weight for leaf in leaves)
    print(f"\n{len(leaves)} leaves, weights sum to {total:.4f}")
    return 0


# --- evalindex sample -----------------------------------------------------------------------------

def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_sample(commands: Any) -> None:
    sample = commands.add_parser(
        "sample", help="sample a mixed JSONL collection from a schema",
        description=(
            "Draw N samples from the leaves' local sources (args.local_path, relative to the schema file) "
            "into a mixed JSONL that pytest-evalindex and EvalScope both evaluate. The seed, strategy, "
            "schema hash and allocation are recorded in OUTPUT.meta.json."
        ),
    )
    sample.add_argument("schema", type=Path, metavar="SCHEMA", help="schema JSON file")
    sample.add_argument("-n", "--count", type=_positive_int, required=True, metavar="N", help="number of samples to draw")
    sample.add_argument("--strategy", choices=STRATEGIES, default="weighted",
                        help="weighted: ∝ leaf weight (default); stratified: ∝ leaf size; uniform: equal counts")
    sample.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    sample.add_argument("-o", "--output", required=True, metavar="OUTPUT",
                        help="mixed JSONL file to write; a folder (an existing one, or a path ending in /) gets "
                             f"{EVALSCOPE_FILE_NAME} inside, the layout EvalScope's data_collection reads")
    sample.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    sample.set_defaults(handler=_sample)


def _sample(args: argparse.Namespace) -> int:
    schema = load_schema(args.schema)
    leaves = flatten(schema)
    base_dir = args.schema.parent
    total_bytes = sum(f.stat().st_size for leaf in leaves for f in source_files(resolve_local_path(leaf, base_dir), leaf))
    output = _output_file(Path(args.output), args.output)
    if not output.parent.is_dir():
        raise UserError(f"{output}: folder {output.parent} does not exist; create it or choose another -o path")
    with _progress(total_bytes, disabled=args.no_progress) as advance:
        result = sample_schema(schema, base_dir=base_dir, n=args.count, strategy=cast(Strategy, args.strategy),
                               seed=args.seed, advance=advance)
    try:
        write_mixed(output, result.lines)
        meta = write_sidecar(result, schema_path=str(args.schema), output=output, version=__version__)
    except OSError as exc:
        raise UserError(f"{output}: cannot write ({exc.strerror})") from None
    print(_allocation_table(result), file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {len(result.lines)} lines ({result.strategy}, seed {result.seed}); metadata in {meta}", file=sys.stderr)
    print(output)
    return 0


EVALSCOPE_FILE_NAME = "test.jsonl"
"""The file EvalScope's ``data_collection`` benchmark reads in its ``local_path`` folder (subset and split 'test')."""


def _output_file(output: Path, typed: str) -> Path:
    """The JSONL file to write: ``output`` itself, or ``output/test.jsonl`` when it names a folder."""
    if output.is_dir() or typed.endswith(("/", "\\")):
        if not output.parent.is_dir():
            raise UserError(f"{output}: folder {output.parent} does not exist; create it or choose another -o path")
        output.mkdir(exist_ok=True)
        return output / EVALSCOPE_FILE_NAME
    return output


def _allocation_table(result: MixedSample) -> str:
    rows = [
        [r.leaf.path, f"{r.leaf.weight:.4f}", r.available, r.asked, r.drawn, f"{r.line_weight:.6g}",
         ", ".join(f"{name} {count}" for name, count in r.drawn_subsets.items())]
        for r in result.leaves
    ]
    rows.append(["total", f"{sum(r.leaf.weight for r in result.leaves):.4f}", sum(r.available for r in result.leaves),
                 sum(r.asked for r in result.leaves), len(result.lines), "", ""])
    return tabulate(rows, headers=["leaf", "weight", "available", "asked", "drawn", "line weight", "subsets"],
                    tablefmt="github", disable_numparse=True)


class _progress:
    """A tqdm byte counter on stderr, shown only for large inputs on a terminal."""

    THRESHOLD = 8 * 1024 * 1024

    def __init__(self, total: int, *, disabled: bool) -> None:
        self._bar: Any = None
        if not disabled and total >= self.THRESHOLD and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="B", unit_scale=True, desc="reading sources", file=sys.stderr, leave=False)

    def __enter__(self) -> Callable[[int], None] | None:
        return self._bar.update if self._bar is not None else None

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


if __name__ == "__main__":
    raise SystemExit(main())
