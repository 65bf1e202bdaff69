"""The judge prompts, written for this project (same rubric, labels and inputs as EvalScope 1.14.1, other words).

Each template is a ``system`` text (or ``None``) and a ``user`` text with ``{placeholders}``; the
verdict schema's instruction is appended to the user text. ``load_templates`` reads a user's own
templates (``--eval-judge-templates DIR``): ``DIR/<name>.json`` holding ``{"system": ..., "user": ...}``
replaces the built-in template ``<name>`` (``generic`` for the generic judge). Placeholders every
template may use: ``{question}``, ``{target}`` (aliases ``{gold}``, ``{correct_answer}``, ``{answer_1}``),
``{prediction}`` (aliases ``{pred}``, ``{predicted_answer}``, ``{response}``, ``{answer_2}``), ``{problem}``
(= question), for pairwise templates ``{instruction}``, ``{output_1}``, ``{output_2}``; rubric templates also
get ``{rubric}`` and ``{conversation}`` (``role: text`` lines), plawbench's ``{max_points}``; two-turn samples
(mt_bench) ``{turn_1}``, ``{turn_2}``, ``{reply_1}``, ``{reply_2}``, ``{reference_1}``, ``{reference_2}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Formatter

from pytest_evalindex.scorers.judge import mt_bench_prompts as mt
from pytest_evalindex.scorers.judge import rubric_prompts


class TemplateError(ValueError):
    """A user template that cannot be used; ``str()`` is one line naming the file and the fix."""


@dataclass(frozen=True)
class Template:
    """One judge prompt: optional system text and the user text with placeholders."""

    user: str
    system: str | None = None
    source: str = "built-in"

    def render(self, values: Mapping[str, str]) -> tuple[str | None, str]:
        """(system, user) with every placeholder filled (unknown ones are a :class:`TemplateError`)."""
        try:
            return self.system, self.user.format_map(dict(values))
        except (KeyError, IndexError, ValueError) as exc:
            raise TemplateError(f"{self.source}: placeholder {exc} cannot be filled") from None


_CHINESE_SIMPLEQA_SYSTEM = "你是一名评测助手。请对照题目和标准答案，判断模型给出的答案属于哪一类。"
_CHINESE_SIMPLEQA = """请根据题目和标准答案，把下面的模型答案归入三类之一。

【正确】模型答案包含标准答案的全部关键信息，且没有与之矛盾的内容；措辞、语言、大小写、标点不同都无妨，答案里附带的额外说明只要不与标准答案冲突也可以接受。
【错误】模型答案给出的信息与标准答案矛盾，或者先给出正确信息又给出与之冲突的说法，或者用“可能是……也可能是……”之类的方式同时给出多个候选答案。
【未尝试】模型答案没有给出标准答案的关键信息，但也没有与之矛盾的内容，例如表示不知道、拒绝回答，或只回答了一部分而缺少关键信息。

补充规则：
- 数字类答案只需精确到标准答案的最后一位有效数字即可，例如标准答案为 120 万，答 119.7 万 属于正确，答 100 万 属于错误。
- 标准答案可能比问题要求的信息更多，模型答案只要覆盖问题真正问到的部分即可算正确。
- 人名、地名等译名只要指向同一对象，不同译法、拼写上的小差异都算正确。
- 只要能从题目推断出的信息（例如题目已说明单位或所在国家），模型答案省略它也算正确。

问题：{question}
标准答案：{target}
模型答案：{prediction}

请判断：A 代表【正确】，B 代表【错误】，C 代表【未尝试】。"""

_SIMPLE_QA = """Grade one predicted answer against the gold target of a question, as exactly one of three grades.

CORRECT: the prediction contains the essential information of the gold target and nothing that contradicts it.
Wording, language, capitalisation and punctuation do not matter; hedged wording is fine as long as the stated
answer is the gold one; extra detail is fine unless it contradicts the gold target.
INCORRECT: the prediction states something that contradicts the gold target, including a final answer that
differs from it, or it offers several candidate answers of which at least one is wrong (even with hedging).
NOT_ATTEMPTED: the prediction does not contain the essential information of the gold target but does not
contradict it either (for example "I don't know", a refusal, or an answer that stops before the key fact).

Further rules:
- A number is correct when it agrees with the gold target to the gold target's last significant figure
  (gold 120k: 119.7k and 120,000 are correct, 100k is incorrect; "around 100k" is not attempted).
- The gold target may say more than the question asks; the prediction only needs what the question asks.
- Information the question itself makes obvious may be left out of the prediction.
- Small spelling differences in a person's name are fine when it is clearly the same person.

Question: {question}
Gold target: {target}
Predicted answer: {prediction}

