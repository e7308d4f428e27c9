"""CLIP image embeddings and query by image, with a tiny randomly initialised CLIP saved to disk.

The real loading (`from_pretrained(..., local_files_only=True)`), embedding, Chroma and fusion
code runs; only the weights are random, so tests compare an image with an identical copy.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

# The dev extra installs CLIP's stack: a broken install fails here, it is not skipped.
import torch  # noqa: F401
import transformers  # noqa: F401
from PIL import Image, ImageDraw

from pipelines.errors import ConfigError, StoreError
from pipelines.query.text_retriever import Retriever
from pipelines.runner import Runner
from pipelines.stores.base import CLIP
from tests.conftest import write_config
from tests.tiny_clip import build_tiny_clip

NOTE = "# Printer offline\n\nError: `PRINTER_OFFLINE`. Fix: turn the printer on.\n"


def _images(folder: Path) -> dict[str, Path]:
    """Four text-free images with distinct patterns (little or no OCR text)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    pictures = {
        "stripes": Image.new("RGB", (96, 96), "white"),
        "checker": Image.new("RGB", (96, 96), "yellow"),
        "disc": Image.new("RGB", (96, 96), "navy"),
        "noise": Image.fromarray(rng.integers(0, 255, (96, 96, 3), dtype=np.uint8)),
    }
    draw = ImageDraw.Draw(pictures["stripes"])
    for x in range(0, 96, 16):
        draw.rectangle((x, 0, x + 7, 95), fill="black")
    draw = ImageDraw.Draw(pictures["checker"])
    for x in range(0, 96, 24):
        for y in range(0, 96, 24):
            if (x + y) // 24 % 2:
                draw.rectangle((x, y, x + 23, y + 23), fill="blue")
    ImageDraw.Draw(pictures["disc"]).ellipse((20, 20, 76, 76), fill="orange")
    paths = {}
    for name, picture in pictures.items():
        paths[name] = folder / f"{name}.png"
        picture.save(paths[name])
    return paths


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_clip(tmp_path_factory.mktemp("models") / "tiny-clip")


def _make(root: Path, clip_dir: Path) -> Runner:
    """A pipeline over `root/kb` (images + one note) with CLIP from a relative folder."""
    if not (root / "kb").exists():
        _images(root / "kb")
        (root / "kb" / "printer.md").write_text(NOTE, encoding="utf-8")
        shutil.copytree(clip_dir, root / "tiny-clip")
    body = ("name: clipped\nsources: [{path: kb}]\nocr: {languages: [eng]}\n"
            "index: {image_embedding: {type: clip, model: tiny-clip, batch_size: 3}}\n")
    return Runner.from_config(write_config(root, body))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, clip_dir: Path) -> Runner:
    runner = _make(tmp_path_factory.mktemp("clipped"), clip_dir)
    summary = runner.ingest()
    assert (len(summary.loaded), summary.failed) == (5, []), summary.text()
    return runner


def _ids_of(runner: Runner, name: str) -> list[str]:
    entry = runner.index.catalog.get(f"kb/{name}.png")
    assert entry is not None
    return entry.image_ids


def test_embedding_is_multimodal_normalised_and_deterministic(clip_dir: Path) -> None:
    from llama_index.core.embeddings.multi_modal_base import MultiModalEmbedding

    from pipelines.index.clip import ClipEmbedding

    paths = _images(clip_dir.parent / "pictures")
    model = ClipEmbedding(model=str(clip_dir), batch_size=2)
    assert isinstance(model, MultiModalEmbedding)
    vectors = model.get_image_embedding_batch([str(p) for p in paths.values()])
    again = model.get_image_embedding(str(paths["stripes"]))
    text = model.get_text_embedding_batch(["a striped picture", "printer offline " * 50])
    assert len(vectors) == 4 and all(len(v) == 16 for v in [*vectors, *text])
    assert all(math.isclose(float(np.linalg.norm(v)), 1.0, abs_tol=1e-5) for v in vectors + text)
    assert np.allclose(vectors[0], again, atol=1e-5)
    assert max(float(np.dot(vectors[0], v)) for v in vectors[1:]) < 0.9999


def test_ingest_stores_clip_vectors_beside_the_text_side(ingested: Runner) -> None:
    store = ingested.index.store
    image_ids = {i for name in ("stripes", "checker", "disc", "noise")
                 for i in _ids_of(ingested, name)}
    clip = store.collection(CLIP).get(include=["embeddings", "metadatas"])
    assert set(clip["ids"]) == image_ids
    assert all(len(v) == 16 for v in clip["embeddings"])
    assert {m["modality"] for m in clip["metadatas"]} == {"image"}
    assert store.count("image") == 4  # OCR/caption text stays in the text-embedding space
    assert store.count("text") >= 1
    assert ingested.stats().nodes == {"text": store.count("text"), "image": 4, CLIP: 4}


