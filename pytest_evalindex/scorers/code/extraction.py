"""Pulling the program out of a model's answer, the way EvalScope 1.14.1 does it per benchmark."""

from __future__ import annotations

import re

# humaneval: the first fenced block (any tag made of word characters), else the whole answer.
_HUMANEVAL_FENCE = re.compile(r"```\w*\n(.*?)```", re.DOTALL)
# mbpp (EvalScope's free-form extraction): a tag line, the body, a closing fence on its own line.
_FENCE = re.compile(r"```([^\n]*)\n(.*?)\n\s*```", re.DOTALL)
_OPEN_FENCE = re.compile(r"```([^\n]*)\n(.*)", re.DOTALL)
# A run of import/comment lines, then a def/class header and its indented body (blank lines removed first).
_PY_DEFINITION = re.compile(r"(?:^(?:import|from|#)[^\n]+\n)*^(?:def|class) [^\n]+\n(?:\s+[^\n]+\n)+", re.MULTILINE)
_MAIN_GUARD = 'if __name__ == "__main__":'
_EXAMPLE_USAGE = "# Example usage"


def humaneval_code(answer: str) -> str:
    """The first fenced block's content, or the answer unchanged when it has none."""
    match = _HUMANEVAL_FENCE.search(answer)
    return match.group(1) if match else answer


def freeform_python(answer: str) -> str:
    """The first Python block of a free-form answer.

    Closed fences first; if none, an unclosed fence running to the end; if none, the first def/class found
    by indentation. Carriage returns are dropped, and the code is cut before a double-quoted main guard
    and before an "# Example usage" comment (each cut is stripped).
    """
    blocks = [m.group(2) for m in _FENCE.finditer(answer)]
    if not blocks:
        blocks = [m.group(2) for m in _OPEN_FENCE.finditer(answer)]
    if not blocks:
        compact = "\n".join(line for line in answer.split("\n") if line.strip()) + "\n"
        blocks = _PY_DEFINITION.findall(compact)
    code = blocks[0].replace("\r", "") if blocks else ""
    for marker in (_MAIN_GUARD, _EXAMPLE_USAGE):
        if marker in code:
            code = code[: code.index(marker)].strip()
    return code


def mbpp_code(answer: str, test_setup_code: str) -> str:
    """MBPP: cut at [DONE], take the first Python block, stop before a top-level assert or docstring,
    put the dataset's setup code in front, and cut before any `if __name__ ==`.
    """
    if "[DONE]" in answer:
        answer = answer[: answer.index("[DONE]")]
    code = freeform_python(answer)
    for stop in ("\nassert", '\n"""'):
        if stop in code:
            code = code[: code.index(stop)]
    code = f"{test_setup_code}\n{code}"
    if "if __name__ ==" in code:
        code = code[: code.index("if __name__ ==")]
    return code


def live_code_bench_code(answer: str) -> str:
    """LiveCodeBench (chat models): the lines between the last two lines holding a fence; '' if fewer than two."""
    lines = answer.split("\n")
    fences = [i for i, line in enumerate(lines) if "```" in line]
    if len(fences) < 2:
        return ""
    return "\n".join(lines[fences[-2] + 1 : fences[-1]])


def mbpp_plus_code(answer: str) -> str:
    """MBPP+: as MBPP (cut at [DONE], first Python block, stop before an assert or docstring, cut before any
    `if __name__ ==`) but with no setup code in front."""
    if "[DONE]" in answer:
        answer = answer[: answer.index("[DONE]")]
    code = freeform_python(answer)
    for stop in ("\nassert", '\n"""'):
        if stop in code:
            code = code[: code.index(stop)]
    if "if __name__ ==" in code:
        code = code[: code.index("if __name__ ==")]
    return code
