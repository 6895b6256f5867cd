"""The read-only REST mirror at /api/v1, described by /openapi.json."""
