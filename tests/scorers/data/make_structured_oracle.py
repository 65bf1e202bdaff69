"""Write structured_oracle.json: EvalScope 1.14.1's full per-sample scores of the match_structured parity cases.

Run the parity probe for this family with a kept folder, then point this script at it:

    NLTK_DATA=<dir with tokenizers/punkt_tab> .venv/bin/python benchmarks/parity_probe.py \
        --evalscope-python /tmp/es/bin/python --family match_structured --keep /tmp/probe
    .venv/bin/python tests/scorers/data/make_structured_oracle.py /tmp/probe

(EvalScope's default-tokenizer ROUGE insists on NLTK's punkt_tab data although it does not use it; offline, point
NLTK_DATA at any copy, e.g. the one ``pytest_evalindex.scorers.ifeval.ensure_punkt_tab`` writes.) Each case keeps
what the scorer reads and EvalScope's verdict: every value key, the main metric a collection averages, the extraction.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
from parity_cases import load_family  # noqa: E402

OUT = Path(__file__).with_name("structured_oracle.json")


def main(run: Path) -> None:
    cases = load_family("match_structured")
    reviews = list((run / "evalscope").glob("out/*/reviews/*/data_collection_default.jsonl"))
    if len(reviews) != 1:
        raise SystemExit(f"expected one EvalScope review file under {run}/evalscope/out, found {reviews}")
    verdicts: dict[int, dict[str, Any]] = {}
    for raw in reviews[0].read_text(encoding="utf-8").splitlines():
        if raw.strip():
            line = json.loads(raw)["sample_score"]
            verdicts[int(line["sample_metadata"]["collection_info"]["index"])] = line
    rows = []
    for i, case in enumerate(cases):
        line = verdicts[i]
        if line["sample_metadata"]["collection_info"]["dataset_name"] != case["dataset_name"]:
            raise SystemExit(f"case {i}: the run does not hold this family's cases in order")
        score = line["score"]
        values = score.get("value") or {}
        metric = score.get("main_score_name")
        if metric not in values:  # Score.main_value falls back to the first key
            metric = next(iter(values), metric)
        row = {k: case[k] for k in ("dataset_name", "subset_name", "choices", "target", "metadata", "answer", "note")}
        row["expected"] = {"value": values.get(metric) if metric else None, "metric": metric, "values": values,
                           "extracted": score.get("extracted_prediction")}
        rows.append(row)
    doc = {"oracle": "EvalScope 1.14.1 data_collection (benchmarks/parity_probe.py --keep)",
           "written_by": "tests/scorers/data/make_structured_oracle.py", "cases": rows}
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(rows)} cases)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
