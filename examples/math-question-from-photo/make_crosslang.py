"""Generate the cross-language eval set ``queries/crosslang.jsonl`` and its photos.

Every item is a NEW problem (new numbers, new wording) of the same type as one worked
example in ``kb/``; most are asked in the other language than that example: Chinese
students asking about problem types whose example is written in English, and English
speakers asking about types whose example is Chinese (鸡兔同笼, 勾股定理, ...).

Two kinds of items:

* ``photo``: a worksheet problem typeset on paper with the boilerplate real worksheets
  carry (name/date lines, unit titles, problem numbers, answer blanks), then degraded like a
  phone photo with the helpers of ``make_samples.py`` (rotation, uneven light, blur, noise,
  JPEG). One problem per photo.
* ``typed``: a question typed the way students ask, in their own words and often only
  describing the problem.

Each record has ``id``, ``question``, ``image`` (photos only, relative to ``queries/``),
``expected`` (the worked example of the same type), optional ``answer_contains`` (a step
phrase copied verbatim from that example's solution), ``lang`` (language of the user's
input), ``source_lang`` (language of the example), ``cross``, ``kind`` and ``split``
(dev/test, alternated within each kind x language-direction group so both splits get half
of every group).

All randomness uses fixed per-image seeds, so the output is deterministic for a given
Pillow/NumPy version.

Requirements: Pillow and NumPy, plus ``apt-get install fonts-noto-cjk fonts-dejavu-core``.

Run (from the repository root; it imports ``make_samples`` from this folder, so run it as a
script, not with ``-m``):

    .venv/bin/python examples/math-question-from-photo/make_crosslang.py

Writes ``queries/crosslang/xmNN.jpg`` for every photo and ``queries/crosslang.jsonl``.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from make_samples import (
    Effects,
    add_noise,
    bold_name,
    lighting_map,
    load_font,
    paper_texture,
    rotate,
)
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries"
IMAGE_DIR = QUERIES / "crosslang"
JSONL = QUERIES / "crosslang.jsonl"
MAX_BYTES = 100_000
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Photo:
    """A worksheet photo: what to typeset, how to degrade it, what the student asks."""

    question: str
    expected: str  # file name in kb/
    lang: str
    font: str
    top: str  # boilerplate above the heading (name/date line), "" for none
    heading: str
    lines: tuple[str, ...]
    effects: Effects
    footer: str = ""  # answer blank or page number below the problem
    answer: str = ""  # answer_contains, "" for none
    size: int = 34
    paper: tuple[int, int, int] = (244, 239, 224)
    ink: tuple[int, int, int] = (36, 34, 40)
    ruled: bool = False  # faint ruled work lines below the problem


@dataclass(frozen=True)
class Typed:
    """A question typed by a student (no image)."""

    question: str
    expected: str
    lang: str
    answer: str = ""


def fx(seed: int, angle: float, lighting: str, strength: float = 0.2, blur: float = 0.8,
       noise: float = 6.0, desk: tuple[int, int, int] | None = None,
       quality: int = 78) -> Effects:
    """Shorthand for the photo degradations of make_samples.Effects."""
    return Effects(seed=seed, angle=angle, lighting=lighting, strength=strength, blur=blur,
                   noise=noise, desk=desk, jpeg_quality=quality)


ZH_NAME = "姓名：________   班级：______   日期：______"
EN_NAME = "Name: __________________   Date: ____________"

ITEMS: tuple[Photo | Typed, ...] = (
    # --- Chinese worksheet photo of a type whose worked example is English.
    Photo("这道题怎么做？", "quadratic-factoring.md", "zh", "cjk-sans", ZH_NAME,
          "第三单元 练习   一元二次方程",
          ("4. 用因式分解法解下列方程：", "        x² + 2x − 15 = 0"),
          fx(9101, -3.0, "gradient", 0.22), footer="解：",
          answer="zero product property", size=38),
    Typed("how do I find where two lines cross if I have both equations, "
          "like y = 2x - 1 and x + y = 8", "system-of-linear-equations.md", "en"),
    # --- English worksheet photo of a type whose worked example is Chinese.
    Photo("How do I solve this?", "zh-chicken-rabbit-cage.md", "en", "serif",
          EN_NAME, "Math Olympiad Club - Week 3",
          ("5. A farmer keeps chickens and rabbits in one pen.",
           "   Altogether there are 30 heads and 84 legs.",
           "   How many chickens and how many rabbits are there?"),
          fx(9102, 2.5, "shadow", 0.2, desk=(98, 76, 60)), answer="每把一只鸡换成一只兔"),
    Typed("3x^2+4x-2=0 因式分解不了，用公式法怎么解？", "quadratic-formula.md", "zh",
          answer="Discriminant"),
    Photo("请写出详细过程", "system-of-linear-equations.md", "zh", "cjk-serif", "",
          "七年级下册  第八章  二元一次方程组",
          ("2. 解方程组：", "        3x − y = 5      ①", "        x + 2y = 11     ②"),
          fx(9103, 4.0, "vignette", 0.22, desk=(122, 118, 110)),
          footer="（第 2 页，共 4 页）", size=36),
    Typed("there are ducks and goats on a farm, 40 heads and 110 legs in total. "
          "how many goats?", "zh-chicken-rabbit-cage.md", "en"),
    Photo("can you show me the steps?", "zh-arithmetic-series-sum.md", "en", "sans", "",
          "Unit 7 Review: Sequences and Series",
          ("8. The arithmetic sequence 6, 11, 16, 21, ... continues.",
           "   Find the 25th term and the sum of the first 25 terms."),
          fx(9104, -5.0, "gradient+shadow", 0.16, blur=0.9, noise=7.0),
          footer="Answer: ____________________", answer="前 n 项和公式", size=32,
          paper=(238, 238, 232)),
    Typed("求定积分，从1积到4，被积函数是2x+3，步骤是什么", "definite-integral.md", "zh"),
    Photo("求导这题不会，能讲一下吗", "derivative-polynomial.md", "zh", "cjk-sans",
          ZH_NAME, "高二数学  导数的运算  课时作业（五）",
          ("7. 已知函数 f(x) = 2x³ − 6x² + x − 4，",
           "   求 f′(x)，并求 f′(3) 的值。"),
          fx(9105, 6.5, "gradient", 0.25, blur=1.0, noise=6.5), answer="Power rule",
          size=34, ruled=True),
    Typed("how do I solve 3 - 2x < 11? do I have to flip the sign?", "zh-inequality.md",
          "en", answer="不等号方向要改变"),
    Photo("How do I solve this?", "zh-inequality.md", "en", "sans",
          "Name: ________________   Period: ____", "Algebra 1 - Chapter 6 Quiz",
          ("3. Solve the inequality 7 - 3x ≥ 19 and graph",
           "   the solution on a number line."),
          fx(9106, -2.0, "vignette", 0.25, blur=1.1, noise=6.0, quality=72), size=36),
    Typed("(3a²)³ ÷ 9a⁴ 怎么化简，幂的运算法则记不住了", "exponent-laws.md", "zh",
          answer="Power of a product"),
    Photo("这道题怎么做？", "circle-area.md", "zh", "cjk-serif", "",
          "六年级上册  第五单元  圆的面积",
          ("5. 一个圆形花坛的直径是 8 米，",
           "   它的面积和周长各是多少？（π 取 3.14）"),
          fx(9107, -1.5, "shadow", 0.2, desk=(72, 74, 82)), footer="答：__________________",
          answer="The radius is half the diameter", size=38, paper=(248, 246, 238)),
    Typed("solve 5(x - 1) = 3x + 7 step by step pls", "zh-linear-equation.md", "en"),
    Photo("help, what are the steps for this one", "zh-linear-equation.md", "en", "serif",
          EN_NAME, "Pre-Algebra Worksheet 2.4",
          ("11. Solve for x:", "        4(x + 3) - 7 = 3x + 9"),
          fx(9108, 3.5, "gradient", 0.2, blur=0.7, noise=5.0), footer="x = __________",
          answer="移项要变号", size=38),
    Typed("log₃x + log₃(x+8) = 2 这个对数方程怎么解", "logarithm-equation.md", "zh"),
    Photo("这题用什么公式？", "geometric-sequence.md", "zh", "cjk-sans", "",
          "高一数学  等比数列  第 2 课时",
          ("3. 在等比数列 {an} 中，a1 = 4，公比 q = 3，",
           "   求 a6 及前 6 项和 S6。"),
          fx(9109, -7.0, "vignette", 0.2, blur=0.7, noise=5.0, desk=(112, 104, 96)),
          size=34),
    Typed("a phone went from $400 to $460. by what percent did the price go up?",
          "zh-percentage-word-problem.md", "en", answer="提高的百分数 = 涨价部分 ÷ 原价"),
    Photo("How do I solve this?", "zh-percentage-word-problem.md", "en", "sans", EN_NAME,
          "Percent Word Problems",
          ("6. A jacket is priced at $120. During a sale it",
           "   is sold at 25% off. What is the sale price?"),
          fx(9110, 1.8, "gradient+shadow", 0.18, blur=0.9, noise=6.0), size=34,
          ruled=True),
    Typed("一组数据 12, 7, 9, 15, 7, 10 的平均数和中位数怎么求？", "mean-median.md", "zh",
          answer="Sort the data"),
    Photo("这道题怎么做？", "simple-interest.md", "zh", "cjk-serif", ZH_NAME,
          "六年级下册  第二单元  利率",
          ("9. 王阿姨把 6000 元存入银行，定期三年，",
           "   年利率是 2.75%。到期时可以得到利息多少元？"),
          fx(9111, 2.2, "vignette", 0.24, blur=1.1, noise=6.0, quality=72),
          answer="I = P * r * t", size=32),
    Typed("if I flip a coin 3 times what's the chance of getting heads every time",
          "zh-probability-dice.md", "en"),
    Photo("How do I work this out?", "zh-probability-dice.md", "en", "serif", "",
          "Probability - Homework 12.2",
          ("4. Two fair six-sided dice are rolled.",
           "   What is the probability that the sum is 9?"),
          fx(9112, -4.5, "shadow", 0.22, desk=(140, 112, 84)),
          footer="P(sum = 9) = ________", answer="等可能的结果", size=36),
    Typed("两个点求直线方程 (-1,4)和(3,-4) 斜率怎么算", "slope-of-line.md", "zh",
          answer="m = (y2 - y1) / (x2 - x1)"),
    Photo("这几个单位怎么换算？", "unit-conversion.md", "zh", "cjk-sans", "",
          "三年级下册  单位换算  专项练习",
          ("一、填空。", "  (1) 5.6 千米 = (        ) 米",
           "  (2) 3 平方米 = (        ) 平方厘米", "  (3) 2500 毫升 = (        ) 升"),
          fx(9113, 3.0, "gradient", 0.2, blur=0.8, noise=6.0, desk=(150, 140, 124)),
          size=34, paper=(240, 242, 236)),
    Typed("right triangle, hypotenuse is 25 and one leg is 7, how long is the other leg",
          "zh-pythagorean-theorem.md", "en", answer="由勾股定理"),
    Photo("How do I solve this?", "zh-pythagorean-theorem.md", "en", "sans", EN_NAME,
          "Geometry Unit 8: Right Triangles",
          ("2. A 10 ft ladder leans against a wall. Its foot is",
           "   6 ft from the wall. How high up the wall does",
           "   the ladder reach?"),
          fx(9114, 5.0, "vignette", 0.2, blur=0.9, noise=6.5), size=32),
    Typed("汽车2小时40分钟开了200公里，平均速度是多少千米每小时，合多少米每秒？",
          "speed-distance-time.md", "zh"),
    Photo("请给出解题步骤", "ratio-proportion.md", "zh", "cjk-serif", ZH_NAME,
          "六年级上册  第四单元  比的应用",
          ("6. 学校把 84 本图书按 3 : 4 分给五年级和六年级，",
           "   两个年级各分到多少本？"),
          fx(9115, -2.8, "gradient+shadow", 0.16, blur=0.9, noise=6.0),
          answer="Total parts", size=32),
    Typed("how do you find the area of a trapezoid with parallel sides 6 and 11 "
          "and height 4", "zh-triangle-area.md", "en", answer="梯形面积公式"),
    Photo("how do i find the area here", "zh-triangle-area.md", "en", "serif", "",
          "Grade 5 Measurement Review",
          ("7. A triangular sail has a base of 9 m and a",
           "   height of 14 m. What is the area of the sail?"),
          fx(9116, 1.2, "gradient", 0.24, blur=1.0, noise=7.0, desk=(90, 80, 70)),
          footer="Area = ________ m²", size=34),
    Typed("四十八分之三十六怎么约分成最简分数？约完再加上八分之一等于多少",
          "simplifying-fractions.md", "zh", answer="greatest common divisor"),
    # --- same-language photos
    Photo("I'm stuck on number 14", "logarithm-equation.md", "en", "serif", EN_NAME,
          "Precalculus - Unit 3 Test Review",
          ("14. Solve for x:", "         log₄(x + 3) + log₄(x - 3) = 2"),
          fx(9117, -3.8, "gradient", 0.22, blur=0.8, noise=6.0), answer="Check the domain",
          size=36),
    Typed("鸡兔同笼 头共50个 脚共140只 用假设法怎么算", "zh-chicken-rabbit-cage.md",
          "zh"),
    Photo("what's the method for this problem?", "definite-integral.md", "en", "sans", "",
          "AP Calculus AB - Practice 5.3",
          ("9. Evaluate the definite integral", "         ∫₀³ (x² + 4x) dx"),
          fx(9118, 4.5, "shadow", 0.2, desk=(104, 86, 70), quality=74),
          footer="Show all work.", size=38),
    Typed("y等于x的四次方减3x方加1，导数怎么求", "derivative-polynomial.md", "zh",
          answer="Differentiate term by term"),
    Photo("这道题怎么做？", "zh-probability-dice.md", "zh", "cjk-serif", "",
          "九年级上册  第二十五章  概率初步",
          ("3. 同时掷两枚质地均匀的骰子，", "   两枚骰子点数相同的概率是多少？"),
          fx(9119, -6.0, "vignette", 0.22, blur=0.9, noise=6.0), size=38),
    Typed("how do I factor x^2 + x - 12 = 0 to find x", "quadratic-factoring.md", "en",
          answer="Factor the trinomial"),
    Photo("请给出解题步骤", "zh-percentage-word-problem.md", "zh", "cjk-sans", ZH_NAME,
          "第三单元 练习   百分数的应用",
          ("8. 某工厂去年产值 500 万元，今年产值 600 万元，",
           "   今年比去年增长了百分之几？"),
          fx(9120, 2.0, "gradient+shadow", 0.18, blur=0.8, noise=6.0, desk=(128, 100, 76)),
          answer="涨价部分 ÷ 原价", size=32, ruled=True),
    Typed("做蛋糕3个鸡蛋配250克面粉，要是用9个鸡蛋需要多少克面粉？", "ratio-proportion.md",
          "zh", answer="Cross-multiply"),
    # --- typed, same language
    Typed("what's the slope of the tangent line to y = x^4 - 3x at x = 1?",
          "derivative-polynomial.md", "en"),
    Typed("等差数列首项是5，公差是4，第15项是多少，前15项加起来是多少",
          "zh-arithmetic-series-sum.md", "zh", answer="an = a1 + (n - 1)d"),
    Typed("pizza is 14 inches across, how many square inches is that",
          "circle-area.md", "en", answer="A = pi * r^2"),
    Typed("不等式 -3x + 2 ≥ -10 的正整数解有哪些", "zh-inequality.md", "zh"),
    Typed("each term doubles starting at 5. what's the 10th term and the total of the "
          "first 10?", "geometric-sequence.md", "en", answer="Common ratio"),
    Typed("2(3x−1)=4x+10 这个方程怎么解，去括号之后就不会了", "zh-linear-equation.md", "zh",
          answer="合并同类项"),
    Typed("I borrowed $8,000 at 6.5% simple interest for 2 years, how much do I pay back "
          "in total?", "simple-interest.md", "en"),
    Typed("直角三角形斜边17厘米，一条直角边8厘米，另一条直角边多长？",
          "zh-pythagorean-theorem.md", "zh", answer="a² + b² = c²"),
    Typed("what is the sum 1 + 2 + 3 + ... + 200, is there a quick formula for it",
          "zh-arithmetic-series-sum.md", "en"),
    Typed("三角形面积是36平方厘米，底是9厘米，高是多少？", "zh-triangle-area.md", "zh"),
)


def text_font(photo: Photo, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A font of the photo's family at `size`."""
    return load_font(bold_name(photo.font) if bold else photo.font, size)


