"""Parity cases for EvalScope's text-match QA benchmarks: yes/no(/maybe) verdicts (coin_flip, drivel_binary,
halueval, pubmedqa), drop, tat_qa, trivia_qa, bbh, general_qa and locomo.

Prompts are short paraphrases of what each adapter asks (the scorers never read them); targets and metadata
have the shape EvalScope's sampler writes into a collection line.
"""

from __future__ import annotations

from typing import Any

CASES: list[dict[str, Any]] = []


def add(dataset: str, subset: str, prompt: str, target: str | list[str], metadata: dict[str, Any],
        answers: list[tuple[str, str]]) -> None:
    """One prompt of ``dataset`` with several (answer, note) replies."""
    for answer, note in answers:
        CASES.append({"dataset_name": dataset, "subset_name": subset, "input": prompt, "choices": None,
                      "target": target, "metadata": metadata, "answer": answer, "note": note})


# --- yes/no verdicts ---------------------------------------------------------------------------------------

_COIN = ("Work through this coin puzzle step by step and finish with a line 'ANSWER: [ANSWER]', where [ANSWER] "
         "is YES or NO.\n\n{q}\n\nReasoning:\n")
add("coin_flip", "default", _COIN.format(q="A coin is heads up. Ann flips it. Bob does not. Is it still heads up?"),
    "NO", {"answer": "NO"}, [
        ("Ann flips once, Bob leaves it: one flip.\nANSWER: NO", "correct"),
        ("One flip in total, so tails.\nANSWER: YES", "wrong"),
        ("ANSWER: no", "edge: lower-case verdict alone on the answer line"),
        ("ANSWER: No, it is tails up.", "edge: verdict with explanation on the line"),
        ("No.", "edge: no answer line, bare verdict"),
        ("no", "edge: whole reply lower-case"),
        ("ANSWER: YES or NO", "edge: both verdicts"),
        ("**ANSWER: NO**", "edge: bold answer line"),
        ("answer: NO", "edge: lower-case marker"),
        ("I am not sure about this one.", "edge: 'not' is not a verdict"),
        ("Yes, Ann flipped it... wait, that makes it tails.\nANSWER: NO", "edge: earlier Yes, answer line No"),
        ("<think>Yes? no.</think>ANSWER: NO", "edge: think block"),
        ("ANSWER: Nope", "edge: no whole-word verdict"),
    ])
add("coin_flip", "default", _COIN.format(q="A coin is heads up. Cy flips it. Di flips it. Is it still heads up?"),
    "YES", {"answer": "YES"}, [
        ("Two flips cancel.\nANSWER: YES", "correct"),
        ("ANSWER: yes.", "edge: lower-case with period"),
        ("ANSWER: Yes!", "edge: capitalised with exclamation"),
        ("The final state: heads. yes", "edge: lower-case verdict inside prose"),
        ("ANSWER: NO", "wrong"),
    ])

_DRIVEL = ("Decide whether the text below is Drivelology (nonsense with hidden depth). Reply Yes or No.\n"
           "#Input Text#: {t}\n#Your Answer#:")
add("drivel_binary", "binary-classification", _DRIVEL.format(t="I bought two copies of 'Solve 50% of Your Problems'."),
    "YES", {"answer": "YES"}, [
        ("Yes", "correct"),
        ("No", "wrong"),
        ("yes", "edge: bare lower-case"),
        ("yes!", "edge: bare lower-case with exclamation"),
        ("Yes. It is not No.", "edge: both verdicts"),
        ("The answer is yes", "edge: lower-case verdict in prose"),
        ("YES, this is drivelology.", "edge: upper-case with explanation"),
        ("#Your Answer#: Yes", "edge: echoed label"),
    ])
add("drivel_binary", "binary-classification", _DRIVEL.format(t="Colourless green ideas sleep furiously."),
    "NO", {"answer": "NO"}, [
        ("No", "correct"),
        ("no.", "edge: bare lower-case with period"),
        ("Not drivelology.", "edge: 'Not' only"),
        ("Yes", "wrong"),
    ])

