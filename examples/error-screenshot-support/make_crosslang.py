"""Regenerate the cross-language eval set of the error-screenshot-support example.

Writes:
  * queries/crosslang/xlNN.png - screenshots a user might send (Chinese-localised Windows,
                                 Chrome, Office, WPS and VS Code; English terminals)
  * queries/crosslang.jsonl    - the cross-language eval set (ITEMS below)

Each item has: id, question, optional image (relative to queries/), expected (the article
that answers it), optional answer_contains (a short string copied verbatim from that
article's fix steps), lang (language of the question), optional ui_lang (language of the
screenshot's text when it differs from the question), source_lang (language of the
article), cross (question language != article language), kind ("typed"/"screenshot")
and split ("dev"/"test", alternated inside each kind x cross x direction group).

The questions were written fresh for this set (they are not the items of queries.jsonl):
typed ones describe the symptom in the user's own words instead of pasting the error.
Output is deterministic: fixed random seeds, no timestamps.

Requirements:
    pip install pillow pypdfium2        (pypdfium2 only checks answer_contains in PDF articles)
    apt-get install fonts-noto-cjk fonts-dejavu-core

Run (from any directory):
    python examples/error-screenshot-support/make_crosslang.py
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
KB_DIR = HERE / "kb"
QUERY_DIR = HERE / "queries"
SHOT_DIR = QUERY_DIR / "crosslang"
OUT_JSONL = QUERY_DIR / "crosslang.jsonl"
MAX_PNG_BYTES = 78_000

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
NOTO = Path("/usr/share/fonts/opentype/noto")

Color = tuple[int, int, int]
Run = tuple[str, Color]
Line = list[Run]

# ---------------------------------------------------------------------------
# Basic drawing helpers
# ---------------------------------------------------------------------------

FONT_FILES: dict[str, tuple[Path, int]] = {
    "mono": (DEJAVU / "DejaVuSansMono.ttf", 0),
    "mono_bold": (DEJAVU / "DejaVuSansMono-Bold.ttf", 0),
    "sans": (DEJAVU / "DejaVuSans.ttf", 0),
    "sans_bold": (DEJAVU / "DejaVuSans-Bold.ttf", 0),
    "cjk": (NOTO / "NotoSansCJK-Regular.ttc", 2),  # Noto Sans CJK SC
    "cjk_bold": (NOTO / "NotoSansCJK-Bold.ttc", 2),
    "cjk_mono": (NOTO / "NotoSansCJK-Regular.ttc", 7),  # Noto Sans Mono CJK SC
}


@cache
def font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = FONT_FILES[kind]
    return ImageFont.truetype(str(path), size, index=index)


def rgb(value: str) -> Color:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)
CJK_CHAR = r"[\u3000-\u9fff\uff00-\uffef]"
NO_LINE_START = "，。、：；！？）」”"  # Chinese punctuation that never starts a line


def wrap_words(text: str, fnt: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Word-wrap prose; Chinese text (no spaces) may wrap between any two characters."""
    out: list[str] = []
    for para in text.split("\n"):
        tokens = re.findall(rf"{CJK_CHAR}|[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+", para)
        cur = ""
        for tok in tokens:
            too_wide = cur and fnt.getlength((cur + tok).rstrip()) > width
            if too_wide and tok not in NO_LINE_START:
                out.append(cur.rstrip())
                cur = tok.lstrip()
            else:
                cur += tok
        out.append(cur.rstrip())
    return out


def text_block(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    fnt: ImageFont.FreeTypeFont,
    fill: Color,
    width: int,
    spacing: float = 1.5,
) -> int:
    """Draw wrapped text, return the y below it."""
    x, y = xy
    for row in wrap_words(text, fnt, width):
        draw.text((x, y), row, font=fnt, fill=fill)
        y += int(fnt.size * spacing)
    return y


def draw_runs(
    draw: ImageDraw.ImageDraw, x: float, y: float, runs: Line, fnt: ImageFont.FreeTypeFont
) -> None:
    for text, color in runs:
        draw.text((x, y), text, font=fnt, fill=color)
        x += fnt.getlength(text)


def wrap_runs(line: Line, fnt: ImageFont.FreeTypeFont, width: float) -> list[Line]:
    """Hard-wrap coloured runs at `width` pixels, character by character like a terminal."""
    rows: list[Line] = [[]]
    used = 0.0
    for text, color in line:
        for ch in text:
            w = fnt.getlength(ch)
            if used + w > width and used > 0:
                rows.append([])
                used = 0.0
            if rows[-1] and rows[-1][-1][1] == color:
                rows[-1][-1] = (rows[-1][-1][0] + ch, color)
            else:
                rows[-1].append((ch, color))
            used += w
    return rows


