"""The `evalindex` command."""
