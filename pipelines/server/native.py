"""The native API: `GET /healthz`, `GET /api/pipelines`, `POST /api/pipelines/{name}/query`
(multipart; returns `mmrag query --json`'s object), `GET /api/evidence/{name}/{id}`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse

from pipelines.server.errors import ApiError
from pipelines.server.uploads import Uploads

router = APIRouter()
_STATS = ("sources", "nodes", "by_extension", "last_ingest")


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    return {"status": "ok", "pipelines": list(request.app.state.mmrag.pipelines)}


@router.get("/api/pipelines")
async def pipelines(request: Request) -> dict[str, Any]:
    app = request.app.state.mmrag

    def listing() -> list[dict[str, Any]]:
        rows = []
        for name, served in app.pipelines.items():
            stats = served.runner.stats().to_dict()
            # counts only: the store's location and the run log's paths stay on the server
            rows.append({"name": name, "description": served.description,
                         "stats": {k: stats.get(k) for k in _STATS}})
        return rows

    return {"pipelines": await app.gate.run(listing)}


@router.post("/api/pipelines/{name}/query")
async def query(request: Request, name: str, question: Annotated[str, Form()] = "",
                images: Annotated[list[UploadFile] | None, File()] = None,
                where: Annotated[list[str] | None, Form()] = None) -> dict[str, Any]:
    app = request.app.state.mmrag
    served = app.pipeline(name)
    request.state.pipeline = served.name
    app.check_question(question)
    with Uploads(app.config.limits) as uploads:
        for upload in images or []:
            uploads.add_bytes(await upload.read(), upload.filename or "image",
                              upload.content_type)
        answer = await app.gate.run(
            lambda: served.runner.query(question, uploads.paths, where or None))
    return app.answer_json(served, answer, str(request.base_url))


@router.get("/api/evidence/{name}/{token}")
async def evidence(request: Request, name: str, token: str) -> FileResponse:
    app = request.app.state.mmrag
    served = app.pipeline(name)
    path = app.evidence.path(served.name, token, served.evidence_roots())
    if path is None:
        raise ApiError(404, "no such evidence image")
    return FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})
