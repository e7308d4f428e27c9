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

Writes ``queries/<image>`` for every sample and ``queries/queries.jsonl``, the eval set:
the photos, then problems typed as text (TYPED), each with the expected worked example
and ``answer_contains``.
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
    Sample(
        id="math16", image="math16-definite-integral.jpg",
        expected="kb/definite-integral.md", question=EN_QUESTION, font="serif",
        heading="Integral Calculus - Quiz 3",
        lines=("2. Evaluate the definite integral",
               "      integral from 1 to 3 of (4x^3 - 6x) dx"),
        effects=Effects(seed=716, angle=-4.0, lighting="gradient", strength=0.22,
                        blur=0.8, noise=6.0, jpeg_quality=60),
        size=32,
    ),
    Sample(
        id="math17", image="math17-quadratic-formula.jpg",
        expected="kb/quadratic-formula.md", question=EN_QUESTION, font="sans",
        heading="Algebra 2 - Section 4.6",
        lines=("11. Use the quadratic formula to solve",
               "      3x^2 - 5x - 1 = 0.",
               "    Round your answers to two decimal places."),
        effects=Effects(seed=717, angle=3.0, lighting="shadow", strength=0.2,
                        blur=0.9, noise=6.0, desk=(92, 78, 66), jpeg_quality=60),
        size=32,
    ),
    Sample(
        id="math18", image="math18-geometric-sequence.jpg",
        expected="kb/geometric-sequence.md", question=EN_QUESTION, font="serif",
        heading="Sequences and Series",
        lines=("4. The geometric sequence 2, 10, 50, 250, ...",
               "   Find the 6th term and the sum of the first 6 terms."),
        effects=Effects(seed=718, angle=-7.0, lighting="vignette", strength=0.2,
                        blur=0.7, noise=5.0, jpeg_quality=60),
        size=30,
    ),
    Sample(
        id="math19", image="math19-speed-distance-time.jpg",
        expected="kb/speed-distance-time.md", question=EN_QUESTION, font="sans",
        heading="Rates - Homework",
        lines=("6. A bus travels 180 km in 2 hours 30 minutes.",
               "   Find its average speed in km/h and in m/s."),
        effects=Effects(seed=719, angle=1.8, lighting="gradient+shadow", strength=0.16,
                        blur=1.0, noise=6.0, jpeg_quality=60),
        size=30, paper=(240, 240, 234),
    ),
    Sample(
        id="math20", image="math20-zh-triangle-area.jpg",
        expected="kb/zh-triangle-area.md", question=ZH_QUESTIONS[0], font="cjk-sans",
        heading="五年级上册  多边形的面积",
        lines=("3. 一块三角形菜地，底是 18 米，高是 9 米，",
               "   这块菜地的面积是多少平方米？"),
        effects=Effects(seed=720, angle=-2.0, lighting="shadow", strength=0.2,
                        blur=0.8, noise=6.0, desk=(120, 96, 70), jpeg_quality=60),
        size=34,
    ),
)

# answer_contains of each photo: a step of the right worked example (the method). The
# extractive answer quotes the example, so the new problem's own result is not checked here.
PHOTO_ANSWERS: dict[str, tuple[str, ...]] = {
    "math01": ("zero product property",), "math02": ("Back-substitute",),
    "math03": ("Power rule",), "math04": ("m = (y2 - y1) / (x2 - x1)",),
    "math05": ("I = P * r * t",), "math06": ("A = pi * r^2",),
    "math07": ("the middle (4th) value",), "math08": ("exponential form",),
    "math09": ("假设 35 只全是鸡",), "math10": ("a² + b² = c²",),
    "math11": ("Sn = n(a1 + an) / 2",), "math12": ("不等号方向",),
    "math13": ("36 种等可能的结果",), "math14": ("移项要变号",),
    "math15": ("按原价的 80% 出售",), "math16": ("fundamental theorem of calculus",),
    "math17": ("b^2 - 4ac",), "math18": ("S_n = a_1 * (r^n - 1) / (r - 1)",),
    "math19": ("Speed = distance / time",), "math20": ("S = 底 × 高 ÷ 2",),
}


@dataclass(frozen=True)
class Typed:
    """A problem typed by a student instead of photographed; `answer` = answer_contains."""

    id: str
    question: str
    expected: str
    answer: tuple[str, ...]


