"""Video loader: subtitle chunks, midpoint frames with OCR, embedded tracks, real PyAV files."""

from __future__ import annotations

import hashlib
import re
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image, ImageDraw, ImageFont

from loaders.errors import LoaderError
from loaders.ocr import Ocr
from loaders.registry import loader_class
from loaders.subtitles import read_cues
from loaders.video import VideoLoader, grab_frame, spread
from tests.conftest import CORPUS

FPS = 10
ASS_HEADER = (b"[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, "
              b"Name, MarginL, MarginR, MarginV, Effect, Text\n")


def slide(number: int) -> Image.Image:
    """A 320x240 slide showing 'SLIDE n' and 'Topic n'."""
    img = Image.new("RGB", (320, 240), "white")
    draw, font = ImageDraw.Draw(img), ImageFont.load_default(size=24)
    draw.text((32, 40), f"SLIDE {number}", fill="black", font=font)
    draw.text((32, 80), f"Topic {number}", fill="black", font=font)
    return img


def make_video(path: Path, seconds: int = 6,
               subtitles: list[tuple[float, float, str]] | None = None) -> Path:
    """H.264 video (keyframe every 2 s) showing slide n during second n-1, optional SRT track."""
    slides = [av.VideoFrame.from_image(slide(n + 1)) for n in range(seconds)]
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS, options={"g": str(2 * FPS)})
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        if subtitles:
            track = out.add_stream("subrip")
            track.codec_context.subtitle_header = ASS_HEADER
            for start, end, text in subtitles:
                cue = av.subtitles.subtitle.SubtitleSet.create(
                    f"0,0,Default,,0,0,0,,{text}".encode(), 0, int((end - start) * 1000),
                    pts=int(start * 1000))
                packet = track.codec_context.encode_subtitle(cue)
                packet.stream, packet.time_base = track, Fraction(1, 1000)
                out.mux(packet)
        for i in range(seconds * FPS):
            frame = slides[i // FPS]
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode())
    return path


SRT = """1
00:00:00,200 --> 00:00:01,800
Welcome to the course.

2
00:00:02,100 --> 00:00:02,900
Today: <i>matrices</i>.

3
00:00:04,000 --> 00:00:04,500
Eigenvalues next.
"""


@pytest.fixture(scope="module")
def lecture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lecture")
    (folder / "lecture.srt").write_text(SRT, encoding="utf-8")
    return make_video(folder / "lecture.mp4")


@pytest.fixture(scope="module")
def ocr(tmp_path_factory: pytest.TempPathFactory) -> Ocr:
    return Ocr(languages=["eng"], cache_dir=tmp_path_factory.mktemp("ocr"))


def words(text: str) -> str:
    return " ".join(text.split())


def test_chunks_with_midpoint_frames_and_ocr(lecture: Path, ocr: Ocr, tmp_path: Path) -> None:
    docs = list(VideoLoader(ocr=ocr, artifacts_dir=tmp_path, chunk_seconds=2.5).load(lecture))
    assert [d.modality for d in docs] == ["text", "image"] * 2
    text, frame = docs[0], docs[1]
    assert words(text.text) == "Welcome to the course."
    assert (text.start, text.end, text.source) == (0.2, 1.8, str(lecture))
    assert text.metadata == {"skipped_cues": 0, "cues": 1, "subtitles": "lecture.srt"}
    assert docs[2].text == "Today: matrices.\nEigenvalues next." and docs[2].metadata["cues"] == 2
    assert (docs[2].start, docs[2].end) == (2.1, 4.5)
    folder = tmp_path / hashlib.sha1(str(lecture.resolve()).encode()).hexdigest()[:16]
    for doc, t, shown in [(frame, 1.0, 2), (docs[3], 3.3, 4)]:
        assert doc.image == str(folder / f"{t:09.3f}.jpg")
        assert Path(doc.image).read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG
        assert doc.metadata == {"frame_time": t, "chunk_start": doc.start}
        assert f"SLIDE {shown}" in words(doc.text), doc.text
    assert (frame.start, frame.end, frame.source) == (0.2, 1.8, str(lecture))
    assert (text.image, docs[2].image) == (frame.image, docs[3].image)  # chunk cites its frame


def test_no_subtitles_gives_frames_every_interval(tmp_path: Path, ocr: Ocr) -> None:
    video = make_video(tmp_path / "silent.mkv")
    docs = list(VideoLoader(ocr=ocr, artifacts_dir=tmp_path, frame_interval=2.0).load(video))
    assert [(d.modality, d.start, d.end) for d in docs] == [
        ("image", 0.0, 2.0), ("image", 2.0, 4.0), ("image", 4.0, 6.0)]
    assert [d.metadata["frame_time"] for d in docs] == [1.0, 3.0, 5.0]
    for doc, shown in zip(docs, (2, 4, 6), strict=True):
        assert f"SLIDE {shown}" in words(doc.text), doc.text
    (one,) = VideoLoader(artifacts_dir=tmp_path).load(video)  # default interval 30 s
    assert (one.start, one.end, one.text) == (0.0, 6.0, "")
    capped = list(VideoLoader(artifacts_dir=tmp_path, frame_interval=1.0, max_frames=2).load(video))
    assert [(d.start, d.end) for d in capped] == [(0.0, 3.0), (3.0, 6.0)]


