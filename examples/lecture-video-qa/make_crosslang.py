"""Write the cross-language eval set of the lecture videos: ``queries/crosslang.jsonl``.

Students ask about the English linear-algebra lecture in Chinese and about the Chinese
probability lecture in English (and some in the lecture's own language, as a baseline), typed
or with a phone photo / cropped screenshot of a slide. The photo items' images are frames
decoded from the videos with PyAV, then tilted, unevenly lit, blurred and JPEG-compressed,
and written to ``queries/crosslang/<id>.jpg`` (each under ~100 KB).

Each item has ``id``, ``question``, optional ``image``, ``expected`` (the video),
``expected_time`` ([start, end] seconds of the answering subtitle cue(s), or of the slide when
only the slide holds the answer), optional ``answer_contains`` (a string copied verbatim from
the answering subtitle or slide, in the lecture's language), ``lang`` (of the question),
``source_lang`` (of the lecture), ``cross``, ``kind`` ("typed" / "photo") and ``split``
("dev" / "test", alternating within each group so that both splits hold half the cross-
language, half the same-language and half the photo items of each direction).

The times are those of ``videos/linear-algebra.srt`` and ``videos/probability.vtt``; a slide
is on screen for 20 s (slide k from 20(k-1) to 20k).

Output is deterministic (fixed seeds) for given PyAV/FFmpeg, Pillow and NumPy versions.

Run (from the repository root): ``.venv/bin/python examples/lecture-video-qa/make_crosslang.py``
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "queries" / "crosslang"
OUT_FILE = HERE / "queries" / "crosslang.jsonl"
SLIDE_SECONDS = 20
MAX_BYTES = 100 * 1024
VIDEOS = {"la": ("videos/linear-algebra.mp4", "en"), "pr": ("videos/probability.mp4", "zh")}


def slide_span(number: int) -> list[float]:
    """[start, end] of the time slide `number` (1-based) is on screen."""
    return [float((number - 1) * SLIDE_SECONDS), float(number * SLIDE_SECONDS)]


# (video, question language, question, expected_time, answer_contains, shot)
# shot = None (typed) or (slide number, style, seed); style "photo" = a phone photo of the
# projector screen, "crop" = a tilted crop of a screenshot, box in fractions of the frame.
ITEMS: list[tuple] = [
    # --- Chinese questions about the English lecture (typed) ---
    ("la", "zh", "老师开头说特征值这个东西会在哪些领域用到？", [8.3, 13.7], "physics", None),
    ("la", "zh", "第五次作业哪天要交？考的是哪部分内容？", [14.1, 19.5], "Friday", None),
    ("la", "zh", "为什么零向量不能算作特征向量？", [32.5, 39.5], None, None),
    ("la", "zh", "一个 n×n 的矩阵最多能有几个特征值？", slide_span(3), None, None),
    ("la", "zh", "写 A−λI 的时候大家最容易犯什么错？", [51.2, 59.5], "every diagonal entry", None),
    ("la", "zh", "算完特征值以后有没有什么快速验算的办法？", [72.0, 79.5], None, None),
    ("la", "zh", "对称矩阵特征向量互相垂直这个结论，老师说哪天证明？", [91.8, 99.5],
     "Thursday", None),
    ("la", "zh", "要算矩阵的一百次方，有没有省事的方法？", [106.6, 113.1], None, None),
    ("la", "zh", "下一讲要讲什么内容？", [148.3, 153.8], "complex eigenvalues", None),
    ("la", "zh", "老师的答疑时间是星期几几点？在哪个教室？", [154.2, 159.5], None, None),
    # --- Chinese questions with a photo of an English slide ---
    ("la", "zh", "这一页的公式是什么意思？", slide_span(2), None, (2, "photo", 11)),
    ("la", "zh", "截图里为什么要让这个行列式等于零？", [45.7, 50.8], "singular",
     (3, "crop", 12)),
    ("la", "zh", "照片里这道例题的两个特征值是怎么算出来的？", [65.2, 71.6], "one and three",
     (4, "photo", 13)),
    ("la", "zh", "图上 λ=3 对应的特征向量是哪一个？", slide_span(5), None, (5, "photo", 14)),
    ("la", "zh", "这页列的应用里，PageRank 跟特征向量到底有什么关系？", [120.5, 126.2],
     "link matrix", (7, "crop", 15)),
    ("la", "zh", "拍的这页总结里，求特征向量那一步具体怎么做？", [140.5, 147.9], "null space",
     (8, "photo", 16)),
    # --- English questions about the Chinese lecture (typed) ---
    ("pr", "en", "How did people do on the last homework about classical probability?",
     [6.9, 12.6], "做得不错", None),
    ("pr", "en", "In conditional probability, what changes once we know B has already happened?",
     [20.5, 26.6], "缩小成了B", None),
    ("pr", "en", "In the dice example where the total is eight, what probability did the "
     "teacher get for the first die showing 3?", [27.0, 34.0], "五分之一", None),
    ("pr", "en", "If a bag has 3 red and 2 white balls and I draw two without putting the first "
     "back, how likely are both red?", [45.1, 55.1], "十分之三", None),
    ("pr", "en", "How does the multiplication rule work when there are more than two events?",
     [55.5, 59.5], None, None),
    ("pr", "en", "What was the factory example used for the law of total probability?",
     [66.3, 73.3], None, None),
    ("pr", "en", "Was Bayes' formula published while Bayes was still alive?", [92.7, 99.5],
     "去世以后", None),
    ("pr", "en", "How come a positive test still means you are most likely not sick?",
     [113.7, 119.5], "误报", None),
    ("pr", "en", "Which problems are the homework for this lecture and what's the deadline?",
     [128.6, 135.4], "下周二", None),
    ("pr", "en", "What topic comes next time in the probability course?", [135.8, 139.5],
     None, None),
    # --- English questions with a photo of a Chinese slide ---
    ("pr", "en", "Who is teaching this course, according to this slide?", slide_span(1),
     None, (1, "photo", 21)),
    ("pr", "en", "What does this formula say in plain words?", slide_span(2), None,
     (2, "crop", 22)),
    ("pr", "en", "Can you walk me through the ball-drawing example on this slide?",
     [45.1, 55.1], "五分之三", (3, "photo", 23)),
    ("pr", "en", "What does the sum formula in this picture compute?", slide_span(4), None,
     (4, "photo", 24)),
    ("pr", "en", "What is the difference between the two kinds of probability named on this "
     "slide?", [84.8, 92.3], "先验概率", (5, "crop", 25)),
    ("pr", "en", "With the numbers in this photo, what is the chance that someone who tests "
     "positive is really ill?", [106.2, 113.3], "百分之二", (6, "photo", 26)),
    # --- English questions about the English lecture ---
    ("la", "en", "Which topic did we have to finish before we could start on eigenvalues?",
     [0.5, 7.9], "determinants", None),
    ("la", "en", "What's the name for how much the vector gets stretched?", [27.3, 32.1],
     "lambda", None),
    ("la", "en", "Does the matrix have to be square for eigenvalues to make sense?",
     slide_span(2), None, None),
    ("la", "en", "What is the first algebra step for getting eigenvalues out of Av = λv?",
     [40.5, 45.3], "factor out v", None),
    ("la", "en", "Which matrix did we use for the worked example?", slide_span(4), None, None),
    ("la", "en", "Once I have an eigenvalue, how do I get the matching eigenvector?",
     [80.5, 85.0], None, None),
    ("la", "en", "What does wind have to do with eigenvalues?", [132.9, 139.5],
     "natural frequencies", None),
    ("la", "en", "What's the overall recipe from the recap at the end?", [140.5, 147.9], None,
     None),
    ("la", "en", "What do P and D stand for in the formula on this slide?", [100.5, 106.2],
     "columns of P", (6, "photo", 31)),
    # --- Chinese questions about the Chinese lecture ---
    ("pr", "zh", "这节课主要讲哪两个内容？", [0.5, 6.5], "贝叶斯公式", None),
    ("pr", "zh", "老师为什么说这一讲特别重要？", [13.0, 19.5], "统计推断", None),
    ("pr", "zh", "如果 P(B) 等于 0，条件概率还能算吗？", [34.4, 39.5], None, None),
    ("pr", "zh", "乘法公式是从哪里推出来的？", [40.5, 44.7], None, None),
    ("pr", "zh", "碰到要分好几种情况讨论的题，思路是什么？", [60.5, 65.9], None, None),
    ("pr", "zh", "分情况的时候，各种情况之间可以有重叠吗？", [73.7, 79.5], "互不相容", None),
    ("pr", "zh", "老师为什么提醒大家疾病检测那道题要小心？", [100.5, 105.8], None, None),
    ("pr", "zh", "全概率公式和贝叶斯公式的思路有什么区别？", [120.5, 128.2], "由果溯因", None),
    ("pr", "zh", "照片上这页布置的作业是哪几道题？", [128.6, 135.4], None, (7, "photo", 32)),
]


def read_frames(video: Path, seconds: set[int]) -> dict[int, Image.Image]:
    """The decoded frames at the given whole seconds (the videos run at 1 fps)."""
    frames: dict[int, Image.Image] = {}
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            second = round(float(frame.pts * stream.time_base))
            if second in seconds:
                frames[second] = frame.to_image().convert("RGB")
            if len(frames) == len(seconds):
                break
    missing = seconds - set(frames)
    if missing:
        raise SystemExit(f"{video}: no frame at {sorted(missing)} s")
    return frames


def perspective_coeffs(src: list[tuple[float, float]], dst: list[tuple[float, float]]
                       ) -> list[float]:
    """Coefficients for `Image.transform(PERSPECTIVE)` mapping output `dst` to input `src`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, float), np.array(rhs, float)))


