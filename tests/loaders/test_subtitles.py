"""Subtitle loader: encodings, formats, broken cues, chunking, and real files from the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.errors import LoaderError
from loaders.registry import loader_class
from loaders.subtitles import Cue, SubtitleLoader, chunk_cues, read_cues
from tests.conftest import CORPUS

SRT = """1
00:00:01,000 --> 00:00:04,000
{first}

2
00:00:05,000 --> 00:00:09,500
<i>Second</i> cue,
two lines

3
00:00:12,000 --> 00:00:14,000
Third cue
"""


STYLES = """[Script Info]
ScriptType: v4.00+
PlayResX: 1280

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, \
Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, \
Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,\
1,2,2,2,10,10,10,1
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "first"), [
    ("utf-8-sig", "Hello with a BOM"),
    ("utf-16", "UTF-16 text: naïve café"),
    ("utf-32", "UTF-32 text: Grüße"),
    ("gbk", "大家好，欢迎来到线性代数课程。今天我们讨论矩阵的特征值。"),
    ("cp1252", "Café crème à la française — déjà vu, garçon!"),
])
def test_encodings_decode_exactly(tmp_path: Path, encoding: str, first: str) -> None:
    path = write(tmp_path, "talk.srt", SRT.format(first=first), encoding)
    cues, skipped = read_cues(path)
    assert skipped == 0
    assert [c.text for c in cues] == [first, "Second cue, two lines", "Third cue"]
    assert [(c.start, c.end) for c in cues] == [(1.0, 4.0), (5.0, 9.5), (12.0, 14.0)]


def test_documents_are_chunks_with_times_and_provenance(tmp_path: Path) -> None:
    path = write(tmp_path, "talk.srt", SRT.format(first="First cue"))
    docs = list(SubtitleLoader(chunk_seconds=10.0).load(path))
    assert [(d.start, d.end) for d in docs] == [(1.0, 9.5), (12.0, 14.0)]
    assert docs[0].text == "First cue\nSecond cue, two lines"
    assert all(isinstance(d.start, float) and isinstance(d.end, float) for d in docs)
    assert {d.source for d in docs} == {str(path)} and {d.modality for d in docs} == {"text"}
    assert docs[0].metadata == {"skipped_cues": 0, "cues": 2}
    (whole,) = SubtitleLoader().load(path)  # default chunk_seconds=30
    assert (whole.start, whole.end, whole.metadata["cues"]) == (1.0, 14.0, 3)


def test_chunks_never_split_a_cue() -> None:
    cues = [Cue(0, 4, "a"), Cue(4, 9, "b"), Cue(9, 30, "long"), Cue(30, 31, "c"), Cue(31, 33, "d")]
    chunks = chunk_cues(cues, 10.0)
    assert [(c.start, c.end, c.text, c.cues) for c in chunks] == [
        (0, 9, "a\nb", 2), (9, 30, "long", 1), (30, 33, "c\nd", 2)]
    assert chunk_cues([], 10.0) == []


def test_vtt_tags_notes_styles_and_identifiers(tmp_path: Path) -> None:
    path = write(tmp_path, "lecture.vtt", """WEBVTT
Kind: captions

STYLE
::cue(.yellow) { color: yellow; }

NOTE speaker notes
are not captions

intro
00:00:01.000 --> 00:00:04.000 align:start position:10%
<v Roger Bingham><b>Eigenvalues</b> <c.yellow>and</c> vectors &amp; more

NOTE between cues

00:05.000 --> 00:07.500
<00:00:05.500><c>karaoke</c> <i>style</i>
second line
""")
    cues, skipped = read_cues(path)
    assert [c.text for c in cues] == ["Eigenvalues and vectors & more", "karaoke style second line"]
    assert [(c.start, c.end) for c in cues] == [(1.0, 4.0), (5.0, 7.5)]
    assert skipped == 0


