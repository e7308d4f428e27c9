"""The one way a piece of evidence's location is written for people: file, page, mm:ss."""

from __future__ import annotations

from pathlib import Path


def short_path(source: str) -> str:
    """For people: an absolute path under the working directory is shown relative to it."""
    path = Path(source)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            pass
    return source


def clock(seconds: float | None) -> str:
    """Seconds as mm:ss, or hh:mm:ss from an hour on."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{hours:02d}:{minutes}" if hours else minutes


def where(page: int | None, start: float | None, end: float | None,
          printed: str | None = None) -> str:
    """The place inside a file: "p. 3", "p. 12 (printed 8)", "@ 01:05–01:40", or "" for a
    whole file."""
    parts = [f"p. {page}" + (f" (printed {printed})" if printed else "")] if page else []
    if start is not None:
        parts.append(f"@ {clock(start)}" + (f"–{clock(end)}" if end is not None else ""))
    return " ".join(parts)


def label(source: str, page: int | None = None, start: float | None = None,
          end: float | None = None, printed: str | None = None) -> str:
    """File and place: "docs/guide.pdf p. 3", "lecture.mp4 @ 01:05–01:40"."""
    return " ".join(part for part in (short_path(source), where(page, start, end, printed))
                    if part)