def typeset(photo: Photo) -> Image.Image:
    """Draw the boilerplate, heading, problem and footer on a plain worksheet page."""
    size = photo.size
    body, head = text_font(photo, size), text_font(photo, size - 2, bold=True)
    small = text_font(photo, int(size * 0.72))
    margin, gap = 70, int(size * 0.75)
    texts = [(photo.top, small), (photo.heading, head), *((t, body) for t in photo.lines),
             (photo.footer, body)]
    width = int(max(font.getlength(t) for t, font in texts if t)) + 2 * margin
    rows = (len(photo.lines) + 2) * (size + gap) + (3 * size if photo.ruled else 0)
    height = 2 * margin + rows + (int(size * 1.6) if photo.top else 0)
    page = Image.new("RGB", (max(width, 900), height), photo.paper)
    draw = ImageDraw.Draw(page)
    faint = tuple(min(255, c + 70) for c in photo.ink)
    y = margin
    if photo.top:
        draw.text((margin, y), photo.top, font=small, fill=faint)
        y += int(size * 1.6)
    draw.text((margin, y), photo.heading, font=head, fill=photo.ink)
    y += size + gap
    draw.line((margin, y - gap // 2, page.width - margin, y - gap // 2), fill=faint, width=2)
    for line in photo.lines:
        y += gap // 2
        draw.text((margin, y), line, font=body, fill=photo.ink)
        y += size + gap // 2
    if photo.footer:
        y += gap
        draw.text((margin, y), photo.footer, font=body, fill=photo.ink)
        y += size
    if photo.ruled:
        work = tuple(int(c * 0.82) for c in photo.paper)
        y += size // 3
        for _ in range(3):
            y += size
            draw.line((margin, y, page.width - margin, y), fill=work, width=1)
    return page


def photograph(photo: Photo) -> Image.Image:
    """Degrade a typeset page like a phone photo (helpers from make_samples)."""
    effects = photo.effects
    rng = np.random.default_rng(effects.seed)
    page = paper_texture(typeset(photo), rng)
    shot = rotate(page, effects, photo.paper).filter(ImageFilter.GaussianBlur(effects.blur))
    pixels = np.asarray(shot, np.float32) * lighting_map(shot.size, effects, rng)[..., None]
    pixels = add_noise(pixels, effects.noise, rng)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def jpeg_bytes(image: Image.Image, quality: int) -> bytes:
    """JPEG encoding at `quality`, lowered in steps of 4 until it fits MAX_BYTES."""
    while True:
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=quality)
        if buf.tell() <= MAX_BYTES or quality <= 40:
            return buf.getvalue()
        quality -= 4


def solution_text(kb_file: Path) -> str:
    """The method part of a worked example: the text between the solution and answer."""
    text = kb_file.read_text(encoding="utf-8")
    match = re.search(r"^## (?:Solution|解答)\n(.*?)^## ", text, re.S | re.M)
    assert match, kb_file
    return match.group(1)


def language(text: str) -> str:
    """'zh' when the text has Chinese characters, else 'en'."""
    return "zh" if CJK.search(text) else "en"


def record(n: int, item: Photo | Typed) -> dict[str, object]:
    """The crosslang.jsonl line for one item (split is added later)."""
    item_id = f"xm{n:02d}"
    kb_file = HERE / "kb" / item.expected
    assert kb_file.is_file(), item.expected
    source_lang = language(kb_file.read_text(encoding="utf-8"))
    lines = item.lines if isinstance(item, Photo) else ()
    assert language(" ".join((item.question, *lines))) == item.lang, item_id
    if isinstance(item, Photo):
        assert language(" ".join((item.top, item.heading, item.footer))) in (item.lang, "en")
    rec: dict[str, object] = {"id": item_id, "question": item.question}
    if isinstance(item, Photo):
        rec["image"] = f"crosslang/{item_id}.jpg"
    rec["expected"] = f"kb/{item.expected}"
    if item.answer:
        assert item.answer in solution_text(kb_file), (item_id, item.answer)
        rec["answer_contains"] = [item.answer]
    rec.update(lang=item.lang, source_lang=source_lang, cross=item.lang != source_lang,
               kind="photo" if isinstance(item, Photo) else "typed")
    return rec


def assign_splits(records: list[dict[str, object]]) -> None:
    """Alternate dev/test within each (kind, lang, source_lang) group."""
    seen: Counter[tuple[object, ...]] = Counter()
    for rec in records:
        group = (rec["kind"], rec["lang"], rec["source_lang"])
        rec["split"] = "dev" if seen[group] % 2 == 0 else "test"
        seen[group] += 1


def main() -> None:
    IMAGE_DIR.mkdir(parents=True, exist_ok=True)
    records = [record(n, item) for n, item in enumerate(ITEMS, start=1)]
    assign_splits(records)
    for rec, item in zip(records, ITEMS, strict=True):
        if isinstance(item, Photo):
            data = jpeg_bytes(photograph(item), item.effects.jpeg_quality)
            (QUERIES / str(rec["image"])).write_bytes(data)
            print(f"wrote queries/{rec['image']} ({len(data) // 1000} KB)")
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    JSONL.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = Counter((r["kind"], r["lang"], r["source_lang"], r["split"]) for r in records)
    print(f"wrote queries/crosslang.jsonl ({len(records)} items)")
    for key in sorted(counts):
        print("  ", *key, counts[key])


if __name__ == "__main__":
    main()