def test_embedded_subtitle_track(tmp_path: Path) -> None:
    cues = [(0.5, 2.0, "Embedded {\\i1}one{\\i0}"), (2.5, 4.0, "Embedded two")]
    video = make_video(tmp_path / "talk.mkv", subtitles=cues)
    docs = list(VideoLoader(artifacts_dir=tmp_path, chunk_seconds=1.0).load(video))
    assert [(d.modality, d.start, d.end, d.text) for d in docs] == [
        ("text", 0.5, 2.0, "Embedded one"), ("image", 0.5, 2.0, ""),
        ("text", 2.5, 4.0, "Embedded two"), ("image", 2.5, 4.0, "")]
    assert docs[0].metadata["subtitles"] == "embedded:srt"
    (tmp_path / "talk.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nSibling\n")
    texts = [d.text for d in VideoLoader(artifacts_dir=tmp_path, frames=False).load(video)]
    assert texts == ["Sibling"]  # a sibling subtitle file wins over the embedded track


def test_grab_frame_seeks_to_the_frame_on_screen(lecture: Path) -> None:
    with av.open(str(lecture)) as container:
        stream = container.streams.video[0]
        for t in (4.55, 0.0, 2.05, 5.95, 1.0, 99.0):
            frame = grab_frame(container, stream, t)
            assert frame is not None
            expected = min(t, 5.9)
            assert frame.time <= expected + 1e-6 < frame.time + 1 / FPS, (t, frame.time)


def test_spread_picks_evenly() -> None:
    assert spread(3, 5) == [0, 1, 2]
    assert spread(10, 4) == [0, 3, 6, 9]
    assert spread(10, 1) == [0] and spread(10, 0) == []


@pytest.mark.parametrize("data", [b"", b"\x00\x00\x00\x18ftypmp42 not really a video" * 20])
def test_corrupt_video_is_a_loader_error(tmp_path: Path, data: bytes) -> None:
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(data)
    with pytest.raises(LoaderError, match=r"broken\.mp4: cannot open video \(.+\)$"):
        list(VideoLoader(artifacts_dir=tmp_path).load(bad))
    with pytest.raises(LoaderError, match="cannot open video"):
        list(VideoLoader(artifacts_dir=tmp_path).load(tmp_path / "missing.mkv"))


def test_audio_only_file_needs_subtitles(tmp_path: Path) -> None:
    import numpy as np

    audio = tmp_path / "podcast.mp4"
    with av.open(str(audio), "w") as out:
        stream = out.add_stream("aac", rate=8000, layout="mono")
        for i in range(8):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), "fltp", "mono")
            frame.sample_rate, frame.pts = 8000, i * 1024
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    with pytest.raises(LoaderError, match="no video stream, no subtitles"):
        list(VideoLoader(artifacts_dir=tmp_path).load(audio))
    (tmp_path / "podcast.vtt").write_text("WEBVTT\n\n00:00.100 --> 00:00.900\nHello\n")
    docs = list(VideoLoader(artifacts_dir=tmp_path).load(audio))
    assert [(d.modality, d.start, d.end, d.text) for d in docs] == [("text", 0.1, 0.9, "Hello")]


def test_registered_by_short_name() -> None:
    assert loader_class("video") is VideoLoader


corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
MKV = CORPUS / "androidx-media/libraries/test_data/src/test/assets/media/mkv"


@corpus
def test_frames_match_the_cue_active_at_that_moment(tmp_path: Path) -> None:
    """Every frame of this video shows 'Frame NNNN', the text of the SRT cue active then."""
    import pytesseract

    video = CORPUS / "pysubs2/tests/data/timestamps/test_video_23.976/test_video.mkv"
    cues, _ = read_cues(video.with_suffix(".srt"))
    loader = VideoLoader(artifacts_dir=tmp_path, chunk_seconds=2.0, max_frames=6)
    frames = [d for d in loader.load(video) if d.modality == "image"]
    assert len(frames) == 6
    for doc in frames:
        t = doc.metadata["frame_time"]
        (active,) = [i for i, cue in enumerate(cues) if cue.start <= t < cue.end]
        # A direct Tesseract read of the saved frame's top-left corner, where the text is.
        corner = Image.open(doc.image).crop((0, 0, 900, 110))
        seen = pytesseract.image_to_string(corner, config="--psm 6")
        number = re.search(r"Frame\s+(\d{4})", seen)
        assert number and abs(int(number.group(1)) - active) <= 2, (t, seen)


@corpus
@pytest.mark.parametrize(("name", "first"), [
    ("sample_with_srt.mkv", (0.0, 1.234, "This is the first subtitle.")),
    ("sample_with_null_terminated_srt.mkv", (0.0, 1.234, "This is the first")),
    ("sample_with_ssa_subtitles.mkv", (0.0, 0.5, "This is the first subtitle.")),
    ("sample_with_overlapping_srt.mkv", (0.1, 0.33, "First subtitle - end overlaps second")),
])
def test_androidx_embedded_text_tracks(tmp_path: Path, name: str,
                                       first: tuple[float, float, str]) -> None:
    docs = list(VideoLoader(artifacts_dir=tmp_path, frames=False, chunk_seconds=0.1)
                .load(MKV / name))
    assert docs and (docs[0].start, docs[0].end, docs[0].text) == first


@corpus
@pytest.mark.parametrize("name", ["sample_with_pgs_subtitles.mkv", "sample_with_vobsub.mkv",
                                  "sample_with_vtt_subtitles.mkv"])
def test_androidx_tracks_without_text_fall_back_to_frames(tmp_path: Path, name: str) -> None:
    docs = list(VideoLoader(artifacts_dir=tmp_path).load(MKV / name))
    assert [d.modality for d in docs] == ["image"] and Path(docs[0].image).is_file()
