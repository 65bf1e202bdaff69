"""Parity cases for the structured match benchmarks: arc_agi_2, zebralogicbench, finqa, tablebench, tool_bench,
process_bench, eq_bench, sparc, drivel_multilabel (prompts written for this probe, metadata as the adapters keep it)."""

from __future__ import annotations

import json
from typing import Any

CASES: list[dict[str, Any]] = []


def _add(dataset: str, subset: str, prompt: str, target: str | list[str], metadata: dict[str, Any],
         answers: list[tuple[str, str]], choices: list[str] | None = None) -> None:
    for answer, note in answers:
        CASES.append({"dataset_name": dataset, "subset_name": subset, "input": prompt, "choices": choices,
                      "target": target, "metadata": metadata, "answer": answer, "note": note})


# ------------------------------------------------------------------ arc_agi_2

_GRID_IN = [[0, 1], [1, 0]]
_GRID_OUT = [[1, 0], [0, 1]]
_ARC_PROMPT = ("Every grid below is a JSON 2-D array of digits 0-9. Work out the rule from the examples and apply "
               "it to the test input.\n\nExample 1:\nInput: [[0, 0], [1, 1]]\nOutput: [[1, 1], [0, 0]]\n\n"
               f"Test Input: {json.dumps(_GRID_IN)}\n\nReply with the output grid as a JSON 2-D array only.")
_add("arc_agi_2", "default", _ARC_PROMPT, json.dumps(_GRID_OUT), {"task_id": "probe0001", "pair_index": 0}, [
    ("[[1,0],[0,1]]", "correct: bare JSON"),
    ("```json\n[[1, 0],\n [0, 1]]\n```", "correct: fenced block"),
    ("The rows swap, so the output is [[1, 0], [0, 1]] as shown.", "correct: grid inside prose"),
    ("Output:\n[[1, 0],\n[0, 1]]", "correct: grid over several lines in prose"),
    ("[[0,1],[1,0]]", "wrong grid"),
    ("First guess [[1, 0], [0, 2]], but actually [[1, 0], [0, 1]].", "edge: the first grid in prose is used"),
    ("[]", "edge: empty list is kept as text"),
    ("[[1, 0], [0, 1.0]]", "edge: 1.0 equals 1 as JSON values"),
    ("I cannot determine the rule.", "no grid"),
    ("[[1, 0], [0, 1]", "edge: unbalanced brackets"),
])
_add("arc_agi_2", "default", _ARC_PROMPT.replace("Test Input", "Test input (second pair)"), json.dumps([[3, 3, 3]]),
     {"task_id": "probe0001", "pair_index": 1}, [
    ('{"grid": [[3, 3, 3]]}', "edge: grid inside a JSON object"),
    ("```\n[[3,3,3]]\n```", "correct: unlabelled fence, one row"),
])

# ------------------------------------------------------------------ zebralogicbench

_ZEBRA_SOLUTION = {"header": ["House", "Name", "Drink"], "rows": [["1", "Alice", "tea"], ["2", "Bob", "milk"]]}
_ZEBRA_PROMPT = ("Two houses stand in a row, numbered 1 and 2 from left to right. Each has one resident with a "
                 "unique name (Alice, Bob) and a unique favourite drink (tea, milk).\n\nClues:\n1. Bob lives in "
                 "house 2.\n2. The tea drinker lives in house 1.\n\nAnswer with a JSON object holding your "
                 "\"reasoning\" and a \"solution\" mapping \"House 1\" and \"House 2\" to {\"Name\": ..., "
                 "\"Drink\": ...}.")


def _zebra(h1: Any, h2: Any, reasoning: str = "Clue 1 puts Bob in house 2; clue 2 puts tea in house 1.") -> str:
    return json.dumps({"reasoning": reasoning, "solution": {"House 1": h1, "House 2": h2}}, indent=2)