def test_ass_comments_and_override_tags(tmp_path: Path) -> None:
    path = write(tmp_path, "anime.ass", STYLES + r"""

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Comment: 0,0:00:00.00,0:00:05.00,Default,,0,0,0,,translator note: not shown
Dialogue: 0,0:00:01.50,0:00:03.25,Default,,0,0,0,,{\an8\b1}Bold{\b0} and {\i1}italic{\i0}\Nnext line
Dialogue: 0,0:00:04.00,0:00:06.00,Default,Narrator,0,0,0,,Plain, with a comma
""")
    (doc,) = SubtitleLoader().load(path)
    assert doc.text == "Bold and italic next line\nPlain, with a comma"
    assert (doc.start, doc.end, doc.metadata["skipped_cues"]) == (1.5, 6.0, 1)


def test_ass_with_custom_format_line(tmp_path: Path) -> None:
    path = write(tmp_path, "short.ssa", """[Events]
Format: Start, End, Text
Dialogue: 0:00:01.00,0:00:02.00,Only three fields, and a comma
Dialogue: Invalid,0:00:03.00,Broken start time
""")
    cues, skipped = read_cues(path)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (1.0, 2.0, "Only three fields, and a comma")]
    assert skipped == 1


def test_broken_cues_are_skipped_and_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.srt", """1
00:00:01,000 --> 00:00:02,000
good one

2
00:00:05,000 --> 00:00:03,000
ends before it starts

3
00:00:06,000 --> 00:00:06,000
zero length

4
00:00:07,000 --> 00:00:08,000

