"""FinQA's program language: tokenising a program and executing it on the question's table.

A program is steps such as ``subtract(5829, 5735), divide(#0, 5735)``; ``#k`` is step k's result,
``const_100`` a constant, ``table_max(row name, none)`` a statistic of a table row. The behaviour
(including what counts as an invalid program) follows the official FinQA evaluation as EvalScope
1.14.1 runs it: the program text is split on ``)`` and ``|``-joined tokens, not parsed as a grammar.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

OPERATIONS = frozenset({"add", "subtract", "multiply", "divide", "exp", "greater",
                        "table_max", "table_min", "table_sum", "table_average"})
_ARITHMETIC = frozenset({"add", "subtract", "multiply", "divide", "exp", "greater"})
_STATISTICS = OPERATIONS - _ARITHMETIC
NOT_A_NUMBER = "n/a"


class InvalidProgram(Exception):
    """The program cannot be executed (bad structure, unknown row, non-numeric argument)."""


def tokenize(program: str) -> list[str]:
    """``add(1, #0)`` → ``['add(', '1', '#0', ')', 'EOF']``: pieces split on ", ", brackets kept as token ends."""
    tokens: list[str] = []
    for piece in program.split(", "):
        current = ""
        for char in piece:
            if char == ")" and current:
                tokens.append(current)
                current = ""
            current += char
            if char in "()":
                tokens.append(current)
                current = ""
        if current:
            tokens.append(current)
    tokens.append("EOF")
    return tokens


def well_formed(tokens: Sequence[str]) -> bool:
    """Every fourth token (from the first) names an operation and every fourth (from the fourth) is ``)``."""
    for i, token in enumerate(tokens):
        if i % 4 == 0 and token.strip("(") not in OPERATIONS:
            return False
        if i % 4 == 3 and token != ")":
            return False
    return True


def split_steps(tokens: Sequence[str]) -> list[str]:
    """The steps' texts: the tokens joined with ``|`` and cut at every ``)`` (the text after the last dropped)."""
    return "|".join(tokens).split(")")[:-1]


def step_parts(step: str) -> tuple[str, str, str]:
    """``(operation, first argument, second argument)`` of one step text; IndexError when one is missing."""
    head, tail = step.split("(")[0], step.split("(")[1]
    args = tail.strip("|").strip().split("|")
    return head.strip("|").strip(), args[0].strip(), args[1].strip()


def to_number(text: str) -> float | str:
    """A number from a program argument or table cell (``1,234``, ``5%`` → 0.05, ``const_m1`` → -1); else "n/a".

    A ``const`` text that is still not a number raises ValueError, as in the official code.
    """
    text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    if "%" in text:
        try:
            return float(text.replace("%", "")) / 100.0
        except ValueError:
            return NOT_A_NUMBER
    if "const" in text:
        text = text.replace("const_", "")
        return float("-1" if text == "m1" else text)
    return NOT_A_NUMBER


def row_numbers(cells: Sequence[str]) -> list[float] | str:
    """A table row's cells as numbers (``$`` and any ``(…)`` suffix dropped); "n/a" if one is not a number."""
    numbers: list[float] = []
    for cell in cells:
        value = to_number(cell.replace("$", "").strip().split("(")[0].strip())
        if isinstance(value, str):
            return NOT_A_NUMBER
        numbers.append(value)
    return numbers


def _argument(text: str, results: dict[int, Any]) -> Any:
    if "#" in text:
        return results[int(text.replace("#", ""))]
    value = to_number(text)
    if value == NOT_A_NUMBER:
        raise InvalidProgram(f"not a number: {text!r}")
    return value


def _arithmetic(op: str, a: Any, b: Any) -> Any:
    # Plain Python operators on whatever the arguments are, as the official code does (a "yes"/"no"
    # result fed on makes later steps fail, or not, exactly as there).
    if op == "add":
        return a + b
    if op == "subtract":
        return a - b
    if op == "multiply":
        return a * b
    if op == "divide":
        return a / b
    if op == "exp":
        return a ** b
    return "yes" if a > b else "no"


def _statistic(op: str, row: Any) -> Any:
    if op == "table_max":
        return max(row)
    if op == "table_min":
        return min(row)
    if op == "table_sum":
        return sum(row)
    return sum(row) / len(row)  # table_average


def execute(tokens: Sequence[str], table: Sequence[Sequence[str]]) -> tuple[bool, Any]:
    """Run a tokenised program on ``table``: ``(valid, result)``; the result is rounded to 5 decimals or yes/no."""
    body = list(tokens[:-1])  # without EOF
    if not well_formed(body):
        return False, NOT_A_NUMBER
    result: Any = NOT_A_NUMBER
    valid = True
    try:
        results: dict[int, Any] = {}
        row: Any = None  # a table step's row stays in scope for later table steps, as in the official code
        row_seen = False
        for index, step in enumerate(split_steps(body)):
            step = step.strip()
            if len(step.split("(")) > 2:
                valid = False
                break
            op, first, second = step_parts(step)
            try:
                if op in _ARITHMETIC:
                    result = _arithmetic(op, _argument(first, results), _argument(second, results))
                    results[index] = result
                elif "table" in op:  # an unknown "table…" operation leaves the result as it was
                    rows = {cells[0]: cells[1:] for cells in table}
                    if "#" in first:
                        results[int(first.replace("#", ""))]
                    elif first not in rows:
                        raise InvalidProgram(f"no table row {first!r}")
                    else:
                        row, row_seen = row_numbers(rows[first]), True
                    if not row_seen:
                        raise InvalidProgram("table operation on a step result")
                    if row == NOT_A_NUMBER:
                        raise InvalidProgram("non-numeric table row")
                    if op in _STATISTICS:
                        result = _statistic(op, row)
                    results[index] = result
            except InvalidProgram:
                valid = False
                break
        if result not in ("yes", "no", NOT_A_NUMBER):
            result = round(result, 5)
    except Exception:
        valid = False
    return valid, result