_add("zebralogicbench", "grid_mode", _ZEBRA_PROMPT, json.dumps(_ZEBRA_SOLUTION), {"created_at": "2024-07-01"}, [
    (_zebra({"Name": "Alice", "Drink": "tea"}, {"Name": "Bob", "Drink": "milk"}), "correct"),
    (_zebra({"Name": "Alice", "Drink": "milk"}, {"Name": "Bob", "Drink": "tea"}), "wrong: drinks swapped"),
    (_zebra({"Name": " ALICE ", "Drink": "Tea"}, {"Name": ["Bob"], "Drink": "milk"}),
     "edge: case, spaces and a one-element list"),
    ("Let me think.\n" + _zebra({"Name": "Bob", "Drink": "tea"}, {"Name": "Alice", "Drink": "milk"})
     + "\nWait, fixing it:\n" + _zebra({"Name": "Alice", "Drink": "tea"}, {"Name": "Bob", "Drink": "milk"}),
     "edge: the last JSON object wins"),
    ("Alice drinks tea in house 1 and Bob drinks milk in house 2.", "no JSON: counted as no answer"),
    ('{"reasoning": "short", "solution": {"House 1": {"Name": "Alice", "Drink": "tea"},}}',
     "edge: invalid JSON (trailing comma)"),
    (_zebra({"Name": "Alice", "Drink": "tea"}, {"Name": "Bob", "Drink": 2}), "edge: a number cell fails scoring"),
    (_zebra({"Name": "Alice", "Drink": "tea"}, {"Name": "Bob"}), "partial: one cell missing"),
    ('{"reasoning": "line one\nline two", "solution": {"House 1": {"Name": "Alice", "Drink": "tea"}, '
     '"House 2": {"Name": "Bob", "Drink": "milk"}}}', "edge: raw newline inside a string value"),
    (_zebra({"Name": "Alice", "Drink": "tea"}, {"Name": "Bob", "Drink": "milk"}, reasoning="")
     .replace('"reasoning": ""', '"reasoning": null'), "edge: null reasoning fails scoring"),
    ('{"reasoning": "none", "solution": {}}', "edge: empty solution is no answer"),
])

# ------------------------------------------------------------------ finqa

_FINQA_TABLE = [["", "2009", "2008"], ["net income", "$ 5829", "$ 5735"], ["revenue", "12,000", "11,500 ( 4% )"],
                ["margin", "12%", "n/a"]]
_FINQA_CONTEXT = ("net income rose to $ 5829 million in 2009 from $ 5735 million in 2008 .\n"
                  "| | 2009 | 2008 |\n| net income | $ 5829 | $ 5735 |\n| revenue | 12,000 | 11,500 ( 4% ) |")
_FINQA_PROMPT = ("Read the report and the table, then answer the question.\n\n" + _FINQA_CONTEXT
                 + "\n\nQuestion: {q}\n\nWrite the computation as a program of operations (add, subtract, "
                 "multiply, divide, exp, greater, table_max/min/sum/average) and finish with a line "
                 "'Program: <program>'.")


def _finqa(question: str, program: str, answer: Any, answers: list[tuple[str, str]]) -> None:
    meta = {"id": f"PROBE/{len(CASES)}", "context": _FINQA_CONTEXT, "program": program, "answer": answer,
            "table": _FINQA_TABLE}
    _add("finqa", "default", _FINQA_PROMPT.format(q=question), program, meta, answers)


_finqa("what was the percentage change in net income from 2008 to 2009?", "subtract(5829, 5735), divide(#0, 5735)",
       0.01639, [
    ("Change is 94, over 5735.\nProgram: subtract(5829, 5735), divide(#0, 5735)", "correct"),
    ("**Program:** subtract(5829,5735), divide(#0,5735).", "correct: bold label, bare commas, period"),
    ("Program: divide(5829, 5735), subtract(#0, const_1)", "edge: same value, different program"),
    ("Program: subtract(5829, 5735), divide(#0, 5829)", "wrong divisor"),
    ("The change is about 1.6%.", "no program line"),
    ("program:\nsubtract( 5829 , 5735 ), divide( #0 , 5735 )", "edge: program on the next line, loose spacing"),
    ("Program: subtract(5829, 5735), divide(#1, 5735)", "edge: reference to a later step"),
    ("Program: subtract(5829, 5735), divide(#0, 0)", "edge: division by zero"),
    ("Program: `subtract(5829, 5735), divide(#0, 5735)`", "edge: backticks"),
    ("Program: (5829 - 5735) / 5735", "edge: arithmetic instead of the DSL"),
])
_finqa("what is the average net income over the two years?", "table_average(net income, none)", 5782.0, [
    ("Program: table_average(net income, none)", "correct: table operation"),
    ("Program: add(5829, 5735), divide(#0, const_2)", "edge: same value by arithmetic"),
    ("Program: table_average(revenue, none)", "wrong row"),
    ("Program: table_average(margin, none)", "edge: a row with a non-number"),
    ("Program: table_max(net income, none)", "wrong statistic"),
])
_finqa("did net income exceed 5800 in 2009?", "greater(5829, 5800)", "yes", [
    ("Program: greater(5829, 5800)", "correct: yes/no"),
    ("Program: greater(5800, 5829)", "wrong: no"),
    ("Program: greater(5829, 58%)", "edge: percent argument"),
])
_finqa("what is net income in 2009 as a ratio of 2008 revenue plus 100?", "add(11500, const_100), divide(5829, #0)",
       0.5025, [
    ("Program: add(11500, const_100), divide(5829, #0)", "correct: constant"),
    ("Program: add(const_100, 11500), divide(5829, #0)", "edge: commuted addition"),
])

