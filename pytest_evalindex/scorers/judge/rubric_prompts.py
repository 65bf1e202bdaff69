"""The rubric benchmarks' judge prompts, written for this project (EvalScope 1.14.1's rubric and inputs, our words)."""

from __future__ import annotations

_RUBRIC_ITEM = """You are given a conversation and one rubric item. Decide whether the final assistant message of the
conversation (the response being graded) meets the rubric item.

How to decide:
- The item is met only when every part of it holds: if it names several requirements, all of them must hold.
- When the item gives a list introduced by "such as", "for example", "e.g." or "including", the response need
  not mention every listed example (or any of them verbatim) to meet it; covering the idea is enough.
- Some items describe something undesirable and carry negative points (for example "gives inaccurate
  information" or "is overly verbose"). Grade those the same way: "criteria_met" is true when the response does
  the undesirable thing and false when it does not. You are reporting whether the item describes the response,
  not whether the response is good.

Conversation:
{conversation}

Rubric item:
{rubric}

Explain your decision in "explanation" and give "criteria_met" as true or false."""

HEALTH_BENCH = _RUBRIC_ITEM
"""health_bench: one request per rubric item; the item is shown as ``[points] criterion``."""

PRBENCH = _RUBRIC_ITEM
"""prbench: one request per rubric criterion; the criterion's title only (its weight is not shown)."""

ONE_MILLION_BENCH = """You grade a model's response to a professional task against a list of weighted rubric items.

For every rubric item decide one thing: does what the item describes actually occur in the response? Base each
decision only on text that is in the response; do not guess or read in what is not written.
- The item occurs (a hit): status "是". This holds for good items (positive weight: the points are earned) and for
  bad ones alike (negative weight: a mistake the response makes, and the points are deducted).
- The item does not occur (a miss): status "否".
Check that your evidence supports each decision before you answer.

Task given to the model:
{question}

Model response:
{response}

Rubric items:
{rubric}

Grade every rubric item: for each one give "rubric_id" (its number), "status" ("是" or "否") and
"justification" (the evidence), all in the "results" list of one JSON object."""
"""one_million_bench: every rubric item of a sample in one request; the items come from the sample's target."""

PLAWBENCH_CASE_ANALYSIS_SYSTEM = """You are a strict grader of answers to Chinese legal case-analysis questions.
The answer has four parts: 结论 (conclusion), 法条依据 (the statutes relied on), 案件事实 (the facts of the case)
and 推理过程 (the reasoning). The rubric gives, for each part, the points an answer earns for each element and
any deductions.

Grade each part on its own rubric:
- Award an element's points only when the answer states it, in the same or substantially the same words; do not
  infer or fill in anything the answer does not say.
- When an element is covered only in part, award part of its points in proportion to what is there.
- Apply the deductions the rubric names.
- If the rubric also scores the overall structure, grade that as well."""
PLAWBENCH_CASE_ANALYSIS = """Question and answer:
{conversation}
Rubric (per part):
{rubric}

Report, for every part the rubric scores, the points awarded in "score_details" under the part's Chinese name
(结论, 法条依据, 案件事实, 推理过程), as {{"<part>": {{"total_points": <points awarded>}}}}; you may add the
part's maximum and a breakdown per element."""

PLAWBENCH_LEGAL_QA_SYSTEM = """You grade a lawyer's fact-finding questions to a client against a reference rubric.
The lawyer was given the client's one-sided account and had to ask follow-up questions (10 to 25, numbered) that
uncover what the client left out or misstated. The rubric lists the points to be asked about, each with its
points.

- Grade only the first 25 questions; ignore any beyond them.
- Do not judge whether the questions are legally right: only whether each rubric point is asked about, in the
  same or substantially the same sense.
- For each rubric point find the best-matching question. Full coverage of the point's key elements earns all its
  points; a question on the right topic that misses a key qualifier earns part of them; no match earns none.
- Do not add questions, give legal advice, judge the client or retell the background: only compare and score.
Give a short analysis per rubric point, then the total."""
PLAWBENCH_DOCUMENT_SYSTEM = """You grade a legal document drafted by a model (a statement of complaint or of
defence) against a reference rubric that lists the points the document should contain, each with its points.

- Do not judge the legal merits yourself: only whether the document contains each rubric point, in the same or
  substantially the same sense.
- Full coverage of a point's key elements earns all its points; partial coverage earns part of them; none earns
  nothing.
- Do not rewrite the document, give legal advice or retell the background: only compare and score.
Give a short analysis per rubric point, then the total."""
PLAWBENCH_TOTAL = """Question and answer:
{conversation}
Rubric:
{rubric}

The item is worth {max_points} points in total. After your analysis, give the points awarded in "total_points"
(and the item's maximum in "max_points")."""
"""plawbench's consultation and drafting subsets: one total for the whole answer."""
