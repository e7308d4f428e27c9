"""A whole case as a query (`mmrag query PIPELINE --case DIR`): its files read by the same
loaders as the knowledge base, into query text and query images.

Standalone images (and DICOM previews) become query images (OCR'd, searched by CLIP when
configured, checked for near-duplicates); everything else (a history, a report, an income
statement PDF, the DICOM header, the case's fields) becomes query text after the question.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from loaders.errors import LoaderError
from pipelines.config.schema import PipelineConfig, SourceConfig
from pipelines.errors import InputError, MmragError
from pipelines.ingest.cases import read_case_folder
from pipelines.ingest.sources import build_loaders

DEFAULT_QUESTION = "Which past cases are most similar to this one?"


@dataclass
class CaseQuery:
    """What a case folder adds to a question."""

    case_id: str
    text: str
    images: list[Path] = field(default_factory=list)


def read_case_query(folder: str | Path, config: PipelineConfig, ocr: object,
                    workdir: Path) -> CaseQuery:
    """Load every file of `folder` (DICOM previews are written under `workdir`)."""
    folder = Path(folder).expanduser()
    try:
        case = read_case_folder(folder)
    except MmragError as exc:
        raise InputError(str(exc)) from None
    source = next((s for s in config.sources if s.kind == "cases"), None)
    params = source.params if source else {}
    loaders = build_loaders(SourceConfig(path=str(folder), params=params), ocr, workdir)
    texts = [f"{k}: {v}" for k, v in case.fields.items()]
    images: list[Path] = []
    for path in case.files:
        loader = next((ld for ld in loaders if ld.accepts(path)), None)
        if loader is None:
            raise InputError(f"{path}: no loader reads this file type (case {case.case_id})")
        if loader.name == "image":
            images.append(path)  # OCR'd by the query path itself
            continue
        try:
            docs = list(loader.load(path))
        except (LoaderError, OSError, ValueError) as exc:
            raise InputError(f"{path}: cannot read this file of the query case ({exc})") from None
        for doc in docs:
            if doc.modality == "image" and doc.image and loader.name == "dicom":
                # a preview (its header is the text document), named after its file
                preview = workdir / f"{path.stem}-frame{doc.page or 1}.png"
                shutil.copyfile(doc.image, preview)
                images.append(preview)
            elif doc.text.strip():
                texts.append(doc.text.strip())
    return CaseQuery(case.case_id, "\n".join(texts), images)