Use A for CORRECT, B for INCORRECT, C for NOT_ATTEMPTED."""

_AA_LCR = """Decide whether the CANDIDATE ANSWER below is CORRECT or INCORRECT. It is CORRECT when it agrees with the
OFFICIAL ANSWER, and INCORRECT otherwise.

Question (context only): {question}
OFFICIAL ANSWER: {target}
CANDIDATE ANSWER: {prediction}

The verdict is CORRECT or INCORRECT."""

_HLE = """Decide whether a response answers a question correctly, judged only against the given correct answer.

[question]: {question}

[response]: {prediction}

[correct_answer]: {target}

Find the final answer the response commits to. It is correct ("C") when it matches the correct answer, allowing
only a small margin for numerical answers; any inconsistency, ambiguity, non-equivalent answer or missing final
answer makes it incorrect ("I"). Do not solve the question yourself and do not argue for another answer."""

_BROWSECOMP = """Decide whether a response to a question is correct, judged only against the precise correct answer.

[question]: {question}

[response]: {response}

[correct_answer]: {target}

Report these:
- extracted_final_answer: the final, exact answer the response commits to, copied from it ("None" when it
  gives none).
- reasoning: why that answer does or does not match the correct answer. Only compare the two: do not solve the
  question, and do not argue for an answer other than the correct one.
- correct: "yes" when the extracted answer matches the correct answer (a small margin is fine for numbers),
  "no" for any inconsistency, ambiguity, non-equivalent or wrong answer.
- confidence: the confidence (0 to 100) the response states for its answer, or 100 when it states none."""

_CL_BENCH = """You grade a student's response strictly against the rubrics below. The grade is all or nothing: 1 only
when the response fully meets every rubric, 0 as soon as one rubric is not fully met.

Work through it in order, skipping no step:
1. List every explicit requirement of the rubrics (format, content, quantity, order, ...) and the implicit ones
   (style, structure), each with a concrete test ("must contain X", "must not exceed Y").
2. Check the response against each requirement, one at a time, and note whether it is fully met.
3. Before grading, check yourself: every requirement reviewed, none relaxed on a subjective impression, the
   grade consistent with your rationale, and every judgement based on what the response actually says.

Rubrics:
{rubric}

Student response:
{prediction}

Give your rationale in "Grading Rationale", one status per requirement in "List of Requirement Satisfaction
Status", and the grade (0 or 1) in "Overall Score"."""

_FRAMES_SYSTEM = """You check whether two answers to one problem are equivalent. Do not try to solve the problem:
only compare the answers, and treat them as the same when they state the same value or meaning in different
words, forms or notations. Explain briefly why they are or are not equivalent."""
_FRAMES = """
Problem: {question}
Answer 1: {target}
Answer 2: {prediction}

Say YES when the two answers are equivalent and NO when they are not."""

_LONGMEMEVAL = """Below are a question, its correct answer and a model's response. Say "yes" when the response
answers the question correctly and "no" when it does not.
{rubric}
Question: {question}

Correct answer: {target}

Model response: {prediction}

Is the model response correct? Answer yes or no."""

LONGMEMEVAL_RUBRICS: dict[str, str] = {
    "default": "The response is correct when it contains the correct answer, or states every intermediate step "
               "needed to reach it and arrives at it. A response that gives only part of the correct answer is "
               "not correct.",
    "temporal-reasoning": "The response is correct when it contains the correct answer, or states every "
                          "intermediate step needed to reach it. For counts of days, weeks or months, an answer "
                          "that is off by one (e.g. 19 days where 18 is expected) still counts as correct.",
    "knowledge-update": "The response is correct when it contains the correct (most recent) answer; mentioning "
                        "an earlier, superseded value as well is fine as long as the updated answer is given.",
    "single-session-preference": "The correct answer here is a rubric describing the personalised response "
                                 "wanted. The response is correct when it recalls and uses the user's personal "
                                 "information as the rubric asks; it need not cover every point of the rubric.",
    "abstention": "The question cannot be answered from the conversation history. The response is correct when "
                  "it says the question cannot be answered (for example that the information was never "
                  "mentioned); the correct answer below explains why.",
}

_ALPACA_SYSTEM = ("You compare the outputs of two language models for the same instruction and pick the one a "
                  "careful human reviewer would prefer. Judge helpfulness, accuracy and how well each output "
                  "follows the instruction, not its length or its position.")
_ALPACA = """Instruction:
{instruction}

Output of model m:
{output_1}

Output of model M:
{output_2}

Which model's output is better? Use "m" or "M" as the verdict."""

