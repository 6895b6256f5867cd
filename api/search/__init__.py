"""Danish full-text search: one normalisation for both engines, so they cannot drift."""
