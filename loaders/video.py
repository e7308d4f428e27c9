"""Video files through PyAV: subtitle chunks as text, each chunk's midpoint frame as an image."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.base import Document, Loader
from loaders.errors import LoaderError
from loaders.params import VideoParams
from loaders.subtitles import (
    SUBTITLE_SUFFIXES,
    VIDEO_SUFFIXES,
    Chunk,
    Cue,
    chunk_cues,
    cues_from_events,
    read_cues,
    sibling,
)

# FFmpeg decoders whose output is text (ASS dialogue lines); bitmap tracks (PGS, VobSub) are not.
TEXT_SUBTITLE_CODECS = {"ass", "ssa", "srt", "subrip", "webvtt", "mov_text", "text", "microdvd"}


def sibling_subtitles(path: Path) -> Path | None:
    """The first `.srt`/`.vtt`/`.ass`/`.ssa` file with the same stem next to `path`."""
    return sibling(path, SUBTITLE_SUFFIXES)


def embedded_cues(container: Any) -> tuple[list[Cue], int, str | None]:
    """Cues of the first text subtitle track of an open PyAV container.

    Returns:
        The cues, how many events were skipped, and the track's codec name (None when the
        container has no text subtitle track).
    """
    import av
    from pysubs2 import SSAEvent

    stream = next((s for s in container.streams.subtitles
                   if s.codec_context is not None
                   and s.codec_context.name in TEXT_SUBTITLE_CODECS), None)
    if stream is None:
        return [], 0, None
    events = []
    for packet in container.demux(stream):
        if packet.pts is None or not packet.size:
            continue
        start = int(packet.pts * packet.time_base * 1000)
        end = start + int((packet.duration or 0) * packet.time_base * 1000)
        try:
            subtitles = packet.decode()
        except av.error.FFmpegError:
            events.append(SSAEvent(start=start, end=start))  # counted as skipped
            continue
        for sub in subtitles:  # PyAV < 16 yields SubtitleSets of rects
            for rect in getattr(sub, "rects", (sub,)):
                ass = getattr(rect, "ass", b"").decode("utf-8", "replace")
                events.append(SSAEvent(start=start, end=end, text=ass.split(",", 8)[-1]))
    cues, skipped = cues_from_events(events)
    return cues, skipped, stream.codec_context.name


def grab_frame(container: Any, stream: Any, t: float) -> Any | None:
    """The frame on screen at `t` seconds: seek to the keyframe before `t`, decode forward.

    That is the last frame starting at or before `t` (the first frame when `t` precedes it,
    the last decodable frame when `t` is past the end); None when nothing decodes.
    """
    import av

    target = round(t / stream.time_base) + (stream.start_time or 0)
    shown = None
    try:
        container.seek(target, stream=stream, backward=True)
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            if frame.pts > target:
                return shown or frame
            shown = frame
    except av.error.FFmpegError:
        pass
    return shown


def spread(count: int, limit: int) -> list[int]:
    """At most `limit` indices out of `count`, evenly spread, first and last included."""
    if count <= limit:
        return list(range(count))
    if limit <= 1:
        return [0] if limit == 1 else []
    return sorted({round(i * (count - 1) / (limit - 1)) for i in range(limit)})


class VideoLoader(Loader):
    """Subtitle chunks as text documents plus the frame at each chunk's midpoint.

    Cues come from a same-stem `.srt`/`.vtt`/`.ass`/`.ssa` file beside the video, else from
    the first embedded text subtitle track. A video without cues yields a frame every
    `frame_interval` seconds. Frames are saved as JPEG under `artifacts_dir` and carry
    their OCR text.

    Params:
        chunk_seconds: Target length of a text chunk in seconds (default 30.0).
        frame_interval: Seconds between frames when there are no cues (default 30.0).
        max_frames: Most frames per video (default 200), spread over the whole video.
        frames: Whether to extract frames at all (default True).
    """

    name = "video"
    version = 2  # subtitle chunks cite their frame
    suffixes = VIDEO_SUFFIXES
    Params = VideoParams
    options: VideoParams

    def dependencies(self, path: Path) -> list[Path]:
        subtitles = sibling_subtitles(path)
        return [subtitles] if subtitles else []

    def load(self, path: Path) -> Iterator[Document]:
        """Yield text and frame documents; raise `LoaderError` for an unreadable video."""
        import av

        try:
            container = av.open(str(path))
        except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
            raise LoaderError(path, f"cannot open video ({_reason(exc)})") from None
        with container:
            for stream in container.streams.video:
                stream.thread_type = "AUTO"  # frame + slice threads: faster decoding
            sibling = sibling_subtitles(path)
            if sibling is not None:
                cues, skipped = read_cues(sibling)
                origin = sibling.name
            else:
                cues, skipped, codec = embedded_cues(container)
                origin = f"embedded:{codec}" if codec else None
            if cues:
                yield from self._chunk_documents(path, container, cues, skipped, origin)
            elif container.streams.video:
                yield from self._interval_documents(path, container)
            else:
                raise LoaderError(path, "cannot open video (no video stream, no subtitles)")

    def _chunk_documents(self, path: Path, container: Any, cues: list[Cue], skipped: int,
                         origin: str | None) -> Iterator[Document]:
        chunks = chunk_cues(cues, self.options.chunk_seconds)
        with_frame = set(spread(len(chunks), self._max_frames(container)))
        for index, chunk in enumerate(chunks):
            frame = self._frame_document(path, container, chunk) if index in with_frame else None
            # the chunk cites its frame as visual evidence (the frame is also its own node)
            yield Document(text=chunk.text, source=str(path), start=chunk.start, end=chunk.end,
                           image=frame.image if frame else None,
                           metadata={"skipped_cues": skipped, "cues": chunk.cues,
                                     "subtitles": origin})
            if frame is not None:
                yield frame

    def _interval_documents(self, path: Path, container: Any) -> Iterator[Document]:
        limit = self._max_frames(container)
        if limit == 0:
            return
        duration = _duration(container)
        interval = self.options.frame_interval
        if duration:
            interval = max(interval, duration / limit)
        count = max(1, int(-(-(duration or 0) // interval)))  # ceil, at least one
        for i in range(min(count, limit)):
            start = i * interval
            end = min(start + interval, duration) if duration else start + interval
            doc = self._frame_document(path, container, Chunk(start, end, "", 0))
            if doc is not None:
                yield doc

    def _max_frames(self, container: Any) -> int:
        if not self.options.frames or not container.streams.video:
            return 0
        return self.options.max_frames

    def _frame_document(self, path: Path, container: Any, chunk: Chunk) -> Document | None:
        t = round((chunk.start + chunk.end) / 2, 3)
        frame = grab_frame(container, container.streams.video[0], t)
        if frame is None:
            return None
        img = frame.to_image()
        jpg = self.artifact_folder(path) / f"{t:09.3f}.jpg"
        img.save(jpg, "JPEG", quality=90)
        text = self.ocr.image(img).text if self.ocr is not None else ""
        return Document(text=text, source=str(path), modality="image", image=str(jpg),
                        start=chunk.start, end=chunk.end,
                        metadata={"frame_time": t, "chunk_start": chunk.start})


def _duration(container: Any) -> float | None:
    """Video duration in seconds, from the stream or the container; None when unknown."""
    import av

    stream = container.streams.video[0]
    if stream.duration:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
    return " ".join(str(text).split())[:120]
