"""Referat: Danish municipal meeting minutes as a queryable API."""
