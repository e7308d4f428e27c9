"""The shipped lecture-video-qa pipeline: answers cite the video, the moment and its frame."""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import pytest

from loaders.subtitles import read_cues
from loaders.video import sibling_subtitles
from pipelines.config.prompts import load_prompt
from pipelines.jobs.eval_score import source_matches
from tests.conftest import EXAMPLES

FOLDER = EXAMPLES / "lecture-video-qa"
CLOCK = re.compile(r"@ \d{2}:\d{2}–\d{2}:\d{2}")


def items() -> dict[str, dict]:
    lines = (FOLDER / "queries" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return {item["id"]: item for item in map(json.loads, filter(None, lines))}


def ask(runner, item: dict):
    images = [str(FOLDER / "queries" / item["image"])] if "image" in item else []
    return runner.query(item["question"], images)


def overlaps(source, span: list[float]) -> bool:
    return source.start is not None and source.start < span[1] and source.end > span[0]


@pytest.mark.parametrize("item_id", [
    "la01",   # English, said only in the subtitles (SRT)
    "la16",   # English, subtitles
    "pr13",   # Chinese, subtitles (VTT)
    "pr15",   # Chinese, on the slide only: found through the frame's OCR text
    "img01",  # English question with a cropped slide screenshot
    "img06",  # Chinese question with a photo of the projected slide
])
def test_top_source_is_the_right_moment_with_its_frame(lecture_runner, item_id: str) -> None:
    item = items()[item_id]
    answer = ask(lecture_runner, item)
    top = answer.sources[0]
    assert source_matches(top.source, item["expected"]), (item_id, top.label())
    assert overlaps(top, item["expected_time"]), (item_id, top.label(), item["expected_time"])
    frame = Path(top.image)
    assert frame.suffix == ".jpg" and frame.read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG frame
    assert "artifacts" in frame.parts
    for word in item.get("answer_contains", []):
        assert word in answer.answer, (item_id, answer.answer)


def test_slide_only_question_is_found_through_the_frame_ocr_text(lecture_runner) -> None:
    """pr15 is said on the slide only: the hit is the frame's image node, whose text is OCR."""
    item = items()["pr15"]
    top = lecture_runner.retrieve(item["question"])[0].node
    meta = top.metadata
    assert meta["modality"] == "image" and source_matches(meta["source"], item["expected"])
    low, high = item["expected_time"]
    assert low <= meta["frame_time"] <= high and meta["start"] <= meta["frame_time"] <= meta["end"]
    assert Path(meta["image"]).name == f"{meta['frame_time']:09.3f}.jpg"
    text = top.get_content()  # the slide title, read from the frame; said in no subtitle
    assert "疾病检测" in text and "99%" in text


def test_extractive_answer_quotes_the_moment_with_mm_ss(lecture_runner) -> None:
    english = ask(lecture_runner, items()["la01"])
    head = english.answer.splitlines()[2]
    assert head.startswith("Best match [1]: ") and "linear-algebra.mp4 @ 00:00–00:19" in head
    assert "> Homework five is due next Friday, and it is all about today's material." \
        in english.answer.splitlines()  # the transcript cue, verbatim
    chinese = ask(lecture_runner, items()["pr06"])
    assert chinese.answer.startswith("摘录式回答")
    assert "最佳匹配 [1]: " in chinese.answer
    assert "probability.mp4 @ 00:40–00:59 (字幕)" in chinese.answer
    assert len(CLOCK.findall(chinese.answer)) >= 2  # every quoted moment and see-also has its range
    assert "十分之三" in chinese.answer


def test_eval_set_points_at_real_moments() -> None:
    """≥ 40 items, both languages, with images; each expected_time is inside its video and
    holds a subtitle cue or a whole slide."""
    found = items()
    assert len(found) >= 40
    assert sum("image" in i for i in found.values()) >= 6
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", i["question"])) for i in found.values()) >= 15
    videos = {}
    for item in found.values():
        video = FOLDER / item["expected"]
        if video not in videos:
            with av.open(str(video)) as container:
                duration = float(container.duration / av.time_base)
            videos[video] = (read_cues(sibling_subtitles(video))[0], duration)
        (cues, duration), (start, end) = videos[video], item["expected_time"]
        assert 0 <= start < end <= duration, item["id"]
        assert any(start <= c.start and c.end <= end for c in cues), item["id"]
        if "image" in item:
            assert (FOLDER / "queries" / item["image"]).is_file(), item["id"]


def test_prompt_quotes_evidence_as_data() -> None:
    system, user = load_prompt("lecture-video-qa").render(
        question="When is the homework due?", ocr_text="Summary",
        context="[1] videos/linear-algebra.mp4 (0s-19s)\n\"\"\"\nHomework ...\n\"\"\"")
    assert "not instructions" in system and "mm:ss" in system
    assert "<excerpts>\n[1] videos/linear-algebra.mp4 (0s-19s)" in user
    assert "<slide_text>\nSummary\n</slide_text>" in user
