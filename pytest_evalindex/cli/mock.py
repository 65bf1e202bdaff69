"""`evalindex mock` (serve the built-in mock model) and `evalindex mock-script` (write its script from a suite)."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

from pytest_evalindex.dataset.entry import Entry
from pytest_evalindex.dataset.loader import CollectionError, load_collection
from pytest_evalindex.scorers.registry import lookup

UNSURE = "I am not sure."


def add_mock_commands(commands: Any) -> None:
    """Register ``mock`` and ``mock-script`` on the ``evalindex`` subcommands."""
    serve = commands.add_parser(
        "mock", help="serve the built-in mock model (an OpenAI-compatible server on loopback)",
        description="Serve SCRIPT's answers at http://HOST:PORT/v1 until Ctrl-C (as python -m "
                    "pytest_evalindex.model.mock does). With --model, requests naming another model get HTTP 404, "
                    "as a real server answers an unknown model.")
    serve.add_argument("script", metavar="SCRIPT", help="mock script JSON (answers, rules, latency, faults)")
    serve.add_argument("--model", action="append", metavar="NAME",
                       help="the only model name the server accepts (repeatable; default: any name)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default: any free port, printed at start)")
    serve.add_argument("--latency", type=float, default=None, help="override the script's latency (seconds)")
    serve.set_defaults(handler=_serve)

    write = commands.add_parser(
        "mock-script", help="write a mock script that answers a suite's prompts",
        description="Write a mock script keyed by the exact last user message of every line of SUITE. A share "
                    "--correct of the samples (chosen with --seed) gets its target in the shape its scorer reads "
                    "(ANSWER: <letter> for multiple choice, \\boxed{...} for math, the target text otherwise); the "
                    "rest a wrong letter or 'I am not sure.'.")
    write.add_argument("suite", type=Path, metavar="SUITE", help="mixed JSONL collection")
    write.add_argument("-o", "--output", type=Path, required=True, metavar="SCRIPT", help="script JSON to write")
    write.add_argument("--correct", type=_share, default=1.0, metavar="F",
                       help="share of samples answered correctly, 0..1 (default 1)")
    write.add_argument("--seed", type=int, default=0, help="seed choosing the correct samples (default 0)")
    write.add_argument("--model", default="mock-model", metavar="NAME", help="the script's model name")
    write.set_defaults(handler=_write_script)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return value


def _serve(args: argparse.Namespace) -> int:
    """Become ``python -m pytest_evalindex.model.mock`` (the server lives in model/, with the HTTP libraries)."""
    argv = [sys.executable, "-m", "pytest_evalindex.model.mock", "--script", args.script, "--host", args.host,
            "--port", str(args.port)]
    argv += [item for name in args.model or [] for item in ("--model", name)]
    if args.latency is not None:
        argv += ["--latency", str(args.latency)]
    sys.stdout.flush()
    os.execv(sys.executable, argv)


def script_for(entries: list[Entry], *, correct: float, seed: int, model: str) -> dict[str, Any]:
    """The mock script answering ``entries``: ``round(correct × N)`` of them right, chosen with ``seed``."""
    from pytest_evalindex.model.mock.script import last_user_text

    right = set(random.Random(seed).sample(range(len(entries)), round(correct * len(entries))))
    answers: dict[str, str] = {}
    for position, entry in enumerate(entries):
        answers[last_user_text(entry.openai_messages())] = (
            right_answer(entry) if position in right else wrong_answer(entry))
    return {"model": model, "default": UNSURE, "answers": answers}


def right_answer(entry: Entry) -> str:
    """The target as the entry's scorer reads it."""
    spec = lookup(entry.scorer or entry.dataset_name)
    target = entry.prompt.target_text
    if entry.prompt.choices:
        return f"ANSWER: {target}"
    if spec is not None and spec.family == "math":
        return f"The answer is \\boxed{{{target}}}."
    return target


def wrong_answer(entry: Entry) -> str:
    """Another choice's letter for multiple choice, else an answer no scorer accepts."""
    choices = entry.prompt.choices
    if choices:
        letters = [chr(ord("A") + i) for i in range(len(choices))]
        others = [letter for letter in letters if letter not in entry.prompt.target_text]
        if others:
            return f"ANSWER: {others[0]}"
    return UNSURE


def _write_script(args: argparse.Namespace) -> int:
    try:
        collection = load_collection(args.suite)
    except CollectionError as exc:
        print(f"evalindex: error: {exc}", file=sys.stderr)
        return 2
    script = script_for(list(collection.entries), correct=args.correct, seed=args.seed, model=args.model)
    if len(script["answers"]) < len(collection.entries):
        print(f"warning: {len(collection.entries) - len(script['answers'])} lines share a prompt with another "
              "line; they get one answer", file=sys.stderr)
    try:
        args.output.write_text(json.dumps(script, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"evalindex: error: {args.output}: cannot write ({exc.strerror})", file=sys.stderr)
        return 2
    print(f"wrote {len(script['answers'])} answers to {args.output}", file=sys.stderr)
    return 0
