"""Parity cases for EvalScope 1.14.1's 15 math-equivalence benchmarks (correct, wrong, extraction edges)."""

from __future__ import annotations

from typing import Any

_BOX = "\nReason step by step and give the final answer inside \\boxed{}."
_BOX_ZH = "\n请逐步推理，并把最终答案写在 \\boxed{} 中。"

# (dataset, subset, question, target, [(answer, note), ...]); the first two answers are correct / wrong
_TABLE: list[tuple[str, str, str, Any, list[tuple[str, str]]]] = [
    ("aime24", "default", "Find the remainder when 2^10 is divided by 1000." + _BOX, "24", [
        ("2^10 = 1024, so the remainder is \\boxed{24}.", "correct"), ("\\boxed{124}", "wrong"),
        ("\\boxed{024}", "edge: leading zero"), ("The answer is 24.0", "edge: decimal form of an integer"),
        ("\\boxed{\\frac{48}{2}}", "edge: fraction equal to the integer")]),
    ("aime25", "default", "How many positive divisors does 36 have?" + _BOX, "9", [
        ("\\boxed{9}", "correct"), ("\\boxed{8}", "wrong"), ("There are nine divisors.", "edge: number as a word"),
        ("$9$", "edge: inline math, no box")]),
    ("aime26", "default", "What is the sum of the first 10 positive integers?" + _BOX, "55", [
        ("Sum = 10*11/2 = \\boxed{55}", "correct"), ("\\boxed{45}", "wrong"),
        ("\\boxed{55}\\boxed{56}", "edge: two boxes"), ("<think>maybe 45</think>\\boxed{55}", "edge: think block")]),
    ("aime25", "default", "Compute 7 times 8." + _BOX, "fifty-six", [
        ("\\boxed{56}", "edge: reference is not an integer literal"), ("\\boxed{57}", "wrong vs unusable reference")]),
    ("amc", "amc23", "What is 3/4 of 20?" + _BOX, "15", [
        ("\\boxed{15}", "correct"), ("\\boxed{16}", "wrong"), ("$\\boxed{15.0}$", "edge: 15.0"),
        ("The answer is $15$.", "edge: no box")]),
    ("arxivmath", "arxiv/january", "Evaluate the integral of 2x from 0 to 3." + _BOX, "9", [
        ("\\boxed{9}", "correct"), ("\\boxed{6}", "wrong"), ("\\boxed{x^2\\big|_0^3 = 9}", "edge: expression with result")]),
    ("cmath", "Grade 3", "小明有 12 个苹果，吃掉 5 个，还剩几个？" + _BOX_ZH, "7", [
        ("12 - 5 = 7，答案是 \\boxed{7}", "correct"), ("\\boxed{8}", "wrong"), ("还剩7个", "edge: Chinese text, no box"),
        ("答案：7个苹果", "edge: unit attached")]),
    ("competition_math", "Level 3", "Simplify \\sqrt{50}." + _BOX, "5\\sqrt{2}", [
        ("\\boxed{5\\sqrt{2}}", "correct"), ("\\boxed{25\\sqrt{2}}", "wrong"), ("\\boxed{\\sqrt{2}\\cdot 5}", "edge: reordered"),
        ("\\boxed{7.0710678}", "edge: decimal approximation")]),
    ("gsm8k", "main", "Tom buys 3 boxes of 12 eggs and uses 9 eggs. How many eggs are left?" + _BOX, "27", [
        ("36 - 9 = 27 eggs.\n\\boxed{27}", "correct"), ("\\boxed{26}", "wrong"), ("The answer is 27 eggs.", "edge: no box"),
        ("\\boxed{27.00}", "edge: trailing zeros"), ("\\boxed{2700\\%}", "edge: percentage")]),
    ("gsm8k", "main", "A shirt costs $1,234 after tax. What is the price?" + _BOX, "1234", [
        ("\\boxed{1,234}", "edge: thousands separator"), ("\\boxed{\\$1234}", "edge: dollar sign"),
        ("ANSWER: 1234", "edge: answer line")]),
    ("gsm8k_indic", "hi", "राम के पास 5 पेन हैं और वह 3 और खरीदता है। कुल कितने पेन हैं?" + _BOX, "8", [
        ("5 + 3 = 8\n\\boxed{8}", "correct"), ("\\boxed{7}", "wrong"), ("कुल 8 पेन", "edge: no box, Devanagari text")]),
    ("hmmt25", "default", "Find the number of ordered pairs (a, b) of positive integers with a + b = 10." + _BOX, "9", [
        ("\\boxed{9}", "correct"), ("\\boxed{10}", "wrong"), ("\\boxed{9 \\text{ pairs}}", "edge: text in box")]),
    ("hmmt26", "default", "Compute the value of (1 + 2 + 3)^2." + _BOX, "36", [
        ("\\boxed{36}", "correct"), ("\\boxed{14}", "wrong"), ("\\boxed{6^2}", "edge: unevaluated power")]),
    ("hmmt_nov25", "default", "Find x if 3x = 2." + _BOX, "\\frac{2}{3}", [
        ("\\boxed{\\frac{2}{3}}", "correct"), ("\\boxed{\\frac{3}{2}}", "wrong"), ("\\boxed{0.6667}", "edge: rounded decimal"),
        ("\\boxed{2/3}", "edge: slash fraction"), ("\\boxed{x = \\frac{2}{3}}", "edge: equation")]),
    ("math_500", "Level 2", "What is half of 1?" + _BOX, "\\frac{1}{2}", [
        ("\\boxed{\\frac12}", "correct"), ("\\boxed{2}", "wrong"), ("\\boxed{0.5}", "edge: decimal"),
        ("\\boxed{50\\%}", "edge: percent"), ("so \\boxed{3}</think>The answer is \\boxed{\\frac{1}{2}}", "edge: unpaired think")]),
    ("math_500", "Level 5", "Solve x^2 = 4." + _BOX, "2, -2", [
        ("\\boxed{-2, 2}", "correct (set order)"), ("\\boxed{2}", "wrong: one root"), ("\\boxed{\\pm 2}", "edge: plus-minus")]),
    ("math_500", "Level 4", "Write the interval where x > 1." + _BOX, "(1, \\infty)", [
        ("\\boxed{(1,\\infty)}", "correct"), ("\\boxed{[1,\\infty)}", "wrong: closed"), ("\\boxed{x>1}", "edge: inequality")]),
    ("mgsm", "fr", "Marie a 4 pommes et en achète 6. Combien en a-t-elle ?" + _BOX, "10", [
        ("\\boxed{10}", "correct"), ("\\boxed{11}", "wrong"), ("La réponse est 10.", "edge: French text, no box")]),
    ("poly_math", "zh", "计算 2 的 5 次方。" + _BOX_ZH, "32", [
        ("\\boxed{32}", "correct"), ("\\boxed{25}", "wrong"), ("\\boxed{2^5}", "edge: unevaluated power")]),
    ("mgsm", "en", "What is 100 divided by 8?" + _BOX, "12.5", [
        ("\\boxed{12.5}", "correct"), ("\\boxed{12}", "wrong"), ("\\boxed{\\frac{25}{2}}", "edge: fraction vs decimal"),
        ("\\boxed{12,5}", "edge: decimal comma")]),
    ("gsm8k", "main", "How many legs do 2 dogs have?" + _BOX, ["8", "eight"], [
        ("\\boxed{8}", "edge: two accepted answers (excluded by one-reference rule)")]),
]


def _cases() -> list[dict[str, Any]]:
    out = []
    for ds, subset, question, target, answers in _TABLE:
        for answer, note in answers:
            out.append({"dataset_name": ds, "subset_name": subset, "input": question, "choices": None,
                        "target": target, "metadata": {}, "answer": answer, "note": note})
    return out


CASES: list[dict[str, Any]] = _cases()
