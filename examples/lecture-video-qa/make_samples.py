"""Regenerate the sample lecture videos, their subtitles, the query images and queries.jsonl.

Reads ``script.yaml`` (slides, subtitle cues, eval questions) and writes:

- ``videos/<lecture>.mp4``: 960x540 H.264 at 1 frame per second, one slide every
  ``slide_seconds`` with a progress bar, encoded with PyAV;
- ``videos/<lecture>.srt`` or ``.vtt`` beside it (pysubs2), the cues spread over each slide;
- ``queries/<id>.png`` (cropped screenshots) and ``queries/<id>.jpg`` (the slide photographed
  on a projector screen: perspective, uneven light, blur, noise, JPEG);
- ``queries/queries.jsonl``: ``id``, ``question``, ``image``, ``expected`` (the video),
  ``expected_time`` ([start, end] seconds of the cue or slide that answers it) and
  ``answer_contains``.

Output is deterministic (fixed seeds) for given Pillow/NumPy/FFmpeg versions.

Requirements: ``pip install av pillow numpy pysubs2 pyyaml`` and the Debian fonts
``fonts-noto-cjk fonts-dejavu-core``.

Run (from the repository root): ``.venv/bin/python examples/lecture-video-qa/make_samples.py``
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pysubs2
import yaml
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
SIZE = (960, 540)
FPS = 1
LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LATIN_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # index 2: Simplified Chinese
CJK_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
THEMES = [(31, 78, 140), (24, 120, 80)]  # title bar colour per lecture


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def fonts(size: int, bold: bool = False) -> tuple[ImageFont.FreeTypeFont, ImageFont.FreeTypeFont]:
    """(Latin, CJK) fonts of one size: DejaVu has the math symbols, Noto CJK the Chinese."""
    latin = ImageFont.truetype(LATIN_BOLD if bold else LATIN, size)
    return latin, ImageFont.truetype(CJK_BOLD if bold else CJK, size, index=2)


def is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int,
              fill: tuple[int, int, int], bold: bool = False) -> int:
    """Draw `text` on the baseline at `xy`, each run in the font that has its glyphs."""
    pair = fonts(size, bold)
    x, y = xy
    runs: list[tuple[bool, str]] = []
    for char in text:
        cjk = is_cjk(char)
        if runs and runs[-1][0] == cjk:
            runs[-1] = (cjk, runs[-1][1] + char)
        else:
            runs.append((cjk, char))
    for cjk, run in runs:
        font = pair[1] if cjk else pair[0]
        draw.text((x, y), run, font=font, fill=fill, anchor="ls")
        x += round(draw.textlength(run, font=font))
    return x


def render_slide(slide: dict, number: int, total: int, footer: str, theme: tuple[int, int, int]
                 ) -> Image.Image:
    """A 960x540 slide: title bar, text lines, footer with the slide number."""
    img = Image.new("RGB", SIZE, (252, 252, 248))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, SIZE[0], 96), fill=theme)
    draw_text(draw, (40, 64), slide["title"], 38, (255, 255, 255), bold=True)
    y = 170
    for line in slide["lines"]:
        draw_text(draw, (56, y), line, 32, (30, 30, 36))
        y += 72
    draw.line((40, 486, SIZE[0] - 40, 486), fill=(200, 200, 200), width=2)
    draw_text(draw, (40, 518), footer, 20, (110, 110, 120))
    draw_text(draw, (SIZE[0] - 110, 518), f"{number} / {total}", 20, (110, 110, 120))
    return img


def with_progress(slide: Image.Image, second: int, duration: int,
                  theme: tuple[int, int, int]) -> Image.Image:
    """The slide with the lecture's progress bar at `second` (the only thing that moves)."""
    frame = slide.copy()
    width = round((SIZE[0] - 80) * (second + 1) / duration)
    ImageDraw.Draw(frame).rectangle((40, 530, 40 + width, 535), fill=theme)
    return frame


def timed_cues(lecture: dict, seconds: float) -> list[list[Cue]]:
    """Each slide's cues, spread over its time in proportion to their length."""
    out = []
    for index, slide in enumerate(lecture["slides"]):
        start, gap = index * seconds + 0.5, 0.4
        room = seconds - 1.0 - gap * (len(slide["cues"]) - 1)
        weight = sum(len(text) for text in slide["cues"])
        cues, t = [], start
        for text in slide["cues"]:
            end = t + room * len(text) / weight
            cues.append(Cue(round(t, 1), round(end, 1), text))
            t = end + gap
        out.append(cues)
    return out


def write_subtitles(path: Path, cues: list[list[Cue]], fmt: str) -> None:
    subs = pysubs2.SSAFile()
    for cue in (c for slide in cues for c in slide):
        subs.append(pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000),
                                     text=cue.text))
    subs.save(str(path), format_=fmt, encoding="utf-8")