# ------------------------------------------------------------------ tablebench

_TABLE = ("[TABLE]\ncolumns: year, sales, profit\n2019 | 1,000 | 120\n2020 | 1,060 | 135\n2021 | 1,100 | 150\n"
          "[/TABLE]")


def _tablebench(qtype: str, qsubtype: str, question: str, target: str, answers: list[tuple[str, str]]) -> None:
    metric = ("em" if qtype != "DataAnalysis" or qsubtype == "ImpactAnalysis" else
              "em_tolerance_10" if qsubtype in ("CorrelationAnalysis", "TrendForecasting", "StatisticalAnalysis")
              else "rouge_l")
    meta = {"id": f"probe-{len(CASES)}", "qtype": qtype, "qsubtype": qsubtype, "instruction_type": "TCoT",
            "metric": metric}
    prompt = (f"Answer the question about this table.\n{_TABLE}\n\nQuestion: {question}\n\nThink step by step "
              "and end with a line 'Final Answer: <answer>'.")
    _add("tablebench", qtype, prompt, target, meta, answers)


_tablebench("FactChecking", "MatchBased", "Did profit rise every year?", "Yes", [
    ("Profit went 120, 135, 150.\nFinal Answer: Yes", "correct"),
    ("Final Answer: No", "wrong"),
    ("Final Answer: yes.", "edge: case and period are normalised away"),
    ("Yes, it rose every year.", "no Final Answer line"),
])
_tablebench("NumericalReasoning", "Aggregation", "What were sales in 2020?", "1,060", [
    ("Final Answer: 1060", "correct: comma dropped by normalisation"),
    ("Final Answer: 1,060 units", "wrong: extra word"),
    ("final answer: 1060", "edge: lowercase label is not found"),
])
_tablebench("NumericalReasoning", "ArithmeticCalculation", "What is the profit margin in 2021 (%)?", "13.64", [
    ("Final Answer: 13.64", "correct"),
    ("Final Answer: 13.6", "edge: decimal point dropped, 136 vs 1364"),
    ("Final Answer: 13.64%", "edge: percent sign dropped"),
])
_tablebench("DataAnalysis", "TrendForecasting", "Forecast sales for 2022.", "1150", [
    ("Final Answer: 1140", "correct within 10%"),
    ("Final Answer: 1300", "wrong: outside 10%"),
    ("Final Answer: about 1140", "edge: words make it not a number"),
    ("Final Answer: 1,265", "edge: exactly 10% above"),
])
_tablebench("DataAnalysis", "CorrelationAnalysis", "How are sales and profit correlated?",
            "Strong positive correlation, 0.99", [
    ("Final Answer: Strong positive correlation, 0.99", "correct"),
    ("Final Answer: strong positive correlation 0.99", "correct after normalisation"),
    ("Final Answer: Weak positive correlation, 0.30", "wrong"),
])
_tablebench("DataAnalysis", "DescriptiveAnalysis", "Describe the table.",
            "The table shows sales and profit rising steadily from 2019 to 2021.", [
    ("Final Answer: The table shows sales and profit rising steadily from 2019 to 2021.", "correct: ROUGE-L 1"),
    ("Final Answer: Sales and profit rose every year.", "partial ROUGE-L"),
    ("Final Answer: Nothing to describe.", "low ROUGE-L"),
])
_tablebench("DataAnalysis", "ImpactAnalysis", "Which column affects profit most?", "sales", [
    ("Final Answer: sales", "correct"),
    ("Final Answer: year", "wrong"),
])

# ------------------------------------------------------------------ tool_bench

_TOOLS = [{"name": "search_flights", "description": "Search flights", "parameters": {"type": "object"}},
          {"name": "get_weather", "description": "Weather by city", "parameters": {"type": "object"}},
          {"name": "Finish", "description": "Finish the task", "parameters": {"type": "object"}}]
