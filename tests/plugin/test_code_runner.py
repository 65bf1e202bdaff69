"""The code runner runs each answer's program once: ahead of time when the answer arrives, or when pytest scores
the sample, whichever comes first, never both."""

from __future__ import annotations

import threading

from pytest_evalindex.plugin.code_exec import CodeRunner
from pytest_evalindex.sandbox import UnsafeSandbox
from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.registry import ScorerSpec


def test_an_answer_callback_after_scoring_does_not_run_the_program_again(unsafe_sandbox: UnsafeSandbox) -> None:
    runs: list[str] = []
    lock = threading.Lock()

    def program(sample: ScoreInput) -> Score:
        with lock:
            runs.append(sample.completion)
        return Score(value=1.0, extracted=sample.completion, metric="pass@1")

    spec = ScorerSpec(name="counted", fn=program, metric="pass@1", needs=("sandbox",))
    runner = CodeRunner(unsafe_sandbox, workers=2)
    try:
        ahead = ScoreInput(completion="ahead", target="")
        runner.start("s/0", spec, ahead)  # the answer arrived first: started ahead of time
        assert runner.score("s/0", spec, ahead).value == 1.0
        late = ScoreInput(completion="late", target="")
        # pytest scored the sample before the answer's callback ran (the callback runs after waiters wake up)
        assert runner.score("s/1", spec, late).value == 1.0
        runner.start("s/1", spec, late)
        runner.start("s/0", spec, ahead)
    finally:
        runner.close()
    assert sorted(runs) == ["ahead", "late"]
    assert runner.counters()["programs"] == 2
