"""The run folder as a file format: names, EvalScope shapes, writing and reading back."""