_TOOL_PROMPT = ("You can call these tools: search_flights, get_weather, Finish. Reply with 'Thought:', then "
                "'Action: <tool>' and 'Action Input: <JSON arguments>'.\n\nUser: {q}")


def _tool(question: str, target: str, answers: list[tuple[str, str]], subset: str = "in_domain") -> None:
    meta = {"target": target, "tools": _TOOLS,
            "messages": [{"role": "user", "content": question}]}
    _add("tool_bench", subset, _TOOL_PROMPT.format(q=question), "", meta, answers)


_CALL = 'Thought: search first.\nAction: search_flights\nAction Input: {"origin": "SFO", "destination": "JFK"}'
_tool("Find me a flight from SFO to JFK.", _CALL, [
    (_CALL, "correct call"),
    ('Thought: ok\nAction: search_flights\nAction Input: {"origin": "SFO", "destination": "EWR"}',
     "partial: one argument value wrong"),
    ('Action: get_weather\nAction Input: {"city": "New York"}', "wrong tool"),
    ('Action: book_hotel\nAction Input: {"city": "New York"}', "hallucinated tool"),
    ("Action: search_flights\nAction Input: origin=SFO, destination=JFK", "edge: arguments not JSON"),
    ("I would search for flights.", "edge: no action"),
    ('Action: search_flights\nAction Input: {"origin": "SFO", "destination": "JFK", "date": "2024-05-01"}',
     "edge: extra argument"),
    ('Action: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "Delta at 9am"}',
     "edge: finishes instead of calling"),
])
_tool("What's the weather like?", "Thought: check.\nAction: get_weather\nAction Input: {}", [
    ("Action: get_weather\nAction Input: {}", "correct: no arguments"),
    ('Action: get_weather\nAction Input: {"city": "Paris"}', "edge: arguments where none expected"),
], subset="out_of_domain")
_FINISH = ('Thought: done.\nAction: Finish\nAction Input: {"return_type": "give_answer", '
           '"final_answer": "The cheapest flight is Delta at 9am for $120."}')
_tool("Which flight is cheapest?", _FINISH, [
    (_FINISH, "correct final answer: main value is the first key (HalluRate)"),
    ('Action: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "Delta for $120."}',
     "partial answer overlap"),
    ('Action: search_flights\nAction Input: {"origin": "SFO"}', "edge: calls a tool instead of finishing"),
    ('Action: Finish\nAction Input: {"return_type": "give_up_and_restart"}', "edge: gives up"),
])
_tool("Book anything.", 'Action: Finish\nAction Input: {"return_type": "give_up_and_restart"}', [
    ('Action: get_weather\nAction Input: {"city": "Rome"}', "edge: reference gives up, step unscored"),
    ("Nothing to do.", "edge: reference gives up, no action either"),
])

# ------------------------------------------------------------------ process_bench

_PB_PROMPT = ("Here is a math problem and a solution split into paragraphs numbered from 0.\n\nProblem: {p}\n\n"
              "<paragraph_0>\n{s0}\n</paragraph_0>\n\n<paragraph_1>\n{s1}\n</paragraph_1>\n\n<paragraph_2>\n{s2}\n"
              "</paragraph_2>\n\nFind the index of the earliest paragraph with an error, or -1 if every paragraph "
              "is correct. Put the index in \\boxed{{}}.")


def _pb(subset: str, label: str, steps: tuple[str, str, str], answers: list[tuple[str, str]]) -> None:
    prompt = _PB_PROMPT.format(p="Tom has 3 apples and buys 4 more. How many now?", s0=steps[0], s1=steps[1],
                               s2=steps[2])
    meta = {"steps": list(steps), "tagged_response": "", "final_answer_correct": label == "-1"}
    _add("process_bench", subset, prompt, label, meta, answers)


_pb("gsm8k", "-1", ("Tom starts with 3.", "He buys 4, so 3 + 4 = 7.", "The answer is 7."), [
    ("Every step checks out. \\boxed{-1}", "correct: no error (correct_acc)"),
    ("Paragraph 1 is wrong. \\boxed{1}", "wrong (correct_acc)"),
    ("All good.", "no boxed answer (correct_acc)"),
])
_pb("math", "1", ("Tom starts with 3.", "He buys 4, so 3 + 4 = 8.", "The answer is 8."), [
    ("The addition in paragraph 1 is wrong: \\boxed{1}", "correct (error_acc)"),
    ("\\boxed{ 1 }", "edge: spaces inside the box"),
    ("Maybe \\boxed{0}, no: \\boxed{2}", "wrong: the last box counts"),
    ("\\boxed{paragraph 1}", "edge: not an integer"),
    ("\\boxed{-1}", "wrong: says no error (error_acc)"),
])

