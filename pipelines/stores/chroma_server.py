"""Talking to a Chroma server: the auth header from the environment, one-line errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pipelines.config.schema import StoreConfig
from pipelines.errors import StoreError

DEFAULT_PORT = 8000
_UNREACHABLE = "Could not connect to a Chroma server"  # chromadb's wording for ConnectError


def address(config: StoreConfig) -> str:
    """`host:port` of the configured server."""
    return f"{config.host}:{config.port or DEFAULT_PORT}"


def auth_headers(config: StoreConfig) -> dict[str, str]:
    """The auth header to send, with the token read from `auth_token_env` now.

    `Authorization` gets `Bearer <token>` unless the token already names a scheme
    (`Basic ...`); any other header (default `X-Chroma-Token`) gets the token as is.

    Raises:
        StoreError: The environment variable is unset or empty (the message names it).
    """
    env = config.auth_token_env
    if not env:
        return {}
    token = os.environ.get(env, "").strip()
    if not token:
        raise StoreError(f"index.store.auth_token_env names {env}, but that environment "
                         f"variable is not set (it must hold the token for {address(config)})")
    if config.auth_header.lower() == "authorization" and " " not in token:
        token = f"Bearer {token}"
    return {config.auth_header: token}


def connect(config: StoreConfig, settings: Any) -> Any:
    """A `chromadb.HttpClient` for the configured server (it checks the server answers)."""
    import chromadb

    headers = auth_headers(config)
    with server_errors(config, broad=True):
        return chromadb.HttpClient(host=str(config.host), port=config.port or DEFAULT_PORT,
                                   ssl=config.ssl, headers=headers or None, settings=settings)


@contextmanager
def server_errors(config: StoreConfig, broad: bool = False) -> Iterator[None]:
    """Turn failures talking to the server into one-line `StoreError`s.

    Args:
        config: The server's store config (for the address and the token to hide).
        broad: Convert every exception (client set-up), not only transport and Chroma errors.
    """
    import httpx
    from chromadb.errors import ChromaError

    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        if not broad and not isinstance(exc, (httpx.TransportError, ChromaError)):
            raise
        raise StoreError(describe(exc, config)) from None


def describe(exc: BaseException, config: StoreConfig) -> str:
    """One line for a server failure; the token never appears in it."""
    import httpx
    from chromadb.errors import AuthorizationError, ChromaAuthError

    text = " ".join(str(exc).split()) or type(exc).__name__
    token = os.environ.get(config.auth_token_env or "", "").strip()
    if token:
        text = text.replace(token, "***")
    where = address(config)
    if isinstance(exc, httpx.TransportError) or _UNREACHABLE in text:
        return f"cannot reach chroma server at {where}: {text}"
    if isinstance(exc, (ChromaAuthError, AuthorizationError)):
        if config.auth_token_env:
            return (f"chroma server at {where} refused the token sent in {config.auth_header} "
                    f"(from ${config.auth_token_env}): {text}")
        return (f"chroma server at {where} refused the request; if it needs a token, set "
                f"index.store.auth_token_env: {text}")
    return f"chroma server at {where}: {text}"
