"""Start the server: check the bind/auth policy, open and warm the pipelines, run uvicorn."""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
import time

from fastapi import FastAPI

from pipelines.errors import ConfigError
from pipelines.server.config import ServeConfig, read_keys

log = logging.getLogger("mmrag.serve")
_CONFIG_ENV, _SECRET_ENV = "MMRAG_SERVE_CONFIG", "MMRAG_SERVE_SECRET"


def check_policy(config: ServeConfig, keys: list[str]) -> None:
    """Without API keys the server binds to loopback only, unless explicitly allowed."""
    if not keys and not config.is_loopback() and not config.allow_unauthenticated:
        raise ConfigError(
            f"refusing to serve on {config.host} without API keys: set "
            f"{config.auth.keys_env or 'auth.keys_env'} (or auth.keys_file), bind to "
            "127.0.0.1, or pass --allow-unauthenticated")


def build_app(config: ServeConfig, secret: bytes | None = None) -> FastAPI:
    """Open the configured pipelines and return the app (what each worker runs)."""
    from pipelines.server.app import create_app
    from pipelines.server.served import open_pipelines

    keys = read_keys(config.auth, dict(os.environ))
    check_policy(config, keys)
    return create_app(config, open_pipelines(config.pipelines, config.pipeline_overrides),
                      keys, secret)


def app_from_env() -> FastAPI:
    """uvicorn factory for `--workers N`: settings and the evidence-id secret from the parent."""
    _logging()
    config = ServeConfig.model_validate(json.loads(os.environ[_CONFIG_ENV]))
    return build_app(config, bytes.fromhex(os.environ[_SECRET_ENV]))


def serve(config: ServeConfig) -> None:
    """Run until SIGINT/SIGTERM (in-flight requests finish first, then exit 0)."""
    import signal

    import uvicorn

    _logging()
    # uvicorn re-raises the signal it caught after its graceful shutdown; with this handler
    # in place that ends the process with status 0 instead of "killed by SIGTERM"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started = time.perf_counter()
    keys = read_keys(config.auth, dict(os.environ))
    check_policy(config, keys)
    options = {"host": config.host, "port": config.port, "access_log": False,
               "log_level": "info", "timeout_graceful_shutdown": 30}
    if config.workers > 1:
        os.environ[_CONFIG_ENV] = config.model_dump_json()
        os.environ[_SECRET_ENV] = secrets.token_hex(32)
        uvicorn.run("pipelines.server.run:app_from_env", factory=True,
                    workers=config.workers, **options)
        return
    app = build_app(config)
    log.info("start-up %.1f s: %d pipeline(s), %s on http://%s:%d", time.perf_counter() - started,
             len(app.state.mmrag.pipelines), "API keys required" if keys else "no API keys",
             config.host, config.port)
    uvicorn.run(app, **options)


def _logging() -> None:
    """Server messages and the JSON access log go to stderr, one line each."""
    if logging.getLogger("mmrag").handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger("mmrag")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