# ------------------------------------------------------------------ eq_bench

_EQ_REF = {"emotion1": "Surprised", "emotion1_score": 7, "emotion2": "Confused", "emotion2_score": 5,
           "emotion3": "Angry", "emotion3_score": 0, "emotion4": "Relieved", "emotion4_score": 2}
_EQ_PROMPT = ("Read the dialogue and rate how strongly Sam feels each emotion at the end, from 0 to 10.\n\n"
              "Dana: I sold the old car after all.\nSam: You what? I thought we agreed to keep it!\n\n"
              "Reply exactly as:\nSurprised: <score>\nConfused: <score>\nAngry: <score>\nRelieved: <score>")
_add("eq_bench", "default", _EQ_PROMPT, str({"emotion1": "Surprised"}),
     {"reference_answer": {"emotion1": "Surprised", "emotion1_score": 4}, "reference_answer_fullscale": _EQ_REF}, [
    ("Surprised: 7\nConfused: 5\nAngry: 0\nRelieved: 2", "correct: exact scores"),
    ("Surprised: 6\nConfused: 5\nAngry: 2\nRelieved: 2", "close scores"),
    ("Surprised: 0\nConfused: 0\nAngry: 10\nRelieved: 10", "far: negative score"),
    ("**Surprised:** 7\n**Confused:** 4\n**Angry:** 1\n**Relieved:** 3", "edge: markdown bold"),
    ("surprised: 7\nconfused: 5\nangry: 0\nrelieved: 2", "edge: lowercase names"),
    ("Surprised: 7\nConfused: 5\nAngry: 0", "edge: three emotions, excluded"),
    ("Surprised: 7\nConfused: 5\nHappy: 0\nRelieved: 2", "edge: wrong emotion, excluded"),
    ("Surprised: 11\nConfused: 5\nAngry: 0\nRelieved: 2", "edge: out of range, excluded"),
    ("Step 1: 3\nSurprised: 7\nConfused: 5\nAngry: 0\nRelieved: 2", "edge: a fifth pair, excluded"),
    ("I cannot rate this.", "no scores, excluded"),
])

# ------------------------------------------------------------------ sparc

_SPARC_PUZZLE = {
    "id": "probe-sparc-1", "grid_size": {"width": 1, "height": 1}, "polyshapes": "{}",
    "puzzle_array": [["S", "+", "+"], ["+", "N", "+"], ["+", "+", "E"]],
    "solutions": [{"index": 0, "path": [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 2, "y": 0}, {"x": 2, "y": 1},
                                        {"x": 2, "y": 2}]},
                  {"index": 1, "path": [{"x": 0, "y": 0}, {"x": 0, "y": 1}, {"x": 0, "y": 2}, {"x": 1, "y": 2},
                                        {"x": 2, "y": 2}]}],
}
_SPARC_PROMPT = ("Solve this path puzzle: draw a line from S at (0, 0) to E at (2, 2) along the grid, never "
                 "crossing the rule cell at (1, 1).\n\n[\"S\", \"+\", \"+\"]\n[\"+\", \"N\", \"+\"]\n"
                 "[\"+\", \"+\", \"E\"]\n\nExplain, then write '####' followed by the path as (x, y) nodes.")
_add("sparc", "Level 1", _SPARC_PROMPT, "(0,0), (1,0), (2,0), (2,1), (2,2)",
     {"difficulty_level": 1, "difficulty_score": 1.2, "solution_count": 2, "puzzle": _SPARC_PUZZLE}, [
    ("Go right then down.\n####\n(0,0), (1,0), (2,0), (2,1), (2,2)", "correct: first solution"),
    ("####\n(0, 0), (0, 1), (0, 2), (1, 2), (2, 2)", "correct: second solution, spaces"),
    ("####\n(0,0), (1,0), (1,1), (1,2), (2,2)", "wrong: crosses the rule cell"),
    ("####\n(0,0), (2,0), (2,2)", "wrong: jumps nodes"),
    ("Path: (0,0) -> (1,0) -> (2,0) -> (2,1) -> (2,2)", "edge: no marker, arrows"),
    ("####\n(0,0), (1,0), (2,0), (2,1), (2,2), (1,2)", "edge: extra nodes after the end are cut"),
    ("#### (9,9) first\nthen #### (0,0), (1,0), (2,0), (2,1), (2,2)", "edge: the last marker counts"),
    ("I could not find a path.", "no path"),
    ("####\n(0,0), (1,0), (0,0), (1,0), (2,0), (2,1), (2,2)", "wrong: revisits nodes"),
    ("####\n(0,0)", "edge: a single node"),
])