def lighting(pixels: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """A brightness gradient from a random side, a soft glare spot and a vignette."""
    h, w = pixels.shape[:2]
    xs, ys = np.meshgrid(np.linspace(0, 1, w), np.linspace(0, 1, h))
    angle = rng.uniform(0, 2 * np.pi)
    ramp = 0.5 + 0.5 * (np.cos(angle) * (xs - 0.5) + np.sin(angle) * (ys - 0.5)) * 1.4
    light = 1.0 - strength * np.clip(ramp, 0, 1)
    gx, gy = rng.uniform(0.25, 0.75), rng.uniform(0.25, 0.6)
    glare = 0.18 * np.exp(-(((xs - gx) / 0.16) ** 2 + ((ys - gy) / 0.12) ** 2))
    vignette = 1.0 - 0.25 * ((xs - 0.5) ** 2 + (ys - 0.5) ** 2) * 2
    return pixels * (light * vignette)[..., None] + 255 * glare[..., None]


def phone_photo(frame: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The frame projected on a screen in a dim room, shot at an angle with a phone."""
    w, h = 880, 660
    fw, fh = frame.size
    # projector image a bit washed out (lower contrast, slight blue cast of the lamp)
    screen = np.asarray(frame, float) * 0.82 + 30
    screen = screen * np.array([0.97, 0.99, 1.03])
    screen_img = Image.fromarray(np.clip(screen, 0, 255).astype(np.uint8))
    base = np.array([(70, 120), (815, 95), (835, 560), (55, 525)], float)
    corners = base + rng.uniform(-35, 35, size=(4, 2))
    src = [(0, 0), (fw, 0), (fw, fh), (0, fh)]
    wall = tuple(int(c) for c in rng.integers(38, 62, size=3))
    warped = screen_img.transform((w, h), Image.Transform.PERSPECTIVE,
                                  perspective_coeffs(src, [tuple(c) for c in corners]),
                                  Image.Resampling.BICUBIC, fillcolor=wall)
    draw = ImageDraw.Draw(warped)
    # the dark bottom edge of the room: a few heads in front of the screen
    for _ in range(int(rng.integers(0, 3))):
        cx, r = rng.uniform(80, w - 80), rng.uniform(45, 75)
        draw.ellipse((cx - r, h - r * 0.9, cx + r, h + r * 1.2), fill=(22, 20, 20))
    pixels = lighting(np.asarray(warped, float), rng, strength=0.38)
    pixels = pixels * np.array([1.0, 0.97, 0.9])  # warm room light
    pixels += rng.normal(0, 5, pixels.shape)
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    photo = photo.rotate(float(rng.uniform(-4, 4)), Image.Resampling.BICUBIC, fillcolor=wall)
    return photo.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.7, 1.1))))


def screenshot_crop(frame: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A crop of a screenshot of the frame (the title and most lines), slightly tilted,
    rescaled and blurred like a shared phone screenshot."""
    fw, fh = frame.size
    x0, y0 = rng.uniform(0.0, 0.05) * fw, rng.uniform(0.0, 0.06) * fh
    x1, y1 = rng.uniform(0.9, 1.0) * fw, rng.uniform(0.72, 0.86) * fh
    crop = frame.crop((round(x0), round(y0), round(x1), round(y1)))
    crop = crop.rotate(float(rng.uniform(-3, 3)), Image.Resampling.BICUBIC, expand=True,
                       fillcolor=(250, 250, 250))
    scale = rng.uniform(0.78, 0.9)
    crop = crop.resize((round(crop.width * scale), round(crop.height * scale)),
                       Image.Resampling.BILINEAR)
    pixels = lighting(np.asarray(crop, float), rng, strength=0.15)
    pixels += rng.normal(0, 3, pixels.shape)
    out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return out.filter(ImageFilter.GaussianBlur(0.6))


def save_jpeg(image: Image.Image, path: Path) -> None:
    """JPEG at the best quality (from 80 down) that stays under MAX_BYTES."""
    for quality in range(80, 30, -5):
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality, optimize=True)
        if buffer.tell() <= MAX_BYTES:
            break
    path.write_bytes(buffer.getvalue())


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, set[int]] = {key: set() for key in VIDEOS}
    for video, _, _, _, _, shot in ITEMS:
        if shot:
            wanted[video].add((shot[0] - 1) * SLIDE_SECONDS + SLIDE_SECONDS // 2)
    frames = {key: read_frames(HERE / VIDEOS[key][0], seconds)
              for key, seconds in wanted.items() if seconds}
    counters: dict[tuple, int] = {}
    lines = []
    for number, (video, lang, question, span, contains, shot) in enumerate(ITEMS, start=1):
        item_id = f"xv{number:02d}"
        expected, source_lang = VIDEOS[video]
        cross = lang != source_lang
        kind = "photo" if shot else "typed"
        item: dict = {"id": item_id, "question": question}
        if shot:
            slide, style, seed = shot
            frame = frames[video][(slide - 1) * SLIDE_SECONDS + SLIDE_SECONDS // 2]
            rng = np.random.default_rng(seed)
            image = phone_photo(frame, rng) if style == "photo" else screenshot_crop(frame, rng)
            save_jpeg(image, OUT_DIR / f"{item_id}.jpg")
            item["image"] = f"crosslang/{item_id}.jpg"
        item["expected"] = expected
        item["expected_time"] = span
        if contains:
            item["answer_contains"] = contains
        group = (kind, lang, source_lang) if cross else (kind, "same")
        counters[group] = counters.get(group, 0) + 1
        item.update(lang=lang, source_lang=source_lang, cross=cross, kind=kind,
                    split="dev" if counters[group] % 2 else "test")
        lines.append(json.dumps(item, ensure_ascii=False))
    OUT_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT_FILE.relative_to(HERE)}: {len(lines)} items, "
          f"{sum(1 for i in ITEMS if i[5])} photos in {OUT_DIR.relative_to(HERE)}/")


if __name__ == "__main__":
    main()
