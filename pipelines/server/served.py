"""The pipelines a server answers with: one Runner each, opened and warmed once at start."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.errors import ConfigError, MmragError
from pipelines.query.answer import Answer
from pipelines.runner import Runner

log = logging.getLogger("mmrag.serve")


@dataclass
class Served:
    """One named pipeline behind the server."""

    name: str
    description: str
    runner: Runner
    root: Path  # paths under it are shown relative to it; nothing else is shown

    @property
    def state_dir(self) -> Path:
        return Path(self.runner.index.state_dir).resolve()

    def public_path(self, path: str | None) -> str | None:
        """A path as a client may see it: relative to the pipeline's project folder, or
        just the file name (never an absolute server path)."""
        if not path:
            return path
        resolved = Path(path).resolve()
        for base in (self.root, self.state_dir):
            if resolved.is_relative_to(base):
                return str(resolved.relative_to(base))
        return resolved.name

    def public_text(self, text: str) -> str:
        """Answer text with the server's folders cut from the paths it quotes."""
        for base in (self.root, self.state_dir):
            text = text.replace(f"{base}/", "")
        return text

    def evidence_roots(self) -> list[Path]:
        """Where cited images may be: the state folder and the source folders."""
        sources = [Path(s.path).resolve() for s in self.runner.config.sources]
        return [self.state_dir, *sources]


class Evidence:
    """Opaque, signed ids for evidence images: the server only serves files it cited."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def token(self, pipeline: str, path: str) -> str:
        raw = f"{pipeline}\0{Path(path).resolve()}".encode()
        mac = hmac.new(self._secret, raw, hashlib.sha256).digest()[:16]
        return (base64.urlsafe_b64encode(raw).decode().rstrip("=") + "."
                + base64.urlsafe_b64encode(mac).decode().rstrip("="))

    def path(self, pipeline: str, token: str, allowed: list[Path]) -> Path | None:
        """The file an id stands for, or None (forged, another pipeline's, or moved)."""
        body, _, mac = token.partition(".")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
        except (ValueError, TypeError):
            return None
        want = hmac.new(self._secret, raw, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(given, want):
            return None
        name, _, text = raw.decode("utf-8", "replace").partition("\0")
        path = Path(text)
        if name != pipeline or not path.is_file():
            return None
        return path if any(path.is_relative_to(base) for base in allowed) else None


def open_pipelines(names: list[str], overrides: list[str]) -> dict[str, Served]:
    """Build and warm a Runner per pipeline; a pipeline that cannot start is named and
    skipped (the others still serve); none at all is a ConfigError."""
    from pipelines.config.settings import pipeline_names

    served: dict[str, Served] = {}
    for name in names or pipeline_names():
        started = time.perf_counter()
        try:
            runner = Runner.from_config(name, overrides)
            warm(runner)
        except MmragError as exc:
            log.warning("pipeline %s not served: %s", name, exc)
            continue
        served[runner.config.name] = served_from(runner)
        log.info("pipeline %s ready in %.1f s", runner.config.name,
                 time.perf_counter() - started)
    if not served:
        raise ConfigError("no pipeline could be served (see the warnings above)")
    return served


def served_from(runner: Runner) -> Served:
    """A Runner as served: paths are shown relative to its config folder's parent (the
    project folder of a shipped pipeline)."""
    config = runner.config
    return Served(config.name, config.description, runner, config.folder.parent.resolve())


def warm(runner: Runner) -> None:
    """Open the index and load the embedder and OCR engine now, not on the first request;
    a pipeline not ingested yet is a StoreError (it is then not served)."""
    runner.index.check_ready()
    runner.warm_up()


def answer_json(served: Served, answer: Answer, evidence: Evidence, base_url: str
                ) -> dict[str, Any]:
    """`mmrag query --json`'s object, paths made public and images given an `image_url`."""
    data = answer.to_dict()
    data["answer"] = served.public_text(data["answer"])
    for source in data["sources"]:
        image = source.get("image")
        source["source"] = served.public_path(source["source"])
        source["image"] = served.public_path(image)
        source["image_url"] = (f"{base_url}api/evidence/{served.name}/"
                               f"{evidence.token(served.name, image)}" if image else None)
    return data