# ------------------------------------------------------------------ drivel_multilabel

_DRIVEL_CHOICES = ["A. inversion", "B. wordplay", "C. switchbait", "D. paradox", "E. misdirection"]
_DRIVEL_PROMPT = ("Which rhetorical techniques does this text use? Several may apply.\n\nText to classify: "
                  "I'm a great listener; I never hear a thing people say.\n\nA) inversion\nB) wordplay\n"
                  "C) switchbait\nD) paradox\nE) misdirection\n\nEnd with 'ANSWER: $LETTERS' (e.g. ANSWER: AC).")
_add("drivel_multilabel", "multi-label-classification", _DRIVEL_PROMPT, "AD",
     {"text": "I'm a great listener; I never hear a thing people say.", "label": ["inversion", "paradox"],
      "target_letters": "AD"}, [
    ("It flips the meaning and contradicts itself.\nANSWER: AD", "correct"),
    ("ANSWER: A, D", "correct: comma separated"),
    ("ANSWER: D and A.", "correct: 'and', period"),
    ("ANSWER: A", "partial: one of two"),
    ("ANSWER: ABD", "partial: one extra"),
    ("ANSWER: C", "wrong"),
    ("I think it is paradox, so D", "edge: no marker, last capital"),
    ("ANSWER: F", "edge: not a label"),
    ("ANSWER: (A/D)", "edge: bracketed with a slash"),
    ("answer: a, d", "edge: lowercase letters"),
], choices=_DRIVEL_CHOICES)

# ------------------------------------------------------------------ more edge cases (quirks of the official code)

