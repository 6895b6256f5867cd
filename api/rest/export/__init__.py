"""Bulk export of the archive: meetings, agenda items and decisions as JSON Lines or CSV,
over HTTP (``/api/v1/export/…``) and from ``referat export``."""