_HALU = ("Judge whether the answer contains hallucinated information. The judgement MUST be \"Yes\" or \"No\".\n\n"
         "#Knowledge: {k}\n#Question#: {q}\n#Answer#: {a}\n#Your Judgement#:")
add("halueval", "qa_samples", _HALU.format(k="Paris is the capital of France.", q="What is the capital of France?",
                                           a="Lyon"), "YES", {"answer": "yes"}, [
    ("Yes", "correct"),
    ("No", "wrong"),
    ("yes", "edge: bare lower-case is not accepted here"),
    ("Yes, the answer is wrong. No doubt.", "edge: both verdicts"),
    ("#Your Judgement#: Yes", "edge: echoed label"),
    ("YES.", "edge: upper-case"),
    ("I think there is no hallucination", "edge: lower-case prose"),
])
add("halueval", "dialogue_samples", _HALU.format(k="Nolan directed Inception.", q="Who directed Inception?",
                                                 a="Christopher Nolan"), "NO", {"answer": "no"}, [
    ("No", "correct"),
    ("No.", "correct with period"),
    ("Yes", "wrong"),
])
add("halueval", "summarization_samples", "#Document#: The match ended 2-1.\n#Summary#: It was a draw.\n"
    "#Your Judgement#:", "YES", {"answer": "yes"}, [
        ("Yes", "correct"),
        ("", "edge: empty reply"),
    ])

_PUBMED = "Abstract: {a}\n\nQuestion: {q}\nAnswer YES, NO or MAYBE without an explanation."
add("pubmedqa", "default", _PUBMED.format(a="Statins lowered LDL in all arms.", q="Do statins lower LDL?"),
    "YES", {"answer": "yes", "reasoning": "LDL fell."}, [
        ("YES", "correct"),
        ("NO", "wrong"),
        ("yes", "edge: bare lower-case"),
        ("maybe.", "edge: bare lower-case maybe"),
        ("Yes, although maybe not in every arm.", "edge: yes and lower-case maybe in prose"),
        ("Yes or Maybe", "edge: two labels"),
        ("The answer is YES. YES.", "edge: the same label twice"),
        ("Yes", "edge: capitalised"),
    ])
add("pubmedqa", "default", _PUBMED.format(a="Results were mixed.", q="Does X help?"), "MAYBE",
    {"answer": "maybe", "reasoning": "Mixed."}, [
        ("MAYBE", "correct"),
        ("Maybe.", "correct capitalised"),
        ("NO", "wrong"),
    ])
add("pubmedqa", "default", _PUBMED.format(a="Nothing changed.", q="Does Y help?"), "no",
    {"answer": "no", "reasoning": "Nothing."}, [
        ("NO", "edge: lower-case target is compared as written"),
        ("no", "edge: lower-case target and reply"),
    ])

# --- drop --------------------------------------------------------------------------------------------------

_DROP = ("Read the passage and answer the question.\n# Your Task\n\n---\nPassage: {p}\nQuestion: {q}\n\n"
         "Think step by step, then end with a line \"Answer: [ANSWER]\".")
add("drop", "default", _DROP.format(p="Brady threw 4 touchdown passes.", q="How many touchdown passes?"),
    "[('4',), ('four',)]", {"passage": "Brady threw 4 touchdown passes."}, [
        ("He threw four.\nAnswer: 4", "correct"),
        ("Answer: four", "correct (second gold answer)"),
        ("Answer: 4 touchdowns", "partial: extra token"),
        ("Answer: 4.0", "edge: number normalised"),
        ("Answer: 5", "wrong"),
        ("The answer is 4", "edge: no Answer line, whole reply"),
        ("answer:\n4", "edge: marker then newline"),
        ("Answer: 3\nOn reflection, Answer: 4", "edge: last marker wins"),
    ])
