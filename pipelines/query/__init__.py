"""The typed query path: `Query` -> retrieval stages -> `list[Hit]` -> engine -> `Answer`.

Read it in order: `types.py` (the values), `stages.py` (the stage protocol), then the
stages `rewrite.py`, `search.py`, `fuse.py`, `retriever.py` (runs them) and `path.py`
(OCR, timings, the engine). See docs/query-path.md.
"""

from pipelines.query.stages import STAGES, Services, Stage, State
from pipelines.query.types import Hit, Query

__all__ = ["STAGES", "Hit", "Query", "Services", "Stage", "State"]
