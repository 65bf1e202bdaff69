"""Numbers over many results: the five-level roll-up and its statistics; pure functions."""
