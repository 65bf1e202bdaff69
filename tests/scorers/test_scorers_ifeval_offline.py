"""Sentence tokenisation works with no network and no NLTK data: punkt_tab comes from an installed package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# Runs in a fresh interpreter: NLTK's downloader and every socket raise, the plugin's data dir is empty,
# and NLTK_DATA/HOME point at empty folders, so nothing installed earlier can help.
SCRIPT = r"""
import json, socket, sys
import nltk, nltk.downloader

def refuse(*args, **kwargs):
    raise RuntimeError("network use attempted")

nltk.download = refuse
nltk.downloader.download = refuse
nltk.downloader.Downloader.download = refuse
socket.socket = refuse
socket.create_connection = refuse

from pytest_evalindex.scorers.base import ScoreInput
from pytest_evalindex.scorers.ifeval import score_ifeval

keys = ["num_sentences", "relation", "capital_frequency", "capital_relation"]
meta = {"key": 1, "prompt": "p", "instruction_id_list": [
            "length_constraints:number_sentences", "change_case:capital_word_frequency"],
        "kwargs": [dict.fromkeys(keys) | {"num_sentences": 3, "relation": "at least"},
                   dict.fromkeys(keys) | {"capital_frequency": 2, "capital_relation": "at least"}]}
out = {}
for name, text in {"follows": "Dr. Smith came at 5 p.m. sharp. He said HELLO WORLD. We left.",
                   "violates": "Dr. Smith came at 5 p.m. sharp. He said hello."}.items():
    s = score_ifeval(ScoreInput(completion=text, target="", metadata=meta, dataset_name="ifeval"))
    out[name] = {"value": s.value, "metrics": dict(s.metrics), "explanation": s.explanation}
print(json.dumps(out))
"""


def _run(tmp_path: Path, prefix: list[str]) -> dict[str, dict[str, Any]]:
    for name in ("cache", "nltk_data", "home"):
        (tmp_path / name).mkdir()
    env = dict(os.environ, EVALINDEX_NLTK_DATA=str(tmp_path / "cache"), NLTK_DATA=str(tmp_path / "nltk_data"),
               HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "home"))
    proc = subprocess.run([*prefix, sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, dict[str, Any]] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (tmp_path / "cache" / "tokenizers" / "punkt_tab" / "english" / "ortho_context.tab").is_file()
    return result


def _check(result: dict[str, dict[str, Any]]) -> None:
    # Three Punkt sentences ("Dr." and "p.m." are abbreviations) and two all-capital words.
    assert result["follows"]["metrics"] == {"prompt_level_strict": 1.0, "inst_level_strict": 1.0,
                                            "prompt_level_loose": 1.0, "inst_level_loose": 1.0}
    assert result["violates"]["value"] == 0.0
    assert result["violates"]["metrics"]["inst_level_strict"] == 0.0


@pytest.mark.slow
def test_sentence_checker_scores_with_download_and_sockets_disabled(tmp_path: Path) -> None:
    """In a network namespace where one can be made (no route out at all), else with the download and the
    sockets disabled alone (which the script does in both cases): one fresh interpreter, not two."""
    prefix: list[str] = []
    if shutil.which("unshare") is not None and subprocess.run(["unshare", "-rn", "true"],
                                                              capture_output=True).returncode == 0:
        prefix = ["unshare", "-rn"]
    _check(_run(tmp_path, prefix))


@pytest.mark.slow
def test_missing_nltk_resource_is_named_never_downloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    from pytest_evalindex.scorers.ifeval.nltk_data import NltkDataMissing, require_resource

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("download attempted")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    with pytest.raises(NltkDataMissing, match="'no_such_corpus' is not installed"):
        require_resource("no_such_corpus", "corpora/no_such_corpus")
