"""The web page at `/`: plain HTML, CSS and JavaScript served by the app (no build step, no
assets from the internet)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from pipelines.server.errors import ApiError

router = APIRouter()
PAGE = Path(__file__).parent / "page"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; "
            "style-src 'self'; script-src 'self'", "X-Content-Type-Options": "nosniff"}


@router.get("/", include_in_schema=False)
async def index() -> FileResponse:
    return FileResponse(PAGE / "index.html", media_type="text/html", headers=_HEADERS)


@router.get("/static/{name}", include_in_schema=False)
async def static(name: str) -> FileResponse:
    path = PAGE / name
    if path.suffix not in _TYPES or path.parent != PAGE or not path.is_file():
        raise ApiError(404, "not found")
    return FileResponse(path, media_type=_TYPES[path.suffix], headers=_HEADERS)
