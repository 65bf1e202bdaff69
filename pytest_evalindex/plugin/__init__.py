"""Everything that touches pytest or pytest-xdist: hooks, options, items, the per-process runtime and the controller."""
