"""Human-readable views of a report: terminal tables and the Markdown summary; pure."""
