"""tool_bench: one ToolBench step (``Action:`` / ``Action Input:``) scored against the reference step,
as EvalScope 1.14.1 does (Act.EM, F1 of the arguments, HalluRate, plan_em, Rouge-L of a final answer).

Which keys exist depends on the reference step: a tool call writes Act.EM/F1, a final answer Rouge-L.
The main metric is F1; without it EvalScope falls back to the first key (HalluRate for a final-answer
step), which is what a collection averages; this scorer does the same.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.structured.common import from_values
from pytest_evalindex.scorers.text import clean_completion

_FAILED = {"Act.EM": 0.0, "Plan.EM": 0.0, "F1": 0.0, "HalluRate": 1.0, "Rouge-L": 0.0}


def parse_action(text: Any) -> tuple[str, Any]:
    """The text after the last ``Action:`` (cut at ``Action Input:``) and after the last ``Action Input:``.

    Defaults: action ``none`` and input ``{}``.
    """
    action_input = text[text.rindex("Action Input:") + len("Action Input:"):].strip() \
        if "Action Input:" in text else "{}"
    if "Action:" not in text:
        return "none", action_input
    action = text[text.rindex("Action:") + len("Action:"):].strip()
    if "Action Input:" in action:
        action = action[:action.index("Action Input:")].strip()
    return action, action_input


def parse_step(text: Any) -> tuple[str, Any, Any, Any]:
    """``(plan, action, action input, answer)``: plan is ``call``, ``finish`` or ``give up``."""
    action, action_input = parse_action(text)
    if action != "Finish":
        return "call", action, action_input, None
    try:
        payload = json.loads(action_input)
        if payload["return_type"] != "give_answer":
            return "give up", None, None, None
        answer = str(payload["final_answer"]) if "final_answer" in payload.keys() else "None"
        if answer.strip() in ("", ".", ","):
            answer = "None"
        return "finish", action, payload, answer
    except Exception:
        return "give up", None, None, None


def argument_f1(predicted: Any, reference: Any) -> tuple[str, float] | None:
    """F1 of the predicted arguments (a half match for a right key with a wrong value) and whether the
    reference has no arguments (``easy``) or some (``hard``); ``None`` when the reference is not JSON."""
    try:
        ref = json.loads(reference)
    except Exception:
        return None
    try:
        cand = json.loads(predicted)
        if ref == {}:
            return "easy", float(cand == {})
        full = half = 0
        for key, value in ref.items():
            if key in cand.keys():
                if cand[key] == value:
                    full += 1
                else:
                    half += 1
        matched = 0.5 * half + full
        recall = matched / (len(ref) + 1e-30)
        precision = matched / (len(cand) + 1e-30)
        return "hard", (2 * recall * precision) / (recall + precision)
    except Exception:
        return ("easy" if ref == {} else "hard"), 0.0


@lru_cache(maxsize=1)
def _rouge() -> Any:
    from rouge_score import rouge_scorer

    class _Whitespace:
        def tokenize(self, text: str) -> list[str]:
            return text.split()

    return rouge_scorer.RougeScorer(["rougeL"], tokenizer=_Whitespace())


def answer_rouge_l(predicted: str, reference: str) -> float:
    """ROUGE-L F-measure over whitespace tokens (0.0 when rouge-score cannot score the pair)."""
    try:
        return float(_rouge().score(target=reference, prediction=predicted)["rougeL"].fmeasure)
    except Exception:
        return 0.0


def _names(tools: Any) -> list[Any]:
    return [tool["name"] for tool in tools]


def step_metrics(reference: Any, prediction: str, tools: Any) -> dict[str, float]:
    """EvalScope's per-step metric dict; empty when the step cannot be scored (then excluded).

    The tool list is read only when a check needs it, so a malformed one fails exactly where EvalScope's does.
    """
    ref_plan, ref_action, ref_input, ref_answer = parse_step(reference)
    plan, action, action_input, answer = parse_step(prediction)
    if ref_action is not None and ref_action == "invalid_hallucination_function_name":
        return {}
    if action is not None and ref_action != "none" and ref_action not in _names(tools):
        return {}
    hallucinated = int(action is not None and action != "none" and action not in _names(tools))
    metrics: dict[str, float] = {}
    easy: float | None = None
    hard: float | None = None
    if ref_plan == "call":
        predicted_action = "none" if action is None else action
        metrics["Act.EM"] = float(predicted_action == ref_action)
        f1 = None
        if predicted_action != ref_action:
            easy, hard, f1 = 0.0, 0.0, 0.0
        else:
            found = argument_f1("{}" if action_input is None else action_input, ref_input)
            if found is not None:
                f1 = found[1]
                easy, hard = (f1, None) if found[0] == "easy" else (None, f1)
        if f1 is not None:
            metrics["F1"] = f1
    metrics["HalluRate"] = float(hallucinated)
    metrics["plan_em"] = float(plan == ref_plan)
    if easy is not None:
        metrics["Easy_F1"] = easy
    if hard is not None:
        metrics["Hard_F1"] = hard
    if ref_plan == "finish":
        metrics["Rouge-L"] = answer_rouge_l("none" if answer is None else answer, ref_answer)
    return metrics


def tool_bench(sample: ScoreInput) -> Score:
    """Main metric F1 (first key when absent); excluded when the step cannot be scored."""
    prediction = clean_completion(sample.completion)
    try:
        metrics = step_metrics(sample.metadata["target"], prediction, sample.metadata["tools"])
    except Exception as exc:
        return from_values(_FAILED, "F1", extracted=prediction, explanation=f"evaluation failed: {exc}")
    return from_values(metrics, "F1", extracted=prediction, explanation=f"Metrics: {metrics}")
