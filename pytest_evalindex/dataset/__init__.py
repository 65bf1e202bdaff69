"""What a suite is: one collection line (Entry), loading a JSONL collection, and choosing which samples run."""