TYPED: tuple[Typed, ...] = (
    # The worked example's own problem, typed: the final answer must be in the answer.
    Typed("text01", "Solve by factoring: x^2 - 5x + 6 = 0", "kb/quadratic-factoring.md", ("x = 2 or x = 3",)),
    Typed("text02", "解方程：3(x - 2) + 5 = 2x + 7", "kb/zh-linear-equation.md", ("x = 8",)),
    Typed("text03", "Evaluate the integral of (3x^2 + 2x) dx from x = 0 to x = 2", "kb/definite-integral.md", ("F(2) - F(0)", "12")),
    Typed("text04", "鸡兔同笼，共 35 只，从下面数有 94 只脚，鸡和兔各几只？", "kb/zh-chicken-rabbit-cage.md", ("鸡 23 只，兔 12 只",)),
    # New numbers: the answer must quote the method of the same problem type.
    Typed("text05", "Simplify 45/60, then add 1/3 and give the result in lowest terms", "kb/simplifying-fractions.md", ("least common denominator",)),
    Typed("text06", "How many metres is 4.2 km, and how many litres is 3,200 mL?", "kb/unit-conversion.md", ("1 km = 1000 m",)),
    Typed("text07", "Share 90 marbles between Li and Sam in the ratio 4:5", "kb/ratio-proportion.md", ("Total parts",)),
    Typed("text08", "A cyclist rides 45 km in 1 hour 30 minutes. What is her average speed?", "kb/speed-distance-time.md", ("Speed = distance / time",)),
    Typed("text09", "Find the 10th term of the geometric sequence 5, 15, 45, ...", "kb/geometric-sequence.md", ("a_n = a_1 * r^(n-1)",)),
    Typed("text10", "solve 3x^2 - 5x - 1 = 0 using the quadratic formula", "kb/quadratic-formula.md", ("b^2 - 4ac",)),
    Typed("text11", "Simplify (3a^2)^3 * a / a^4 using the laws of exponents", "kb/exponent-laws.md", ("Power of a product",)),
    Typed("text12", "How much simple interest do I earn on $5,000 at 3% a year for 6 years?", "kb/simple-interest.md", ("I = P * r * t",)),
    Typed("text13", "What is the slope of the line through (-2, 1) and (3, 11)?", "kb/slope-of-line.md", ("m = (y2 - y1) / (x2 - x1)",)),
    Typed("text14", "Differentiate g(x) = 6x^5 - x^3 + 4x", "kb/derivative-polynomial.md", ("Power rule",)),
    Typed("text15", "Find the mean and the median of 4, 8, 15, 16, 23, 42", "kb/mean-median.md", ("Median",)),
    Typed("text16", "Solve log_5(x) + log_5(x - 4) = 1", "kb/logarithm-equation.md", ("exponential form",)),
    Typed("text17", "What is the area of a circle with radius 3 cm?", "kb/circle-area.md", ("A = pi * r^2",)),
    Typed("text18", "一个三角形底 15 厘米，高 8 厘米，面积是多少？", "kb/zh-triangle-area.md", ("S = 底 × 高 ÷ 2",)),
    Typed("text19", "直角三角形两条直角边是 5 和 12，斜边多长？", "kb/zh-pythagorean-theorem.md", ("a² + b² = c²",)),
    Typed("text20", "掷两枚骰子，点数之和为 8 的概率是多少？", "kb/zh-probability-dice.md", ("36 种等可能的结果",)),
    Typed("text21", "解不等式 2x + 5 > 11", "kb/zh-inequality.md", ("不等号方向",)),
    Typed("text22", "等差数列 1，4，7，… 前 10 项的和是多少？", "kb/zh-arithmetic-series-sum.md", ("Sn = n(a1 + an) / 2",)),
    Typed("text23", "商品原价 300 元，打七五折后卖多少钱？", "kb/zh-percentage-word-problem.md", ("现价 =",)),
    Typed("text24", "解方程组：2x + y = 7，x - y = 2", "kb/system-of-linear-equations.md", ("Back-substitute",)),
    Typed("text25", "Chickens and rabbits are in a cage: 20 heads and 56 legs. How many of each?", "kb/zh-chicken-rabbit-cage.md", ("兔有",)),
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


def query_record(sample: Sample) -> dict[str, object]:
    """The queries.jsonl line for one sample."""
    return {"id": sample.id, "question": sample.question, "image": sample.image,
            "expected": sample.expected, "answer_contains": list(PHOTO_ANSWERS[sample.id])}


def typed_record(typed: Typed) -> dict[str, object]:
    """The queries.jsonl line for one typed question."""
    assert (HERE / typed.expected).is_file(), typed.expected
    return {"id": typed.id, "question": typed.question, "expected": typed.expected,
            "answer_contains": list(typed.answer), "kind": "typed"}


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    records = []
    for sample in SAMPLES:
        assert (HERE / sample.expected).is_file(), sample.expected
        photograph(sample).save(OUT_DIR / sample.image, quality=sample.effects.jpeg_quality)
        records.append(query_record(sample))
        print(f"wrote queries/{sample.image}")
    records += [typed_record(typed) for typed in TYPED]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    (OUT_DIR / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote queries/queries.jsonl ({len(records)} queries)")


if __name__ == "__main__":
    main()
