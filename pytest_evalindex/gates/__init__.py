"""Deciding pass or fail: thresholds, the error budget, the baseline comparison and code gates; pure."""
