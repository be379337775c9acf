"""Compiler targets: an adapter per target turns the resolved model into the view its
Jinja templates (under the top-level `targets/<name>/`) render."""
