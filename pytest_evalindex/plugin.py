"""pytest hooks of pytest-evalindex (work in progress)."""
