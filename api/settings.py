"""Settings from the environment, read once and passed down explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite:///referat.db"
RESPONSE_CACHE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    # Whose minutes a document is when neither `ingest --organization` nor the
    # document's letterhead says.
    organization: str | None = None
    # The largest document ingest reads, in MB (REFERAT_MAX_DOCUMENT_MB).
    max_document_mb: float = 100.0
    # Seconds one request may spend in the database (REFERAT_REQUEST_TIMEOUT).
    request_timeout: float = 10.0
    # Bytes of aggregate answers kept while the data stays (REFERAT_RESPONSE_CACHE_BYTES;
    # 0 keeps none): api.schema.responses.
    response_cache_bytes: int = RESPONSE_CACHE_BYTES
    # GraphQL queries answered by one SQL statement a root field (api.read.compiler),
    # where they compile; off, the resolvers answer every query (REFERAT_COMPILE_GRAPHQL).
    compile_graphql: bool = True

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        origins = tuple(o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            database_url=env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            cors_origins=origins,
            organization=env.get("REFERAT_ORGANIZATION", "").strip() or None,
            max_document_mb=float(env.get("REFERAT_MAX_DOCUMENT_MB", "100")),
            request_timeout=float(env.get("REFERAT_REQUEST_TIMEOUT", "10")),
            response_cache_bytes=int(env.get("REFERAT_RESPONSE_CACHE_BYTES", RESPONSE_CACHE_BYTES)),
            compile_graphql=env.get("REFERAT_COMPILE_GRAPHQL", "1").strip().lower()
            not in ("0", "false", "no", "off"),
        )