_ARENA_SYSTEM = """You are an impartial judge of two AI assistants' answers to the same user prompt.

First write your own answer to the prompt, so you have something to measure against. Then compare both answers
with yours and with each other: point out mistakes and inaccurate information and correct them; judge whether
each answer is helpful (it does what the prompt asks, and asks for clarification when the prompt is ambiguous
rather than guessing), relevant (every part fits the prompt) and concise (clear, not verbose); where it matters,
weigh creativity and novelty; note important information an answer leaves out. Then give your verdict:

A>>B: Assistant A is significantly better
A>B: Assistant A is slightly better
A=B: they are about the same
B>A: Assistant B is slightly better
B>>A: Assistant B is significantly better"""
_ARENA = """[User prompt]
{question}

[Assistant A's answer]
{answer_1}
[End of Assistant A's answer]

[Assistant B's answer]
{answer_2}
[End of Assistant B's answer]"""

_GENERIC = """Decide whether a predicted answer to a question is correct, using the reference answer as the truth.

[Question] {question}
[Reference Answer] {target}
[Predicted Answer] {prediction}

A means the prediction is CORRECT (it agrees with the reference answer); B means it is INCORRECT."""

BUILTIN: dict[str, Template] = {
    "chinese_simpleqa": Template(_CHINESE_SIMPLEQA, _CHINESE_SIMPLEQA_SYSTEM),
    "simple_qa": Template(_SIMPLE_QA),
    "aa_lcr": Template(_AA_LCR),
    "hle": Template(_HLE),
    "frames": Template(_FRAMES, _FRAMES_SYSTEM),
    "browsecomp": Template(_BROWSECOMP),
    "cl_bench": Template(_CL_BENCH),
    "docmath": Template(_FRAMES, _FRAMES_SYSTEM),  # the same equivalence check; its own name for user templates
    "longmemeval": Template(_LONGMEMEVAL),
    "alpaca_eval": Template(_ALPACA, _ALPACA_SYSTEM),
    "arena_hard": Template(_ARENA, _ARENA_SYSTEM),
    "generic": Template(_GENERIC),
    "health_bench": Template(rubric_prompts.HEALTH_BENCH),
    "prbench": Template(rubric_prompts.PRBENCH),
    "one_million_bench": Template(rubric_prompts.ONE_MILLION_BENCH),
    "plawbench_case_analysis": Template(rubric_prompts.PLAWBENCH_CASE_ANALYSIS,
                                        rubric_prompts.PLAWBENCH_CASE_ANALYSIS_SYSTEM),
    "plawbench_legal_qa": Template(rubric_prompts.PLAWBENCH_TOTAL, rubric_prompts.PLAWBENCH_LEGAL_QA_SYSTEM),
    "plawbench_document_generation": Template(rubric_prompts.PLAWBENCH_TOTAL, rubric_prompts.PLAWBENCH_DOCUMENT_SYSTEM),
    "mt_bench_turn1": Template(mt.TURN1, mt.TURN1_SYSTEM),
    "mt_bench_turn1_ref": Template(mt.TURN1_REF, mt.TURN1_SYSTEM),
    "mt_bench_turn2": Template(mt.TURN2, mt.TURN2_SYSTEM),
    "mt_bench_turn2_ref": Template(mt.TURN2_REF, mt.TURN2_REF_SYSTEM),
}
"""The built-in templates by name."""


def load_templates(directory: Path | None) -> dict[str, Template]:
    """The built-in templates, with those found in ``directory`` (``<name>.json``) in their place."""
    templates = dict(BUILTIN)
    if directory is None:
        return templates
    if not directory.is_dir():
        raise TemplateError(f"--eval-judge-templates: {directory} is not a folder; pass a folder of <dataset>.json")
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TemplateError(f"{path}: not a readable JSON file ({exc})") from None
        user, system = (data.get("user"), data.get("system")) if isinstance(data, dict) else (None, None)
        if not isinstance(user, str) or not (system is None or isinstance(system, str)):
            raise TemplateError(f"{path}: needs a JSON object with a \"user\" string (and an optional "
                                "\"system\" string)")
        _check_placeholders(path, user)
        templates[path.stem] = Template(user, system, source=str(path))
    return templates


def _check_placeholders(path: Path, text: str) -> None:
    try:
        names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise TemplateError(f"{path}: {exc}; write a literal brace as {{{{ or }}}}") from None
    unknown = sorted(name for name in names if name.split(".")[0].split("[")[0] not in PLACEHOLDERS)
    if unknown:
        raise TemplateError(f"{path}: unknown placeholder {{{unknown[0]}}}; use one of "
                            + ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS)))


PLACEHOLDERS = frozenset({
    "question", "problem", "instruction", "target", "gold", "correct_answer", "answer_1", "prediction", "pred",
    "predicted_answer", "response", "answer_2", "output_1", "output_2", "rubric", "conversation",
    "max_points", "turn_1", "turn_2", "reply_1", "reply_2", "reference_1", "reference_2",
})
"""Every name a template may use."""
