"""Visual evidence for cited PDF passages: the page region of the passage, rendered to PNG."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from loaders.pdf import render_page

if TYPE_CHECKING:
    from pipelines.query.answer import Source
    from pipelines.query.types import Hit

SCALE = 2.0  # 144 dpi: readable, small
MARGIN = 12.0  # points around the passage
SNIPPET = 48  # characters searched at the passage's start and end
COMPRESS = 3  # zlib level: a region of a page renders and saves in tens of ms, not hundreds


def _snippets(text: str) -> list[list[str]]:
    """For the passage's start and its end: a long snippet, then a short one to fall back on
    (a long one may run across a line break the PDF text spells differently)."""
    words = " ".join(text.split())
    return [[words[:SNIPPET].strip(), words[:SNIPPET // 2].strip()],
            [words[-SNIPPET:].strip(), words[-SNIPPET // 2:].strip()]]


def attach_page_images(sources: list[Source], hits: list[Hit], out_dir: Path) -> None:
    """Give each cited PDF passage without an image its rendered page region."""
    for source, hit in zip(sources, hits, strict=True):
        path = str(hit.metadata.get("path") or "")
        if source.image or not source.page or not path.lower().endswith(".pdf"):
            continue
        crop = page_crop(path, source.page, source.text, out_dir)
        if crop:
            source.image = str(crop)


def page_crop(pdf_path: str | Path, page_number: int, text: str, out_dir: Path) -> Path | None:
    """PNG of the region of `page_number` (1-based) holding `text`, the whole page when the
    text cannot be located; None when the PDF or page cannot be rendered. Cached by content."""
    import pypdfium2 as pdfium

    path = Path(pdf_path)
    key = hashlib.sha1(f"{path.resolve()}\0{page_number}\0{text}".encode()).hexdigest()[:16]
    out = out_dir / f"{path.stem[:40]}-p{page_number}-{key}.png"
    if out.is_file():
        return out
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError):
        return None
    try:
        if not 1 <= page_number <= len(pdf):
            return None
        page = pdf[page_number - 1]
        textpage = page.get_textpage()
        try:
            box = _locate(textpage, text)
        finally:
            textpage.close()
        # PDFium draws only the region (cut off the page's borders), not the page to crop after
        cut = _borders(page, box) if box else None
        image = render_page(page, scale=SCALE, crop=cut or (0, 0, 0, 0))
        page.close()
        out_dir.mkdir(parents=True, exist_ok=True)
        image.save(out, "PNG", compress_level=COMPRESS)
        return out
    except (pdfium.PdfiumError, ValueError):  # ValueError: a crop PDFium cannot draw
        return None
    finally:
        pdf.close()


def _borders(page: object, box: tuple[float, float, float, float]
             ) -> tuple[float, float, float, float] | None:
    """What to cut off each side of the rendered page (left, bottom, right, top, in points)
    to leave the passage's box and a margin; None when the box lies outside the shown page
    (text under a crop box), which then shows whole. The box is in the page's own space,
    upright; PDFium cuts the bitmap as shown, i.e. after the page's /Rotate, so the sides turn
    with it. (The page's box is PDFium's bounding box: `get_cropbox` says US Letter when
    inherited.)"""
    page_left, page_bottom, page_right, page_top = page.get_bbox()
    left, bottom, right, top = box
    if right + MARGIN <= page_left or left - MARGIN >= page_right or \
            top + MARGIN <= page_bottom or bottom - MARGIN >= page_top:
        return None
    cut = (max(0.0, left - MARGIN - page_left), max(0.0, bottom - MARGIN - page_bottom),
           max(0.0, page_right - right - MARGIN), max(0.0, page_top - top - MARGIN))
    turns = page.get_rotation() // 90 % 4  # clockwise: the page's bottom becomes the left side
    return cut[turns:] + cut[:turns]


def _locate(textpage: object, text: str) -> tuple[float, float, float, float] | None:
    """Bounding box (left, bottom, right, top, PDF points) of the passage: every character
    from its first word to its last (so a middle line longer than both is not cut off), or
    the union of the first and last words when they are found out of order."""
    spans = []
    for tries in _snippets(text):
        for snippet in tries:
            found = snippet and textpage.search(snippet, match_case=False).get_next()
            if found:
                spans.append(found)
                break
    if len(spans) == 2 and spans[1][0] >= spans[0][0]:
        spans = [(spans[0][0], spans[1][0] + spans[1][1] - spans[0][0])]
    boxes = [textpage.get_rect(i) for start, count in spans
             for i in range(textpage.count_rects(start, count))]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))
