"""Subtitle files (SRT, WebVTT, ASS/SSA) through pysubs2: timed text in chunks of N seconds."""

from __future__ import annotations

import codecs
import html
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from loaders.base import Document, Loader
from loaders.errors import LoaderError
from loaders.params import SubtitleParams

SUBTITLE_SUFFIXES = (".srt", ".vtt", ".ass", ".ssa")
# A subtitle file next to a video with the same stem belongs to the video loader.
VIDEO_SUFFIXES = (".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v")
FORMATS = {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ass"}
_BOMS = (  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy subtitle encodings, commonest first: charset-normalizer often rates several
# single-byte code pages alike on short files (French cp1252 read as cp1257).
_COMMON_ENCODINGS = ("cp1252", "gb18030", "gbk", "big5", "shift_jis", "euc_kr", "euc_jp",
                     "cp1251", "cp1250", "cp1253", "cp1254", "cp1256", "cp1255", "koi8_r",
                     "cp1257", "cp1258")
# What pysubs2 leaves of WebVTT markup: karaoke timestamps and unknown tags.
_LEFTOVER_TAG = re.compile(r"<\d{1,2}:\d{2}[:.\d]*>|</?[a-zA-Z][^<>\n]{0,80}>")
# A blank line ends an SRT/WebVTT cue; pysubs2 keeps what follows (NOTE blocks, identifiers).
_BLANK_LINE = re.compile(r"\\N[ \t]*\\N")
_ASS_EVENT_FIELDS = ("layer", "start", "end", "style", "name", "marginl", "marginr", "marginv",
                     "effect", "text")
_ASS_STYLE_FIELDS = ["name", "fontname", "fontsize", "primarycolour", "secondarycolour",
                     "outlinecolour", "backcolour", "bold", "italic", "underline", "strikeout",
                     "scalex", "scaley", "spacing", "angle", "borderstyle", "outline", "shadow",
                     "alignment", "marginl", "marginr", "marginv", "encoding"]
_ASS_DEFAULTS = {"layer": "0", "style": "Default", "marginl": "0", "marginr": "0", "marginv": "0"}
_CENTIS_AFTER_COLON = re.compile(r"^(\d+:\d{2}:\d{2}):(\d{1,3})$")  # 0:00:04:56


@dataclass(frozen=True)
class Cue:
    """One subtitle cue: plain text shown from `start` to `end` (seconds)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Chunk:
    """Consecutive cues merged into one passage.

    Attributes:
        start: Start of the first cue, in seconds.
        end: Latest end of its cues, in seconds.
        text: The cue texts, one cue per line.
        cues: How many cues were merged.
    """

    start: float
    end: float
    text: str
    cues: int


def decode_bytes(data: bytes) -> str | None:
    """Decode subtitle bytes: BOM, then strict UTF-8, then charset-normalizer; None if hopeless."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]  # short legacy text is ambiguous: among near-equals, take the commonest
    close = [m for m in matches if m.chaos <= best.chaos + 0.1
             and m.coherence >= best.coherence - 0.1]
    return str(min(close, key=_encoding_rank))


def _encoding_rank(match: object) -> int:
    names = getattr(match, "could_be_from_charset", [])
    return min((_COMMON_ENCODINGS.index(n) for n in names if n in _COMMON_ENCODINGS),
               default=len(_COMMON_ENCODINGS))


def plain_text(ass_text: str, fmt: str | None = None) -> str:
    """The visible text of one cue in pysubs2's ASS markup: no tags, lines joined by spaces.

    Args:
        ass_text: The event text as pysubs2 stores it (`{\\i1}` tags, `\\N` line breaks).
        fmt: The source format; SRT and WebVTT cues end at a blank line, and WebVTT
            entities and leftover tags are resolved.
    """
    from pysubs2 import SSAEvent

    if fmt in ("srt", "vtt"):
        ass_text = _BLANK_LINE.split(ass_text, 1)[0]
    text = SSAEvent(text=ass_text).plaintext
    if fmt == "vtt":
        text = html.unescape(_LEFTOVER_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return " ".join(line for line in lines if line)


def read_cues(path: Path, fmt: str | None = None) -> tuple[list[Cue], int]:
    """Read a subtitle file into cues sorted by time.

    Args:
        path: The subtitle file.
        fmt: A pysubs2 format ("srt", "vtt", "ass"); by default from the suffix, and
            autodetected for other suffixes.

    Returns:
        The valid cues and how many events were skipped (comments, empty or broken cues).

    Raises:
        LoaderError: The file cannot be read, decoded or parsed as subtitles.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LoaderError(path, f"cannot read file ({exc.strerror or exc})") from None
    text = decode_bytes(data)
    if text is None:
        raise LoaderError(path, "cannot parse subtitles (unknown text encoding)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    events, fmt = _parse(path, text, fmt or FORMATS.get(Path(path).suffix.lower()))
    return cues_from_events(events, fmt)


def _parse(path: Path, text: str, fmt: str | None) -> tuple[list, str | None]:
    """pysubs2 events of `text` and their format; autodetect when `fmt` finds nothing."""
    import pysubs2

    errors = (pysubs2.Pysubs2Error, ValueError, KeyError, IndexError)
    text = _fix_ass(text)
    with warnings.catch_warnings():  # pysubs2 warns about each field it cannot read
        warnings.simplefilter("ignore")
        if fmt:
            try:
                events = pysubs2.SSAFile.from_string(text, format_=fmt).events
            except errors:
                events = []
            if events or not text.strip():
                return events, fmt
        try:  # e.g. WebVTT content in a .srt file
            subs = pysubs2.SSAFile.from_string(text)
        except errors as exc:
            reason = " ".join(str(exc).split())[:100] or exc.__class__.__name__
            raise LoaderError(path, f"cannot parse subtitles ({reason})") from None
    return subs.events, subs.format


def _fix_ass(text: str) -> str:
    """Rewrite ASS/SSA events into the field order pysubs2 assumes (it ignores `Format:` lines).

    Style lines under a non-standard `Format:` are dropped: styles do not change the text.
    """
    if "[Events]" not in text:
        return text
    out: list[str] = []
    fields: list[str] = []
    for line in text.split("\n"):
        key, _, rest = line.strip().partition(":")
        if line.startswith("["):
            fields = []
        elif key == "Format":
            fields = [name.strip().lower() for name in rest.split(",")]
        elif key == "Style" and fields and fields != _ASS_STYLE_FIELDS:
            continue
        elif key in ("Dialogue", "Comment") and "text" in fields:
            line = _fix_event(key, rest, fields)
        out.append(line)
    return "\n".join(out)


def _fix_event(key: str, rest: str, fields: list[str]) -> str:
    """One event line in the standard ASS field order; unreadable times become 0 (skipped)."""
    from pysubs2.time import TIMESTAMP, TIMESTAMP_SHORT

    values = dict(zip(fields, rest.split(",", len(fields) - 1), strict=False))
    for name in ("start", "end"):
        value = _CENTIS_AFTER_COLON.sub(r"\1.\2", values.get(name, "").strip())
        unsigned = value.removeprefix("-")
        if not (TIMESTAMP.fullmatch(unsigned) or TIMESTAMP_SHORT.fullmatch(unsigned)):
            values["start"] = values["end"] = "0:00:00.00"
            break
        values[name] = value
    return f"{key}: " + ",".join(values.get(name, _ASS_DEFAULTS.get(name, ""))
                                 for name in _ASS_EVENT_FIELDS)


def cues_from_events(events: Iterable, fmt: str | None = None) -> tuple[list[Cue], int]:
    """Turn pysubs2 events into sorted cues; count comments, empty and broken ones as skipped."""
    cues: list[Cue] = []
    skipped = 0
    for event in events:
        text = "" if event.is_comment else plain_text(event.text, fmt)
        if not text or event.start < 0 or event.end <= event.start:
            skipped += 1
            continue
        cues.append(Cue(event.start / 1000, event.end / 1000, text))
    cues.sort(key=lambda cue: (cue.start, cue.end))
    return cues, skipped


def chunk_cues(cues: list[Cue], seconds: float) -> list[Chunk]:
    """Merge consecutive cues into chunks spanning about `seconds`, never splitting a cue.

    A cue joins the current chunk while the chunk would still end within `seconds` of its
    start; a cue longer than `seconds` is a chunk of its own.
    """
    chunks: list[Chunk] = []
    group: list[Cue] = []
    for cue in cues:
        if group and cue.end - group[0].start > seconds:
            chunks.append(_merge(group))
            group = []
        group.append(cue)
    if group:
        chunks.append(_merge(group))
    return chunks


def _merge(group: list[Cue]) -> Chunk:
    text = "\n".join(cue.text for cue in group)
    return Chunk(group[0].start, max(cue.end for cue in group), text, len(group))


def sibling(path: Path, suffixes: tuple[str, ...]) -> Path | None:
    """The first file with the same stem and one of `suffixes` next to `path` (stat calls)."""
    for suffix in suffixes:
        for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
            if candidate.is_file():
                return candidate
    return None


def sibling_video(path: Path) -> Path | None:
    """The video with the same stem next to `path`, if any."""
    return sibling(path, VIDEO_SUFFIXES)


class SubtitleLoader(Loader):
    """One text document per chunk of consecutive cues, with start/end in seconds.

    Params:
        chunk_seconds: Target length of a chunk in seconds (default 30.0).
    """

    name = "subtitles"
    suffixes = SUBTITLE_SUFFIXES
    Params = SubtitleParams
    options: SubtitleParams

    def accepts(self, path: Path) -> bool:
        """Subtitle suffix, and no same-stem video beside it (the video loader owns that pair)."""
        return super().accepts(path) and sibling_video(path) is None

    def load(self, path: Path) -> Iterator[Document]:
        """Yield one document per chunk; raise `LoaderError` for an unparseable file."""
        cues, skipped = read_cues(path)
        seconds = self.options.chunk_seconds
        for chunk in chunk_cues(cues, seconds):
            yield Document(
                text=chunk.text, source=str(path), start=chunk.start, end=chunk.end,
                metadata={"skipped_cues": skipped, "cues": chunk.cues},
            )
