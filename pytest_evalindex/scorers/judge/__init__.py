"""LLM-as-judge scoring: verdict contract, per-benchmark definitions, strategy and outcome rules."""
