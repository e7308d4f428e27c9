"""The offline answerer: quotes the best evidence's steps in order, with [n] citations."""

from __future__ import annotations

import re

from pipelines.engines.articles import Article, parse
from pipelines.engines.base import Engine, Reply, is_chinese
from pipelines.engines.decision import coverage, question_terms, signals, signals_rule
from pipelines.engines.params import ExtractiveParams
from pipelines.query.answer import Source
from pipelines.query.location import short_path, where
from pipelines.query.types import Hit, Query

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_LABELS = {
    "en": {
        "intro": "Extractive answer (quoted from the knowledge base, not generated):",
        "none": "No relevant information found in the knowledge base.",
        "best": "Best match", "steps": "Steps", "cause": "Cause", "answer": "Answer",
        "problem": "Problem", "error": "Error", "see": "See also", "sources": "Sources",
        "transcript": "transcript", "slide": "slide text",
    },
    "zh": {
        "intro": "摘录式回答（摘自知识库原文，非模型生成）：",
        "none": "知识库中没有找到相关内容。",
        "best": "最佳匹配", "steps": "步骤", "cause": "原因", "answer": "答案",
        "problem": "题目", "error": "错误信息", "see": "另见", "sources": "来源",
        "transcript": "字幕", "slide": "画面文字",
    },
}
_CONTEXT = (("cause", ("cause", "why", "原因")), ("problem", ("problem", "题目")))
_FINAL = ("answer", "答案")
_CLOSE = 0.05  # cosine margin within which a lower hit can add sentences to the answer


class ExtractiveEngine(Engine):
    """Builds the answer only from retrieved text: never invents a sentence."""

    Params = ExtractiveParams
    settings: ExtractiveParams

    def answer(self, query: Query, hits: list[Hit]) -> Reply:
        labels = _LABELS["zh" if is_chinese(query.question) else "en"]
        if not self.relevant(query, hits):
            return Reply(labels["none"], declined=True)
        if hits[0].timed:  # video / subtitles: quote the moments with their mm:ss range
            return Reply("\n".join([labels["intro"], "", *self._moments(hits, labels)]))
        article = parse(hits[0].text)
        body = (self._structured(article, labels) if article.steps
                else self._sentences(query.text, hits[:3]))
        lines = [labels["intro"], "", f"{labels['best']} [1]: {article.title} ({_where(hits[0])})"]
        lines += body
        related = [f"[{i}] {_where(h)}" for i, h in enumerate(hits[1:3], start=2)
                   if h.source != hits[0].source]
        if related:
            lines += ["", f"{labels['see']}: " + "; ".join(related)]
        return Reply("\n".join(lines))

    def relevant(self, query: Query, hits: list[Hit]) -> bool:
        """Whether the best hit answers the question (`decision.signals_rule` with the
        `llm.min_relevance`, `relevance_floor` and `min_coverage` settings)."""
        if not hits:
            return False
        cfg = self.settings
        return signals_rule(signals(query.question, query.text, hits), cfg.min_relevance,
                            cfg.relevance_floor, cfg.min_coverage)

    def _structured(self, article: Article, labels: dict[str, str]) -> list[str]:
        out: list[str] = []
        error = _error_line(article)
        if error:
            out.append(f"{labels['error']}: {error}")
        for key, names in _CONTEXT:
            section = article.section(*names)
            if section and section.body:
                out.append(f"{labels[key]}: {section.body} [1]")
        out += ["", f"{labels['steps']}:"]
        steps = article.steps[: self.settings.max_steps]
        out += [f"{i}. {step} [1]" for i, step in enumerate(steps, start=1)]
        final = article.section(*_FINAL)
        if final and final.body:
            out += ["", f"{labels['answer']}: {final.body} [1]"]
        return out

    def _moments(self, hits: list[Hit], labels: dict[str, str]) -> list[str]:
        """The two best timed excerpts quoted whole (a transcript chunk, or a frame's slide
        text), each headed by [n], file and mm:ss range; the next two as see-also."""
        out: list[str] = []
        for rank, hit in enumerate(hits[:2], start=1):
            if not hit.timed:
                continue
            kind = labels["slide" if hit.modality == "image" else "transcript"]
            head = f"{labels['best']} [1]:" if rank == 1 else f"[{rank}]"
            out += [f"{head} {_where(hit)} ({kind})"]
            out += [f"> {line.strip()}" for line in hit.text.splitlines()
                    if line.strip()] + [""]
        related = [f"[{i}] {_where(h)}" for i, h in enumerate(hits[1:4], start=2)
                   if i > 2 or not h.timed]
        return out + ([f"{labels['see']}: " + "; ".join(related)] if related else [])

    def _sentences(self, query_text: str, hits: list[Hit]) -> list[str]:
        """No steps in the evidence: the sentences closest to the query, in source order,
        from the passages about as close to the query as the best one.

        Sentences are first ranked by the query words they contain (a word also counts
        through its CC-CEDICT translation), and only the best `llm.sentence_candidates` of
        them are embedded: embedding every sentence of three long passages costs about a
        second on a CPU."""
        floor = hits[0].score - _CLOSE
        pool = [(rank, s.strip()) for rank, hit in enumerate(hits, start=1)
                if rank == 1 or hit.score >= floor
                for s in _SENTENCE.split(hit.text) if len(s.strip()) > 3]
        if not pool:
            return []
        limit = self.settings.sentence_candidates
        if limit and len(pool) > limit:
            terms = question_terms(query_text)
            overlap = [coverage(terms, sentence) or 0.0 for _, sentence in pool]
            best = sorted(sorted(range(len(pool)), key=lambda i: -overlap[i])[:limit])
            pool = [pool[i] for i in best]
        if self.embed_model is not None and len(pool) > 3:
            import numpy as np

            q = np.asarray(self.embed_model.get_query_embedding(query_text))
            vecs = np.asarray(self.embed_model.get_text_embedding_batch([s for _, s in pool]))
            keep = sorted(np.argsort(-(vecs @ q))[:3])
            pool = [pool[i] for i in keep]
        return [""] + [f"- {sentence} [{rank}]" for rank, sentence in pool[:3]]


def _error_line(article: Article) -> str | None:
    for section in article.sections[:1]:
        for line in section.lines:
            key, sep, value = line.partition(":") if ":" in line else line.partition("：")
            if sep and key.strip().lower() in ("error text", "error", "错误信息", "错误"):
                return value.strip()
    return None


def _where(hit: Hit) -> str:
    if hit.timed:
        return Source.from_hit(0, hit).label()  # file @ mm:ss–mm:ss
    page = f", {where(hit.page, None, None, hit.printed_page)}" if hit.page is not None else ""
    source = hit.source if "source" in hit.metadata else "?"
    return f"{short_path(source)}{page}"
