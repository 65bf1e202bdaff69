"""finqa: the program on the answer's last ``Program:`` line, executed (execution_accuracy) and
compared symbolically with the gold program (program_accuracy), as EvalScope 1.14.1 scores it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.structured.common import from_values
from pytest_evalindex.scorers.structured.finqa_exec import execute, split_steps, step_parts, tokenize, well_formed
from pytest_evalindex.scorers.text import clean_completion

_PROGRAM_LINE = re.compile(r"^\s*\**\s*program\s*\**\s*:\s*(.*)$", re.IGNORECASE | re.MULTILINE)
_BARE_COMMA = re.compile(r"\(([^(),\s][^(),]*),([^(),\s][^(),]*)\)")
_SYMBOLIC = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "exp": "**", "greater": ">"}


def parse_program(text: str) -> str:
    """The program on the last ``Program:`` line (bold, any case), spacing normalised to the dataset's
    ``op(a, b), op(#0, c)`` form; "" when there is none."""
    found = _PROGRAM_LINE.findall(text or "")
    if not found:
        return ""
    program = found[-1].strip().strip("*").strip().rstrip(".").strip().strip("`").strip()
    program = re.sub(r"\(\s+", "(", program)
    program = re.sub(r"\s+\)", ")", program)
    program = re.sub(r"\s+,", ",", program)
    program = re.sub(r",\s+", ", ", program)
    return _BARE_COMMA.sub(r"(\1, \2)", program)


def _expression(step: str, steps: dict[int, str], symbols: dict[str, str]) -> str:
    """The step as an infix expression over the gold program's symbols (KeyError for an unknown one)."""
    op, first, second = step_parts(step.strip())
    if "table" in op:
        return symbols[step.strip()]
    parts = [_expression(steps[int(arg.replace("#", ""))], steps, symbols) if "#" in arg else symbols[arg]
             for arg in (first, second)]
    operator = _SYMBOLIC.get(op)
    if operator is None:
        raise ValueError(f"no symbolic form for {op!r}")
    return f"( {parts[0]} {operator} {parts[1]} )"


def _gold_symbols(gold: Sequence[str]) -> tuple[dict[str, str], dict[int, str]]:
    """Symbols ``a0, a1, …`` for the gold program's literal arguments and table steps, and its steps."""
    symbols: dict[str, str] = {}
    steps: dict[int, str] = {}
    for index, raw in enumerate(split_steps(gold[:-1])):
        step = raw.strip()
        op, first, second = step_parts(step)
        steps[index] = step
        names = [step] if "table" in op else [arg for arg in (first, second) if "#" not in arg]
        for name in names:
            symbols.setdefault(name, f"a{len(symbols)}")
    return symbols, steps


def _predicted_steps(predicted: Sequence[str], symbols: dict[str, str]) -> dict[int, str] | None:
    """The predicted program's steps when each uses only gold symbols and earlier results, else ``None``."""
    body = list(predicted[:-1])
    if not well_formed(body):
        return None
    steps: dict[int, str] = {}
    for index, raw in enumerate(split_steps(body)):
        step = raw.strip()
        if len(step.split("(")) > 2:
            return None
        op, first, second = step_parts(step)
        steps[index] = step
        if "table" in op:
            if step not in symbols:
                return None
            continue
        for arg in (first, second):
            if "#" not in arg and arg not in symbols:
                return None
            if "#" in arg and int(arg.strip("#")) >= index:
                return None
    return steps


def same_program(gold: Sequence[str], predicted: Sequence[str]) -> bool:
    """Whether the two tokenised programs are the same formula (sympy, unevaluated simplification)."""
    from sympy import simplify

    symbols, gold_steps = _gold_symbols(gold)
    gold_formula = simplify(_expression(gold_steps[len(gold_steps) - 1], gold_steps, symbols), evaluate=False)
    try:
        steps = _predicted_steps(predicted, symbols)
        if steps is None:
            return False
        last = split_steps(list(predicted[:-1]))[-1]
        predicted_formula = simplify(_expression(last, steps, symbols), evaluate=False)
    except Exception:
        return False
    return bool(gold_formula == predicted_formula)


def score_program(program: str, gold_program: str, gold_answer: Any,
                  table: Sequence[Sequence[str]]) -> tuple[float, float]:
    """``(execution accuracy, program accuracy)`` of one predicted program."""
    if not program:
        return 0.0, 0.0
    predicted = tokenize(program)
    valid, result = execute(predicted, table)
    executed = float(valid and result == gold_answer)
    return executed, float(same_program(tokenize(gold_program), predicted))


def finqa(sample: ScoreInput) -> Score:
    """execution_accuracy (main) and program_accuracy; excluded when the sample lacks program/answer/table."""
    program = parse_program(clean_completion(sample.completion))
    meta = sample.metadata
    if not all(key in meta for key in ("program", "answer", "table")):
        return Score(value=None, extracted=program, metric="execution_accuracy",
                     explanation="metadata needs 'program', 'answer' and 'table'")
    executed, same = score_program(program, str(meta["program"]), meta["answer"], meta["table"])
    return from_values({"execution_accuracy": executed, "program_accuracy": same}, "execution_accuracy",
                       extracted=program, metadata={"gold_answer": meta["answer"], "parsed": bool(program)})