5
00:00:09,000 --> 00:00:10,000
good two
""")
    docs = list(SubtitleLoader().load(path))
    assert [d.text for d in docs] == ["good one\ngood two"]
    assert docs[0].metadata["skipped_cues"] == 3
    negative = write(tmp_path, "negative.ass", """[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,-0:00:02.00,0:00:01.00,Default,,0,0,0,,negative start
Dialogue: 0,0:00:02.00,0:00:03.00,Default,,0,0,0,,fine
""")
    assert read_cues(negative) == ([Cue(2.0, 3.0, "fine")], 1)


@pytest.mark.parametrize("data", [
    b"\x00\x01\x02\xff\xfe garbage \x9c\x00" * 40,
    b"this is not a subtitle file at all\njust prose\n",
])
def test_garbage_is_a_one_line_loader_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.srt"
    path.write_bytes(data)
    with pytest.raises(LoaderError, match=r"bad\.srt: cannot parse subtitles \(.+\)$") as info:
        list(SubtitleLoader().load(path))
    assert "\n" not in str(info.value)


def test_empty_file_has_no_documents(tmp_path: Path) -> None:
    assert list(SubtitleLoader().load(write(tmp_path, "empty.vtt", ""))) == []
    assert list(SubtitleLoader().load(write(tmp_path, "header.vtt", "WEBVTT\n"))) == []


def test_accepts_leaves_subtitles_next_to_a_video_to_the_video_loader(tmp_path: Path) -> None:
    loader = SubtitleLoader()
    alone = write(tmp_path, "notes.srt", "")
    paired = write(tmp_path, "lecture.vtt", "")
    (tmp_path / "lecture.mp4").write_bytes(b"")
    upper = write(tmp_path, "Talk.ass", "")
    (tmp_path / "Talk.MKV").write_bytes(b"")
    assert loader.accepts(alone)
    assert not loader.accepts(paired) and not loader.accepts(upper)
    assert not loader.accepts(tmp_path / "lecture.mp4")


def test_registered_by_short_name() -> None:
    assert loader_class("subtitles") is SubtitleLoader


corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
PYSRT = CORPUS / "pysrt/tests/static"
WEBVTT = CORPUS / "webvtt-py/tests/subtitles"
ANDROIDX = CORPUS / "androidx-media/libraries/test_data/src/test/assets/media"
PYSUBS2 = CORPUS / "pysubs2/tests/data"


@corpus
def test_pysrt_files() -> None:
    utf8, skipped = read_cues(PYSRT / "utf-8.srt")
    assert len(utf8) == 1332 and skipped == 0  # pysrt: len(pysrt.open(utf-8.srt)) == 1332
    assert read_cues(PYSRT / "windows-1252.srt") == (utf8, 0)  # same cues, cp1252 + CRLF
    for name in ("bom-utf-8", "bom-utf-16-le", "bom-utf-16-be", "bom-utf-32-le", "bom-utf-32-be",
                 "no-indexes"):
        cues, _ = read_cues(PYSRT / f"{name}.srt")
        assert len(cues) == 7, name  # pysrt TestBOM: 7 items
        assert (cues[0].start, cues[0].end) == (6.5, 9.0), name
        assert cues[0].text.startswith("About 2 months ago"), name
    cues, skipped = read_cues(PYSRT / "capability_tester.srt")
    assert len(cues) + skipped == 37  # pysrt: 37 items, two of them without text
    with pytest.raises(LoaderError, match="cannot parse subtitles"):
        read_cues(PYSRT / "invalid.srt")


# (file, cues, skipped) as webvtt-py's tests state them (empty captions counted as skipped).
WEBVTT_COUNTS = [
    ("sample.vtt", 16, 0), ("sample.srt", 5, 0), ("one_caption.vtt", 1, 0),
    ("one_caption.srt", 1, 0), ("using_identifiers.vtt", 6, 0), ("captions_with_bom.vtt", 4, 0),
    ("comments.vtt", 3, 0), ("metadata_headers.vtt", 2, 0),
    ("metadata_headers_multiline.vtt", 2, 0), ("styles.vtt", 1, 0),
    ("missing_caption_text.vtt", 4, 1), ("missing_caption_text.srt", 4, 1),
    ("invalid_timeframe_in_cue_text.vtt", 3, 1), ("netflix_chicas_del_cable.vtt", 865, 0),
    ("youtube_dl.vtt", 4, 0), ("cue_tags.vtt", 3, 0), ("empty.vtt", 0, 0),
    ("no_captions.vtt", 0, 0),
]


@corpus
@pytest.mark.parametrize(("name", "count", "skipped"), WEBVTT_COUNTS)
def test_webvtt_py_counts(name: str, count: int, skipped: int) -> None:
    cues, dropped = read_cues(WEBVTT / name)
    assert (len(cues), dropped) == (count, skipped)


@corpus
def test_webvtt_py_texts_and_times() -> None:
    sample, _ = read_cues(WEBVTT / "sample.vtt")
    assert (sample[2].start, sample[2].end) == (11.89, 16.32)
    assert read_cues(WEBVTT / "sample.srt")[0][2] == Cue(11.89, 16.32, "Caption text #3")
    assert read_cues(WEBVTT / "one_caption.vtt")[0] == [Cue(0.5, 7.0, "Caption text #1")]
    assert [c.text for c in read_cues(WEBVTT / "cue_tags.vtt")[0]][1:] == [
        "Like a big-a pizza pie", "That's amore"]
    assert read_cues(WEBVTT / "comments.vtt")[0][2].text == "- Ta en kopp"
    assert read_cues(WEBVTT / "using_identifiers.vtt")[0][0].text == "Caption text #1"
    netflix, _ = read_cues(WEBVTT / "netflix_chicas_del_cable.vtt")
    assert netflix[0].text == "[Alba] En 1928,"
    assert netflix[-2].text == "Diez años no son suficientes para olvidarte..."
    assert read_cues(WEBVTT / "youtube_dl.vtt")[0][2].text == "this will happen is I'm telling"


@corpus
@pytest.mark.parametrize("name", ["invalid_format1.srt", "invalid_format2.srt",
                                  "invalid_format3.srt", "invalid_format4.srt"])
def test_webvtt_py_invalid_files_fail_cleanly(name: str) -> None:
    try:
        cues, _ = read_cues(WEBVTT / name)
    except LoaderError:
        return
    assert cues == []


# (folder/file, cues) as androidx/media's SubripParserTest, WebvttParserTest and SsaParserTest
# assert them; for overlapping_timecodes the parser test counts merged windows (8) of 7 events.
ANDROIDX_COUNTS = [
    ("subrip/typical", 3), ("subrip/typical_with_byte_order_mark", 3),
    ("subrip/typical_extra_blank_line", 3), ("subrip/typical_missing_timecode", 2),
    ("subrip/typical_negative_timestamps", 1), ("subrip/typical_unexpected_end", 2),
    ("subrip/typical_utf16le", 3), ("subrip/typical_utf16be", 3), ("subrip/empty", 0),
    ("webvtt/typical", 2), ("webvtt/with_bom", 2), ("webvtt/typical_with_identifiers", 2),
    ("webvtt/typical_with_comments", 2), ("webvtt/with_tags", 4), ("webvtt/with_positioning", 8),
    ("webvtt/with_consecutive_cues", 2), ("webvtt/empty", 0),
    ("ssa/typical", 3), ("ssa/typical_utf16le", 3), ("ssa/typical_utf16be", 3),
    ("ssa/overlapping_timecodes", 7), ("ssa/invalid_timecodes", 2), ("ssa/empty", 0),
    ("ssa/empty_style_line", 1), ("ssa/style_bold_italic", 3), ("ssa/style_primary_color", 7),
    ("ssa/style_outline_color", 2), ("ssa/style_font_size", 2), ("ssa/style_underline", 2),
    ("ssa/style_strikeout", 2), ("ssa/positioning_without_playres", 1),
]
FORMAT_OF = {"subrip": "srt", "webvtt": "vtt", "ssa": "ass"}


@corpus
@pytest.mark.parametrize(("name", "count"), ANDROIDX_COUNTS)
def test_androidx_media_counts(name: str, count: int) -> None:
    cues, _ = read_cues(ANDROIDX / name, FORMAT_OF[name.split("/")[0]])
    assert len(cues) == count


@corpus
def test_androidx_media_times_and_texts() -> None:
    srt, _ = read_cues(ANDROIDX / "subrip/typical_utf16le", "srt")
    assert [(c.start, c.end) for c in srt] == [(0.0, 1.234), (2.345, 3.456), (7204.567, 7208.901)]
    assert srt[1].text == "This is the second subtitle. Second subtitle with second line."
    ssa, _ = read_cues(ANDROIDX / "ssa/typical", "ass")
    assert [(c.start, c.end) for c in ssa] == [(0.0, 1.23), (2.34, 3.45), (4.56, 8.9)]
    assert ssa[0].text == "This is the first subtitle."
    bad, _ = read_cues(ANDROIDX / "ssa/invalid_timecodes", "ass")
    assert [(c.start, c.end, c.text) for c in bad][1] == (16.56, 17.9, "This is the last subtitle.")
    vtt, _ = read_cues(ANDROIDX / "webvtt/with_tags", "vtt")
    assert vtt[3] == Cue(6.0, 7.0, "This is the <fourth> &subtitle.")


@corpus
def test_pysubs2_files() -> None:
    srt = PYSUBS2 / "timestamps/test_video_23.976/test_video.srt"
    cues, _ = read_cues(srt)
    stamps = [float(line) for line in (srt.parent / "ts-track0.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert len(cues) == 500
    assert all(c.text.startswith(f"Frame {i:04d} T = ") for i, c in enumerate(cues))
    assert all(abs(c.start * 1000 - t) < 1 for c, t in zip(cues, stamps, strict=False))
    for name, count in [("ttml_example.ass", 11), ("ttml_example2.ass", 10),
                        ("ttml_example_apple.ass", 38)]:
        assert len(read_cues(PYSUBS2 / name)[0]) == count, name
    assert read_cues(PYSUBS2 / "subtitle_with_attached_images_aegisub.ass") == ([], 1)


@corpus
def test_every_corpus_subtitle_file_loads_or_fails_cleanly() -> None:
    files = [p for p in ANDROIDX.glob("*/*") if p.parent.name in FORMAT_OF]
    files += [*PYSRT.glob("*.srt"), *WEBVTT.glob("*.srt"), *WEBVTT.glob("*.vtt"),
              *PYSUBS2.rglob("*.ass"), *PYSUBS2.rglob("*.srt")]
    assert len(files) > 80
    for path in files:
        try:
            cues, skipped = read_cues(path, FORMAT_OF.get(path.parent.name))
        except LoaderError as exc:
            assert "\n" not in str(exc) and "cannot parse subtitles" in str(exc), path
            continue
        assert skipped >= 0 and all(c.end > c.start >= 0 and c.text for c in cues), path