add("drop", "default", _DROP.format(p="Brady found Moss and Welker.", q="Which receivers caught passes?"),
    "[('Randy Moss', 'Wes Welker')]", {"passage": "..."}, [
        ("Answer: Randy Moss and Wes Welker", "partial: two spans in one string"),
        ("Answer: Randy Moss", "partial: one of two spans"),
        ("Answer: Wes Welker, Randy Moss", "partial: both, comma-separated"),
        ("Answer: Tom Brady", "wrong"),
    ])
add("drop", "default", _DROP.format(p="The treaty was signed on 5 November 1994.", q="When was it signed?"),
    "[('5 November 1994',), ('November 5, 1994',)]", {"passage": "..."}, [
        ("Answer: 5 November 1994", "correct"),
        ("Answer: November 5, 1994", "correct (alternative)"),
        ("Answer: November 1994", "partial"),
        ("Answer: The 5th of November.", "partial with article and punctuation"),
    ])
add("drop", "default", _DROP.format(p="A mid-season trade sent him away.", q="What kind of trade?"),
    "[('mid-season',), ('',)]", {"passage": "..."}, [
        ("Answer: mid-season", "correct, hyphenated"),
        ("Answer: mid season", "edge: hyphen vs space"),
        ("Answer: midseason", "wrong"),
        ("", "edge: empty reply"),
    ])
add("drop", "default", _DROP.format(p="The field goal was 42.5 yards.", q="How long?"), "[('42.5',)]",
    {"passage": "..."}, [
        ("Answer: 42.5 yards", "partial: number and unit"),
        ("Answer: 42.50", "edge: number written differently"),
        ("Answer: 43 yards", "wrong number (numbers must agree)"),
    ])

# --- tat_qa ------------------------------------------------------------------------------------------------

_TAT = ("Below is a table and paragraphs from a financial report.\n\nTable:\n{t}\n\nQuestion: {q}\n\n"
        "Think step by step, then end with two lines:\nAnswer: <answer>\nScale: <none, thousand, million, "
        "billion or percent>")


def tat(subset: str, question: str, answer: Any, kind: str, scale: str, target: str,
        answers: list[tuple[str, str]]) -> None:
    """One TAT-QA question (metadata as the adapter stores it)."""
    add("tat_qa", subset, _TAT.format(t="| Item | 2019 | 2018 |", q=question), target,
        {"uid": f"u-{len(CASES)}", "answer": answer, "answer_type": kind, "answer_from": subset, "scale": scale},
        answers)


tat("table", "What is the change in margin?", 12.5, "arithmetic", "percent", "12.5", [
    ("Margin rose.\nAnswer: 12.5\nScale: percent", "correct"),
    ("Answer: 12.5%\nScale: none", "edge: percent sign, no scale"),
    ("Answer: 0.125", "edge: bare fraction for a percent"),
    ("Answer: 12.6\nScale: percent", "wrong"),
    ("Answer: 12.5\nScale: thousand", "wrong scale"),
    ("The margin rose by 12.5 percent.", "edge: no Answer line"),
])
tat("table-text", "What was the total revenue?", 1234.5, "arithmetic", "thousand", "1234.5", [
    ("Answer: 1,234.5\nScale: thousand", "correct with thousands comma"),
    ("Answer: $1234.5\nScale: Thousand.", "edge: currency mark, capitalised scale with period"),
    ("Answer: 1234500", "edge: unscaled number"),
    ("**Answer:** 1234.5\n**Scale:** thousand", "edge: bold markers"),
    ("Final answer: 1234.5\nScale: thousand", "edge: 'Final answer'"),
    ("Answer: (1234.5)\nScale: thousand", "edge: bracketed negative"),
])
tat("text", "What drove the increase?", ["higher sales volumes"], "span", "", "higher sales volumes", [
    ("Answer: higher sales volumes", "correct"),
    ("Answer: Higher sales volumes.", "correct with case and period"),
    ("Answer: sales volumes", "partial"),
    ("Answer: higher sales volumes | lower costs", "partial: extra span"),
    ("Answer:\nScale: none", "edge: empty answer line"),
])
tat("table", "Which years are shown?", ["2019", "2018"], "multi-span", "", "2019 | 2018", [
    ("Answer: 2018 | 2019", "correct, other order"),
    ("Answer: 2019", "partial: one span"),
    ("Answer: 2019, 2018", "edge: comma instead of |"),
])
tat("table", "How many segments are there?", 3, "count", "", "3", [
    ("Answer: 3", "correct"),
    ("Answer: three", "wrong: word"),
    ("Answer: 3 segments", "edge: number and word"),
])
tat("table", "What was the change in tax?", -134, "arithmetic", "million", "-134", [
    ("Answer: -134\nScale: million", "correct"),
    ("Answer: (134)\nScale: million", "edge: accounting negative"),
    ("Answer: 134\nScale: million", "wrong sign"),
])
tat("text", "What was the rate?", ["5.2%"], "span", "percent", "5.2%", [
    ("Answer: 5.2%", "correct"),
    ("Answer: 5.2\nScale: percent", "edge: number with percent scale"),
    ("Answer: 0.052", "edge: fraction"),
])