_add("arc_agi_2", "default", _ARC_PROMPT + "\n(variant)", json.dumps(_GRID_OUT), {"task_id": "probe0002",
                                                                                  "pair_index": 0}, [
    ("```python\n[[1, 0], [0, 1]]\n```", "edge: a non-JSON fence label falls back to the bracket search"),
    ("[[1, 0], [0, 1]] is my answer, not [[0, 0], [0, 0]]", "edge: two grids in prose, the first counts"),
])
_ZEBRA3_ROWS = [["1", "Carol", "cat", "red"], ["2", "Dan", "dog", "blue"], ["3", "Eve", "fish", "green"]]
_ZEBRA3 = {"header": ["House", "Name", "Pet", "Color"], "rows": _ZEBRA3_ROWS}
_ZEBRA3_PROMPT = _ZEBRA_PROMPT.replace("Two houses", "Three houses (a harder variant)")
_add("zebralogicbench", "grid_mode", _ZEBRA3_PROMPT, json.dumps(_ZEBRA3), {"created_at": "2024-07-02"}, [
    (json.dumps({"reasoning": "Done.", "solution": {
        f"House {i + 1}": {"Name": r[1], "Pet": r[2], "Color": r[3]} for i, r in enumerate(_ZEBRA3_ROWS)}}),
     "correct: 3x3 puzzle"),
    ('{"reasoning": "x", "solution": [["Carol", "cat", "red"]]}', "edge: solution given as a list"),
    ('{"reasoning": "x", "solution": "House 1: Carol"}', "edge: solution given as text fails scoring"),
    ('{"reasoning": "a } b", "solution": {"House 1": {"Name": "Carol"}}}', "edge: a brace inside a string"),
])
_finqa("what was the lowest net income?", "table_min(net income, none)", 5735.0, [
    ("Program: table_min(net income, none)", "correct: table_min"),
    ("Program: table_max(net income, none), table_min(#0, none)", "edge: a table step on #0 reuses the last row"),
    ("Program: table_min(#0, none)", "edge: a table step on #0 with no row yet"),
    ("Program: subtract(5,829, 5,735)", "edge: thousands separators"),
    ("Program: add(const_x, 1)", "edge: unknown constant"),
    ("Program: exp(const_m1, 0.5)", "edge: complex power"),
    ("Program: table_sum(revenue, none)", "wrong: table_sum with a '( 4% )' suffix"),
    ("Program: subtract(5829, 94)\nLater...\nProgram: table_min(net income, none)", "edge: the last program line"),
    ("Program: subtract(5829, 5735),\ndivide(#0, 5735)", "edge: program broken over two lines"),
])
_finqa("is net income in 2009 above 5800, as yes/no?", "greater(5829, 5800)", "yes", [
    ("Program: greater(5829, 5800), add(#0, #0)", "edge: yes/no fed into add"),
    ("Program: greater(5829, 5800), greater(#0, #0)", "edge: yes/no compared as text"),
])
_tablebench("DataAnalysis", "TrendForecasting", "Forecast sales for 2023.", "1200", [
    ("Final Answer: -1150", "edge: minus sign is normalised away"),
    ("Final Answer: 1150, 1180", "edge: two numbers"),
    ("Final Answer: 1190\nFinal Answer: 5000", "edge: the first Final Answer line counts"),
    ("Final Answer: 0", "wrong: zero"),
])
_tablebench("DataAnalysis", "StatisticalAnalysis", "What is the mean profit?", "0", [
    ("Final Answer: 0", "correct: zero reference"),
    ("Final Answer: 0.0", "edge: zero reference, 00 after normalisation"),
])
_tool("Find me a flight from SFO to JFK today.", _CALL, [
    ("Action: search_flights\nAction Input: {}", "edge: empty arguments for a call with arguments"),
    ("Action: search_flights\nAction Input: [1, 2]", "edge: arguments as a list"),
    ('Action: get_weather\nAction Input: {}\nAction: search_flights\nAction Input: {"origin": "SFO", '
     '"destination": "JFK"}', "edge: the last action counts"),
])
_tool("Which flight is cheapest today?", _FINISH, [
    ('Action: Finish\nAction Input: {"return_type": "give_answer", "final_answer": ""}', "edge: empty answer"),
    ('Action: Finish\nAction Input: {"return_type": "give_answer"}', "edge: no final_answer key"),
])
_pb("olympiadbench", "0", ("Tom starts with 4.", "He buys 4, so 4 + 4 = 8.", "The answer is 8."), [
    ("\\boxed{\\text{0}}", "edge: \\text inside the box"),
    ("\\boxed{0}.", "correct: paragraph 0"),
])
_add("eq_bench", "default", _EQ_PROMPT + "\n(second reader)", str({"emotion1": "Surprised"}),
     {"reference_answer": {}, "reference_answer_fullscale": _EQ_REF}, [
    ("Surprised: 7.5\nConfused: 5\nAngry: 0\nRelieved: 2", "edge: decimals are cut at the point"),
    ("Surprised:7\nConfused: 5\nAngry: 0\nRelieved: 2", "edge: no space after a colon, excluded"),
    ("Surprised: 7\nConfused: 5\nAngry: 0\nRelieved: 2\nSurprised: 3", "edge: a repeated emotion, last wins"),
])
_add("eq_bench", "default", _EQ_PROMPT + "\n(no reference)", "", {"reference_answer": {},
                                                                  "reference_answer_fullscale": {}}, [
    ("Surprised: 7\nConfused: 5\nAngry: 0\nRelieved: 2", "edge: no full-scale reference, excluded"),
])
_add("sparc", "Level 1", _SPARC_PROMPT + "\n(variant)", "(0,0), (1,0), (2,0), (2,1), (2,2)",
     {"difficulty_level": 1, "difficulty_score": 1.2, "solution_count": 2, "puzzle": _SPARC_PUZZLE}, [
    ("Start (0, 0), end (2, 2). Path: (0,0), (1,0), (2,0), (2,1), (2,2)", "edge: no marker, nodes in the prose"),
    ("####\n(2,2), (2,1), (2,0), (1,0), (0,0)", "wrong: reversed path"),
])
_add("drivel_multilabel", "multi-label-classification", _DRIVEL_PROMPT + "\n", "B",
     {"text": "x", "label": ["wordplay"], "target_letters": "B"}, [
    ("ANSWER: **B**", "correct: bold"),
    ("ANSWER: B,D,F", "edge: an invalid label after valid ones"),
    ("ANSWER: none of them", "edge: no label after the marker"),
], choices=_DRIVEL_CHOICES)
