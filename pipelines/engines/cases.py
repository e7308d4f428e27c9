"""Answers that rank cases (`retrieval.unit: case`): the offline listing, and the quoted
case blocks an LLM prompt gets as its context.

Neither makes a decision: the listing shows the similar cases, their fields and the parts
that matched; the shipped case prompts tell the LLM to summarise, never to diagnose or decide.
"""

from __future__ import annotations

from loaders.text_analysis import has_han
from pipelines.config.prompts import quoted_block
from pipelines.query.cases import CaseResult, Duplicate
from pipelines.query.location import label, short_path
from pipelines.query.types import Hit, Query

SNIPPET = 160  # characters of each cited passage in the offline listing


def _fields(case: CaseResult) -> str:
    return "; ".join(f"{k}: {v}" for k, v in case.fields.items())


def _where(hit: Hit) -> str:
    return label(hit.source, hit.page, hit.start, hit.end, hit.printed_page)


def _snippet(hit: Hit) -> str:
    text = " ".join(hit.text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET - 1].rstrip() + "…"


def duplicate_lines(duplicates: list[Duplicate], chinese: bool) -> list[str]:
    if not duplicates:
        return []
    head = "疑似重复使用的图片：" if chinese else "Near-duplicate images (possibly reused):"
    return ["", head, *(f"- {d.query_image} ≈ {d.case_id or '-'}: {short_path(d.image)} "
                        f"(pHash {d.phash_bits}, dHash {d.dhash_bits} bits apart)"
                        for d in duplicates)]


def case_listing(query: Query, hits: list[Hit], cases: list[CaseResult],
                 duplicates: list[Duplicate]) -> str:
    """The offline answer: the similar cases best first, each with its fields and the cited
    parts (as [n]) that made it similar, then any near-duplicate images."""
    chinese = has_han(query.question)
    if not cases:
        lines = ["没有找到相似的病例或申请。" if chinese else "No similar cases found."]
        return "\n".join(lines + duplicate_lines(duplicates, chinese))
    lines = ["最相似的既往案例：" if chinese else "Most similar past cases:"]
    for case in cases:
        fields = f" — {_fields(case)}" if case.fields else ""
        lines.append(f"{case.rank}. {case.case_id}{fields}")
        for rank in case.sources:
            hit = hits[rank - 1]
            if hit.metadata.get("case_record"):
                continue  # its fields are on the case's line already
            part = "image" if hit.modality == "image" else _snippet(hit)
            lines.append(f"   [{rank}] {_where(hit)}: {part}")
    return "\n".join(lines + duplicate_lines(duplicates, chinese))


def case_context(hits: list[Hit], cases: list[CaseResult], duplicates: list[Duplicate]) -> str:
    """The cases as numbered, quoted data blocks for an LLM prompt (parts cited as [n])."""
    blocks = []
    for case in cases:
        parts = []
        for rank in case.sources:
            hit = hits[rank - 1]
            parts.append(f"[{rank}] {_where(hit)} ({hit.modality})\n{hit.text}")
        head = f"Case {case.rank}: {case.case_id} ({_fields(case) or 'no fields'})"
        blocks.append(quoted_block(head, "\n\n".join(parts)))
    blocks += [line for line in duplicate_lines(duplicates, chinese=False) if line]
    return "\n\n".join(blocks) or "(no similar cases found)"