# --- trivia_qa ---------------------------------------------------------------------------------------------

_TQA = ("Read the content and answer the question.\n\nContent: {c}\n\nQuestion: {q}\n\n"
        "The last line of your response should be of the form \"ANSWER: [ANSWER]\".")
add("trivia_qa", "rc.wikipedia", _TQA.format(c="...", q="Which ocean is the largest?"),
    ["Pacific Ocean", "Pacific", "pacific ocean", "pacific"], {"question_id": "tq1"}, [
        ("ANSWER: Pacific Ocean", "correct"),
        ("ANSWER: the Pacific.", "edge: article and period"),
        ("ANSWER: Atlantic", "wrong"),
        ("Pacific", "edge: no answer line"),
        ("It is the Pacific Ocean, the largest.", "edge: sentence without marker"),
        ("**ANSWER: PACIFIC**", "edge: bold and upper-case"),
    ])

# --- bbh ---------------------------------------------------------------------------------------------------

_BBH = ("Q: {q}\nA: Let's think step by step. Finish with \"So the answer is [ANSWER]\".")


def bbh(subset: str, kind: str | None, question: str, target: str | list[str],
        answers: list[tuple[str, str]]) -> None:
    """One BBH question (metadata.task_type as the adapter stores it)."""
    add("bbh", subset, _BBH.format(q=question), target, {"task_type": kind}, answers)


bbh("date_understanding", "multiple_choice", "Today is 1/2/2020. What was yesterday?\nOptions:\n(A) 01/01/2020\n"
    "(B) 12/31/2019", "A", [
        ("Yesterday was 1 Jan. So the answer is (A).", "correct"),
        ("So the answer is A", "correct bare letter"),
        ("So the answer is (B).", "wrong"),
        ("I pick (A) for sure.\nSo the answer is (B).", "edge: last marker wins"),
        ("the answer is (A)", "edge: no 'So the answer is' marker"),
        ("So the answer is 01/01/2020.", "edge: option text, no letter"),
        ("So the answer is (a).", "edge: lower-case letter"),
        ("So the answer is A) 01/01/2020\nmore text", "edge: letter then text, second line"),
    ])
