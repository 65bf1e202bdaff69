"""Value types and helpers every layer may use; imports nothing else from the package."""
