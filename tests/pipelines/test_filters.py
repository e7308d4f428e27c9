"""Metadata filters: parsing `--where` and restricting dense + lexical retrieval."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.errors import InputError
from pipelines.runner import Runner
from pipelines.stores.filters import (
    And,
    Compare,
    Glob,
    In,
    Or,
    Range,
    expand_globs,
    parse_where,
    to_chroma,
)
from tests.conftest import write_config


def test_parse_conditions() -> None:
    """The neutral form, seen through its Chroma translation (the documented dict form)."""
    assert parse_where(None) is None
    assert to_chroma(parse_where("source=docs/a.md")) == {"source": {"$eq": "docs/a.md"}}
    assert to_chroma(parse_where(["page=2..5", "modality!=image"])) == {"$and": [
        {"page": {"$gte": 2}}, {"page": {"$lte": 5}}, {"modality": {"$ne": "image"}}]}
    assert to_chroma(parse_where("page=3..")) == {"page": {"$gte": 3}}
    assert to_chroma(parse_where("start>=12.5")) == {"start": {"$gte": 12.5}}
    assert to_chroma(parse_where({"page": 1})) == {"page": {"$eq": 1}}


def test_chroma_dicts_parse_into_the_neutral_form() -> None:
    where = {"$and": [{"page": {"$gte": 2}}, {"$or": [{"source": {"$in": ["a.md", "b.md"]}},
                                                      {"modality": {"$nin": ["image"]}}]}]}
    assert parse_where(where) == And((Compare("page", "gte", 2), Or((
        In("source", ("a.md", "b.md")), In("modality", ("image",), negate=True)))))
    assert to_chroma(parse_where(where)) == where
    assert parse_where({"page": 1, "modality": "text"}) == And((
        Compare("page", "eq", 1), Compare("modality", "eq", "text")))
    assert parse_where(["source=*.pdf", "page=2..5"]) == And((
        Glob("source", "*.pdf"), Range("page", 2, 5)))
    with pytest.raises(InputError, match=r"where page: unknown operator '\$like'"):
        parse_where({"page": {"$like": 1}})


@pytest.mark.parametrize("bad", ["source", "=x", "page=", "page=.."])
def test_bad_conditions_are_one_line_errors(bad: str) -> None:
    with pytest.raises(InputError, match="--where") as err:
        parse_where(bad)
    assert "\n" not in str(err.value)


def test_source_globs_expand_to_indexed_sources() -> None:
    sources = ["kb/a.md", "kb/b.pdf", "kb/c.pdf"]
    where = parse_where(["source=*.pdf", "page=1"])
    assert to_chroma(expand_globs(where, sources)) == {"$and": [
        {"source": {"$in": ["kb/b.pdf", "kb/c.pdf"]}}, {"page": {"$eq": 1}}]}
    assert to_chroma(expand_globs(parse_where("source=kb/a.md"), sources)) == {
        "source": {"$eq": "kb/a.md"}}


def test_where_restricts_both_retrievers(support_runner) -> None:
    question = "pip install fails with SSL CERTIFICATE_VERIFY_FAILED"
    unfiltered = support_runner.query(question)
    assert "pip-ssl" in unfiltered.sources[0].source
    for mode in ("hybrid", "dense", "lexical"):
        support_runner.config.retrieval.mode = mode
        try:
            answer = support_runner.query(question, where="source=*.pdf")
        finally:
            support_runner.config.retrieval.mode = "hybrid"
        assert answer.sources, mode
        assert all(s.source.endswith(".pdf") for s in answer.sources), mode
    pages = support_runner.query("Java heap space", where=["source=*java*", "page=1..1"])
    assert pages.sources and {(s.page, "java" in s.source) for s in pages.sources} == {(1, True)}


def test_where_matching_nothing_finds_nothing(support_runner) -> None:
    answer = support_runner.query("docker daemon", where="source=*no-such-file*")
    assert answer.sources == []


def test_cli_where(support_runner) -> None:
    config = str(support_runner.config.path)
    store = f"index.store.path={support_runner.config.index.store.path}"
    result = CliRunner().invoke(main, ["query", config, "nginx 502 bad gateway", "--json",
                                       "--set", store, "--where", "source=*nginx*"])
    assert result.exit_code == 0, result.output
    assert "nginx-502-bad-gateway.pdf" in result.output
    bad = CliRunner().invoke(main, ["query", config, "x", "--where", "page"])
    assert bad.exit_code == 1
    assert bad.output.count("\n") == 1 and "--where 'page'" in bad.output


PAGES = ["Router status light blinks red: the cable is unplugged. Plug the cable in again.",
         "Router status light blinks red: a firmware update runs. Wait ten minutes.",
         "Router status light blinks red: the router overheats. Move it to a cool place."]


def _three_page_pdf(path: Path) -> Path:
    """One router manual, a page per cause of the same red light (made with PDFium)."""
    import pypdfium2 as pdfium

    from tests.loaders.test_pdf import _add_text

    pdf = pdfium.PdfDocument.new()
    for text in PAGES:
        page = pdf.new_page(612, 792)
        for line, part in enumerate(text.split(": ")):
            _add_text(pdf, page, part, 72, 720 - 20 * line)
        page.gen_content()
    pdf.save(path)
    return path


def router_pipeline(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    """The three-page router manual, ingested: (config, overrides naming its store)."""
    kb = tmp_path / "kb"
    kb.mkdir()
    _three_page_pdf(kb / "router.pdf")
    config = write_config(tmp_path, f"name: pages\nsources: [{{path: {kb}}}]\n"
                                    "ocr: {languages: [eng]}\nretrieval: {page_images: false}\n")
    store: dict[str, object] = {"index.store.path": str(tmp_path / "store")}
    assert not Runner.from_config(config, store).ingest(workers=0).failed
    return config, store


def test_page_filter_on_a_multi_page_pdf(tmp_path: Path) -> None:
    runner = Runner.from_config(*router_pipeline(tmp_path))
    question = "router status light blinks red"
    assert {s.page for s in runner.query(question).sources} == {1, 2, 3}
    only = runner.query(question, where="page=2").sources
    assert [(s.page, "firmware" in s.text) for s in only] == [(2, True)]

    def pages(where: str | list[str]) -> list[int]:
        return [hit.node.metadata["page"] for hit in runner.retrieve(question, where=where)]

    for mode in ("hybrid", "dense", "lexical"):
        runner.config.retrieval.mode = mode
        assert pages("page=3") == [3], mode
        assert sorted(pages(["page=..2", "page!=1"])) == [2], mode
    assert sorted(pages("page=2..3")) == [2, 3]