def write_video(path: Path, slides: list[Image.Image], seconds: int, theme: tuple[int, int, int],
                title: str) -> None:
    """H.264 at 1 fps; a keyframe at least every slide so seeking to a moment is cheap."""
    duration = len(slides) * seconds
    with av.open(str(path), "w") as out:
        out.metadata["title"] = title
        stream = out.add_stream("libx264", rate=Fraction(FPS),
                                options={"crf": "30", "g": str(seconds * FPS), "preset": "slow"})
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        for second in range(duration):
            image = with_progress(slides[second // seconds], second, duration, theme)
            frame = av.VideoFrame.from_image(image)
            frame.pts = second
            out.mux(stream.encode(frame))
        out.mux(stream.encode())


def perspective_coeffs(src: list[tuple[float, float]], dst: list[tuple[float, float]]
                       ) -> list[float]:
    """Coefficients for `Image.transform(PERSPECTIVE)` mapping output `dst` to input `src`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, float), np.array(rhs, float)))


def photograph(slide: Image.Image, seed: int) -> Image.Image:
    """The slide as a phone photo of a projector screen: tilted, unevenly lit, noisy."""
    rng = np.random.default_rng(seed)
    w, h = 1024, 768
    jitter = rng.uniform(-30, 30, size=(4, 2))
    corners = np.array([(90, 150), (940, 120), (960, 640), (70, 600)], float) + jitter
    src = [(0, 0), (SIZE[0], 0), (SIZE[0], SIZE[1]), (0, SIZE[1])]
    warped = slide.transform((w, h), Image.Transform.PERSPECTIVE,
                             perspective_coeffs(src, [tuple(c) for c in corners]),
                             Image.Resampling.BICUBIC, fillcolor=(48, 44, 40))
    pixels = np.asarray(warped, float)
    xs, ys = np.meshgrid(np.linspace(0, 1, w), np.linspace(0, 1, h))
    angle = rng.uniform(0, 2 * np.pi)
    light = 1.0 - 0.35 * (0.5 + 0.5 * (np.cos(angle) * (xs - 0.5) + np.sin(angle) * (ys - 0.5)))
    pixels = pixels * light[..., None] * np.array([1.0, 0.97, 0.9])  # warm room light
    pixels += rng.normal(0, 6, pixels.shape)
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return photo.filter(ImageFilter.GaussianBlur(0.8))


def screenshot(slide: Image.Image, box: list[float]) -> Image.Image:
    """A cropped screenshot of part of the slide (`box` in fractions of its size)."""
    x0, y0, x1, y1 = (round(f * s) for f, s in zip(box, SIZE * 2, strict=True))
    return slide.crop((x0, y0, x1, y1))


def query_item(query: dict, lectures: list[dict], cues: list[list[list[Cue]]],
               frames: list[list[Image.Image]], seconds: float) -> dict:
    """One queries.jsonl line; writes its image when the query has a `shot`."""
    lecture, slide, *cue = query["at"]
    if cue:
        moment = cues[lecture - 1][slide - 1][cue[0] - 1]
        span = [moment.start, moment.end]
    else:
        span = [(slide - 1) * seconds, slide * seconds]
    item = {"id": query["id"], "question": query["question"]}
    shot = query.get("shot")
    if shot:
        image = frames[lecture - 1][slide - 1]
        if shot["style"] == "photo":
            item["image"] = f"{query['id']}.jpg"
            photograph(image, shot["seed"]).save(HERE / "queries" / item["image"], quality=82)
        else:
            item["image"] = f"{query['id']}.png"
            screenshot(image, shot["box"]).save(HERE / "queries" / item["image"], optimize=True)
    item["expected"] = lectures[lecture - 1]["file"]
    item["expected_time"] = span
    if query.get("answer_contains"):
        item["answer_contains"] = query["answer_contains"]
    return item


def main() -> None:
    script = yaml.safe_load((HERE / "script.yaml").read_text(encoding="utf-8"))
    seconds = int(script["slide_seconds"])
    lectures = script["lectures"]
    all_cues, all_frames = [], []
    for number, lecture in enumerate(lectures):
        theme, slides = THEMES[number % len(THEMES)], lecture["slides"]
        images = [render_slide(s, i, len(slides), lecture["footer"], theme)
                  for i, s in enumerate(slides, start=1)]
        video = HERE / lecture["file"]
        video.parent.mkdir(parents=True, exist_ok=True)
        write_video(video, images, seconds, theme, slides[0]["title"])
        cues = timed_cues(lecture, seconds)
        subtitles = video.with_suffix(f".{lecture['subtitles']}")
        write_subtitles(subtitles, cues, lecture["subtitles"])
        duration = len(slides) * seconds
        all_cues.append(cues)
        all_frames.append([with_progress(img, (i + 1) * seconds - seconds // 2, duration, theme)
                           for i, img in enumerate(images)])
        for path in (video, subtitles):
            print(f"{path.relative_to(HERE)}: {path.stat().st_size / 1024:.0f} KB")
    (HERE / "queries").mkdir(exist_ok=True)
    items = [query_item(q, lectures, all_cues, all_frames, seconds) for q in script["queries"]]
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    (HERE / "queries" / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"queries/queries.jsonl: {len(items)} items, "
          f"{sum('image' in i for i in items)} with an image")


if __name__ == "__main__":
    main()
