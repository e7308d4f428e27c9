"""Regenerate the photo-like math query images in ``queries/``.

Each query is a NEW math problem (new numbers and wording) of the same type
as one worked example in ``kb/``. The problem is typeset on a paper-coloured
page and then degraded like a phone photo of a worksheet: small rotation,
uneven lighting (gradient, vignette or a soft shadow), slight blur, sensor
noise and JPEG compression. All randomness uses fixed per-image seeds, so the
output is deterministic for a given Pillow/NumPy version.

Requirements:
    pip install pillow numpy
    apt-get install fonts-noto-cjk fonts-dejavu-core

Run (from any directory):
    python3 -m venv /tmp/genvenv-math
    /tmp/genvenv-math/bin/pip install pillow numpy
    /tmp/genvenv-math/bin/python examples/math-question-from-photo/make_samples.py

Writes ``queries/<image>`` for every sample and ``queries/queries.jsonl``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "queries"

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS: dict[str, tuple[Path, int]] = {
    "serif": (DEJAVU_DIR / "DejaVuSerif.ttf", 0),
    "serif-bold": (DEJAVU_DIR / "DejaVuSerif-Bold.ttf", 0),
    "sans": (DEJAVU_DIR / "DejaVuSans.ttf", 0),
    "sans-bold": (DEJAVU_DIR / "DejaVuSans-Bold.ttf", 0),
    # Index 2 of the Noto CJK collections is Simplified Chinese (SC).
    "cjk-sans": (NOTO_DIR / "NotoSansCJK-Regular.ttc", 2),
    "cjk-sans-bold": (NOTO_DIR / "NotoSansCJK-Bold.ttc", 2),
    "cjk-serif": (NOTO_DIR / "NotoSerifCJK-Regular.ttc", 2),
    "cjk-serif-bold": (NOTO_DIR / "NotoSerifCJK-Bold.ttc", 2),
}

ZH_QUESTIONS = ("这道题怎么做？", "请给出解题步骤")
EN_QUESTION = "How do I solve this?"


@dataclass(frozen=True)
class Effects:
    """Photo degradations applied after typesetting."""

    seed: int
    angle: float  # degrees, counter-clockwise
    lighting: str  # "gradient", "vignette", "shadow" or "gradient+shadow"
    strength: float  # 0..1, how dark the darkest part of the lighting gets
    blur: float  # Gaussian blur radius in px
    noise: float  # Gaussian noise sigma in 0..255 units
    desk: tuple[int, int, int] | None = None  # desk colour visible at the corners
    jpeg_quality: int = 80


@dataclass(frozen=True)
class Sample:
    """One query image: what to typeset and how to degrade it."""

    id: str
    image: str
    expected: str
    question: str
    font: str
    heading: str
    lines: tuple[str, ...]
    effects: Effects
    size: int = 36
    paper: tuple[int, int, int] = (244, 238, 222)
    ink: tuple[int, int, int] = (34, 32, 38)


SAMPLES: tuple[Sample, ...] = (
    Sample(
        id="math01", image="math01-quadratic-factoring.jpg",
        expected="kb/quadratic-factoring.md", question=EN_QUESTION, font="serif",
        heading="Exercise 5.2   Quadratic Equations",
        lines=("3. Solve the quadratic equation by factoring.",
               "      x^2 - 7x + 12 = 0"),
        effects=Effects(seed=601, angle=-3.5, lighting="gradient", strength=0.25,
                        blur=0.8, noise=6.0),
    ),
    Sample(
        id="math02", image="math02-system-of-equations.jpg",
        expected="kb/system-of-linear-equations.md", question=EN_QUESTION, font="sans",
        heading="Unit 4 Review",
        lines=("7. Solve the system of equations for x and y:",
               "      3x + 2y = 16",
               "      x - y = 2"),
        effects=Effects(seed=102, angle=4.2, lighting="shadow", strength=0.22,
                        blur=0.9, noise=6.0, desk=(96, 74, 58)),
        size=38,
    ),
    Sample(
        id="math03", image="math03-derivative.jpg",
        expected="kb/derivative-polynomial.md", question=EN_QUESTION, font="serif",
        heading="Calculus - Homework 6",
        lines=("12. Find the derivative of",
               "      f(x) = 5x^4 - 3x^2 + 2x - 9",
               "     and then evaluate f'(1)."),
        effects=Effects(seed=103, angle=10.0, lighting="vignette", strength=0.2,
                        blur=0.6, noise=5.0, desk=(120, 118, 112)),
    ),
    Sample(
        id="math04", image="math04-slope.jpg",
        expected="kb/slope-of-line.md", question=EN_QUESTION, font="sans",
        heading="Coordinate Geometry",
        lines=("5. A line passes through the points (2, 5)",
               "   and (6, 13). Find the slope of the line",
               "   and write its equation in the form y = mx + b."),
        effects=Effects(seed=104, angle=-2.2, lighting="gradient+shadow", strength=0.16,
                        blur=0.9, noise=7.0),
        size=34, paper=(236, 236, 230),
    ),
    Sample(
        id="math05", image="math05-simple-interest.jpg",
        expected="kb/simple-interest.md", question=EN_QUESTION, font="serif",
        heading="Word Problems: Money",
        lines=("9. Ben deposits $1,800 in a savings account",
               "   that pays 5% simple interest per year.",
               "   How much interest will he earn in 4 years?"),
        effects=Effects(seed=105, angle=2.0, lighting="vignette", strength=0.25,
                        blur=1.1, noise=6.0, jpeg_quality=70),
        size=34,
    ),
    Sample(
        id="math06", image="math06-circle-area.jpg",
        expected="kb/circle-area.md", question=EN_QUESTION, font="sans",
        heading="Geometry Worksheet",
        lines=("4. A circular garden has a radius of 7 m.",
               "   Find its area and its circumference.",
               "   (Use pi = 3.14)"),
        effects=Effects(seed=106, angle=-1.5, lighting="shadow", strength=0.2,
                        blur=0.6, noise=5.0, desk=(70, 72, 80)),
        paper=(248, 246, 240),
    ),
    Sample(
        id="math07", image="math07-mean-median.jpg",
        expected="kb/mean-median.md", question=EN_QUESTION, font="serif",
        heading="Statistics",
        lines=("2. The numbers of books read by six students are",
               "   12, 15, 9, 20, 15, 17.",
               "   Find the mean, median and mode of the data set."),
        effects=Effects(seed=107, angle=5.8, lighting="gradient", strength=0.22,
                        blur=1.0, noise=7.0),
        size=32,
    ),
    Sample(
        id="math08", image="math08-logarithm.jpg",
        expected="kb/logarithm-equation.md", question=EN_QUESTION, font="serif",
        heading="Logarithms and Exponentials",
        lines=("6. Solve for x:",
               "      log_3(x) + log_3(x + 6) = 3"),
        effects=Effects(seed=608, angle=-6.0, lighting="vignette", strength=0.2,
                        blur=0.9, noise=6.0, desk=(140, 110, 80)),
        size=38,
    ),
    Sample(
        id="math09", image="math09-zh-chicken-rabbit.jpg",
        expected="kb/zh-chicken-rabbit-cage.md", question=ZH_QUESTIONS[0], font="cjk-serif",
        heading="四年级数学  思维训练",
        lines=("8. 鸡兔同笼，从上面数有 20 个头，",
               "   从下面数有 56 只脚。",
               "   鸡和兔各有多少只？"),
        effects=Effects(seed=109, angle=3.0, lighting="gradient", strength=0.2,
                        blur=0.8, noise=6.0),
        size=40,
    ),
    Sample(
        id="math10", image="math10-zh-pythagorean.jpg",
        expected="kb/zh-pythagorean-theorem.md", question=ZH_QUESTIONS[1], font="cjk-sans",
        heading="第十七章  勾股定理",
        lines=("3. 在直角三角形中，两条直角边分别是",
               "   9 cm 和 12 cm，求斜边的长。"),
        effects=Effects(seed=110, angle=-2.5, lighting="shadow", strength=0.2,
                        blur=1.0, noise=6.0, desk=(88, 80, 72)),
        size=40,
    ),
    Sample(
        id="math11", image="math11-zh-arithmetic-series.jpg",
        expected="kb/zh-arithmetic-series-sum.md", question=ZH_QUESTIONS[0], font="cjk-serif",
        heading="高一数学  数列",
        lines=("5. 已知等差数列 3，7，11，15，…",
               "   求它的第 30 项和前 30 项的和。"),
        effects=Effects(seed=311, angle=-9.5, lighting="vignette", strength=0.2,
                        blur=0.6, noise=5.0, desk=(110, 104, 96)),
        size=40,
    ),
    Sample(
        id="math12", image="math12-zh-inequality.jpg",
        expected="kb/zh-inequality.md", question=ZH_QUESTIONS[1], font="cjk-sans",
        heading="练习 9.2",
        lines=("2. 解不等式 4x - 7 < x + 8，",
               "   并把解集在数轴上表示出来。"),
        effects=Effects(seed=112, angle=2.0, lighting="gradient+shadow", strength=0.16,
                        blur=1.0, noise=6.0),
        size=44, paper=(238, 240, 232),
    ),
    Sample(
        id="math13", image="math13-zh-probability.jpg",
        expected="kb/zh-probability-dice.md", question=ZH_QUESTIONS[0], font="cjk-serif",
        heading="25.1 随机事件与概率",
        lines=("4. 掷一枚质地均匀的骰子，",
               "   朝上一面的点数大于 4 的概率是多少？"),
        effects=Effects(seed=113, angle=1.5, lighting="vignette", strength=0.25,
                        blur=1.1, noise=7.0, jpeg_quality=72),
        size=38,
    ),
    Sample(
        id="math14", image="math14-zh-linear-equation.jpg",
        expected="kb/zh-linear-equation.md", question=ZH_QUESTIONS[1], font="cjk-sans",
        heading="七年级上册  一元一次方程",
        lines=("6. 解方程：5x + 3 = 2(x + 9)",),
        effects=Effects(seed=414, angle=-3.0, lighting="gradient", strength=0.2,
                        blur=0.9, noise=6.0, desk=(150, 140, 125)),
        size=46,
    ),
    Sample(
        id="math15", image="math15-zh-percentage.jpg",
        expected="kb/zh-percentage-word-problem.md", question=ZH_QUESTIONS[0], font="cjk-serif",
        heading="六年级  百分数（二）",
        lines=("7. 一台电脑原价 4800 元，现在打九折出售。",
               "   现价是多少元？比原价便宜了多少元？"),
        effects=Effects(seed=215, angle=2.8, lighting="shadow", strength=0.18,
                        blur=0.8, noise=6.0),
        size=36,
    ),
)


def load_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """Load one of the named fonts from FONTS."""
    path, index = FONTS[name]
    return ImageFont.truetype(str(path), size, index=index)


def bold_name(font: str) -> str:
    """Name of the bold variant of a font in FONTS."""
    return f"{font}-bold"


def typeset(sample: Sample) -> Image.Image:
    """Draw the heading and the problem lines on a plain page."""
    body = load_font(sample.font, sample.size)
    head = load_font(bold_name(sample.font), sample.size - 4)
    margin, gap = 70, int(sample.size * 0.75)
    widths = [body.getlength(line) for line in sample.lines]
    width = int(max(widths + [head.getlength(sample.heading)])) + 2 * margin
    height = 2 * margin + (len(sample.lines) + 1) * (sample.size + gap) + gap
    page = Image.new("RGB", (max(width, 900), height), sample.paper)
    draw = ImageDraw.Draw(page)
    y = margin
    draw.text((margin, y), sample.heading, font=head, fill=sample.ink)
    y += sample.size + gap
    draw.line((margin, y - gap // 2, page.width - margin, y - gap // 2),
              fill=tuple(c + 60 for c in sample.ink), width=2)
    for line in sample.lines:
        y += gap // 2
        draw.text((margin, y), line, font=body, fill=sample.ink)
        y += sample.size + gap // 2
    return page


def paper_texture(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Add faint low-frequency blotches so the paper is not perfectly flat."""
    w, h = page.size
    coarse = rng.normal(0.0, 1.0, (h // 40 + 2, w // 40 + 2)).astype(np.float32)
    blotch = Image.fromarray(coarse).resize((w, h), Image.Resampling.BICUBIC)
    shade = 1.0 + 0.015 * np.asarray(blotch)[..., None]
    return Image.fromarray(np.clip(np.asarray(page) * shade, 0, 255).astype(np.uint8))


def rotate(page: Image.Image, fx: Effects, paper: tuple[int, int, int]) -> Image.Image:
    """Rotate the page; with a desk colour, the desk shows in the corners."""
    fill = fx.desk if fx.desk is not None else paper
    rotated = page.rotate(fx.angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
    if fx.desk is None:
        return rotated
    # Crop so only corner wedges of desk remain visible, like a hand-held photo.
    dx, dy = int(rotated.width * 0.04), int(rotated.height * 0.04)
    return rotated.crop((dx, dy, rotated.width - dx, rotated.height - dy))


def lighting_map(size: tuple[int, int], fx: Effects, rng: np.random.Generator) -> np.ndarray:
    """Per-pixel brightness factor (1.0 = unchanged) for the chosen lighting."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx, yy = xx / w - 0.5, yy / h - 0.5
    light = np.ones((h, w), np.float32)
    if "gradient" in fx.lighting:
        theta = rng.uniform(0, 2 * np.pi)
        ramp = xx * np.cos(theta) + yy * np.sin(theta)
        ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min())
        light *= 1.0 - fx.strength * ramp
    if "vignette" in fx.lighting:
        cx, cy = rng.uniform(-0.15, 0.15, 2)
        r2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / 0.5
        light *= 1.0 - fx.strength * np.clip(r2, 0, 1) ** 1.5
    if "shadow" in fx.lighting:
        light *= shadow_map(size, fx.strength, rng)
    return light


def shadow_map(size: tuple[int, int], strength: float, rng: np.random.Generator) -> np.ndarray:
    """Soft shadow of a phone or hand falling across one side of the page."""
    w, h = size
    mask = Image.new("L", size, 0)
    side = int(rng.integers(0, 4))
    depth = rng.uniform(0.25, 0.4)
    polys: list[list[tuple[float, float]]] = [
        [(0, 0), (w * depth, 0), (w * depth * 0.6, h), (0, h)],
        [(w, 0), (w * (1 - depth), 0), (w * (1 - depth * 0.5), h), (w, h)],
        [(0, 0), (w, 0), (w, h * depth * 0.7), (0, h * depth)],
        [(0, h), (w, h), (w, h * (1 - depth)), (0, h * (1 - depth * 0.6))],
    ]
    ImageDraw.Draw(mask).polygon(polys[side], fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(min(w, h) * 0.08))
    return 1.0 - strength * np.asarray(mask, np.float32) / 255.0


def add_noise(img: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Sensor noise: mostly luminance, with a little per-channel colour noise."""
    luma = rng.normal(0.0, sigma, img.shape[:2] + (1,))
    chroma = rng.normal(0.0, sigma * 0.35, img.shape)
    return img + luma + chroma


def photograph(sample: Sample) -> Image.Image:
    """Turn a typeset page into a photo-like image."""
    fx = sample.effects
    rng = np.random.default_rng(fx.seed)
    page = paper_texture(typeset(sample), rng)
    photo = rotate(page, fx, sample.paper)
    photo = photo.filter(ImageFilter.GaussianBlur(fx.blur))
    pixels = np.asarray(photo, np.float32)
    pixels = pixels * lighting_map(photo.size, fx, rng)[..., None]
    pixels = add_noise(pixels, fx.noise, rng)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def query_record(sample: Sample) -> dict[str, str]:
    """The queries.jsonl line for one sample."""
    return {"id": sample.id, "question": sample.question,
            "image": sample.image, "expected": sample.expected}


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    records = []
    for sample in SAMPLES:
        assert (HERE / sample.expected).is_file(), sample.expected
        photograph(sample).save(OUT_DIR / sample.image, quality=sample.effects.jpeg_quality)
        records.append(query_record(sample))
        print(f"wrote queries/{sample.image}")
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    (OUT_DIR / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote queries/queries.jsonl ({len(records)} queries)")


if __name__ == "__main__":
    main()
