"""The charts: pure figures rendered to PNG and PDF."""
