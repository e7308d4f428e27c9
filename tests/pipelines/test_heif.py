"""HEIC/HEIF photos through a small pipeline: a knowledge-base HEIC (OCR, CLIP vector, JPEG
evidence), a corrupt one (one line, the run goes on), HEIC query images (`Runner.query`, the
CLI, batch, the server's uploads) and what an LLM is sent (JPEG, never HEIC)."""

from __future__ import annotations

import base64
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipelines.engines.media import encode_image
from pipelines.errors import InputError
from pipelines.query.text_retriever import Retriever
from pipelines.runner import Runner
from pipelines.server.config import LimitsConfig
from pipelines.server.errors import ApiError
from pipelines.server.uploads import Uploads
from pipelines.stores.base import CLIP
from tests.conftest import EXAMPLES, write_config
from tests.loaders.test_heif import STORED, grey, save_heic
from tests.pipelines.test_cli import run
from tests.pipelines.test_llm_media import _images
from tests.tiny_clip import build_tiny_clip

SUPPORT = EXAMPLES / "error-screenshot-support"
PIP_SHOT = SUPPORT / "queries" / "shot01-pip-ssl.png"
DOCKER_SHOT = SUPPORT / "queries" / "shot03-docker-daemon.png"
ARTICLES = ("pip-ssl-certificate-verify-failed.md", "docker-cannot-connect-daemon.md")
PIP_ARTICLE = "kb/pip-ssl-certificate-verify-failed.md"


def first_article(sources: list[dict]) -> str:
    return next(s["source"] for s in sources if s["modality"] != "image")


@pytest.fixture(scope="module")
def heic_runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """Two articles, a phone photo of the Docker error (HEIC, stored turned with EXIF
    orientation 6) and a corrupt `.heic`; tiny CLIP for the image side."""
    root = tmp_path_factory.mktemp("heic")
    kb = root / "kb"
    kb.mkdir()
    for name in ARTICLES:
        shutil.copy(SUPPORT / "kb" / name, kb / name)
    save_heic(Image.open(DOCKER_SHOT).transpose(STORED[6]), kb / "IMG_0042.HEIC", 6)
    (kb / "broken.heic").write_bytes(b"\x00\x00\x00\x18ftypheic" + bytes(200))
    build_tiny_clip(root / "tiny-clip")
    body = ("name: heic\nsources: [{path: kb}]\nocr: {languages: [eng]}\n"
            "index: {image_embedding: {type: clip, model: tiny-clip}}\n")
    return Runner.from_config(write_config(root, body))


@pytest.fixture(scope="module")
def ingested(heic_runner: Runner) -> tuple[Runner, object]:
    return heic_runner, heic_runner.ingest(workers=0)