bbh("boolean_expressions", "free_form", "not ( True ) and ( True ) is", "False", [
    ("So the answer is False.", "correct"),
    ("So the answer is **False**.", "edge: bold"),
    ("So the answer is false", "edge: lower-case"),
    ("So the answer is True.", "wrong"),
    ("False", "edge: no marker"),
])
bbh("dyck_languages", "free_form", "Complete the sequence: [ ( )", "]", [
    ("So the answer is ].", "correct"),
    ("So the answer is ( ].", "wrong"),
])
bbh("object_counting", "free_form", "I have a cat, a dog and two fish. How many animals?", "4", [
    ("So the answer is 4.", "correct"),
    ("So the answer is four.", "wrong: word"),
    ("So the answer is 4 animals.", "edge: extra word"),
])
bbh("sports_understanding", "free_form", "Is \"Messi scored a touchdown\" plausible?", "no", [
    ("So the answer is no.", "correct"),
    ("So the answer is No", "edge: capitalised"),
])
bbh("navigate", None, "Take 1 step. Turn around. Take 1 step. Back at start?", "Yes", [
    ("Yes", "edge: no task type, whole reply"),
    ("So the answer is Yes.", "edge: no task type, marker kept"),
])
bbh("temporal_sequences", "multiple_choice", "When could Ann have gone?\n(A) 5pm\n(B) 6pm", ["A", "B"], [
    ("So the answer is (A).", "edge: two targets (excluded)"),
])

# --- general_qa --------------------------------------------------------------------------------------------

add("general_qa", "default", "请回答问题\n中国的首都是哪里？", "中国的首都是北京。", {}, [
    ("中国的首都是北京。", "correct, identical"),
    ("北京", "partial"),
    ("首都是上海。", "wrong"),
    ("", "edge: empty reply"),
])
add("general_qa", "default", "请回答问题\nWhat does a thermometer measure?", "A thermometer measures temperature.", {}, [
    ("A thermometer measures temperature.", "correct, identical"),
    ("It measures temperature.", "partial"),
    ("Temperature, in degrees Celsius or Fahrenheit, is what a thermometer measures.", "reordered, longer"),
    ("Pressure.", "wrong"),
    ("...", "edge: punctuation only"),
    ("<think>easy</think>A thermometer measures temperature.", "edge: think block"),
])

# --- locomo ------------------------------------------------------------------------------------------------

_LOCOMO = ("Below is a conversation between Caroline and Melanie over several days.\n\nDATE: 1:56 pm on 8 May, "
           "2023\nCONVERSATION:\nCaroline said, \"I went to the LGBTQ support group yesterday.\"\n\n"
           "Based on the above context, write a short answer.\n\nQuestion: {q} Short answer:")


def locomo(category: int, question: str, target: str, answers: list[tuple[str, str]]) -> None:
    """One LoCoMo question of a category (1 multi-hop .. 5 adversarial)."""
    names = {1: "multi_hop", 2: "temporal", 3: "commonsense", 4: "single_hop", 5: "adversarial"}
    add("locomo", "qa", _LOCOMO.format(q=question), target,
        {"category": category, "category_name": names[category], "sample_id": "conv-26", "qa_index": len(CASES)},
        answers)


locomo(4, "Where did Caroline go?", "LGBTQ support group", [
    ("The LGBTQ support group", "correct"),
    ("a support group for LGBTQ people", "partial, stemming"),
    ("the gym", "wrong"),
])
locomo(2, "When did Caroline go to the group?", "7 May 2023", [
    ("7 May 2023", "correct"),
    ("May 7, 2023", "correct, reordered with comma"),
    ("8 May 2023", "partial"),
])
locomo(1, "What activities does Melanie do?", "pottery, camping, painting", [
    ("pottery, camping, painting", "correct"),
    ("painting and camping", "partial multi-hop"),
    ("swimming", "wrong"),
])
locomo(3, "Would Caroline support LGBTQ rights?", "Likely yes; she attends a support group", [
    ("Likely yes", "correct up to the semicolon"),
    ("No", "wrong"),
])
locomo(5, "What did Caroline say about her cat?", "No information available", [
    ("No information available", "correct refusal"),
    ("That is not mentioned in the conversation.", "correct: 'not mentioned'"),
    ("She loves her cat.", "wrong"),
])
