"""Repository-level conftest: nothing project-specific; the plugin is loaded through its entry point."""