def test_query_image_identical_to_an_indexed_one_comes_first(ingested: Runner,
                                                             tmp_path: Path) -> None:
    twin = tmp_path / "query.png"
    shutil.copy(ingested.config.folder / "kb" / "checker.png", twin)
    retriever = Retriever(ingested.index, ingested.config.retrieval)
    image_only, text_only = retriever._image_rankings("what is this picture?", [twin], None)
    assert image_only[1][0] == _ids_of(ingested, "checker")[0]
    assert len(text_only[1]) == 4  # text->image ran over every indexed image
    answer = ingested.query("what is this picture?", images=[twin])
    images = [s for s in answer.sources if s.modality == "image"]
    assert images and images[0].source == "kb/checker.png"


def test_text_query_reaches_images_and_text(ingested: Runner) -> None:
    retriever = Retriever(ingested.index, ingested.config.retrieval)
    rankings = retriever._image_rankings("orange disc", [], None)
    assert [w for w, _ in rankings] == [1.0] and len(rankings[0][1]) == 4
    answer = ingested.query("PRINTER_OFFLINE how do I fix it")
    assert answer.sources[0].source == "kb/printer.md"


def test_image_weight_zero_and_no_image_embedding_change_nothing(ingested: Runner) -> None:
    retriever = Retriever(ingested.index, ingested.config.retrieval.model_copy(
        update={"image_weight": 0.0, "text_image_weight": 0.0}))
    assert retriever._image_rankings("orange disc", ["unused.png"], None) == []
    plain = Runner.from_config(ingested.config.path,
                               {"index.image_embedding": None,
                                "index.store.path": ingested.config.index.store.path})
    assert ":image=" not in plain.index.fingerprint()
    assert ":image=clip:tiny-clip:" in ingested.index.fingerprint()
    assert Retriever(plain.index, plain.config.retrieval)._image_rankings("x", [], None) == []


def test_reingest_unchanged_adds_nothing_and_loads_no_model(ingested: Runner) -> None:
    again = Runner.from_config(ingested.config.path)
    before = again.index.store.count(CLIP)
    summary = again.ingest()
    assert (summary.nodes_added, len(summary.unchanged)) == (0, 5)
    assert again.index.store.count(CLIP) == before == 4
    assert again.index.image_vectors._model is None


def test_clip_vectors_follow_removed_changed_files_and_settings(tmp_path: Path,
                                                                clip_dir: Path) -> None:
    runner = _make(tmp_path, clip_dir)
    runner.ingest(workers=0)
    gone, changed = _ids_of(runner, "noise"), _ids_of(runner, "disc")
    (tmp_path / "kb" / "noise.png").unlink()
    Image.new("RGB", (64, 64), "green").save(tmp_path / "kb" / "disc.png")
    summary = Runner.from_config(runner.config.path).ingest(prune=True, workers=0)
    assert (summary.removed, summary.loaded) == (["kb/noise.png"], ["kb/disc.png"])
    ids = set(runner.index.store.collection(CLIP).get(include=[])["ids"])
    assert len(ids) == 3 and not ids & set(gone + changed)
    assert set(_ids_of(runner, "disc")) <= ids
    # switching CLIP off: every file again (fingerprint), and the CLIP collection is dropped
    off = Runner.from_config(runner.config.path, {"index.image_embedding": None})
    assert off.ingest(workers=0).nodes_added == 4
    names = [getattr(c, "name", c) for c in off.index.store.client().list_collections()]
    assert names and not any(str(n).endswith("_clip") for n in names)
    assert off.query("PRINTER_OFFLINE").sources[0].source == "kb/printer.md"
    with pytest.raises(StoreError, match="changed since its last ingest"):
        Runner.from_config(runner.config.path).query("orange disc")


def test_missing_model_is_one_clear_line(tmp_path: Path, clip_dir: Path) -> None:
    from pipelines.index.clip import ClipEmbedding

    picture = _images(tmp_path / "pics")["disc"]
    with pytest.raises(ConfigError) as hub:
        ClipEmbedding(model="mmrag-tests/no-such-clip").get_image_embedding(str(picture))
    with pytest.raises(ConfigError) as folder:
        ClipEmbedding(model=str(tmp_path / "nowhere")).get_query_embedding("x")
    for error, name in ((hub, "mmrag-tests/no-such-clip"), (folder, str(tmp_path / "nowhere"))):
        assert name in str(error.value) and "\n" not in str(error.value)
    assert "hf download mmrag-tests/no-such-clip" in str(hub.value)
    config = write_config(tmp_path, "name: noclip\nindex: {image_embedding: {type: clip}}\n")
    with pytest.raises(ConfigError, match=r"index\.image_embedding: type clip needs 'model'"):
        Runner.from_config(config)
