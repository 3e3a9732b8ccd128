# syntax=docker/dockerfile:1.7
# One image recipe for every service (and the `lgnet` CLI, for the topics and seed jobs):
#   docker build --build-arg SERVICE=referral -t lgnet/referral .
# SERVICE is one of: referral, housing, payments, notifications, cli.
# The dependency set comes from uv.lock alone (`--frozen`): the same lock gives the same image.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# The uv the repository pins (./dev installs the same version).
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# ---------------------------------------------------------------- build: the venv of one package
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<referral|housing|payments|notifications|cli>" >&2; exit 1; }

# Third-party dependencies first: this layer changes only when the lock or a pyproject does.
COPY pyproject.toml uv.lock ./
COPY contracts/pyproject.toml contracts/
COPY runtime/pyproject.toml runtime/
COPY cli/pyproject.toml cli/
COPY testing/pyproject.toml testing/
COPY services/referral/pyproject.toml services/referral/
COPY services/housing/pyproject.toml services/housing/
COPY services/payments/pyproject.toml services/payments/
COPY services/notifications/pyproject.toml services/notifications/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package "lgnet-${SERVICE}"

# Then the workspace's own code (editable installs: the services find their config/ next to src/).
COPY contracts/src contracts/src
COPY runtime/src runtime/src
COPY cli/src cli/src
COPY services services
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "lgnet-${SERVICE}"

# Keep only what the chosen package runs from: the venv, its workspace sources, and one entrypoint.
RUN set -eu; \
    case "${SERVICE}" in \
      cli) dirs="contracts runtime cli"; script=lgnet ;; \
      *) dirs="contracts runtime services/${SERVICE}"; script="lgnet-${SERVICE}" ;; \
    esac; \
    mkdir -p /dist/app; \
    cp -a /app/.venv /dist/app/.venv; \
    for d in $dirs; do mkdir -p "/dist/app/$d" && cp -a "/app/$d/." "/dist/app/$d/"; done; \
    rm -rf /dist/app/services/*/tests; \
    test -x "/dist/app/.venv/bin/${script}"; \
    ln -s "/app/.venv/bin/${script}" /dist/app/entrypoint

# ---------------------------------------------------------------- runtime: slim, non-root
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="lgnet-${SERVICE}" \
      org.opencontainers.image.description="LGNet3 Rapid Response: ${SERVICE}"
RUN groupadd --system --gid 10001 lgnet \
 && useradd --system --uid 10001 --gid lgnet --home-dir /app --shell /usr/sbin/nologin lgnet \
 && install -d -o 10001 -g 10001 /var/lib/lgnet
COPY --from=build --chown=root:root /dist/app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LGNET_SERVICE=${SERVICE} \
    LGNET_DATA_DIR=/var/lib/lgnet
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Services listen on 0.0.0.0:8000 in a container; the settings default to loopback for laptops.
ENV LGNET_REFERRAL_HTTP_HOST=0.0.0.0 \
    LGNET_HOUSING_HTTP_HOST=0.0.0.0 \
    LGNET_PAYMENTS_HTTP_HOST=0.0.0.0 \
    LGNET_NOTIFICATIONS_HTTP_HOST=0.0.0.0
# /app/entrypoint is lgnet-<service> (or lgnet for SERVICE=cli); exec form, so SIGTERM reaches uvicorn.
ENTRYPOINT ["/app/entrypoint"]
