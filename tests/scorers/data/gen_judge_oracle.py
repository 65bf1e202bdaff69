"""Write judge_oracle.json: EvalScope 1.14.1's scores of judged samples for scripted judge replies.

Run with the EvalScope venv's interpreter (not part of the test run):

    HF_HUB_OFFLINE=1 /tmp/es/bin/python tests/scorers/data/gen_judge_oracle.py [judge_cases_<family>.json]

(the cases of ``judge_cases<suffix>.json`` go to ``judge_oracle<suffix>.json``; a case's ``input`` is the
prompt text or, for a multi-turn prompt, its list of messages).

Each case is scored as EvalScope's ``data_collection`` scores a collection line: the benchmark's adapter is
built by name with a task config naming one judge model and the case's judge strategy, the judge's
``generate`` is replaced by one returning the case's scripted replies in order (or raising, for a transport
failure), and ``calculate_metrics`` scores a completed ``TaskState`` holding the case's answer (a two-turn case's
``answers`` become the state's conversation: user turn 1, answer 1, user turn 2, answer 2). The file
records the value dict, main metric and value, the score status, the extracted answer, how many judge
requests were made, the roles of the messages sent, the score's judge summary and, for health_bench, its score per
rubric tag. The replies and answers are in JUDGE_CASES.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CASES_FILE = Path(__file__).with_name("judge_cases.json")


def main() -> None:
    from evalscope.api.dataset import Sample
    from evalscope.api.evaluator import TaskState
    from evalscope.api.messages import ChatMessageAssistant, ChatMessageUser
    from evalscope.api.model import ModelOutput
    from evalscope.api.registry import get_benchmark
    from evalscope.config import TaskConfig

    cases_file = CASES_FILE.with_name(sys.argv[1]) if len(sys.argv) > 1 else CASES_FILE
    cases = json.loads(cases_file.read_text(encoding="utf-8"))["cases"]
    rows = []
    for i, case in enumerate(cases):
        config = TaskConfig(model="mock-model", eval_type="openai_api", api_url="http://127.0.0.1:9/v1",
                            api_key="EMPTY", datasets=["data_collection"],
                            judge={"strategy": case.get("strategy", "auto"),
                                   "models": [{"model_id": "judge-model", "api_url": "http://127.0.0.1:9/v1",
                                               "api_key": "EMPTY"}]})
        adapter = get_benchmark(case["dataset_name"], config=config)
        replies = list(case["replies"])
        sent: list[list[str]] = []

        def generate(messages: list[Any], _replies: list[Any] = replies, _sent: list[list[str]] = sent) -> Any:
            _sent.append([m.role for m in messages])
            reply = _replies.pop(0)
            if reply is None:
                raise ConnectionError("scripted transport failure")
            return ModelOutput.from_content(model="judge-model", content=reply)

        judge = adapter.llm_judge
        if judge is not None:
            judge.generate = generate
        inputs = case["input"] if isinstance(case["input"], list) else [{"role": "user", "content": case["input"]}]
        prompt = {"input": inputs, "target": case["target"], "id": i,
                  "metadata": dict(case.get("metadata") or {})}
        sample = Sample.model_validate(prompt)
        sample.metadata["collection_info"] = {"dataset_name": case["dataset_name"], "subset_name": "default"}
        messages = None
        if "answers" in case:  # a two-turn sample (mt_bench)
            turns = case["metadata"]["turns"]
            messages = [ChatMessageUser(content=turns[0]), ChatMessageAssistant(content=case["answers"][0]),
                        ChatMessageUser(content=turns[1]), ChatMessageAssistant(content=case["answers"][1])]
        state = TaskState(model="mock-model", sample=sample, completed=True, messages=messages,
                          output=ModelOutput.from_content(model="mock-model", content=case["answer"]))
        try:
            score = adapter.calculate_metrics(state).score
            main = score.main_value
            expected = {"value": None if main is None or not score.value else float(main),
                        "metric": score.main_score_name,
                        "values": {k: float(v) for k, v in score.value.items()},
                        "status": score.status.value, "extracted": score.extracted_prediction,
                        "requests": len(sent), "roles": sent,
                        "judge_summary": score.judge_summary.model_dump(mode="json") if score.judge_summary else None}
            if "rubric_tag_scores" in (score.metadata or {}):  # health_bench's score per rubric tag
                expected["rubric_tag_scores"] = score.metadata["rubric_tag_scores"]
        except Exception as exc:  # EvalScope itself fails on the sample
            expected = {"error": f"{type(exc).__name__}: {exc}", "requests": len(sent)}
        rows.append({**case, "expected": expected})
    out = cases_file.with_name(cases_file.name.replace("judge_cases", "judge_oracle"))
    doc = {"oracle": f"EvalScope {importlib.metadata.version('evalscope')}",
           "written_by": "tests/scorers/data/gen_judge_oracle.py", "cases": rows}
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(rows)} cases)")


if __name__ == "__main__":
    main()