@pytest.fixture(scope="module")
def pip_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pip SSL screenshot as an iPhone would send it: HEIC, turned, orientation 6."""
    folder = tmp_path_factory.mktemp("query")
    return save_heic(Image.open(PIP_SHOT).transpose(STORED[6]), folder / "IMG_0001.HEIC", 6)


def test_a_heic_photo_is_indexed_and_a_corrupt_one_is_one_line(ingested) -> None:
    runner, summary = ingested
    assert sorted(summary.loaded) == sorted(["kb/IMG_0042.HEIC", *(f"kb/{a}" for a in ARTICLES)])
    ((source, error),) = summary.failed  # the run went on past it
    assert source == "kb/broken.heic" and "\n" not in error and error.count("broken.heic") == 1
    assert "cannot read image (UnidentifiedImageError)" in error
    top = runner.query("Cannot connect to the Docker daemon at unix").sources[0]
    assert (top.source, top.modality) == ("kb/IMG_0042.HEIC", "image")
    assert "docker" in top.text.lower()
    with Image.open(top.image) as evidence:  # upright JPEG evidence, as for a JPEG photo
        assert evidence.format == "JPEG"
        assert np.abs(grey(evidence) - grey(Image.open(DOCKER_SHOT))).mean() < 3
    assert runner.index.store.count(CLIP) == 1  # the photo's CLIP vector


def test_a_heic_query_image_twin_of_the_photo_comes_first_by_clip(ingested,
                                                                  tmp_path: Path) -> None:
    runner, _ = ingested
    twin = tmp_path / "twin.heic"
    shutil.copy(runner.config.folder / "kb" / "IMG_0042.HEIC", twin)
    (photo_id,) = runner.index.catalog.get("kb/IMG_0042.HEIC").image_ids
    retriever = Retriever(runner.index, runner.config.retrieval)
    image_only, _ = retriever._image_rankings("what is this?", [twin], None)
    assert image_only[1][0] == photo_id
    stored = runner.index.store.collection(CLIP).get(ids=[photo_id], include=["embeddings"])
    query = runner.index.image_vectors.model.get_image_embedding(str(twin))
    assert float(np.dot(stored["embeddings"][0], query)) > 0.99  # JPEG evidence, HEIC: alike


def test_a_heic_query_image_is_read_upright(ingested, pip_photo: Path) -> None:
    runner, _ = ingested
    answer = runner.query("How do I fix this?", [pip_photo])
    assert "certificate verify failed" in answer.query_text  # OCR of the upright photo
    # the photo's words find the article (the one indexed image is CLIP's top for any image)
    assert first_article(answer.to_dict()["sources"]) == PIP_ARTICLE


def test_cli_query_and_batch_take_heic_images(ingested, pip_photo: Path, tmp_path: Path) -> None:
    runner, _ = ingested
    code, out = run("query", str(runner.config.path), "How do I fix this?", "--image",
                    str(pip_photo), "--json")
    assert code == 0, out
    assert first_article(json.loads(out)["sources"]) == PIP_ARTICLE
    shutil.copy(pip_photo, tmp_path / "photo.HEIC")
    (tmp_path / "in.jsonl").write_text(json.dumps(
        {"id": "a", "question": "How do I fix this?", "image": "photo.HEIC"}) + "\n")
    summary = runner.batch(tmp_path / "in.jsonl", tmp_path / "out.jsonl", workers=1)
    assert (summary.done, summary.failed) == (1, 0)
    (record,) = map(json.loads, (tmp_path / "out.jsonl").read_text().splitlines())
    assert first_article(record["sources"]) == PIP_ARTICLE


def test_an_llm_is_sent_heic_as_upright_jpeg(ingested, pip_photo: Path, monkeypatch) -> None:
    from tests.fake_openai import FakeOpenAI

    runner, _ = ingested
    monkeypatch.setenv("FAKE_LLM_KEY", "k")
    with FakeOpenAI() as server:
        llm = Runner.from_config(runner.config.path, {
            "llm.type": "openai-like", "llm.api_base": server.url, "llm.model": "m",
            "llm.api_key_env": "FAKE_LLM_KEY", "llm.max_retries": 0})
        llm.query("Cannot connect to the Docker daemon, how do I fix this?", [pip_photo])
    sent = _images(server.requests[0])  # the question's photo, then the retrieved HEIC's
    assert len(sent) == 2 and all(url.startswith("data:image/jpeg;base64,") for url in sent)
    with Image.open(io.BytesIO(base64.b64decode(sent[0].split(",", 1)[1]))) as img:
        assert img.format == "JPEG" and img.size == (1024, 521)  # upright, longest side 1024
    data, mime = encode_image(pip_photo, 2000)
    assert mime == "image/jpeg"
    with Image.open(io.BytesIO(data)) as img:
        assert np.abs(grey(img) - grey(Image.open(PIP_SHOT))).mean() < 3


def test_broken_heic_query_image_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.heic"
    bad.write_bytes(b"not a photo")
    with pytest.raises(InputError, match=r"bad\.heic: cannot read image"):
        encode_image(bad, 512)


def test_the_server_takes_heic_uploads(pip_photo: Path) -> None:
    data = pip_photo.read_bytes()
    with Uploads(LimitsConfig()) as uploads:
        path = uploads.add_bytes(data, "IMG_0001.HEIC", "image/heic")
        assert path.suffix == ".heic" and path.read_bytes() == data
        url = "data:image/heic;base64," + base64.b64encode(data).decode()
        assert uploads.add_url(url, 2).suffix == ".heic"
        assert uploads.add_bytes(data, "photo.heic", "application/octet-stream").suffix == ".heic"
        with pytest.raises(ApiError, match="broken.heic: not a readable image"):
            uploads.add_bytes(data[:100], "broken.heic", "image/heic")