def gradient(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    img = Image.new("RGB", size, top)
    draw = ImageDraw.Draw(img)
    for y in range(size[1]):
        t = y / max(size[1] - 1, 1)
        draw.line(
            [(0, y), (size[0], y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return img


def shadow(canvas: Image.Image, box: tuple[int, int, int, int], radius: int = 6) -> None:
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    x0, y0, x1, y1 = box
    ImageDraw.Draw(layer).rounded_rectangle(
        (x0 + 2, y0 + 5, x1 + 2, y1 + 7), radius, fill=(0, 0, 0, 100)
    )
    layer = layer.filter(ImageFilter.GaussianBlur(9))
    canvas.paste(Image.alpha_composite(canvas.convert("RGBA"), layer).convert("RGB"))


def cross_mark(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, color: Color, width: int = 1
) -> None:
    draw.line([(cx - r, cy - r), (cx + r, cy + r)], fill=color, width=width)
    draw.line([(cx - r, cy + r), (cx + r, cy - r)], fill=color, width=width)


def caption_buttons(
    draw: ImageDraw.ImageDraw, right: int, top: int, height: int, color: Color
) -> None:
    """Windows minimise / maximise / close glyphs."""
    cy = top + height // 2
    cross_mark(draw, right - 23, cy, 5, color)
    draw.rectangle((right - 74, cy - 5, right - 64, cy + 5), outline=color)
    draw.line([(right - 120, cy), (right - 110, cy)], fill=color)


def icon_error(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=rgb("#E81123"))
    cross_mark(draw, cx, cy, r // 3, WHITE, max(2, r // 6))


def icon_warning(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    draw.polygon([(cx, cy - r), (cx + r, cy + r - 2), (cx - r, cy + r - 2)], fill=rgb("#FFC83D"))
    draw.line([(cx, cy - r // 3), (cx, cy + r // 3)], fill=(30, 30, 30), width=max(2, r // 6))
    draw.ellipse((cx - 2, cy + r // 2, cx + 2, cy + r // 2 + 4), fill=(30, 30, 30))


def icon_bang(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, color: Color) -> None:
    """Filled circle with a white exclamation mark (Office / Settings style)."""
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=color)
    draw.line([(cx, cy - r // 2), (cx, cy + r // 6)], fill=WHITE, width=max(2, r // 4))
    draw.ellipse((cx - 2, cy + r // 3, cx + 2, cy + r // 3 + 4), fill=WHITE)


def wifi_icon(draw: ImageDraw.ImageDraw, cx: int, cy: int, color: Color, lock: bool = True) -> None:
    for r in (6, 11, 16):
        draw.arc((cx - r, cy - r, cx + r, cy + r), 225, 315, fill=color, width=2)
    draw.ellipse((cx - 2, cy - 2, cx + 2, cy + 2), fill=color)
    if lock:
        draw.rectangle((cx + 8, cy - 2, cx + 15, cy + 4), fill=color)
        draw.arc((cx + 9, cy - 7, cx + 14, cy - 1), 180, 360, fill=color, width=1)


def globe_icon(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, color: Color) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=color, width=1)
    draw.ellipse((cx - r // 2, cy - r, cx + r // 2, cy + r), outline=color, width=1)
    draw.line([(cx - r, cy), (cx + r, cy)], fill=color)


def win11_taskbar(
    canvas: Image.Image,
    clock: tuple[str, str],
    tray: Callable[[ImageDraw.ImageDraw, int], None] | None = None,
) -> None:
    """Windows 11 taskbar: centred icons, clock (and optional tray glyphs) on the right."""
    draw = ImageDraw.Draw(canvas)
    w, h = canvas.size
    draw.rectangle((0, h - 48, w, h), fill=rgb("#EEF1F5"))
    draw.line([(0, h - 48), (w, h - 48)], fill=rgb("#D5D9DE"))
    start = w // 2 - 130
    for i, col in enumerate(["#0067C0", "#9AA4AE", "#F2C811", "#1DA1F2", "#2B7CD3", "#07C160"]):
        x = start + i * 44
        draw.rounded_rectangle((x, h - 38, x + 28, h - 10), 5, fill=rgb(col))
    f = font("cjk", 12)
    for i, txt in enumerate(clock):
        draw.text((w - 16 - f.getlength(txt), h - 42 + i * 18), txt, font=f, fill=(20, 20, 20))
    if tray:
        tray(draw, h)


def win10_taskbar(canvas: Image.Image, clock: tuple[str, str]) -> None:
    draw = ImageDraw.Draw(canvas)
    w, h = canvas.size
    draw.rectangle((0, h - 42, w, h), fill=rgb("#101418"))
    for x0, y0 in [(14, 0), (25, 0), (14, 11), (25, 11)]:
        draw.rectangle((x0, h - 31 + y0, x0 + 9, h - 22 + y0), fill=rgb("#3A96DD"))
    draw.rectangle((52, h - 34, 300, h - 8), fill=rgb("#F3F3F3"))
    draw.text((62, h - 31), "在这里输入你要搜索的内容", font=font("cjk", 13), fill=(110, 110, 110))
    for i, col in enumerate(["#F2C811", "#2B7CD3", "#07C160"]):
        draw.rounded_rectangle((320 + i * 46, h - 33, 344 + i * 46, h - 9), 3, fill=rgb(col))
    f = font("cjk", 12)
    for i, txt in enumerate(clock):
        draw.text((w - 16 - f.getlength(txt), h - 38 + i * 17), txt, font=f, fill=(235, 235, 235))


def plain_window(
    canvas: Image.Image, box: tuple[int, int, int, int], title: str, rows: list[tuple[str, ...]]
) -> None:
    """A light explorer-like window (file list in columns) for background clutter, Chinese UI."""
    draw = ImageDraw.Draw(canvas)
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(250, 250, 250), outline=(170, 170, 170))
    draw.rectangle((x0, y0, x1, y0 + 30), fill=WHITE)
    draw.text((x0 + 12, y0 + 6), title, font=font("cjk", 13), fill=(60, 60, 60))
    caption_buttons(draw, x1, y0, 30, (90, 90, 90))
    f = font("cjk", 13)
    for i, row in enumerate(rows):
        y = y0 + 46 + i * 26
        if y > y1 - 22:
            break
        draw.rectangle((x0 + 18, y + 3, x0 + 30, y + 15), fill=rgb("#E8C25A"))
        for cell, dx in zip(row, (40, 280, 430), strict=False):
            draw.text((x0 + dx, y), cell, font=f, fill=(70, 70, 70))


def message_box(
    canvas: Image.Image,
    origin: tuple[int, int],
    title: str,
    message: str,
    buttons: tuple[str, ...],
    icon: Callable[[ImageDraw.ImageDraw, int, int, int], None] = icon_error,
    *,
    width: int = 560,
    font_kind: str = "cjk",
    font_size: int = 18,
) -> None:
    """Windows 10 style message box; the last button is the default one."""
    fnt = font(font_kind, font_size)
    rows = wrap_words(message, fnt, width - 110)
    body_h = max(84, 44 + len(rows) * int(font_size * 1.5))
    x0, y0 = origin
    x1, y1 = x0 + width, y0 + 32 + body_h + 50
    shadow(canvas, (x0, y0, x1, y1), radius=2)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((x0, y0, x1, y1), fill=WHITE, outline=rgb("#2B79D0"))
    draw.text((x0 + 12, y0 + 6), title, font=font(font_kind, 14), fill=BLACK)
    cross_mark(draw, x1 - 23, y0 + 16, 5, (40, 40, 40))
    icon(draw, x0 + 48, y0 + 74, 18)
    text_block(draw, (x0 + 86, y0 + 58), message, fnt, BLACK, width - 110)
    draw.rectangle((x0 + 1, y1 - 50, x1 - 1, y1 - 1), fill=rgb("#F0F0F0"))
    bf = font(font_kind, 15)
    bx = x1 - 14
    for i, label in enumerate(reversed(buttons)):
        bw = max(88, int(bf.getlength(label)) + 28)
        default = i == 0
        draw.rectangle(
            (bx - bw, y1 - 38, bx, y1 - 12),
            fill=rgb("#E1E1E1"),
            outline=rgb("#0078D7") if default else rgb("#ADADAD"),
            width=2 if default else 1,
        )
        draw.text((bx - bw + (bw - bf.getlength(label)) / 2, y1 - 36), label, font=bf, fill=BLACK)
        bx -= bw + 10


def qr_like(
    draw: ImageDraw.ImageDraw, x: int, y: int, cell: int, fg: Color, bg: Color, seed: int
) -> None:
    """A QR-code-looking square (random modules, three finder patterns)."""
    rng = random.Random(seed)
    n = 25
    draw.rectangle((x, y, x + n * cell + 8, y + n * cell + 8), fill=bg)
    for i in range(n):
        for j in range(n):
            finder = any(
                i0 <= i < i0 + 7 and j0 <= j < j0 + 7 for i0, j0 in [(0, 0), (0, 18), (18, 0)]
            )
            ring = i % 18 in (0, 6) or j % 18 in (0, 6) or (2 <= i % 18 <= 4 and 2 <= j % 18 <= 4)
            if (finder and ring) or (not finder and rng.random() < 0.5):
                draw.rectangle(
                    (
                        x + 4 + j * cell,
                        y + 4 + i * cell,
                        x + 3 + (j + 1) * cell,
                        y + 3 + (i + 1) * cell,
                    ),
                    fill=fg,
                )


# ---------------------------------------------------------------------------
# Terminals
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    bg: Color
    fg: Color
    bar: Color
    bar_fg: Color
    user: Color = rgb("#8AE234")
    path: Color = rgb("#729FCF")
    red: Color = rgb("#F0524F")
    yellow: Color = rgb("#E5C07B")
    green: Color = rgb("#73C991")
    cyan: Color = rgb("#56B6C2")
    magenta: Color = rgb("#C678DD")
    dim: Color = rgb("#8B8B8B")


UBUNTU = Theme(bg=rgb("#300A24"), fg=rgb("#EEEEEC"), bar=rgb("#3C3B37"), bar_fg=rgb("#DFDBD2"))
GNOME_DARK = Theme(bg=rgb("#1E1E1E"), fg=rgb("#D0CFCC"), bar=rgb("#303030"), bar_fg=rgb("#E6E6E6"))
MAC_DARK = Theme(bg=rgb("#1C1C1E"), fg=rgb("#E6E6E6"), bar=rgb("#2E2E30"), bar_fg=rgb("#B8B8B8"))
MAC_LIGHT = Theme(
    bg=WHITE,
    fg=rgb("#1A1A1A"),
    bar=rgb("#E8E6E8"),
    bar_fg=rgb("#4D4D4D"),
    user=rgb("#1A1A1A"),
    path=rgb("#1A1A1A"),
    red=rgb("#C41A16"),
    yellow=rgb("#8A6A00"),
    green=rgb("#2E7D32"),
    dim=rgb("#6E6E6E"),
)
WIN_TERMINAL = Theme(
    bg=rgb("#0C0C0C"),
    fg=rgb("#CCCCCC"),
    bar=rgb("#202020"),
    bar_fg=WHITE,
    red=rgb("#E74856"),
    yellow=rgb("#F9F1A5"),
)


def title_bar(img: Image.Image, chrome: str, title: str, theme: Theme, cjk: bool) -> int:
    draw = ImageDraw.Draw(img)
    w = img.width
    h = {"mac": 30, "gnome": 40, "wt": 38}[chrome]
    draw.rectangle((0, 0, w, h), fill=theme.bar)
    tf = font("cjk" if cjk else "sans", 14)
    if chrome == "mac":
        for i, col in enumerate(["#FF5F57", "#FEBC2E", "#28C840"]):
            draw.ellipse((16 + i * 20, 9, 28 + i * 20, 21), fill=rgb(col))
        draw.text(((w - tf.getlength(title)) / 2, 7), title, font=tf, fill=theme.bar_fg)
    elif chrome == "gnome":
        bold = font("cjk_bold" if cjk else "sans_bold", 14)
        draw.text(((w - bold.getlength(title)) / 2, 10), title, font=bold, fill=theme.bar_fg)
        draw.ellipse((w - 34, 10, w - 14, 30), fill=rgb("#4A4A4A"))
        cross_mark(draw, w - 24, 20, 4, theme.bar_fg, 2)
        draw.rounded_rectangle((12, 7, 44, 33), 5, fill=rgb("#454545"))
        draw.text((22, 9), "+", font=font("sans", 17), fill=theme.bar_fg)
    else:  # Windows Terminal tab strip
        draw.rounded_rectangle((8, 6, 270, h + 6), 6, fill=theme.bg)
        draw.rectangle((16, 14, 30, 26), outline=rgb("#5A9BD5"), width=2)
        draw.text((40, 11), title, font=tf, fill=theme.bar_fg)
        cross_mark(draw, 250, 19, 4, theme.bar_fg)
        draw.text((284, 8), "+", font=font("sans", 18), fill=theme.bar_fg)
        caption_buttons(draw, w, 0, h, theme.bar_fg)
    return h


def terminal(
    lines: list[Line],
    *,
    title: str,
    theme: Theme,
    chrome: str,
    size: tuple[int, int],
    font_kind: str = "mono",
    font_size: int = 16,
) -> Image.Image:
    """A terminal window showing the last rows of `lines`, with a block cursor."""
    img = Image.new("RGB", size, theme.bg)
    top = title_bar(img, chrome, title, theme, font_kind.startswith("cjk"))
    draw = ImageDraw.Draw(img)
    fnt = font(font_kind, font_size)
    pad, step = 14, int(font_size * 1.34)
    rows: list[Line] = []
    for line in lines:
        rows.extend(wrap_runs(line, fnt, size[0] - 2 * pad))
    rows = rows[-((size[1] - top - 2 * pad) // step) :]
    y = top + pad
    for row in rows:
        draw_runs(draw, pad, y, row, fnt)
        y += step
    x = pad + sum(fnt.getlength(t) for t, _ in rows[-1])
    draw.rectangle((x + 1, y - step + 2, x + fnt.getlength("M"), y - 3), fill=theme.fg)
    return img


def txt(text: str, color: Color) -> Line:
    return [(text, color)]


def prompt(theme: Theme, user: str, cwd: str, cmd: str = "") -> Line:
    return [
        (user, theme.user),
        (":", theme.fg),
        (cwd, theme.path),
        ("$ ", theme.fg),
        (cmd, theme.fg),
    ]


# ---------------------------------------------------------------------------
# Browser (Chrome, Chinese UI)
# ---------------------------------------------------------------------------


def chrome_zh(size: tuple[int, int], tab: str, url: str, *, insecure: bool = False) -> Image.Image:
    img = Image.new("RGB", size, WHITE)
    draw = ImageDraw.Draw(img)
    w = size[0]
    draw.rectangle((0, 0, w, 40), fill=rgb("#DEE1E6"))
    draw.rounded_rectangle((8, 6, 250, 48), 8, fill=WHITE)
    draw.ellipse((20, 16, 36, 32), fill=rgb("#9AA0A6"))
    draw.text((44, 12), tab, font=font("cjk", 13), fill=(32, 33, 36))
    cross_mark(draw, 234, 23, 4, (95, 99, 104))
    draw.text((262, 8), "+", font=font("sans", 20), fill=(95, 99, 104))
    caption_buttons(draw, w, 0, 40, (60, 64, 67))
    for i, glyph in enumerate(["←", "→", "↻"]):
        draw.text((16 + i * 34, 49), glyph, font=font("sans", 19), fill=(95, 99, 104))
    draw.rounded_rectangle((120, 47, w - 90, 78), 15, fill=rgb("#F1F3F4"))
    uf, cf = font("sans", 15), font("cjk", 14)
    x = 140
    if insecure:
        draw.text((x, 52), "不安全", font=cf, fill=rgb("#D93025"))
        x += int(cf.getlength("不安全")) + 14
        draw.line([(x - 7, 52), (x - 7, 72)], fill=(190, 190, 190))
        draw.text((x, 54), "https://", font=uf, fill=rgb("#D93025"))
        draw.line([(x, 63), (x + uf.getlength("https"), 63)], fill=rgb("#D93025"))
        x += int(uf.getlength("https://"))
    draw.text((x, 54), url, font=uf, fill=(32, 33, 36))
    draw.ellipse((w - 68, 50, w - 42, 76), fill=rgb("#F6AEA9"))
    bx = 16
    bf = font("cjk", 12)
    for mark in ["百度", "工作台", "GitLab", "飞书文档", "企业邮箱", "Grafana"]:
        draw.rectangle((bx, 92, bx + 12, 104), fill=rgb("#BDC1C6"))
        draw.text((bx + 18, 88), mark, font=bf, fill=(60, 64, 67))
        bx += 40 + int(bf.getlength(mark))
    draw.line([(0, 112), (w, 112)], fill=rgb("#DADCE0"))
    return img


def chrome_error_zh(
    img: Image.Image,
    heading: str,
    paras: list[tuple[str, str]],
    code: str,
    icon: str,
    buttons: tuple[str, str],
) -> None:
    draw = ImageDraw.Draw(img)
    grey = (95, 99, 104)
    x, y = int(img.width * 0.2), 150
    if icon == "sad":
        draw.rectangle((x, y, x + 50, y + 60), outline=grey, width=3)
        draw.ellipse((x + 13, y + 20, x + 19, y + 26), fill=grey)
        draw.ellipse((x + 31, y + 20, x + 37, y + 26), fill=grey)
        draw.arc((x + 13, y + 36, x + 37, y + 56), 200, 340, fill=grey, width=3)
    else:
        draw.polygon([(x + 28, y), (x + 58, y + 56), (x - 2, y + 56)], fill=rgb("#D93025"))
        draw.text((x + 23, y + 16), "!", font=font("sans_bold", 28), fill=WHITE)
    y += 92
    draw.text((x, y), heading, font=font("cjk", 28), fill=(32, 33, 36))
    y += 58
    width = int(img.width * 0.6)
    for style, para in paras:
        y = (
            text_block(
                draw, (x, y), para, font("cjk_bold" if style == "bold" else "cjk", 16), grey, width
            )
            + 4
        )
    draw.text((x, y + 12), code, font=font("sans", 14), fill=grey)
    by = y + 64
    bf = font("cjk", 15)
    left, right = buttons
    draw.rounded_rectangle((x, by, x + bf.getlength(left) + 32, by + 36), 4, outline=rgb("#DADCE0"))
    draw.text((x + 16, by + 6), left, font=bf, fill=rgb("#1A73E8"))
    rw = int(bf.getlength(right)) + 32
    draw.rounded_rectangle((x + width - rw, by, x + width, by + 36), 4, fill=rgb("#1A73E8"))
    draw.text((x + width - rw + 16, by + 6), right, font=bf, fill=WHITE)


# ---------------------------------------------------------------------------
# Screenshots
# ---------------------------------------------------------------------------


def shot_zh_windows_update() -> Image.Image:
    """Windows 11 Settings (Chinese): a cumulative update fails with 0x80070005."""
    img = Image.new("RGB", (1100, 640), rgb("#F3F3F3"))
    draw = ImageDraw.Draw(img)
    f13, f14, f15 = font("cjk", 13), font("cjk", 14), font("cjk", 15)
    draw.text((16, 8), "设置", font=f13, fill=(30, 30, 30))
    caption_buttons(draw, 1100, 0, 34, (60, 60, 60))
    draw.ellipse((20, 50, 76, 106), fill=rgb("#C5D9EE"))
    draw.text((36, 60), "王", font=font("cjk_bold", 26), fill=WHITE)
    draw.text((88, 58), "王磊", font=font("cjk_bold", 15), fill=(20, 20, 20))
    draw.text((88, 82), "本地帐户", font=f13, fill=(100, 100, 100))
    draw.rounded_rectangle((16, 124, 266, 156), 4, fill=WHITE, outline=rgb("#E0E0E0"))
    draw.text((28, 130), "查找设置", font=f13, fill=(120, 120, 120))
    nav = [
        "系统",
        "蓝牙和其他设备",
        "网络和 Internet",
        "个性化",
        "应用",
        "帐户",
        "时间和语言",
        "游戏",
        "辅助功能",
        "隐私和安全性",
        "Windows 更新",
    ]
    for i, item in enumerate(nav):
        y = 172 + i * 38
        if item == "Windows 更新":
            draw.rounded_rectangle((12, y - 6, 270, y + 26), 4, fill=rgb("#EAEAEA"))
            draw.rounded_rectangle((12, y + 2, 15, y + 18), 2, fill=rgb("#0067C0"))
        draw.rectangle((30, y + 3, 44, y + 17), outline=rgb("#5C5C5C"))
        draw.text((56, y), item, font=f14, fill=(20, 20, 20))
    x0 = 300
    draw.text((x0, 48), "Windows 更新", font=font("cjk_bold", 28), fill=(20, 20, 20))
    draw.rounded_rectangle((x0, 104, 1076, 190), 6, fill=WHITE, outline=rgb("#E5E5E5"))
    icon_bang(draw, x0 + 40, 147, 18, rgb("#C42B1C"))
    draw.text((x0 + 76, 118), "更新失败", font=font("cjk_bold", 18), fill=(20, 20, 20))
    draw.text((x0 + 76, 150), "我们无法安装部分更新，稍后会自动重试。", font=f14, fill=(90, 90, 90))
    draw.rounded_rectangle((950, 130, 1060, 164), 4, fill=rgb("#0067C0"))
    draw.text((974, 137), "全部重试", font=f14, fill=WHITE)
    updates = [
        (
            "2024-05 适用于 Windows 11 Version 23H2 的累积更新，适合基于 x64 的系统 (KB5037771)",
            "安装错误 - 0x80070005",
            rgb("#C42B1C"),
        ),
        ("适用于 x64 的 Windows 恶意软件删除工具 - v5.124 (KB890830)", "已安装", rgb("#0F7B0F")),
    ]
    for i, (name, status, col) in enumerate(updates):
        y = 204 + i * 76
        draw.rounded_rectangle((x0, y, 1076, y + 68), 6, fill=WHITE, outline=rgb("#E5E5E5"))
        draw.text((x0 + 20, y + 12), name, font=f14, fill=(20, 20, 20))
        draw.text((x0 + 20, y + 38), status, font=f14, fill=col)
        if i == 0:
            draw.rounded_rectangle(
                (990, y + 18, 1060, y + 50), 4, fill=WHITE, outline=rgb("#CCCCCC")
            )
            draw.text((1010, y + 24), "重试", font=f14, fill=(20, 20, 20))
    draw.text((x0, 370), "更多选项", font=font("cjk_bold", 16), fill=(20, 20, 20))
    for i, (label, right) in enumerate(
        [
            ("暂停更新", "暂停 1 周"),
            ("更新历史记录", "›"),
            ("高级选项", "›"),
            ("Windows 预览体验计划", "›"),
        ]
    ):
        y = 404 + i * 52
        draw.rounded_rectangle((x0, y, 1076, y + 46), 6, fill=WHITE, outline=rgb("#E5E5E5"))
        draw.text((x0 + 20, y + 12), label, font=f15, fill=(20, 20, 20))
        draw.text((1060 - f15.getlength(right), y + 12), right, font=f15, fill=(90, 90, 90))
    return img


def shot_zh_chrome_refused() -> Image.Image:
    img = chrome_zh((1100, 620), "localhost", "localhost:5173/dashboard")
    chrome_error_zh(
        img,
        "无法访问此网站",
        [
            ("bold", "localhost 拒绝了我们的连接请求。"),
            ("plain", "请试试以下办法："),
            ("plain", "  •  检查网络连接"),
            ("plain", "  •  检查代理服务器和防火墙"),
        ],
        "ERR_CONNECTION_REFUSED",
        "sad",
        ("详细信息", "重新加载"),
    )
    return img


def shot_zh_chrome_cert_date() -> Image.Image:
    img = chrome_zh((1100, 620), "隐私设置错误", "oa.example-corp.cn/portal/login", insecure=True)
    chrome_error_zh(
        img,
        "您的连接不是私密连接",
        [
            (
                "plain",
                "攻击者可能会试图从 oa.example-corp.cn 窃取您的信息"
                "（例如：密码、消息或信用卡信息）。了解详情",
            )
        ],
        "NET::ERR_CERT_DATE_INVALID",
        "warn",
        ("高级", "返回安全连接"),
    )
    return img


def shot_k8s_oomkilled() -> Image.Image:
    t = MAC_DARK
    rng = random.Random(2606)
    alnum = "bcdfghjklmnpqrstvwxz2456789"
    pod = f"order-service-{''.join(rng.choices(alnum, k=10))}-{''.join(rng.choices(alnum, k=5))}"
    gw = f"api-gateway-{''.join(rng.choices(alnum, k=10))}-{''.join(rng.choices(alnum, k=5))}"
    p: Line = [("➜ ", t.green), ("k8s-shop ", t.cyan)]
    lines: list[Line] = [
        p + [("kubectl get pods -n shop", t.fg)],
        txt(f"{'NAME':<42}READY   STATUS             RESTARTS       AGE", t.fg),
        txt(f"{gw:<42}1/1     Running            0              2d", t.fg),
        txt(f"{pod:<42}0/1     CrashLoopBackOff   9 (88s ago)    24m", t.fg),
        txt(f"{'postgres-0':<42}1/1     Running            0              6d", t.fg),
        p + [(f'kubectl describe pod {pod} -n shop | grep -A6 "Last State"', t.fg)],
        txt("    Last State:     Terminated", t.fg),
        txt("      Reason:       OOMKilled", t.fg),
        txt("      Exit Code:    137", t.fg),
        txt("      Started:      Wed, 12 Jun 2024 14:02:10 +0800", t.fg),
        txt("      Finished:     Wed, 12 Jun 2024 14:02:41 +0800", t.fg),
        txt("    Ready:          False", t.fg),
        txt("    Restart Count:  9", t.fg),
        p,
    ]
    return terminal(
        lines,
        title="k8s-shop — zsh — 120×24",
        theme=t,
        chrome="mac",
        size=(1080, 420),
        font_size=15,
    )


def shot_npm_eacces() -> Image.Image:
    t = UBUNTU
    err: Line = [("npm ", t.fg), ("ERR! ", t.red)]
    user, cwd = "wang@thinkpad-x1", "~"
    path = "/usr/local/lib/node_modules/@vue"
    body = [
        "code EACCES",
        "syscall mkdir",
        f"path {path}",
        "errno -13",
        f"Error: EACCES: permission denied, mkdir '{path}'",
        f" [Error: EACCES: permission denied, mkdir '{path}'] {{",
        "  errno: -13,",
        "  code: 'EACCES',",
        "  syscall: 'mkdir',",
        f"  path: '{path}'",
        "}",
        "",
        "The operation was rejected by your operating system.",
        "It is likely you do not have the permissions to access this file as the current user",
        "",
        "If you believe this might be a permissions issue, please double-check the",
        "permissions of the file and its containing directories, or try running",
        "the command again as root/Administrator.",
    ]
    lines: list[Line] = [prompt(t, user, cwd, "npm install -g @vue/cli")]
    lines += [err + [(row, t.fg)] for row in body]
    lines += [
        txt("", t.fg),
        err
        + [
            (
                "A complete log of this run can be found in: "
                "/home/wang/.npm/_logs/2024-06-12T06_41_09_118Z-debug-0.log",
                t.fg,
            )
        ],
        prompt(t, user, cwd),
    ]
    return terminal(
        lines, title=f"{user}: {cwd}", theme=t, chrome="gnome", size=(980, 560), font_size=15
    )


def shot_zh_print_queue() -> Image.Image:
    img = gradient((1040, 560), rgb("#1F4E79"), rgb("#7FA7CF"))
    draw = ImageDraw.Draw(img)
    # Settings page behind: printers & scanners
    draw.rectangle((30, 24, 640, 470), fill=rgb("#F3F3F3"), outline=(170, 170, 170))
    draw.text((44, 30), "设置", font=font("cjk", 13), fill=(40, 40, 40))
    draw.text(
        (50, 64), "蓝牙和其他设备 › 打印机和扫描仪", font=font("cjk_bold", 20), fill=(20, 20, 20)
    )
    for i, (name, status) in enumerate(
        [
            ("HP LaserJet Pro M404dn", "脱机"),
            ("Microsoft Print to PDF", ""),
            ("OneNote (Desktop)", ""),
        ]
    ):
        y = 112 + i * 62
        draw.rounded_rectangle((50, y, 620, y + 54), 5, fill=WHITE, outline=rgb("#E5E5E5"))
        draw.rectangle((66, y + 14, 92, y + 40), outline=(90, 90, 90), width=2)
        draw.text((108, y + 6 if status else y + 16), name, font=font("cjk", 15), fill=(20, 20, 20))
        if status:
            draw.text((108, y + 29), status, font=font("cjk", 13), fill=(100, 100, 100))
    # The print queue window in front
    x0, y0, x1, y1 = 250, 170, 1010, 470
    shadow(img, (x0, y0, x1, y1), radius=2)
    draw = ImageDraw.Draw(img)
    draw.rectangle((x0, y0, x1, y1), fill=WHITE, outline=rgb("#6B6B6B"))
    draw.rectangle((x0 + 10, y0 + 9, x0 + 26, y0 + 23), outline=(60, 60, 60), width=2)
    draw.text(
        (x0 + 36, y0 + 5),
        "HP LaserJet Pro M404dn - 脱机使用打印机",
        font=font("cjk", 14),
        fill=BLACK,
    )
    caption_buttons(draw, x1, y0, 32, (40, 40, 40))
    draw.text(
        (x0 + 10, y0 + 38), "打印机(P)    文档(D)    查看(V)", font=font("cjk", 13), fill=BLACK
    )
    cols = [
        ("文档名", 0),
        ("状态", 190),
        ("所有者", 320),
        ("页数", 400),
        ("大小", 450),
        ("提交时间", 540),
    ]
    hy = y0 + 64
    draw.rectangle((x0 + 1, hy, x1 - 1, hy + 24), fill=rgb("#F5F5F5"))
    for name, dx in cols:
        draw.text((x0 + 10 + dx, hy + 3), name, font=font("cjk", 13), fill=(40, 40, 40))
        if dx:
            draw.line([(x0 + 4 + dx, hy), (x0 + 4 + dx, hy + 24)], fill=(220, 220, 220))
    rows = [
        ("出差报销单-6月.pdf", "错误 - 正在打印", "刘洋", "2", "188 KB", "9:12:05  2024/6/12"),
        ("项目周会纪要.docx", "", "刘洋", "3", "64.5 KB", "9:14:40  2024/6/12"),
    ]
    for i, row in enumerate(rows):
        y = hy + 32 + i * 24
        if i == 0:
            draw.rectangle((x0 + 1, y - 3, x1 - 1, y + 20), fill=rgb("#CCE8FF"))
        for (_, dx), cell in zip(cols, row, strict=True):
            draw.text((x0 + 10 + dx, y), cell, font=font("cjk", 13), fill=BLACK)
    draw.rectangle((x0 + 1, y1 - 24, x1 - 1, y1 - 1), fill=rgb("#F0F0F0"))
    draw.text((x0 + 10, y1 - 22), "队列中有 2 个文档", font=font("cjk", 12), fill=(40, 40, 40))
    win10_taskbar(img, ("9:16", "2024/6/12"))
    return img


def shot_zh_excel_unlicensed() -> Image.Image:
    img = Image.new("RGB", (1100, 560), WHITE)
    draw = ImageDraw.Draw(img)
    green = rgb("#217346")
    draw.rectangle((0, 0, 1100, 66), fill=green)
    title = "销售汇总2024.xlsx  -  Excel (未经授权的产品)"
    draw.text(
        ((1100 - font("cjk", 13).getlength(title)) / 2, 6), title, font=font("cjk", 13), fill=WHITE
    )
    caption_buttons(draw, 1100, 0, 30, WHITE)
    x = 16
    for tab in ["文件", "开始", "插入", "页面布局", "公式", "数据", "审阅", "视图", "帮助"]:
        draw.text((x, 38), tab, font=font("cjk", 14), fill=WHITE)
        x += int(font("cjk", 14).getlength(tab)) + 26
    draw.rectangle((0, 66, 1100, 150), fill=rgb("#F3F3F3"))
    grey = rgb("#B4B4B4")
    for i, label in enumerate(
        [
            "粘贴",
            "剪切",
            "复制",
            "格式刷",
            "字体",
            "对齐方式",
            "数字",
            "条件格式",
            "插入",
            "排序和筛选",
        ]
    ):
        bx = 16 + i * 104
        draw.rounded_rectangle((bx + 24, 76, bx + 56, 108), 3, outline=grey, width=2)
        draw.text(
            (bx + 40 - font("cjk", 12).getlength(label) / 2, 114),
            label,
            font=font("cjk", 12),
            fill=grey,
        )
    # red activation bar
    draw.rectangle((0, 150, 1100, 196), fill=rgb("#FDE7E9"))
    draw.line([(0, 196), (1100, 196)], fill=rgb("#E8B4B8"))
    icon_bang(draw, 28, 173, 11, rgb("#C42B1C"))
    draw.text((48, 161), "产品激活失败", font=font("cjk_bold", 15), fill=rgb("#A4262C"))
    draw.text(
        (160, 162),
        "由于此 Microsoft Excel 副本尚未激活，其大部分功能已被禁用。",
        font=font("cjk", 14),
        fill=(50, 50, 50),
    )
    draw.rectangle((740, 158, 840, 188), fill=WHITE, outline=rgb("#8A8886"))
    draw.text((758, 162), "重新激活", font=font("cjk", 14), fill=BLACK)
    # formula bar and grid
    draw.rectangle((0, 196, 1100, 226), fill=WHITE)
    draw.rectangle((8, 200, 90, 222), outline=rgb("#C8C8C8"))
    draw.text((16, 202), "A1", font=font("sans", 13), fill=BLACK)
    draw.text((110, 201), "fx    地区", font=font("cjk", 14), fill=(60, 60, 60))
    gy, cw, rh = 230, 120, 26
    draw.rectangle((0, gy, 1100, gy + rh), fill=rgb("#F3F3F3"))
    for c in range(9):
        draw.text(
            (40 + c * cw + cw // 2 - 4, gy + 5),
            "ABCDEFGHI"[c],
            font=font("sans", 12),
            fill=(80, 80, 80),
        )
    data = [
        ["地区", "一月", "二月", "三月", "四月", "五月", "合计"],
        ["华东", "182,400", "176,900", "201,350", "195,800", "214,020", "970,470"],
        ["华南", "143,200", "139,750", "158,600", "161,480", "170,300", "773,330"],
        ["华北", "120,900", "118,300", "131,050", "129,770", "140,110", "640,130"],
        ["西南", "88,600", "91,240", "97,380", "99,010", "104,660", "480,890"],
    ]
    for r in range(11):
        y = gy + rh + r * rh
        draw.rectangle((0, y, 40, y + rh), fill=rgb("#F3F3F3"))
        draw.text((14, y + 5), str(r + 1), font=font("sans", 12), fill=(80, 80, 80))
        draw.line([(40, y + rh), (1100, y + rh)], fill=rgb("#E1E1E1"))
        if r < len(data):
            for c, cell in enumerate(data[r]):
                draw.text((46 + c * cw, y + 4), cell, font=font("cjk", 13), fill=BLACK)
    for c in range(10):
        draw.line([(40 + c * cw, gy), (40 + c * cw, 560)], fill=rgb("#E1E1E1"))
    draw.rectangle((40, gy + rh, 40 + cw, gy + 2 * rh), outline=green, width=2)
    return img


def shot_pip_externally_managed() -> Image.Image:
    t = UBUNTU
    user, cwd = "chen@ubuntu2404", "~/spider"
    note = [
        "╰─> To install Python packages system-wide, try apt install",
        "    python3-xyz, where xyz is the package you are trying to",
        "    install.",
        "    ",
        "    If you wish to install a non-Debian-packaged Python package,",
        "    create a virtual environment using python3 -m venv path/to/venv.",
        "    Then use path/to/venv/bin/python and path/to/venv/bin/pip. Make",
        "    sure you have python3-full installed.",
        "    ",
        "    If you wish to install a non-Debian packaged Python application,",
        "    it may be easiest to use pipx install xyz, which will manage a",
        "    virtual environment for you. Make sure you have pipx installed.",
        "    ",
        "    See /usr/share/doc/python3.12/README.venv for more information.",
    ]
    lines: list[Line] = [
        prompt(t, user, cwd, "pip install requests beautifulsoup4"),
        [("error", t.red), (": externally-managed-environment", t.fg)],
        txt("", t.fg),
        [("×", t.red), (" This environment is externally managed", t.fg)],
        *[txt(row, t.fg) for row in note],
        txt("", t.fg),
        [
            ("note", t.magenta),
            (
                ": If you believe this is a mistake, please contact your Python installation or OS "
                "distribution provider. You can override this, at the risk of breaking your Python "
                "installation or OS, by passing --break-system-packages.",
                t.fg,
            ),
        ],
        [("hint", t.cyan), (": See PEP 668 for the detailed specification.", t.fg)],
        prompt(t, user, cwd),
    ]
    return terminal(
        lines, title=f"{user}: {cwd}", theme=t, chrome="gnome", size=(960, 600), font_size=15
    )


def shot_zh_wifi_no_internet() -> Image.Image:
    img = gradient((1000, 640), rgb("#0A3A6B"), rgb("#8DB8E0"))
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = 590, 94, 980, 578
    shadow(img, (x0, y0, x1, y1), radius=8)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((x0, y0, x1, y1), 8, fill=rgb("#F3F3F3"), outline=rgb("#D0D0D0"))
    draw.text((x0 + 18, y0 + 14), "‹", font=font("sans", 22), fill=(40, 40, 40))
    draw.text((x0 + 44, y0 + 16), "WLAN", font=font("sans_bold", 17), fill=(20, 20, 20))
    draw.rounded_rectangle((x1 - 66, y0 + 18, x1 - 22, y0 + 40), 11, fill=rgb("#0067C0"))
    draw.ellipse((x1 - 40, y0 + 22, x1 - 26, y0 + 36), fill=WHITE)
    # connected network, expanded
    cy = y0 + 62
    draw.rounded_rectangle((x0 + 10, cy, x1 - 10, cy + 118), 6, fill=WHITE)
    wifi_icon(draw, x0 + 36, cy + 34, (30, 30, 30))
    draw.text((x0 + 66, cy + 12), "ChinaNet-8H2K", font=font("sans", 15), fill=(20, 20, 20))
    draw.text((x0 + 66, cy + 36), "无 Internet，安全", font=font("cjk", 14), fill=(90, 90, 90))
    draw.text((x0 + 66, cy + 62), "属性", font=font("cjk", 13), fill=rgb("#0067C0"))
    draw.rounded_rectangle(
        (x1 - 130, cy + 76, x1 - 24, cy + 106), 4, fill=rgb("#FBFBFB"), outline=rgb("#C8C8C8")
    )
    draw.text((x1 - 110, cy + 80), "断开连接", font=font("cjk", 14), fill=(20, 20, 20))
    others = [
        ("TP-LINK_5G_A7", "安全"),
        ("CMCC-3vTq", "安全"),
        ("Xiaomi_6C21_5G", "安全"),
        ("HUAWEI-1F2B", "安全"),
        ("Starbucks-Guest", "开放"),
    ]
    for i, (name, status) in enumerate(others):
        y = cy + 128 + i * 47
        wifi_icon(draw, x0 + 36, y + 26, (60, 60, 60), lock=status == "安全")
        draw.text((x0 + 66, y + 6), name, font=font("sans", 14), fill=(20, 20, 20))
        draw.text((x0 + 66, y + 26), status, font=font("cjk", 12), fill=(110, 110, 110))
    draw.line([(x0, y1 - 46), (x1, y1 - 46)], fill=rgb("#E0E0E0"))
    draw.text((x0 + 20, y1 - 34), "更多 Wi-Fi 设置", font=font("cjk", 14), fill=(20, 20, 20))

    def tray(d: ImageDraw.ImageDraw, h: int) -> None:
        globe_icon(d, 1000 - 150, h - 24, 8, (30, 30, 30))
        d.text((1000 - 124, h - 34), "中", font=font("cjk", 14), fill=(30, 30, 30))

    win11_taskbar(img, ("21:47", "2024/6/12"), tray)
    return img


def shot_zh_wps_corrupted() -> Image.Image:
    img = Image.new("RGB", (1040, 600), rgb("#F4F5F7"))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 1040, 40), fill=rgb("#E9EBEF"))
    draw.rounded_rectangle((10, 6, 130, 40), 6, fill=WHITE)
    draw.rectangle((22, 14, 40, 32), fill=rgb("#E84A3C"))
    draw.text((24, 13), "W", font=font("sans_bold", 13), fill=WHITE)
    draw.text((50, 12), "首页", font=font("cjk", 13), fill=(40, 40, 40))
    draw.rounded_rectangle((136, 6, 330, 40), 6, fill=rgb("#F7F8FA"))
    draw.rectangle((148, 14, 166, 32), fill=rgb("#2F6BFF"))
    draw.text((176, 12), "合同终版(2).docx", font=font("cjk", 13), fill=(40, 40, 40))
    caption_buttons(draw, 1040, 0, 40, (70, 70, 70))
    draw.rectangle((0, 40, 200, 600), fill=WHITE)
    for i, item in enumerate(["新建", "打开", "最近", "星标", "共享", "我的云文档", "应用"]):
        draw.text((40, 70 + i * 40), item, font=font("cjk", 15), fill=(50, 50, 50))
    draw.text((230, 64), "最近", font=font("cjk_bold", 18), fill=(30, 30, 30))
    recent = [
        ("合同终版(2).docx", "微信文件", "今天 10:32"),
        ("6月排班表.xlsx", "我的云文档", "昨天 18:05"),
        ("项目汇报.pptx", "桌面", "6月10日"),
    ]
    for i, (name, where, when) in enumerate(recent):
        y = 104 + i * 44
        draw.text((230, y), name, font=font("cjk", 14), fill=(40, 40, 40))
        draw.text((560, y), where, font=font("cjk", 14), fill=(120, 120, 120))
        draw.text((800, y), when, font=font("cjk", 14), fill=(120, 120, 120))
    message_box(
        img,
        (260, 250),
        "WPS 文字",
        "文件已损坏，无法打开。是否尝试使用“文档修复”功能？",
        ("取消", "文档修复"),
        icon_warning,
        width=580,
        font_size=17,
    )
    return img


def shot_git_clone_timeout() -> Image.Image:
    t = WIN_TERMINAL
    p = "PS C:\\Users\\lei\\code> "
    url = "https://github.com/ultralytics/yolov5.git"
    lines: list[Line] = []
    for ms, tail in ((21103, "Couldn't connect to server"), (21087, "Timed out")):
        lines += [
            [(p, t.fg), ("git", t.yellow), (f" clone {url}", t.fg)],
            txt("Cloning into 'yolov5'...", t.fg),
            txt(
                f"fatal: unable to access '{url}/': Failed to connect to github.com port 443 "
                f"after {ms} ms: {tail}",
                t.fg,
            ),
        ]
    lines.append(txt(p, t.fg))
    return terminal(
        lines, title="Windows PowerShell", theme=t, chrome="wt", size=(1000, 300), font_size=16
    )


def shot_zh_vscode_winerror2() -> Image.Image:
    w, h = 1180, 640
    bg, chrome_c, fg, gutter = rgb("#1F1F1F"), rgb("#181818"), rgb("#CCCCCC"), rgb("#6E7681")
    kw, fn, st = rgb("#C586C0"), rgb("#DCDCAA"), rgb("#CE9178")
    img = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, w, 34), fill=chrome_c)
    x = 14
    for item in [
        "文件(F)",
        "编辑(E)",
        "选择(S)",
        "查看(V)",
        "转到(G)",
        "运行(R)",
        "终端(T)",
        "帮助(H)",
    ]:
        draw.text((x, 8), item, font=font("cjk", 13), fill=gutter)
        x += int(font("cjk", 13).getlength(item)) + 16
    title = "convert.py - vlog-tools - Visual Studio Code"
    draw.text((700, 9), title, font=font("sans", 12), fill=gutter)
    caption_buttons(draw, w, 0, 34, gutter)
    draw.rectangle((0, 34, 48, h), fill=chrome_c)
    for i in range(5):
        draw.rounded_rectangle((14, 50 + i * 48, 34, 70 + i * 48), 3, outline=gutter, width=2)
    draw.rectangle((48, 34, w, 68), fill=chrome_c)
    draw.rectangle((48, 34, 210, 68), fill=bg)
    draw.line([(48, 34), (210, 34)], fill=rgb("#0078D4"), width=2)
    draw.text((66, 42), "convert.py", font=font("sans", 13), fill=fg)
    code: list[Line] = [
        [("import ", kw), ("subprocess", fg)],
        [("from ", kw), ("pathlib ", fg), ("import ", kw), ("Path", fg)],
        [("", fg)],
        [
            ("for ", kw),
            ("clip ", fg),
            ("in ", kw),
            ("Path(", fg),
            ('"clips"', st),
            (").", fg),
            ("glob", fn),
            ("(", fg),
            ('"*.mov"', st),
            ("):", fg),
        ],
        [("    out = clip.", fg), ("with_suffix", fn), ("(", fg), ('".mp4"', st), (")", fg)],
        [
            ("    subprocess.", fg),
            ("run", fn),
            ("([", fg),
            ('"ffmpeg"', st),
            (", ", fg),
            ('"-i"', st),
            (", str(clip), str(out)], check=", fg),
            ("True", rgb("#569CD6")),
            (")", fg),
        ],
    ]
    cf = font("mono", 15)
    for i, line in enumerate(code):
        y = 80 + i * 22
        draw.text((100 - cf.getlength(str(i + 1)), y), str(i + 1), font=cf, fill=gutter)
        draw_runs(draw, 120, y, line, cf)
    top = 80 + len(code) * 22 + 20
    draw.line([(48, top), (w, top)], fill=rgb("#2B2B2B"))
    x = 64
    pf = font("cjk", 12)
    for name in ["问题", "输出", "调试控制台", "终端", "端口"]:
        active = name == "终端"
        draw.text((x, top + 8), name, font=pf, fill=fg if active else gutter)
        if active:
            draw.line(
                [(x, top + 30), (x + pf.getlength(name), top + 30)], fill=rgb("#0078D4"), width=2
            )
        x += int(pf.getlength(name)) + 26
    red = rgb("#F14C4C")
    console: list[Line] = [
        [("PS D:\\projects\\vlog-tools> ", fg), ("python", fn), (" convert.py", fg)],
        txt("Traceback (most recent call last):", fg),
        txt('  File "D:\\projects\\vlog-tools\\convert.py", line 6, in <module>', fg),
        txt('    subprocess.run(["ffmpeg", "-i", str(clip), str(out)], check=True)', fg),
        txt('  File "C:\\Python312\\Lib\\subprocess.py", line 548, in run', fg),
        txt("    with Popen(*popenargs, **kwargs) as process:", fg),
        txt('  File "C:\\Python312\\Lib\\subprocess.py", line 1538, in _execute_child', fg),
        txt("    hp, ht, pid, tid = _winapi.CreateProcess(executable, args,", fg),
        txt("FileNotFoundError: [WinError 2] 系统找不到指定的文件。", red),
        txt("PS D:\\projects\\vlog-tools> ", fg),
    ]
    mf = font("cjk_mono", 16)
    for i, line in enumerate(console):
        draw_runs(draw, 64, top + 42 + i * 22, line, mf)
    return img


def shot_psql_password() -> Image.Image:
    t = GNOME_DARK
    user, cwd = "dev@api-staging", "~"
    lines: list[Line] = [
        prompt(t, user, cwd, "psql -h localhost -U postgres -d orders"),
        txt("Password for user postgres: ", t.fg),
        txt(
            'psql: error: connection to server at "localhost" (127.0.0.1), port 5432 failed: '
            'FATAL:  password authentication failed for user "postgres"',
            t.fg,
        ),
        prompt(t, user, cwd, "echo $DATABASE_URL"),
        txt("postgresql://postgres:changeme@localhost:5432/orders", t.fg),
        prompt(t, user, cwd),
    ]
    return terminal(
        lines, title=f"{user}: {cwd}", theme=t, chrome="gnome", size=(940, 300), font_size=16
    )


def shot_no_space_left() -> Image.Image:
    t = GNOME_DARK
    user, cwd = "ops@backup-01", "/srv"
    lines: list[Line] = [
        prompt(t, user, cwd, "tar -czf /backups/uploads-2024-06-12.tar.gz uploads/"),
        txt("tar: /backups/uploads-2024-06-12.tar.gz: Wrote only 4096 of 10240 bytes", t.fg),
        txt("tar: Error is not recoverable: exiting now", t.fg),
        prompt(t, user, cwd, "python3 rotate_logs.py"),
        txt("Traceback (most recent call last):", t.fg),
        txt('  File "/srv/rotate_logs.py", line 14, in <module>', t.fg),
        txt("    shutil.copy(src, dst)", t.fg),
        txt('  File "/usr/lib/python3.10/shutil.py", line 256, in copyfile', t.fg),
        txt("    fdst.write(buf)", t.fg),
        [("OSError", t.red), (": [Errno 28] No space left on device", t.fg)],
        prompt(t, user, cwd, "df -h /"),
        txt("Filesystem      Size  Used Avail Use% Mounted on", t.fg),
        txt("/dev/sda1        79G   79G     0 100% /", t.fg),
        prompt(t, user, cwd),
    ]
    return terminal(
        lines, title=f"{user}: {cwd}", theme=t, chrome="gnome", size=(900, 390), font_size=16
    )


def shot_node_heap() -> Image.Image:
    t = MAC_LIGHT
    p = "jo@MacBook-Pro storefront % "
    lines: list[Line] = [
        txt(p + "npm run build", t.fg),
        txt("", t.fg),
        txt("> storefront@2.3.0 build", t.fg),
        txt("> next build", t.fg),
        txt("", t.fg),
        txt("  ▲ Next.js 14.2.3", t.fg),
        txt("   Creating an optimized production build ...", t.fg),
        txt("", t.fg),
        txt("<--- Last few GCs --->", t.fg),
        txt("", t.fg),
        txt(
            "[48213:0x140008000]   168412 ms: Mark-Compact 4046.2 (4133.5) -> 4034.9 (4137.2) MB, "
            "2213.46 / 0.00 ms  (average mu = 0.118, current mu = 0.022) allocation failure; "
            "scavenge might not succeed",
            t.dim,
        ),
        txt("", t.fg),
        txt("<--- JS stacktrace --->", t.fg),
        txt("", t.fg),
        txt(
            "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
            t.red,
        ),
        txt("----- Native stack trace -----", t.fg),
        txt("", t.fg),
        txt(
            " 1: 0x1002f4c8c node::OOMErrorHandler(char const*, v8::OOMDetails const&) "
            "[/usr/local/bin/node]",
            t.dim,
        ),
        txt(
            " 2: 0x1004a0b1c v8::Utils::ReportOOMFailure(v8::internal::Isolate*, char const*) "
            "[/usr/local/bin/node]",
            t.dim,
        ),
        txt("zsh: abort      npm run build", t.fg),
        txt(p, t.fg),
    ]
    return terminal(
        lines,
        title="storefront — -zsh — 118×30",
        theme=t,
        chrome="mac",
        size=(1000, 560),
        font_size=15,
    )


def shot_zh_vcruntime_dialog() -> Image.Image:
    img = gradient((980, 520), rgb("#274B6D"), rgb("#9CB9D3"))
    plain_window(
        img,
        (30, 24, 620, 430),
        "下载",
        [
            ("VideoStudio_Setup_5.8.0.exe", "2024/6/12 20:03", "应用程序"),
            ("素材包-转场特效.zip", "2024/6/11 22:17", "压缩文件"),
            ("VideoStudio", "2024/6/12 20:05", "文件夹"),
        ],
    )
    message_box(
        img,
        (230, 150),
        "VideoStudio.exe - 系统错误",
        "由于找不到 VCRUNTIME140.dll，无法继续执行代码。重新安装程序可能会解决此问题。",
        ("确定",),
        width=600,
        font_size=20,
    )
    win10_taskbar(img, ("20:09", "2024/6/12"))
    return img


def shot_zh_usb_noexec() -> Image.Image:
    t = UBUNTU
    user = "liu@ubuntu"
    usb = "/media/liu/KINGSTON/部署脚本"
    lines: list[Line] = [
        prompt(t, user, "~", f"cd {usb}"),
        prompt(t, user, usb, "ls -l"),
        txt("总用量 8", t.fg),
        txt("-rw-r--r-- 1 liu liu 2310  6月 12 09:30 install.sh", t.fg),
        txt("-rw-r--r-- 1 liu liu  512  6月 12 09:30 说明.txt", t.fg),
        prompt(t, user, usb, "./install.sh"),
        txt("bash: ./install.sh: 权限不够", t.fg),
        prompt(t, user, usb, "chmod +x install.sh"),
        prompt(t, user, usb, "./install.sh"),
        txt("bash: ./install.sh: 权限不够", t.fg),
        prompt(t, user, usb),
    ]
    return terminal(
        lines,
        title=f"{user}: {usb}",
        theme=t,
        chrome="gnome",
        size=(900, 400),
        font_kind="cjk_mono",
        font_size=17,
    )


def shot_zh_bsod() -> Image.Image:
    blue = rgb("#0078D7")
    img = Image.new("RGB", (1100, 620), blue)
    draw = ImageDraw.Draw(img)
    x = 110
    draw.text((x, 40), ":(", font=font("sans", 110), fill=WHITE)
    y = text_block(
        draw,
        (x, 210),
        "你的设备遇到问题，需要重启。我们只收集某些错误信息，然后为你重新启动。",
        font("cjk", 24),
        WHITE,
        860,
    )
    draw.text((x, y + 16), "完成 35%", font=font("cjk", 24), fill=WHITE)
    qy = y + 84
    qr_like(draw, x, qy, 5, blue, WHITE, seed=8123)
    tx = x + 25 * 5 + 34
    small = font("cjk", 15)
    text_block(
        draw,
        (tx, qy),
        "有关此问题的详细信息和可能的解决方法，请访问 https://www.windows.com/stopcode",
        small,
        WHITE,
        700,
    )
    draw.text((tx, qy + 56), "如果致电支持人员，请向他们提供以下信息：", font=small, fill=WHITE)
    draw.text((tx, qy + 84), "终止代码: IRQL_NOT_LESS_OR_EQUAL", font=small, fill=WHITE)
    draw.text((tx, qy + 108), "失败的操作: ndis.sys", font=small, fill=WHITE)
    return img


# ---------------------------------------------------------------------------
# The items
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    question: str
    expected: str  # file name under kb/
    lang: str  # language of the question
    answer: str | None = None  # verbatim from the expected article's fix steps
    render: Callable[[], Image.Image] | None = None  # screenshot, if any
    ui_lang: str | None = None  # language of the screenshot text when it differs from `lang`


ITEMS: list[Item] = [
    # Screenshots and typed questions, mixed; ids (xl01, xl02, ...) follow this order.
    Item("系统更新老是装不上，点了好几次重试都这样，咋整？",
         "windows-0x80070005-access-denied.md", "zh", "net stop wuauserv",
         shot_zh_windows_update),
    Item("微调 7B 模型，第一个 step 还没跑完就说显存不够了，24G 的卡也扛不住？",
         "cuda-out-of-memory.md", "zh"),
    Item("本地跑的前端项目，浏览器打开就是这个页面，昨天还好好的",
         "chrome-err-connection-refused.md", "zh", None, shot_zh_chrome_refused),
    Item("pip install torch from mainland China crawls at like 30 kB/s and then dies halfway "
         "through the download",
         "zh-pip-read-timeout.md", "en", "--default-timeout=120"),
    Item("公司 OA 系统今天早上突然进不去了，浏览器弹这个",
         "browser-net-err-cert-date-invalid.md", "zh", "Set time automatically",
         shot_zh_chrome_cert_date),
    Item("服务器重启完 docker 啥命令都跑不了，说是连不上后台的服务进程",
         "docker-cannot-connect-daemon.md", "zh", "sudo systemctl start docker"),
    Item("这个报错怎么解决？",
         "kubernetes-crashloopbackoff.pdf", "zh", "resources.limits.memory",
         shot_k8s_oomkilled, ui_lang="en"),
    Item("installed the aws cli with pip install --user and now my terminal acts like it "
         "doesn't exist",
         "bash-command-not-found.md", "en", "source ~/.bashrc"),
    Item("全局装个脚手架就报这个，要不要加 sudo？",
         "npm-eacces-permission-denied.md", "zh", None, shot_npm_eacces, ui_lang="en"),
    Item("git pull 完代码里冒出好多 <<<<<<< HEAD 和 >>>>>>> 这种行，"
         "项目直接跑不起来了，这是啥情况",
         "git-merge-conflict.md", "zh"),
    Item("打印机一直这样，文件发过去就卡在那不动",
         "printer-offline.pdf", "zh", "Use Printer Offline", shot_zh_print_queue),
    Item("WeChat for Windows won't log me in, it claims there's no network but Chrome loads "
         "pages fine",
         "zh-wechat-network-unavailable.md", "en", "netsh winsock reset"),
    Item("Excel 顶上一条红色的提示，好多按钮都点不了",
         "office-activation-failed.pdf", "zh", "Online Repair", shot_zh_excel_unlicensed),
    Item("新买的 Mac 上往 GitHub 推代码被拒，说我没权限，可仓库就是我自己建的啊，"
         "之前在 Windows 上用 HTTPS 一直好好的",
         "git-permission-denied-publickey.md", "zh"),
    Item("新装的 Ubuntu，pip 装包出来这么一大段，啥意思？",
         "python-externally-managed-environment.md", "zh", None,
         shot_pip_externally_managed, ui_lang="en"),
    Item("Java 后台导出几十万行的报表，跑到一半进程就挂了，日志里说堆内存不够",
         "java-outofmemoryerror-heap-space.pdf", "zh", "-XX:+HeapDumpOnOutOfMemoryError"),
    Item("笔记本连家里 wifi 就这样，手机连同一个 wifi 没问题",
         "windows-wifi-no-internet-secured.md", "zh", "ipconfig /release",
         shot_zh_wifi_no_internet),
    Item("Windows keeps nagging me that C: is almost full. what's safe to delete?",
         "zh-windows-disk-space-low.md", "en"),
    Item("My colleague sent me a contract over WeChat and WPS won't open it, it just shows "
         "this. Any way to get the text back?",
         "zh-wps-file-corrupted.md", "en", "备份中心", shot_zh_wps_corrupted, ui_lang="zh"),
    Item("Ubuntu 新装的 MySQL，用 root 加密码怎么都登不上，只有 sudo mysql 能进去，"
         "Navicat 也连不上",
         "mysql-access-denied-for-user.pdf", "zh"),
    Item("clone keeps dying like this, I'm in Shanghai if that matters",
         "zh-git-clone-timeout.md", "en", None, shot_git_clone_timeout),
    Item("网站用 nginx 转发到 gunicorn，今天页面全是 502，gunicorn 那边好像压根没收到请求",
         "nginx-502-bad-gateway.pdf", "zh", "/var/log/nginx/error.log"),
    Item("My video conversion script crashes at the subprocess call on Windows. What is this?",
         "zh-system-cannot-find-file.md", "en", "where ffmpeg", shot_zh_vscode_winerror2,
         ui_lang="zh"),
    Item("3000端口被占了 npm run dev 起不来 可我啥也没开",
         "node-eaddrinuse-port-in-use.md", "zh"),
    Item("What am I doing wrong here?",
         "postgresql-password-authentication-failed.md", "en", "sudo -u postgres psql",
         shot_psql_password),
    Item("公司电脑上 pip 装什么包都失败，好像跟证书有关，同一台电脑拿回家用又没事",
         "pip-ssl-certificate-verify-failed.md", "zh", "pip config set global.cert"),
    Item("backup job on our server started failing tonight, see screenshot",
         "linux-no-space-left-on-device.md", "en", None, shot_no_space_left),
    Item("VS Code 里点运行说没有 requests 这个库，可我在终端 pip list 明明能看到它",
         "python-modulenotfounderror.md", "zh"),
    Item("build dies every time on my mac, how do I fix it?",
         "node-javascript-heap-out-of-memory.md", "en", "--max-old-space-size=4096",
         shot_node_heap),
    Item("pandas 读同事从 Excel 导出来的 csv，一读就报编码相关的错",
         "python-unicodedecodeerror-utf8.md", "zh"),
    Item("刚装的剪辑软件双击就弹这个，重装了两次都一样",
         "zh-windows-msvcp140-missing.pdf", "zh", None, shot_zh_vcruntime_dialog),
    Item("运维把测试服务器重装了，我再 ssh 上去就刷出一大片 @@@@ 的警告然后直接断开",
         "ssh-host-key-verification-failed.md", "zh", "ssh-keygen -R"),
    Item("U盘里的安装脚本怎么都跑不了，chmod 了也没用",
         "zh-linux-permission-denied.md", "zh", "mount | grep noexec", shot_zh_usb_noexec),
    Item("在家打不开公司内网的 wiki，浏览器说找不到服务器的 IP 地址，在办公室就正常",
         "chrome-dns-probe-finished-nxdomain.md", "zh"),
    Item("Used laptop I bought keeps crashing to this screen every few hours. What should I "
         "check?",
         "windows-bsod-irql-not-less-or-equal.pdf", "en", None, shot_zh_bsod, ui_lang="zh"),
    Item("wifi connected but nothing loads, win11",
         "windows-wifi-no-internet-secured.md", "en"),
    Item("since the weekend our office HP shows up as unavailable on my PC and everything I "
         "send to it just sits in the queue. restarting the PC didn't help",
         "printer-offline.pdf", "en", "net stop spooler"),
    Item("can't install anything globally with npm on my linux box unless I use sudo. is sudo "
         "fine or is there a proper fix?",
         "npm-eacces-permission-denied.md", "en"),
    Item("my deployment's pod keeps restarting over and over right after rollout, restart "
         "count is already at 40. where do I even look?",
         "kubernetes-crashloopbackoff.pdf", "en", "--previous"),
    Item("on debian 12 pip suddenly refuses to install anything outside a venv, what's the "
         "right way now?",
         "python-externally-managed-environment.md", "en"),
    Item("Flask app on our Ubuntu server can't reach the cache on port 6379, and redis-cli "
         "ping fails straight away",
         "zh-redis-connection-refused.md", "en"),
    Item("game won't start on my new PC, Windows complains some Visual C++ dll is missing",
         "zh-windows-msvcp140-missing.pdf", "en", "vc_redist.x64.exe"),
    Item("just cloned a repo on ubuntu and ./build.sh refuses to run, says I'm not allowed to",
         "zh-linux-permission-denied.md", "en"),
    Item("git clone from github sits there for ~20 s and then gives up. I do have a proxy app "
         "running on port 7890",
         "zh-git-clone-timeout.md", "en", "git config --global --get http.proxy"),
    Item("同事微信发来的合同，wps 死活打不开，有办法把内容救回来吗",
         "zh-wps-file-corrupted.md", "zh"),
    Item("python 里用 subprocess 调 ffmpeg，Windows 上报 WinError 2，"
         "cmd 里直接敲 ffmpeg 也不认",
         "zh-system-cannot-find-file.md", "zh", "C:\\ffmpeg\\bin"),
    Item("docker compose 起的项目，web 容器里连本机 6379 的 redis 死活连不上，"
         "宿主机上 redis-cli 是通的",
         "zh-redis-connection-refused.md", "zh"),
    Item("C盘红了 只剩几百兆 电脑卡得要死",
         "zh-windows-disk-space-low.md", "zh"),
]


# ---------------------------------------------------------------------------
# Checks and output
# ---------------------------------------------------------------------------


def article_text(name: str) -> str:
    path = KB_DIR / name
    if path.suffix == ".pdf":
        import pypdfium2  # noqa: PLC0415 - only needed for this check

        doc = pypdfium2.PdfDocument(str(path))
        return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    return path.read_text(encoding="utf-8")


def fix_steps(name: str) -> str:
    """The fix section of an article, whitespace-normalised (PDF text wraps lines)."""
    parts = re.split(
        r"^(?:## )?(?:Fix|解决步骤)\s*$", article_text(name), maxsplit=1, flags=re.MULTILINE
    )
    if len(parts) != 2:
        raise ValueError(f"{name}: no fix section")
    return " ".join(parts[1].split())


def save_png(img: Image.Image, path: Path) -> None:
    img.save(path, optimize=True)
    for colors in (128, 64):
        if path.stat().st_size <= MAX_PNG_BYTES:
            return
        img.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, optimize=True
        )
    if path.stat().st_size > MAX_PNG_BYTES:
        raise RuntimeError(f"{path.name} is {path.stat().st_size} bytes")


def assign_splits(records: list[dict]) -> None:
    """Alternate dev/test inside each kind x cross x direction group.

    Each group starts with the split that so far has fewer items of its direction (then of
    its kind x cross), so odd-sized groups do not tip the per-direction or per-kind totals.
    """
    groups: dict[tuple, list[dict]] = {}
    for rec in records:
        key = (rec["kind"], rec["cross"], f"{rec['lang']}->{rec['source_lang']}")
        groups.setdefault(key, []).append(rec)
    counts: Counter = Counter()
    for (kind, cross, direction), members in sorted(groups.items()):
        first = min(("dev", "test"), key=lambda s: (counts[s, direction], counts[s, kind, cross]))
        second = "test" if first == "dev" else "dev"
        for n, rec in enumerate(members):
            rec["split"] = first if n % 2 == 0 else second
            counts[rec["split"], direction] += 1
            counts[rec["split"], kind, cross] += 1


def main() -> None:
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    records: list[dict] = []
    for n, item in enumerate(ITEMS, start=1):
        item_id = f"xl{n:02d}"
        if not (KB_DIR / item.expected).exists():
            raise FileNotFoundError(item.expected)
        source_lang = "zh" if item.expected.startswith("zh-") else "en"
        if (
            item.answer
            and " ".join(item.answer.split()).casefold() not in fix_steps(item.expected).casefold()
        ):
            raise ValueError(
                f"{item_id}: {item.answer!r} is not in the fix steps of {item.expected}"
            )
        rec: dict = {"id": item_id, "question": item.question}
        if item.render:
            save_png(item.render(), SHOT_DIR / f"{item_id}.png")
            rec["image"] = f"crosslang/{item_id}.png"
            print("png ", f"queries/crosslang/{item_id}.png")
        rec["expected"] = f"kb/{item.expected}"
        if item.answer:
            rec["answer_contains"] = item.answer
        rec["lang"] = item.lang
        if item.ui_lang and item.ui_lang != item.lang:
            rec["ui_lang"] = item.ui_lang
        rec.update(
            source_lang=source_lang,
            cross=item.lang != source_lang,
            kind="screenshot" if item.render else "typed",
        )
        records.append(rec)
    assign_splits(records)
    with open(OUT_JSONL, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"jsonl queries/{OUT_JSONL.name} ({len(records)} items)")


if __name__ == "__main__":
    main()
