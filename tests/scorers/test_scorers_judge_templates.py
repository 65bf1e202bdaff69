"""A user's own judge templates (--eval-judge-templates DIR) replace the built-in ones; bad ones are one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_evalindex.scorers.judge.benchmarks import JUDGE_SPECS
from pytest_evalindex.scorers.judge.spec import JudgeInput
from pytest_evalindex.scorers.judge.templates import BUILTIN, TemplateError, load_templates

SAMPLE = JudgeInput(question="**User**: Q?", target="Paris", prediction="It is Paris.", completion="It is Paris.")


def test_a_template_file_replaces_the_built_in_one_and_keeps_the_schema_instruction(tmp_path: Path) -> None:
    (tmp_path / "simple_qa.json").write_text(json.dumps(
        {"system": "SYS", "user": "Q={question} G={gold} P={predicted_answer}"}), encoding="utf-8")
    templates = load_templates(tmp_path)
    assert templates["chinese_simpleqa"] is BUILTIN["chinese_simpleqa"]
    spec = JUDGE_SPECS["simple_qa"]
    [case] = spec.build(spec, SAMPLE, templates)
    assert case.messages[0] == {"role": "system", "content": "SYS"}
    user = case.messages[1]["content"]
    assert user.startswith("Q=**User**: Q? G=Paris P=It is Paris.")
    assert user.endswith(spec.schema.instruction()) and '"verdict": one of "A", "B", "C"' in user


@pytest.mark.parametrize(("content", "message"), [
    ('{"user": "{question} {nope}"}', "unknown placeholder {nope}"),
    ('{"system": "x"}', 'needs a JSON object with a "user" string'),
    ("not json", "not a readable JSON file"),
    ('{"user": "{question"}', "write a literal brace as {{ or }}"),
])
def test_a_bad_template_names_its_file_and_the_fix(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "aa_lcr.json").write_text(content, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_templates(tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "aa_lcr.json")) and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_inputs_each_benchmark_sends_beyond_the_plain_fields() -> None:
    """cl_bench numbers its rubrics (a blank one keeps its number) and sends the answer; browsecomp sends the whole
    response and its question field; docmath the question field and the extracted answer."""
    cl = JUDGE_SPECS["cl_bench"]
    rubrics = JudgeInput(question="q", target="", prediction="Bir.", completion="Bir.",
                         targets=("Names Bir.", "  ", "One sentence."))
    [case] = cl.build(cl, rubrics, BUILTIN)
    assert "1. Names Bir.\n3. One sentence.\n" in case.messages[0]["content"] and "Bir." in case.messages[0]["content"]
    assert cl.build(cl, JudgeInput(question="q", target="", prediction=" ", completion=" "), BUILTIN) == []
    browse = JUDGE_SPECS["browsecomp"]
    answer = "Explanation: long.\nExact Answer: Loisach\nConfidence: 80%"
    [case] = browse.build(browse, JudgeInput(question="Which river?", target="Loisach", prediction=browse.extract(answer),
                                             completion=answer), BUILTIN)
    assert answer in case.messages[0]["content"] and browse.extract(answer) == "Loisach"
    doc = JUDGE_SPECS["docmath"]
    assert doc.extract("Therefore, the answer is \N{MINUS SIGN}12.5.") == "-12.5"
    assert doc.extract("Therefore, the answer is yes.") == "True"
