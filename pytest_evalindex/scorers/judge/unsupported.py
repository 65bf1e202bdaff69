"""EvalScope's LLM-judged benchmarks that a chat API alone cannot run, and what each would need."""

from __future__ import annotations

NOT_SUPPORTED: dict[str, str] = {
    "drivel_writing": "its bert_score metric needs torch and a downloaded BERTScore model next to the judge",
    "general_arena": "it compares other models' report folders with each other, not the answers to a collection",
    "needle_haystack": "it builds its haystack when the dataset loads, with a downloaded tokenizer",
}
"""Said at collection time, before any request, instead of a bare "no scorer"."""
