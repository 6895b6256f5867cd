# Build: install the package into a virtualenv; run: a slim image with that env only.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY api ./api
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /app referat \
 && mkdir /data && chown referat:referat /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY alembic.ini ./
COPY alembic ./alembic
COPY seeds ./seeds
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    REFERAT_PROJECT_ROOT=/app \
    DATABASE_URL=sqlite:////data/referat.db \
    WORKERS=2
USER referat
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=3).status != 200)"
# Migrations first, then the server; exec so that the server gets the stop signal.
CMD ["sh", "-c", "referat migrate && exec referat serve --host 0.0.0.0 --port 8000 --workers \"$WORKERS\""]
