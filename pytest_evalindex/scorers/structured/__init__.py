"""Scorers for EvalScope 1.14.1's structured-answer benchmarks (grids, programs, tables, tool plans, puzzles)."""
