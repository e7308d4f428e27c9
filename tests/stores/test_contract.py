"""The store contract: every `VectorStore` (Chroma on disk, Chroma server, LanceDB) passes it."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from llama_index.core.schema import TextNode
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from pipelines.config.schema import StoreConfig
from pipelines.stores.base import VectorStore
from pipelines.stores.chroma import ChromaStore
from pipelines.stores.filters import parse_where
from pipelines.stores.lancedb import LanceDBStore
from tests.pipelines.test_server_mode import server  # noqa: F401 - the `chroma run` fixture

DIM = 8
KINDS = ["chroma-disk", "chroma-server", "lancedb"]
_names = itertools.count()
Factory = Callable[[], VectorStore]


@pytest.fixture(params=KINDS)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Factory]:
    """A factory of store objects that all open the same (fresh) store."""
    kind = request.param
    name = f"contract-{next(_names)}"  # a server keeps collections between tests
    if kind == "chroma-server":
        port = request.getfixturevalue("server")
        config = StoreConfig(host="127.0.0.1", port=port, collection=name)
    else:
        config = StoreConfig(type="chroma" if kind == "chroma-disk" else "lancedb",
                             path=str(tmp_path / "store"))
    cls = ChromaStore if kind.startswith("chroma") else LanceDBStore
    yield lambda: cls(config, name)


def vector(seed: int) -> list[float]:
    return np.random.default_rng(seed).normal(size=DIM).tolist()


def node(i: int, text: str | None = None, **meta: object) -> TextNode:
    meta = {"source": f"kb/doc{i}.md", "page": i, "modality": "text", **meta}
    return TextNode(id_=f"n{i}", text=text or f"passage {i}", metadata=meta,
                    embedding=vector(i))


SOURCES = ["kb/a.md", "kb/b.pdf", "kb/c.pdf", "docs/d.pdf", "kb/e.md"]


def corpus() -> list[TextNode]:
    """Five nodes with sources, pages 1-5, and a `lang` key only on some."""
    nodes = [node(i, source=s) for i, s in enumerate(SOURCES, start=1)]
    nodes[0].metadata["lang"] = "en"
    nodes[1].metadata["lang"] = "zh"
    return nodes


def test_add_replace_delete_are_idempotent(make_store: Factory) -> None:
    store = make_store()
    store.add("text", [])
    store.add("text", corpus())
    store.add("text", corpus())  # the same ids again: replaced, not duplicated
    assert store.count("text") == 5
    store.add("text", [node(2, "new text of two", source="kb/b.pdf", extra=7)])
    assert store.count("text") == 5
    (got,) = store.get("text", ["n2"])
    assert (got.text, got.metadata["extra"], got.metadata["page"]) == ("new text of two", 7, 2)
    store.delete("text", ["n1", "n3"])
    store.delete("text", ["n1", "n3", "no-such-id"])
    store.delete("text", [])
    assert store.count("text") == 3
    assert sorted(store.ids("text")) == ["n2", "n4", "n5"]


WHERE = [  # (filter as the CLI or a Python caller gives it, the ids it matches)
    ("source=kb/a.md", ["n1"]),
    ("page=2..4", ["n2", "n3", "n4"]),
    ("page=4..", ["n4", "n5"]),
    (["page>1", "page<3"], ["n2"]),
    ("source=kb/*.pdf", ["n2", "n3"]),
    ("source=*[de].*", ["n4", "n5"]),
    ({"source": {"$in": ["kb/a.md", "kb/e.md", "nowhere"]}}, ["n1", "n5"]),
    ({"page": {"$nin": [1, 2]}}, ["n3", "n4", "n5"]),
    (["source=*.pdf", "page=..2"], ["n2"]),
    ({"$or": [{"page": 1}, {"source": "docs/d.pdf"}]}, ["n1", "n4"]),
    ("lang=zh", ["n2"]),
    ("lang!=en", ["n2", "n3", "n4", "n5"]),  # nodes without the key match `!=`
    ("no_such_key=1", []),
    ("page=9", []),
    ("source=*.txt", []),
]


@pytest.mark.parametrize(("where", "expected"), WHERE, ids=[str(w) for w, _ in WHERE])
def test_filters(make_store: Factory, where: object, expected: list[str]) -> None:
    store = make_store()
    store.add("text", corpus())
    clause = parse_where(where)  # type: ignore[arg-type]
    assert sorted(store.ids("text", clause)) == expected
    hits = store.search("text", vector(3), 10, clause)
    assert sorted(h.id for h in hits) == expected


def test_scores_are_cosine_best_first(make_store: Factory) -> None:
    store = make_store()
    nodes = corpus()
    store.add("text", nodes)
    query = np.asarray(vector(42))
    hits = store.search("text", query.tolist(), 3)
    unit = {n.node_id: np.asarray(n.embedding) / np.linalg.norm(n.embedding) for n in nodes}
    cosine = {i: float(v @ query / np.linalg.norm(query)) for i, v in unit.items()}
    best = sorted(cosine, key=cosine.get, reverse=True)[:3]
    assert [h.id for h in hits] == best
    assert [h.score for h in hits] == pytest.approx([cosine[i] for i in best], abs=1e-5)
    (top,) = store.search("text", nodes[3].embedding, 1)
    assert (top.id, top.score) == ("n4", pytest.approx(1.0, abs=1e-5))


def test_empty_store_and_missing_collection(make_store: Factory) -> None:
    store = make_store()
    assert store.count("text") == 0
    assert store.search("text", vector(1), 5) == []
    assert store.search("image", vector(1), 5, parse_where("page=1")) == []
    assert store.ids("clip") == [] and store.get("text", ["n1"]) == []
    store.delete("image", ["n1"])
    store.drop("clip")
    store.add("text", corpus())
    assert store.count("image") == 0 and store.count("text") == 5


def test_get_by_ids_gives_text_metadata_and_vector(make_store: Factory) -> None:
    store = make_store()
    nodes = corpus()
    store.add("text", nodes)
    got = {h.id: h for h in store.get("text", ["n4", "missing", "n2"])}
    assert set(got) == {"n2", "n4"}
    for original in (nodes[1], nodes[3]):
        hit = got[original.node_id]
        assert hit.embedding == pytest.approx(original.embedding, abs=1e-6)
        rebuilt = metadata_dict_to_node(hit.metadata, text=hit.text)
        assert (rebuilt.node_id, rebuilt.get_content(), rebuilt.metadata) == (
            original.node_id, original.get_content(), original.metadata)


def test_matching_runs_a_pattern_within_the_filter(make_store: Factory) -> None:
    store = make_store()
    texts = ["Fig. 3. Comparison of the three paradigms", "as shown in Figure 30 and 50%_off",
             "如图3所示，表 2 列出了结果", "FIGURE 3 in capitals", "nothing named here"]
    store.add("text", [node(i, t, source=s) for i, (t, s) in
                       enumerate(zip(texts, SOURCES, strict=True), start=1)])
    pattern = r"Fig\. 3|图3|50%_"
    for matching in (store.matching, partial(VectorStore.matching, store)):  # and the generic
        found = matching("text", pattern)
        assert sorted(h.id for h in found) == ["n1", "n2", "n3"]
        hit = next(h for h in found if h.id == "n3")
        assert (hit.text, hit.metadata["source"]) == (texts[2], "kb/c.pdf")
        assert matching("text", "figure 3") == []  # case-sensitive
        assert [h.id for h in matching("text", "Fig|FIG", parse_where("page>=4"))] == ["n4"]
        assert len(matching("text", "e", limit=2)) == 2
        assert matching("text", "") == [] == matching("image", "Fig")
        assert matching("text", "Fig", parse_where("source=none.pdf")) == []


def test_collections_are_separate_and_drop_empties_one(make_store: Factory) -> None:
    store = make_store()
    store.add("text", corpus())
    store.add("image", [node(9, modality="image")])
    store.add("clip", [node(9, modality="image")])
    assert [store.count(c) for c in ("text", "image", "clip")] == [5, 1, 1]
    store.drop("image")
    assert [store.count(c) for c in ("text", "image", "clip")] == [5, 0, 1]
    store.add("image", [node(8, modality="image")])  # recreated on next use
    assert store.ids("image") == ["n8"]


def test_a_second_store_object_reads_what_the_first_wrote(make_store: Factory) -> None:
    writer, reader = make_store(), make_store()
    writer.add("text", corpus()[:2])
    assert reader.exists()
    assert reader.count("text") == 2
    writer.add("text", corpus()[2:])  # the reader is open already: it sees the new rows
    writer.delete("text", ["n1"])
    assert reader.count("text") == 4
    assert reader.search("text", vector(5), 1)[0].id == "n5"
    assert sorted(reader.ids("text", parse_where("source=*.pdf"))) == ["n2", "n3", "n4"]


def test_optimize_after_many_small_writes_keeps_everything(make_store: Factory) -> None:
    store = make_store()
    for n in corpus():  # one write per file, as ingest does
        store.add("text", [n])
    store.delete("text", ["n5"])
    store.add("text", [node(1, "passage one, again", source="kb/a.md")])
    store.optimize()
    assert store.count("text") == 4
    assert sorted(store.ids("text", parse_where("source=kb/*"))) == ["n1", "n2", "n3"]
    assert store.get("text", ["n1"])[0].text == "passage one, again"
    assert store.search("text", vector(4), 1)[0].id == "n4"
