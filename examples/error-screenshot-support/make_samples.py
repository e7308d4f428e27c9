"""Regenerate the generated sample data of the error-screenshot-support example.

Writes:
  * kb/*.pdf            - knowledge-base articles that exist only as PDFs
                          (their source text lives in PDF_ARTICLES below)
  * queries/*.png       - screenshots of error messages a user might send
  * queries/queries.jsonl - the eval set: one query per screenshot, then typed questions
                          (TYPED), each with the expected article and answer_contains

The markdown articles in kb/*.md are hand-written and not touched here.
Output is deterministic: fixed random seeds and a fixed PDF creation date.

Requirements:
    pip install fpdf2 pillow
    apt-get install fonts-noto-cjk fonts-dejavu-core

Run (from any directory):
    python examples/error-screenshot-support/make_samples.py
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
KB_DIR = HERE / "kb"
QUERY_DIR = HERE / "queries"

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
NOTO = Path("/usr/share/fonts/opentype/noto")
CJK_REGULAR = NOTO / "NotoSansCJK-Regular.ttc"
CJK_BOLD = NOTO / "NotoSansCJK-Bold.ttc"
CJK_SC = 2  # "Noto Sans CJK SC" inside the .ttc collection
CJK_MONO_SC = 7  # "Noto Sans Mono CJK SC"

PDF_DATE = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

Color = tuple[int, int, int]
Run = tuple[str, Color]
Line = list[Run]
Box = tuple[int, int, int, int]

# ---------------------------------------------------------------------------
# PDF articles (source text; kb/ only contains the rendered PDFs)
# ---------------------------------------------------------------------------

PDF_ARTICLES: dict[str, str] = {
    "java-outofmemoryerror-heap-space.pdf": """\
# Java: java.lang.OutOfMemoryError: Java heap space

Error text: `Exception in thread "main" java.lang.OutOfMemoryError: Java heap space`

## Cause
The JVM could not allocate a new object because the heap is full and already at its maximum size (`-Xmx`). Either the heap limit is too small for the workload (large files or result sets loaded at once, a big build) or the application leaks memory, for example a cache or static collection that keeps growing.

## Fix
1. Raise the maximum heap: `java -Xmx4g -jar app.jar` (Maven: `MAVEN_OPTS`, Gradle: `org.gradle.jvmargs=-Xmx4g`, any JVM: `JAVA_TOOL_OPTIONS`).
2. In containers, size the heap relative to the memory limit: `-XX:MaxRAMPercentage=75.0`.
3. Capture a heap dump when it happens: `-XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/tmp`.
4. Open the `.hprof` file in Eclipse MAT or VisualVM and check the "Leak Suspects" report.
5. Stream or paginate large data (JDBC `setFetchSize`, streaming JSON parsers) instead of loading everything into memory.
""",
    "kubernetes-crashloopbackoff.pdf": """\
# Kubernetes pod stuck in CrashLoopBackOff

Error text: `STATUS CrashLoopBackOff ... Back-off restarting failed container`

## Cause
The container starts and then exits again and again, so the kubelet restarts it with an increasing delay of up to five minutes. The pod status shows CrashLoopBackOff. Typical reasons are an application error at startup, a missing ConfigMap, Secret or environment variable, a wrong command or arguments, a failing liveness probe, or the container being OOMKilled.

## Fix
1. Look at the last state and events: `kubectl describe pod <pod> -n <namespace>` (Exit Code 137 with Reason OOMKilled means out of memory).
2. Read the logs of the crashed run: `kubectl logs <pod> -n <namespace> --previous`.
3. Check that referenced ConfigMaps, Secrets and environment variables exist and that `command`/`args` are correct.
4. If it was OOMKilled, raise `resources.limits.memory` in the Deployment.
5. If the liveness probe kills a slow-starting app, add a `startupProbe` or increase `initialDelaySeconds`.
6. To debug interactively, override the command with `sleep infinity` or use `kubectl debug`.
""",
    "nginx-502-bad-gateway.pdf": """\
# nginx 502 Bad Gateway

Error text: `502 Bad Gateway nginx`

## Cause
nginx works as a reverse proxy and did not get a valid response from the upstream application (gunicorn, uWSGI, Node.js, PHP-FPM). The upstream process is not running or crashed, `proxy_pass`/`fastcgi_pass` points to the wrong port or socket, nginx has no permission to the socket, or SELinux blocks the connection.

## Fix
1. Read the error log: `sudo tail -n 50 /var/log/nginx/error.log` and look for `connect() failed (111: Connection refused) while connecting to upstream`.
2. Check that the backend runs and answers locally: `systemctl status gunicorn` and `curl -I http://127.0.0.1:8000`.
3. Make sure `proxy_pass` or `fastcgi_pass` matches the address or Unix socket the backend listens on.
4. For Unix sockets, give the nginx user (`www-data` or `nginx`) read/write access to the socket file.
5. On SELinux systems allow proxying: `sudo setsebool -P httpd_can_network_connect 1`.
6. Test and reload the configuration: `sudo nginx -t && sudo systemctl reload nginx`.
""",
    "mysql-access-denied-for-user.pdf": """\
# MySQL ERROR 1045: Access denied for user

Error text: `ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)`

## Cause
MySQL matches an account by user name and client host. The password is wrong, no account exists for that host (for example only `'app'@'%'` or only `'app'@'localhost'`), or the account uses a different authentication plugin: on Ubuntu and Debian the MySQL root account uses `auth_socket` and only accepts `sudo mysql`.

## Fix
1. Check user, host and password: `mysql -u root -p -h 127.0.0.1`.
2. On Ubuntu log in with `sudo mysql` and set a password: `ALTER USER 'root'@'localhost' IDENTIFIED WITH caching_sha2_password BY 'NewPass!2024';`.
3. List accounts and plugins: `SELECT user, host, plugin FROM mysql.user;`.
4. Create the account for the right host and grant rights: `CREATE USER 'app'@'%' IDENTIFIED BY '...';` then `GRANT ALL ON shopdb.* TO 'app'@'%';`.
5. Forgotten root password: stop the server, start it with `--skip-grant-tables --skip-networking`, run `FLUSH PRIVILEGES;` and `ALTER USER`, then restart normally.
""",
    "windows-bsod-irql-not-less-or-equal.pdf": """\
# Windows blue screen: IRQL_NOT_LESS_OR_EQUAL

Error text: `Your PC ran into a problem and needs to restart. Stop code: IRQL_NOT_LESS_OR_EQUAL`

## Cause
A kernel-mode driver accessed paged or invalid memory while running at a raised interrupt request level (IRQL), so Windows stops to protect the system. The usual cause is a faulty or outdated driver (Wi-Fi, network, graphics, antivirus), less often defective RAM or unstable overclocking.

## Fix
1. Note the "What failed" driver on the blue screen, or analyze `C:\\Windows\\Minidump\\*.dmp` with WinDbg (`!analyze -v`).
2. Update or roll back that driver in Device Manager; uninstall recently added drivers, VPN or antivirus software.
3. Test memory with Windows Memory Diagnostic (`mdsched.exe`) or MemTest86.
4. Disable overclocking and XMP/EXPO memory profiles in the BIOS.
5. Repair system files: `sfc /scannow` and `DISM /Online /Cleanup-Image /RestoreHealth`.
6. If Windows keeps crashing, boot into Safe Mode and use System Restore.
""",
    "office-activation-failed.pdf": """\
# Office / Excel: "Product Activation Failed" (Unlicensed Product)

Error text: `PRODUCT ACTIVATION FAILED Most features of Excel have been disabled because it hasn't been activated.`

## Cause
Word, Excel or PowerPoint could not verify a license. The signed-in account has no Microsoft 365 license or the subscription expired, several Office versions are installed side by side, cached sign-in data is corrupted, or the PC cannot reach the activation servers (proxy, wrong system time).

## Fix
1. Open File → Account and check which account is signed in and that it has an active Microsoft 365 license.
2. Sign out in all Office apps, close them, start Excel again and sign in with the licensed account.
3. Remove duplicate Office installations in Settings → Apps so only one version remains.
4. Check the license state: `cscript "C:\\Program Files\\Microsoft Office\\Office16\\OSPP.VBS" /dstatus`.
5. Repair Office: Settings → Apps → Microsoft 365 → Modify → Online Repair.
6. If it still fails, run the Microsoft Support and Recovery Assistant or contact your IT admin.
""",
    "printer-offline.pdf": """\
# Windows shows the printer as "Offline"

Error text: `Printer status: Offline`

## Cause
Windows cannot communicate with the printer. The printer is off or asleep, its IP address changed (DHCP) while the Windows port still points to the old one, "Use Printer Offline" is switched on, or the Print Spooler is stuck with a failed job.

## Fix
1. Power-cycle the printer, make sure it is on the same network, and print a network configuration page to see its IP.
2. Open the print queue and clear Printer → "Use Printer Offline"; cancel stuck jobs.
3. Restart the spooler in an elevated Command Prompt: `net stop spooler` then `net start spooler`.
4. If the IP changed, update the Standard TCP/IP port in Printer properties → Ports, and reserve the IP in the router.
5. If printing works but the status stays offline, uncheck "SNMP Status Enabled" on the TCP/IP port.
6. Remove the printer and add it again with the latest driver from the manufacturer.
""",
    "zh-windows-msvcp140-missing.pdf": """\
# 运行程序提示“找不到 MSVCP140.dll”

错误信息：`由于找不到 MSVCP140.dll，无法继续执行代码。重新安装程序可能会解决此问题。`

## 原因
程序是用 Visual Studio 2015-2022 编译的，运行时依赖 Visual C++ 可再发行组件包（VC++ 运行库）。没有安装运行库、位数（x86/x64）不匹配，或运行库文件被误删、损坏时，就会弹出此系统错误。VCRUNTIME140.dll 缺失也是同样的原因。

## 解决步骤
1. 从微软官网下载并安装最新的“Visual C++ 2015-2022 可再发行组件”，64 位系统建议 `vc_redist.x64.exe` 和 `vc_redist.x86.exe` 都安装。
2. 如果已经安装，在 设置 → 应用 中找到该组件，选择“修改”→“修复”。
3. 重启电脑后再运行程序。
4. 不要从来路不明的 DLL 下载站单独下载 MSVCP140.dll 放进 System32，可能版本不对或带病毒。
5. 仍然报错时，以管理员身份运行 `sfc /scannow` 修复系统文件。
""",
}


def pdf_fonts(pdf: FPDF, cjk: bool) -> None:
    """Register the body/bold/mono font families used by the PDF articles."""
    if cjk:
        pdf.add_font("body", "", CJK_REGULAR, collection_font_number=CJK_SC)
        pdf.add_font("body", "B", CJK_BOLD, collection_font_number=CJK_SC)
        pdf.add_font("mono", "", CJK_REGULAR, collection_font_number=CJK_MONO_SC)
    else:
        pdf.add_font("body", "", DEJAVU / "DejaVuSans.ttf")
        pdf.add_font("body", "B", DEJAVU / "DejaVuSans-Bold.ttf")
        pdf.add_font("mono", "", DEJAVU / "DejaVuSansMono.ttf")


# CJK characters are breakable one by one; other text breaks after spaces.
TOKEN_RE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+")


def pdf_tokens(text: str) -> list[tuple[str, str]]:
    """Split text into (token, font family) pairs; `code` spans use mono."""
    out: list[tuple[str, str]] = []
    for i, part in enumerate(text.split("`")):
        family = "mono" if i % 2 else "body"
        out.extend((tok, family) for tok in TOKEN_RE.findall(part))
    return out


def is_cjk(tok: str) -> bool:
    return len(tok) == 1 and "\u3000" <= tok <= "\uffef"


def pdf_words(text: str) -> list[list[tuple[str, str]]]:
    """Group tokens into unbreakable words (e.g. a `code` span plus its trailing '.')."""
    words: list[list[tuple[str, str]]] = []
    for tok, family in pdf_tokens(text):
        prev = words[-1][-1][0] if words else " "
        glued = not prev[-1].isspace() and not tok[0].isspace()
        if words and glued and not is_cjk(prev) and not is_cjk(tok):
            words[-1].append((tok, family))
        else:
            words.append([(tok, family)])
    return words


def pdf_width(pdf: FPDF, pieces: list[tuple[str, str]], size: float, strip: bool = False) -> float:
    total = 0.0
    for i, (tok, family) in enumerate(pieces):
        pdf.set_font(family, "", size)
        total += pdf.get_string_width(tok.rstrip() if strip and i == len(pieces) - 1 else tok)
    return total


def pdf_layout(pdf: FPDF, text: str, width: float, size: float) -> list[list[tuple[str, str]]]:
    """Greedy line breaking that never splits a word (unless it is wider than a line)."""
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for word in pdf_words(text):
        if pdf_width(pdf, word, size, strip=True) > width:
            word = [(ch, family) for tok, family in word for ch in tok]
            units = [[piece] for piece in word]
        else:
            units = [word]
        for unit in units:
            if used and used + pdf_width(pdf, unit, size, strip=True) > width:
                lines.append([])
                used = 0.0
            if not lines[-1] and not "".join(t for t, _ in unit).strip():
                continue
            lines[-1].extend(unit)
            used += pdf_width(pdf, unit, size)
    return lines


def pdf_paragraph(pdf: FPDF, text: str, x: float, size: float, height: float) -> None:
    """Write a paragraph starting at x with a hanging indent, mono for `code`."""
    width = pdf.w - pdf.r_margin - x
    for line in pdf_layout(pdf, text, width, size):
        pdf.set_x(x)
        for tok, family in line:
            pdf.set_font(family, "", size)
            pdf.cell(pdf.get_string_width(tok), height, tok)
        pdf.ln(height)


def pdf_line(pdf: FPDF, line: str, margin: float) -> None:
    """Render one source line of the markdown-like article text."""
    if line.startswith("# "):
        pdf.set_font("body", "B", 17)
        pdf.multi_cell(0, 9, line[2:])
        pdf.ln(3)
    elif line.startswith("## "):
        pdf.ln(3)
        pdf.set_font("body", "B", 13)
        pdf.multi_cell(0, 8, line[3:])
        pdf.ln(1)
    elif m := re.match(r"(\d+)\. (.*)", line):
        pdf.set_font("body", "", 10.5)
        pdf.set_x(margin)
        pdf.cell(7, 6, f"{m.group(1)}.")
        pdf_paragraph(pdf, m.group(2), margin + 7, 10.5, 6)
        pdf.ln(2)
    elif line.strip():
        pdf_paragraph(pdf, line, margin, 10.5, 6)
        pdf.ln(2)


def build_pdf(name: str, source: str) -> Path:
    """Render one article to a one-page PDF with a real text layer."""
    margin = 20.0
    pdf = FPDF(format="A4")
    pdf.set_creation_date(PDF_DATE)
    pdf.set_margins(margin, 20, margin)
    pdf.set_auto_page_break(True, 15)
    pdf_fonts(pdf, cjk=name.startswith("zh-"))
    title = source.splitlines()[0].removeprefix("# ")
    pdf.set_title(title)
    pdf.set_author("Support knowledge base")
    pdf.add_page()
    for line in source.splitlines():
        pdf_line(pdf, line, margin)
    if pdf.page_no() != 1:
        raise RuntimeError(f"{name} does not fit on one page")
    out = KB_DIR / name
    pdf.output(str(out))
    return out


# ---------------------------------------------------------------------------
# Drawing helpers
# ---------------------------------------------------------------------------

FONT_FILES: dict[str, tuple[Path, int]] = {
    "mono": (DEJAVU / "DejaVuSansMono.ttf", 0),
    "mono_bold": (DEJAVU / "DejaVuSansMono-Bold.ttf", 0),
    "sans": (DEJAVU / "DejaVuSans.ttf", 0),
    "sans_bold": (DEJAVU / "DejaVuSans-Bold.ttf", 0),
    "serif": (DEJAVU / "DejaVuSerif.ttf", 0),
    "serif_bold": (DEJAVU / "DejaVuSerif-Bold.ttf", 0),
    "cjk": (CJK_REGULAR, CJK_SC),
    "cjk_bold": (CJK_BOLD, CJK_SC),
    "cjk_mono": (CJK_REGULAR, CJK_MONO_SC),
}


@cache
def font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = FONT_FILES[kind]
    return ImageFont.truetype(str(path), size, index=index)


def hex_color(value: str) -> Color:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def wrap_runs(line: Line, fnt: ImageFont.FreeTypeFont, width: float) -> list[Line]:
    """Hard-wrap a line of colored runs at `width` pixels, like a terminal."""
    rows: list[Line] = [[]]
    used = 0.0
    for text, color in line:
        for ch in text:
            w = fnt.getlength(ch)
            if used + w > width and used > 0:
                rows.append([])
                used = 0.0
            row = rows[-1]
            if row and row[-1][1] == color:
                row[-1] = (row[-1][0] + ch, color)
            else:
                row.append((ch, color))
            used += w
    return rows


def wrap_words(text: str, fnt: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Word-wrap prose; CJK text (no spaces) wraps between characters."""
    out: list[str] = []
    for para in text.split("\n"):
        tokens = re.findall(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+", para)
        cur = ""
        for tok in tokens:
            if cur and fnt.getlength((cur + tok).rstrip()) > width:
                out.append(cur.rstrip())
                cur = tok.lstrip()
            else:
                cur += tok
        out.append(cur.rstrip())
    return out


def draw_runs(draw: ImageDraw.ImageDraw, xy: tuple[float, float], runs: Line, fnt: ImageFont.FreeTypeFont) -> None:
    x, y = xy
    for text, color in runs:
        draw.text((x, y), text, font=fnt, fill=color)
        x += fnt.getlength(text)


def draw_text_block(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    fnt: ImageFont.FreeTypeFont,
    fill: Color,
    width: int,
    spacing: float = 1.45,
) -> int:
    """Draw word-wrapped text; return the y coordinate below it."""
    x, y = xy
    step = int(fnt.size * spacing)
    for row in wrap_words(text, fnt, width):
        draw.text((x, y), row, font=fnt, fill=fill)
        y += step
    return y


def gradient(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    img = Image.new("RGB", size, top)
    draw = ImageDraw.Draw(img)
    w, h = size
    for y in range(h):
        t = y / max(h - 1, 1)
        c = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (w, y)], fill=c)
    return img


def paste_shadow(canvas: Image.Image, box: Box, radius: int = 8) -> None:
    """Soft drop shadow under a window."""
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    x0, y0, x1, y1 = box
    ImageDraw.Draw(layer).rounded_rectangle((x0 + 2, y0 + 6, x1 + 2, y1 + 8), radius, fill=(0, 0, 0, 110))
    layer = layer.filter(ImageFilter.GaussianBlur(10))
    canvas.paste(Image.alpha_composite(canvas.convert("RGBA"), layer).convert("RGB"))


def draw_close_x(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, color: Color, w: int = 1) -> None:
    draw.line([(cx - r, cy - r), (cx + r, cy + r)], fill=color, width=w)
    draw.line([(cx - r, cy + r), (cx + r, cy - r)], fill=color, width=w)


def win_caption_buttons(
    draw: ImageDraw.ImageDraw, right: int, top: int, height: int, color: Color, maximize: bool = True
) -> None:
    """Windows 10/11 minimise / maximise / close glyphs at the top right."""
    cy = top + height // 2
    draw_close_x(draw, right - 23, cy, 5, color)
    if maximize:
        draw.rectangle((right - 74, cy - 5, right - 64, cy + 5), outline=color)
        draw.line([(right - 120, cy), (right - 110, cy)], fill=color)


def icon_error(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=hex_color("#E81123"))
    draw_close_x(draw, cx, cy, r // 3, (255, 255, 255), w=max(2, r // 6))


def icon_warning(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    draw.polygon([(cx, cy - r), (cx + r, cy + r - 2), (cx - r, cy + r - 2)], fill=hex_color("#FFC83D"))
    draw.line([(cx, cy - r // 3), (cx, cy + r // 3)], fill=(30, 30, 30), width=max(2, r // 6))
    draw.ellipse((cx - 2, cy + r // 2, cx + 2, cy + r // 2 + 4), fill=(30, 30, 30))


def taskbar(canvas: Image.Image, clock: tuple[str, str], *, light: bool = False, font_kind: str = "sans") -> None:
    """Windows 10 style taskbar along the bottom edge."""
    draw = ImageDraw.Draw(canvas)
    w, h = canvas.size
    bg = hex_color("#E6E6E6") if light else hex_color("#101418")
    fg = (20, 20, 20) if light else (235, 235, 235)
    draw.rectangle((0, h - 44, w, h), fill=bg)
    for x0, y0 in [(14, 0), (25, 0), (14, 11), (25, 11)]:
        draw.rectangle((x0, h - 33 + y0, x0 + 9, h - 24 + y0), fill=hex_color("#3A96DD"))
    for i, col in enumerate(["#F2C811", "#2B7CD3", "#107C10", "#E74856"]):
        x = 70 + i * 48
        draw.rounded_rectangle((x, h - 34, x + 24, h - 10), 3, fill=hex_color(col))
    f = font(font_kind, 12)
    for i, txt in enumerate(clock):
        tw = f.getlength(txt)
        draw.text((w - 20 - tw, h - 38 + i * 17), txt, font=f, fill=fg)


def background_window(canvas: Image.Image, box: Box, title: str, rows: list[str], font_kind: str = "sans") -> None:
    """A plain light window behind the main one, for realistic clutter."""
    draw = ImageDraw.Draw(canvas)
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(250, 250, 250), outline=(170, 170, 170))
    draw.rectangle((x0, y0, x1, y0 + 30), fill=(255, 255, 255))
    draw.text((x0 + 12, y0 + 7), title, font=font(font_kind, 13), fill=(60, 60, 60))
    win_caption_buttons(draw, x1, y0, 30, (90, 90, 90))
    f = font(font_kind, 13)
    for i, row in enumerate(rows):
        y = y0 + 48 + i * 24
        if y > y1 - 20:
            break
        draw.text((x0 + 40, y), row, font=f, fill=(70, 70, 70))
        draw.rectangle((x0 + 18, y + 2, x0 + 30, y + 14), fill=hex_color("#E8C25A"))


# ---------------------------------------------------------------------------
# Terminal windows
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TermTheme:
    bg: Color
    fg: Color
    bar: Color
    bar_fg: Color
    user: Color = hex_color("#8AE234")
    path: Color = hex_color("#729FCF")
    red: Color = hex_color("#F0524F")
    yellow: Color = hex_color("#E5C07B")
    green: Color = hex_color("#73C991")
    cyan: Color = hex_color("#4FC1FF")
    dim: Color = hex_color("#9DA5B4")


GNOME_DARK = TermTheme(
    bg=hex_color("#1E1E1E"), fg=hex_color("#D0CFCC"), bar=hex_color("#303030"), bar_fg=hex_color("#E6E6E6")
)
UBUNTU = TermTheme(
    bg=hex_color("#300A24"), fg=hex_color("#EEEEEC"), bar=hex_color("#3C3B37"), bar_fg=hex_color("#DFDBD2")
)
MAC_LIGHT = TermTheme(
    bg=hex_color("#FFFFFF"),
    fg=hex_color("#1A1A1A"),
    bar=hex_color("#E8E6E8"),
    bar_fg=hex_color("#4D4D4D"),
    user=hex_color("#1A1A1A"),
    path=hex_color("#1A1A1A"),
    red=hex_color("#B5281E"),
    yellow=hex_color("#8A6A00"),
    dim=hex_color("#6E6E6E"),
)
MAC_DARK = TermTheme(
    bg=hex_color("#1C1C1E"), fg=hex_color("#E6E6E6"), bar=hex_color("#2E2E30"), bar_fg=hex_color("#B8B8B8")
)
WIN_TERMINAL = TermTheme(
    bg=hex_color("#0C0C0C"),
    fg=hex_color("#CCCCCC"),
    bar=hex_color("#202020"),
    bar_fg=hex_color("#FFFFFF"),
    red=hex_color("#E74856"),
    yellow=hex_color("#F9F1A5"),
)
WIN_CMD = TermTheme(
    bg=hex_color("#0C0C0C"),
    fg=hex_color("#CCCCCC"),
    bar=hex_color("#FFFFFF"),
    bar_fg=hex_color("#000000"),
    red=hex_color("#E74856"),
    green=hex_color("#16C60C"),
    yellow=hex_color("#F9F1A5"),
    cyan=hex_color("#61D6D6"),
)


def term_title_bar(img: Image.Image, style: str, title: str, theme: TermTheme, font_kind: str) -> int:
    """Draw the window title bar; return its height."""
    draw = ImageDraw.Draw(img)
    w = img.width
    h = {"mac": 30, "gnome": 40, "wt": 38, "cmd": 32}[style]
    draw.rectangle((0, 0, w, h), fill=theme.bar)
    tf = font("cjk" if font_kind.startswith("cjk") else "sans", 14)
    if style == "mac":
        for i, col in enumerate(["#FF5F57", "#FEBC2E", "#28C840"]):
            x = 16 + i * 20
            draw.ellipse((x, 9, x + 12, 21), fill=hex_color(col))
        draw.text(((w - tf.getlength(title)) / 2, 7), title, font=tf, fill=theme.bar_fg)
    elif style == "gnome":
        bold = font("cjk_bold" if font_kind.startswith("cjk") else "sans_bold", 14)
        draw.text(((w - bold.getlength(title)) / 2, 11), title, font=bold, fill=theme.bar_fg)
        draw.ellipse((w - 34, 10, w - 14, 30), fill=hex_color("#4A4A4A"))
        draw_close_x(draw, w - 24, 20, 4, theme.bar_fg, 2)
        draw.rounded_rectangle((12, 7, 44, 33), 5, fill=hex_color("#454545"))
        draw.text((22, 9), "+", font=font("sans", 17), fill=theme.bar_fg)
    elif style == "wt":
        draw.rounded_rectangle((8, 6, 260, h + 6), 6, fill=theme.bg)
        draw.text((40, 12), title, font=tf, fill=theme.bar_fg)
        draw.rectangle((16, 14, 30, 26), outline=hex_color("#5A9BD5"), width=2)
        draw_close_x(draw, 240, 19, 4, theme.bar_fg)
        draw.text((276, 8), "+", font=font("sans", 18), fill=theme.bar_fg)
        win_caption_buttons(draw, w, 0, h, theme.bar_fg)
    else:  # classic console window (conhost)
        draw.rectangle((10, 9, 26, 23), fill=(12, 12, 12))
        draw.text((16, 10), ">", font=font("mono", 10), fill=(220, 220, 220))
        draw.text((36, 7), title, font=tf, fill=theme.bar_fg)
        win_caption_buttons(draw, w, 0, h, theme.bar_fg)
        draw.line([(0, h - 1), (w, h - 1)], fill=(200, 200, 200))
    return h


def terminal(
    lines: list[Line],
    *,
    title: str,
    theme: TermTheme,
    style: str,
    size: tuple[int, int] = (1100, 600),
    font_kind: str = "mono",
    font_size: int = 17,
    cursor: bool = True,
) -> Image.Image:
    """Render a terminal window; like a real terminal it shows the last rows."""
    img = Image.new("RGB", size, theme.bg)
    top = term_title_bar(img, style, title, theme, font_kind)
    draw = ImageDraw.Draw(img)
    fnt = font(font_kind, font_size)
    pad = 14
    step = int(font_size * 1.32)
    rows: list[Line] = []
    for line in lines:
        rows.extend(wrap_runs(line, fnt, size[0] - 2 * pad))
    visible = (size[1] - top - 2 * pad) // step
    y = top + pad
    for row in rows[-visible:]:
        draw_runs(draw, (pad, y), row, fnt)
        y += step
    if cursor and rows:
        x = pad + sum(fnt.getlength(t) for t, _ in rows[-1])
        draw.rectangle((x + 1, y - step + 2, x + fnt.getlength("M"), y - 3), fill=theme.fg)
    if style == "cmd":
        draw.rectangle((size[0] - 17, top, size[0], size[1]), fill=hex_color("#F0F0F0"))
        draw.rectangle((size[0] - 14, size[1] - 120, size[0] - 4, size[1] - 20), fill=hex_color("#C2C2C2"))
    return img


def plain(text: str, color: Color) -> Line:
    return [(text, color)]


def bash_prompt(theme: TermTheme, user: str, cwd: str, cmd: str = "") -> Line:
    return [(user, theme.user), (":", theme.fg), (cwd, theme.path), ("$ ", theme.fg), (cmd, theme.fg)]


# ---------------------------------------------------------------------------
# Screenshots
# ---------------------------------------------------------------------------


def shot_pip_ssl() -> Image.Image:
    t = GNOME_DARK
    ssl = (
        "SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
        "verify failed: unable to get local issuer certificate (_ssl.c:1006)'))"
    )
    lines: list[Line] = [
        bash_prompt(t, "dev@build-01", "~/projects/invoice-api", "source .venv/bin/activate"),
        [("(.venv) ", t.fg)] + bash_prompt(t, "dev@build-01", "~/projects/invoice-api", "pip install requests"),
        plain("Looking in indexes: https://pypi.org/simple", t.fg),
    ]
    for left in (4, 3):
        lines.append(
            plain(
                f"WARNING: Retrying (Retry(total={left}, connect=None, read=None, redirect=None, "
                f"status=None)) after connection broken by '{ssl}': /simple/requests/",
                t.yellow,
            )
        )
    lines += [
        plain(
            "Could not fetch URL https://pypi.org/simple/requests/: There was a problem confirming the ssl "
            "certificate: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded with url: "
            f"/simple/requests/ (Caused by {ssl}) - skipping",
            t.fg,
        ),
        plain("ERROR: Could not find a version that satisfies the requirement requests (from versions: none)", t.red),
        plain("ERROR: No matching distribution found for requests", t.red),
        [("(.venv) ", t.fg)] + bash_prompt(t, "dev@build-01", "~/projects/invoice-api"),
    ]
    return terminal(
        lines, title="dev@build-01: ~/projects/invoice-api", theme=t, style="gnome", size=(1180, 600), font_size=16
    )


def shot_git_publickey() -> Image.Image:
    t = MAC_LIGHT
    p = "maria@MacBook-Pro web-shop % "
    lines: list[Line] = [
        plain("Last login: Tue May 21 09:14:02 on ttys002", t.fg),
        plain(p + "git status -sb", t.fg),
        [("## ", t.fg), ("main", t.green), ("...", t.fg), ("origin/main", t.red), (" [ahead 2]", t.fg)],
        plain(p + "git log --oneline -2", t.fg),
        [("3f9c2e1 ", t.yellow), ("Add checkout coupon validation", t.fg)],
        [("a71b0d4 ", t.yellow), ("Fix cart total rounding", t.fg)],
        plain(p + "git push origin main", t.fg),
        plain("git@github.com: Permission denied (publickey).", t.fg),
        plain("fatal: Could not read from remote repository.", t.fg),
        plain("", t.fg),
        plain("Please make sure you have the correct access rights", t.fg),
        plain("and the repository exists.", t.fg),
        plain(p, t.fg),
    ]
    return terminal(lines, title="web-shop — -zsh — 110×28", theme=t, style="mac", size=(1000, 520), font_size=17)


def shot_docker_daemon() -> Image.Image:
    t = GNOME_DARK
    cwd = "~/deploy/shop"
    msg = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
    lines: list[Line] = [
        bash_prompt(t, "ops@srv-ci-02", cwd, "git pull --ff-only"),
        plain("Already up to date.", t.fg),
        bash_prompt(t, "ops@srv-ci-02", cwd, "docker compose up -d"),
        plain(msg, t.fg),
        bash_prompt(t, "ops@srv-ci-02", cwd, "docker ps"),
        plain(msg, t.fg),
        bash_prompt(t, "ops@srv-ci-02", cwd, "systemctl is-active docker"),
        plain("inactive", t.fg),
        bash_prompt(t, "ops@srv-ci-02", cwd),
    ]
    return terminal(lines, title="ops@srv-ci-02: ~/deploy/shop", theme=t, style="gnome", size=(1080, 460), font_size=17)


def shot_eaddrinuse() -> Image.Image:
    t = WIN_TERMINAL
    p = "PS C:\\Users\\dev\\shop-frontend> "
    grey = hex_color("#767676")
    lines: list[Line] = [
        [(p, t.fg), ("npm", t.yellow), (" run dev", t.fg)],
        plain("", t.fg),
        plain("> shop-frontend@0.4.2 dev", t.fg),
        plain("> node server.js", t.fg),
        plain("", t.fg),
        plain("node:events:497", t.fg),
        plain("      throw er; // Unhandled 'error' event", t.fg),
        plain("      ^", t.fg),
        plain("", t.fg),
        plain("Error: listen EADDRINUSE: address already in use :::3000", t.fg),
        plain("    at Server.setupListenHandle [as _listen2] (node:net:1897:16)", grey),
        plain("    at listenInCluster (node:net:1945:12)", grey),
        plain("    at Server.listen (node:net:2037:7)", grey),
        plain("    at Object.<anonymous> (C:\\Users\\dev\\shop-frontend\\server.js:41:5)", t.fg),
        plain("Emitted 'error' event on Server instance at:", t.fg),
        plain("    at emitErrorNT (node:net:1924:8)", grey),
        [
            ("  code: ", t.fg),
            ("'EADDRINUSE'", t.green),
            (", errno: ", t.fg),
            ("-4091", t.yellow),
            (", syscall: ", t.fg),
            ("'listen'", t.green),
            (", port: ", t.fg),
            ("3000", t.yellow),
        ],
        plain("", t.fg),
        plain("Node.js v20.12.2", t.fg),
        plain(p, t.fg),
    ]
    return terminal(lines, title="Windows PowerShell", theme=t, style="wt", size=(1100, 640), font_size=16)


def shot_k8s_crashloop() -> Image.Image:
    t = MAC_DARK
    rng = random.Random(1042)
    alnum = "bcdfghjklmnpqrstvwxz2456789"
    api = f"payments-api-{''.join(rng.choices(alnum, k=10))}-{''.join(rng.choices(alnum, k=5))}"
    worker = f"payments-worker-{''.join(rng.choices(alnum, k=9))}-{''.join(rng.choices(alnum, k=5))}"
    p = [("➜ ", t.green), ("infra ", t.cyan), ("git:(", t.path), ("main", t.red), (") ", t.path)]
    lines: list[Line] = [
        p + [("kubectl get pods -n payments", t.fg)],
        plain(f"{'NAME':<40}READY   STATUS             RESTARTS        AGE", t.fg),
        plain(f"{api:<40}0/1     CrashLoopBackOff   6 (2m11s ago)   9m3s", t.fg),
        plain(f"{worker:<40}1/1     Running            0               9m3s", t.fg),
        plain(f"{'redis-0':<40}1/1     Running            0               3d4h", t.fg),
        p + [(f"kubectl describe pod {api} -n payments | tail -n 5", t.fg)],
        plain("Events:", t.fg),
        plain("  Type     Reason   Age                 From     Message", t.fg),
        plain("  ----     ------   ----                ----     -------", t.fg),
        plain(
            "  Normal   Pulled   3m2s (x6 over 9m)   kubelet  Container image "
            '"registry.acme.io/payments-api:1.8.2" already present on machine',
            t.fg,
        ),
        plain(
            "  Warning  BackOff  2m (x26 over 8m58s) kubelet  Back-off restarting failed container api "
            f"in pod {api}_payments",
            t.fg,
        ),
        p,
    ]
    return terminal(lines, title="infra — kubectl — zsh — 128×30", theme=t, style="mac", size=(1240, 500), font_size=16)


def shot_mysql_denied() -> Image.Image:
    t = UBUNTU
    cwd = "~"
    lines: list[Line] = [
        bash_prompt(t, "alex@db-test", cwd, "systemctl status mysql | head -n 3"),
        [("●", t.green), (" mysql.service - MySQL Community Server", t.fg)],
        plain("     Loaded: loaded (/lib/systemd/system/mysql.service; enabled; vendor preset: enabled)", t.fg),
        [("     Active: ", t.fg), ("active (running)", t.green), (" since Tue 2024-05-21 08:02:11 UTC; 2h ago", t.fg)],
        bash_prompt(t, "alex@db-test", cwd, "mysql -u root -p"),
        plain("Enter password: ", t.fg),
        plain("ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)", t.fg),
        bash_prompt(t, "alex@db-test", cwd),
    ]
    return terminal(lines, title="alex@db-test: ~", theme=t, style="gnome", size=(1040, 430), font_size=17)


def shot_zh_pip_timeout() -> Image.Image:
    t = WIN_CMD
    p = "C:\\Users\\张伟\\Desktop\\yolo-demo>"
    site = "C:\\Users\\张伟\\AppData\\Local\\Programs\\Python\\Python311\\Lib\\site-packages\\pip\\_vendor"
    bar = [
        ("     ", t.fg),
        ("━" * 14, hex_color("#F92672")),
        ("╺" + "━" * 22, hex_color("#3A3A3A")),
        (" 61.2/159.8 MB ", t.green),
        ("38.5 kB/s", t.red),
        (" eta ", t.fg),
        ("0:42:39", t.cyan),
    ]
    lines: list[Line] = [
        plain("Microsoft Windows [版本 10.0.19045.4412]", t.fg),
        plain("(c) Microsoft Corporation。保留所有权利。", t.fg),
        plain("", t.fg),
        plain(p + "pip install torch", t.fg),
        plain("Collecting torch", t.fg),
        plain("  Downloading torch-2.3.0-cp311-cp311-win_amd64.whl (159.8 MB)", t.fg),
        bar,
        plain("ERROR: Exception:", t.red),
        plain("Traceback (most recent call last):", t.fg),
        plain(f'  File "{site}\\urllib3\\response.py", line 438, in _error_catcher', t.fg),
        plain("TimeoutError: The read operation timed out", t.fg),
        plain("", t.fg),
        plain("During handling of the above exception, another exception occurred:", t.fg),
        plain("", t.fg),
        plain(
            "pip._vendor.urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='files.pythonhosted.org', "
            "port=443): Read timed out.",
            t.fg,
        ),
        plain("", t.fg),
        plain(p, t.fg),
    ]
    return terminal(
        lines, title="命令提示符", theme=t, style="cmd", size=(1180, 620), font_kind="cjk_mono", font_size=17
    )


def shot_zh_permission() -> Image.Image:
    t = UBUNTU
    user, cwd = "zhangwei@ubuntu-dev", "~/项目/shop-api"
    lines: list[Line] = [
        bash_prompt(t, user, cwd, "git pull"),
        plain("已经是最新的。", t.fg),
        bash_prompt(t, user, cwd, "ls -l"),
        plain("总用量 16", t.fg),
        plain("-rw-rw-r-- 1 zhangwei zhangwei 1342  5月 21 10:12 deploy.sh", t.fg),
        plain("-rw-rw-r-- 1 zhangwei zhangwei  211  5月 21 10:05 docker-compose.yml", t.fg),
        [("drwxrwxr-x 4 zhangwei zhangwei 4096  5月 21 09:58 ", t.fg), ("src", t.path)],
        bash_prompt(t, user, cwd, "./deploy.sh"),
        plain("bash: ./deploy.sh: 权限不够", t.fg),
        bash_prompt(t, user, cwd),
    ]
    return terminal(
        lines, title=f"{user}: {cwd}", theme=t, style="gnome", size=(960, 440), font_kind="cjk_mono", font_size=18
    )


# --- dialogs ---------------------------------------------------------------


@dataclass(frozen=True)
class DialogSpec:
    title: str
    message: str
    buttons: tuple[str, ...]
    icon: Callable[[ImageDraw.ImageDraw, int, int, int], None] = icon_error
    font_kind: str = "sans"
    font_size: int = 16
    width: int = 560


def draw_dialog(canvas: Image.Image, spec: DialogSpec, origin: tuple[int, int]) -> Box:
    """Windows 10 style message box at `origin`; returns its box."""
    draw = ImageDraw.Draw(canvas)
    fnt = font(spec.font_kind, spec.font_size)
    text_w = spec.width - 110
    rows = wrap_words(spec.message, fnt, text_w)
    body_h = max(80, 40 + len(rows) * int(spec.font_size * 1.45))
    x0, y0 = origin
    x1, y1 = x0 + spec.width, y0 + 32 + body_h + 50
    paste_shadow(canvas, (x0, y0, x1, y1), radius=2)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((x0, y0, x1, y1), fill=(255, 255, 255), outline=hex_color("#2B79D0"))
    draw.text((x0 + 12, y0 + 7), spec.title, font=font(spec.font_kind, 14), fill=(0, 0, 0))
    draw_close_x(draw, x1 - 23, y0 + 16, 5, (40, 40, 40))
    spec.icon(draw, x0 + 48, y0 + 32 + 42, 18)
    draw_text_block(draw, (x0 + 86, y0 + 32 + 28), spec.message, fnt, (0, 0, 0), text_w)
    draw.rectangle((x0 + 1, y1 - 50, x1 - 1, y1 - 1), fill=hex_color("#F0F0F0"))
    bx = x1 - 14
    bf = font(spec.font_kind, 15)
    for i, label in enumerate(reversed(spec.buttons)):
        bw = max(88, int(bf.getlength(label)) + 24)
        box = (bx - bw, y1 - 38, bx, y1 - 12)
        default = i == len(spec.buttons) - 1
        draw.rectangle(
            box,
            fill=hex_color("#E1E1E1"),
            outline=hex_color("#0078D7") if default else hex_color("#ADADAD"),
            width=2 if default else 1,
        )
        draw.text((box[0] + (bw - bf.getlength(label)) / 2, y1 - 35), label, font=bf, fill=(0, 0, 0))
        bx -= bw + 10
    return (x0, y0, x1, y1)


def shot_win_access_denied() -> Image.Image:
    canvas = gradient((1080, 560), hex_color("#0B3C74"), hex_color("#3D7FC4"))
    background_window(
        canvas,
        (40, 30, 760, 470),
        "Downloads",
        [
            "windows10.0-kb5037768-x64_7f4c1d.msu        5/21/2024 9:41 AM    Microsoft Update Standalone",
            "vc_redist.x64.exe                            5/20/2024 4:12 PM    Application",
            "quarterly-report-Q1.xlsx                     5/17/2024 2:03 PM    Microsoft Excel Worksheet",
            "Dell-Command-Update_V2T6X.EXE                5/15/2024 11:27 AM   Application",
        ],
    )
    spec = DialogSpec(
        title="Windows Update Standalone Installer",
        message="Installer encountered an error: 0x80070005\n\nAccess is denied.",
        buttons=("OK",),
        width=520,
    )
    draw_dialog(canvas, spec, (330, 170))
    taskbar(canvas, ("9:43 AM", "5/21/2024"))
    return canvas


def shot_zh_msvcp140() -> Image.Image:
    canvas = gradient((1000, 520), hex_color("#1B4F72"), hex_color("#76A5C8"))
    background_window(
        canvas,
        (30, 24, 640, 440),
        "下载",
        [
            "GameLauncher_Setup_v3.2.1.zip     2024/5/21 14:20     压缩文件",
            "GameLauncher                      2024/5/21 14:22     文件夹",
            "微信图片_20240520.jpg              2024/5/20 19:41     JPG 文件",
        ],
        font_kind="cjk",
    )
    spec = DialogSpec(
        title="GameLauncher.exe - 系统错误",
        message="由于找不到 MSVCP140.dll，无法继续执行代码。重新安装程序可能会解决此问题。",
        buttons=("确定",),
        font_kind="cjk",
        font_size=22,
        width=620,
    )
    draw_dialog(canvas, spec, (250, 160))
    taskbar(canvas, ("14:32", "2024/5/21"), font_kind="cjk")
    return canvas


def shot_zh_disk_space() -> Image.Image:
    canvas = gradient((1120, 620), hex_color("#2C3E50"), hex_color("#4CA1AF"))
    draw = ImageDraw.Draw(canvas)
    x0, y0, x1, y1 = 40, 30, 760, 500
    draw.rectangle((x0, y0, x1, y1), fill=(255, 255, 255), outline=(160, 160, 160))
    draw.text((x0 + 12, y0 + 8), "此电脑", font=font("cjk", 14), fill=(0, 0, 0))
    win_caption_buttons(draw, x1, y0, 32, (60, 60, 60))
    draw.text((x0 + 24, y0 + 60), "设备和驱动器 (2)", font=font("cjk", 16), fill=hex_color("#1E3287"))
    drives = [
        ("本地磁盘 (C:)", "1.20 GB 可用，共 118 GB", 0.99, "#DA2626"),
        ("新加卷 (D:)", "356 GB 可用，共 465 GB", 0.23, "#26A0DA"),
    ]
    for i, (name, free, used, col) in enumerate(drives):
        y = y0 + 110 + i * 90
        draw.rectangle((x0 + 30, y, x0 + 80, y + 40), fill=hex_color("#B0B8C0"))
        draw.text((x0 + 96, y - 4), name, font=font("cjk", 16), fill=(0, 0, 0))
        draw.rectangle((x0 + 96, y + 22, x0 + 356, y + 36), fill=hex_color("#E6E6E6"), outline=(188, 188, 188))
        draw.rectangle((x0 + 97, y + 23, x0 + 97 + int(258 * used), y + 35), fill=hex_color(col))
        draw.text((x0 + 96, y + 42), free, font=font("cjk", 15), fill=(109, 109, 109))
    tx0, ty0, tx1, ty1 = 700, 400, 1100, 556
    paste_shadow(canvas, (tx0, ty0, tx1, ty1), radius=0)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((tx0, ty0, tx1, ty1), fill=hex_color("#F2F2F2"), outline=hex_color("#C8C8C8"))
    draw.text((tx0 + 16, ty0 + 12), "Windows 资源管理器", font=font("cjk", 13), fill=(70, 70, 70))
    draw_close_x(draw, tx1 - 20, ty0 + 20, 5, (70, 70, 70))
    icon_warning(draw, tx0 + 40, ty0 + 74, 20)
    draw.text((tx0 + 76, ty0 + 44), "磁盘空间不足", font=font("cjk_bold", 18), fill=(0, 0, 0))
    draw_text_block(
        draw,
        (tx0 + 76, ty0 + 74),
        "本地磁盘(C:)上的磁盘空间不足。单击此处查看是否可以释放此驱动器上的空间。",
        font("cjk", 16),
        (40, 40, 40),
        300,
    )
    taskbar(canvas, ("10:06", "2024/5/21"), font_kind="cjk")
    return canvas


def shot_zh_wechat() -> Image.Image:
    canvas = gradient((1000, 640), hex_color("#5B7C99"), hex_color("#C9D6DF"))
    background_window(
        canvas,
        (30, 30, 520, 560),
        "文档",
        ["WeChat Files", "Tencent Files", "截图_20240521_201455.png", "旅行照片"],
        font_kind="cjk",
    )
    x0, y0, w, h = 470, 60, 400, 520
    paste_shadow(canvas, (x0, y0, x0 + w, y0 + h))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((x0, y0, x0 + w, y0 + h), fill=hex_color("#F5F5F5"), outline=hex_color("#D0D0D0"))
    draw.ellipse((x0 + 14, y0 + 12, x0 + 32, y0 + 30), fill=hex_color("#07C160"))
    draw.text((x0 + 40, y0 + 10), "微信", font=font("cjk", 14), fill=(60, 60, 60))
    draw_close_x(draw, x0 + w - 20, y0 + 20, 5, (90, 90, 90))
    draw.ellipse((x0 + w - 60, y0 + 14, x0 + w - 46, y0 + 28), outline=(90, 90, 90), width=2)
    bar = (x0 + 1, y0 + 44, x0 + w - 1, y0 + 84)
    draw.rectangle(bar, fill=hex_color("#FCEFD6"))
    icon_warning(draw, x0 + 28, y0 + 64, 11)
    draw.text((x0 + 46, y0 + 53), "当前网络不可用，请检查你的网络设置", font=font("cjk", 17), fill=hex_color("#8A5A00"))
    ax = x0 + w // 2
    draw.rounded_rectangle((ax - 56, y0 + 140, ax + 56, y0 + 252), 8, fill=hex_color("#8FB3D9"))
    draw.text((ax - 22, y0 + 174), "伟", font=font("cjk_bold", 40), fill=(255, 255, 255))
    name_f = font("cjk", 20)
    draw.text((ax - name_f.getlength("张伟") / 2, y0 + 270), "张伟", font=name_f, fill=(20, 20, 20))
    draw.rounded_rectangle((ax - 110, y0 + 340, ax + 110, y0 + 384), 4, fill=hex_color("#9ADBB5"))
    bf = font("cjk", 17)
    draw.text((ax - bf.getlength("进入微信") / 2, y0 + 350), "进入微信", font=bf, fill=(255, 255, 255))
    lf = font("cjk", 15)
    draw.text((ax - 120, y0 + h - 50), "切换账号", font=lf, fill=hex_color("#576B95"))
    draw.text((ax + 30, y0 + h - 50), "仅传输文件", font=lf, fill=hex_color("#576B95"))
    taskbar(canvas, ("20:17", "2024/5/21"), font_kind="cjk")
    return canvas


# --- browser pages ---------------------------------------------------------


def browser_frame(size: tuple[int, int], tab: str, url: str, *, insecure: bool = False) -> Image.Image:
    """Chrome-like window: tab strip, toolbar with omnibox, bookmarks bar."""
    img = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    w = size[0]
    draw.rectangle((0, 0, w, 40), fill=hex_color("#DEE1E6"))
    draw.rounded_rectangle((8, 6, 260, 48), 8, fill=(255, 255, 255))
    draw.ellipse((20, 16, 36, 32), fill=hex_color("#9AA0A6"))
    draw.text((44, 14), tab, font=font("sans", 13), fill=(32, 33, 36))
    draw_close_x(draw, 244, 23, 4, (95, 99, 104))
    draw.text((272, 8), "+", font=font("sans", 20), fill=(95, 99, 104))
    win_caption_buttons(draw, w, 0, 40, (60, 64, 67))
    draw.rectangle((0, 40, w, 84), fill=(255, 255, 255))
    for i, glyph in enumerate(["←", "→", "↻"]):
        draw.text((16 + i * 34, 49), glyph, font=font("sans", 19), fill=(95, 99, 104))
    draw.rounded_rectangle((120, 47, w - 90, 78), 15, fill=hex_color("#F1F3F4"))
    uf = font("sans", 15)
    x = 140
    if insecure:
        draw.text((x, 54), "Not secure", font=uf, fill=hex_color("#D93025"))
        x += int(uf.getlength("Not secure")) + 14
        draw.line([(x - 7, 52), (x - 7, 72)], fill=(190, 190, 190))
        draw.text((x, 54), "https://", font=uf, fill=hex_color("#D93025"))
        draw.line([(x, 63), (x + uf.getlength("https"), 63)], fill=hex_color("#D93025"))
        x += int(uf.getlength("https://"))
    draw.text((x, 54), url, font=uf, fill=(32, 33, 36))
    draw.ellipse((w - 68, 50, w - 42, 76), fill=hex_color("#8AB4F8"))
    draw.rectangle((0, 84, w, 112), fill=(255, 255, 255))
    bx = 16
    for mark in ["Jira", "Grafana", "GitLab", "Confluence", "AWS Console"]:
        draw.rectangle((bx, 92, bx + 12, 104), fill=hex_color("#BDC1C6"))
        draw.text((bx + 18, 90), mark, font=font("sans", 12), fill=(60, 64, 67))
        bx += 40 + int(font("sans", 12).getlength(mark))
    draw.line([(0, 112), (w, 112)], fill=hex_color("#DADCE0"))
    return img


def chrome_error_page(
    img: Image.Image, heading: str, lines: list[tuple[str, str]], code: str, icon: str, buttons: tuple[str, str]
) -> None:
    """Body of a Chrome interstitial; `lines` are (style, text) pairs."""
    draw = ImageDraw.Draw(img)
    x = int(img.width * 0.2)
    y = 160
    if icon == "sad":
        draw.rectangle((x, y, x + 50, y + 60), outline=(95, 99, 104), width=3)
        draw.ellipse((x + 13, y + 20, x + 19, y + 26), fill=(95, 99, 104))
        draw.ellipse((x + 31, y + 20, x + 37, y + 26), fill=(95, 99, 104))
        draw.arc((x + 13, y + 36, x + 37, y + 56), 200, 340, fill=(95, 99, 104), width=3)
    else:
        draw.polygon([(x + 28, y), (x + 58, y + 56), (x - 2, y + 56)], fill=hex_color("#D93025"))
        draw.text((x + 23, y + 16), "!", font=font("sans_bold", 28), fill=(255, 255, 255))
    y += 96
    draw.text((x, y), heading, font=font("sans", 28), fill=(32, 33, 36))
    y += 58
    width = int(img.width * 0.6)
    for style, text in lines:
        fnt = font("sans_bold" if style == "bold" else "sans", 16)
        y = draw_text_block(draw, (x, y), text, fnt, (95, 99, 104), width) + 6
    draw.text((x, y + 12), code, font=font("sans", 15), fill=(95, 99, 104))
    by = y + 70
    left, right = buttons
    lf = font("sans", 15)
    draw.rounded_rectangle((x, by, x + lf.getlength(left) + 32, by + 36), 4, outline=hex_color("#DADCE0"))
    draw.text((x + 16, by + 8), left, font=lf, fill=hex_color("#1A73E8"))
    rx = x + width
    rw = int(lf.getlength(right)) + 32
    draw.rounded_rectangle((rx - rw, by, rx, by + 36), 4, fill=hex_color("#1A73E8"))
    draw.text((rx - rw + 16, by + 8), right, font=lf, fill=(255, 255, 255))


def shot_chrome_refused() -> Image.Image:
    img = browser_frame((1200, 680), "localhost", "localhost:8080/admin/login")
    chrome_error_page(
        img,
        "This site can’t be reached",
        [
            ("bold", "localhost refused to connect."),
            ("plain", "Try:"),
            ("plain", "  •  Checking the connection"),
            ("plain", "  •  Checking the proxy and the firewall"),
        ],
        "ERR_CONNECTION_REFUSED",
        "sad",
        ("Details", "Reload"),
    )
    return img


def shot_cert_date_invalid() -> Image.Image:
    img = browser_frame((1200, 680), "Privacy error", "portal.example-corp.com/login", insecure=True)
    chrome_error_page(
        img,
        "Your connection is not private",
        [
            (
                "plain",
                "Attackers might be trying to steal your information from "
                "portal.example-corp.com (for example, passwords, messages, or credit "
                "cards). Learn more",
            )
        ],
        "NET::ERR_CERT_DATE_INVALID",
        "warn",
        ("Advanced", "Back to safety"),
    )
    return img


def shot_nginx_502() -> Image.Image:
    img = browser_frame((1100, 520), "502 Bad Gateway", "shop.example.com/checkout/payment")
    draw = ImageDraw.Draw(img)
    h1 = font("serif_bold", 32)
    title = "502 Bad Gateway"
    draw.text(((img.width - h1.getlength(title)) / 2, 150), title, font=h1, fill=(0, 0, 0))
    draw.line([(10, 214), (img.width - 10, 214)], fill=(150, 150, 150), width=1)
    draw.line([(10, 215), (img.width - 10, 215)], fill=(230, 230, 230), width=1)
    sig = "nginx/1.24.0 (Ubuntu)"
    f = font("serif", 17)
    draw.text(((img.width - f.getlength(sig)) / 2, 226), sig, font=f, fill=(0, 0, 0))
    return img


# --- IDE / notebook / blue screen -------------------------------------------


@dataclass(frozen=True)
class IdeTheme:
    bg: Color
    fg: Color
    chrome: Color
    gutter: Color
    panel: Color
    accent: Color
    keyword: Color
    string: Color


VSCODE_DARK = IdeTheme(
    bg=hex_color("#1F1F1F"),
    fg=hex_color("#CCCCCC"),
    chrome=hex_color("#181818"),
    gutter=hex_color("#6E7681"),
    panel=hex_color("#181818"),
    accent=hex_color("#0078D4"),
    keyword=hex_color("#C586C0"),
    string=hex_color("#CE9178"),
)
INTELLIJ_LIGHT = IdeTheme(
    bg=hex_color("#FFFFFF"),
    fg=hex_color("#080808"),
    chrome=hex_color("#F2F2F2"),
    gutter=hex_color("#ADADAD"),
    panel=hex_color("#FFFFFF"),
    accent=hex_color("#3574F0"),
    keyword=hex_color("#0033B3"),
    string=hex_color("#067D17"),
)


def ide_window(
    theme: IdeTheme,
    title: str,
    tabs: tuple[str, str],
    code: list[Line],
    panel_tabs: list[str],
    console: list[Line],
    size: tuple[int, int] = (1240, 680),
) -> Image.Image:
    """Editor pane with line numbers on top, console/terminal panel below."""
    img = Image.new("RGB", size, theme.bg)
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((0, 0, w, 34), fill=theme.chrome)
    tf = font("sans", 13)
    draw.text(((w - tf.getlength(title)) / 2, 9), title, font=tf, fill=theme.gutter)
    win_caption_buttons(draw, w, 0, 34, theme.gutter)
    draw.rectangle((0, 34, 48, h), fill=theme.chrome)
    for i in range(5):
        draw.rounded_rectangle((14, 50 + i * 48, 34, 70 + i * 48), 3, outline=theme.gutter, width=2)
    draw.rectangle((48, 34, w, 70), fill=theme.chrome)
    draw.rectangle((48, 34, 248, 70), fill=theme.bg)
    draw.line([(48, 34), (248, 34)], fill=theme.accent, width=2)
    draw.text((66, 44), tabs[0], font=tf, fill=theme.fg)
    draw.text((272, 44), tabs[1], font=tf, fill=theme.gutter)
    cf = font("mono", 15)
    step = 22
    for i, line in enumerate(code):
        y = 82 + i * step
        num = str(30 + i)
        draw.text((100 - cf.getlength(num), y), num, font=cf, fill=theme.gutter)
        draw_runs(draw, (120, y), line, cf)
    top = 82 + len(code) * step + 16
    draw.rectangle((48, top, w, h), fill=theme.panel)
    draw.line([(48, top), (w, top)], fill=theme.gutter)
    x = 64
    pf = font("sans", 12)
    for i, name in enumerate(panel_tabs):
        active = i == len(panel_tabs) - 1
        draw.text((x, top + 10), name, font=pf, fill=theme.fg if active else theme.gutter)
        if active:
            draw.line([(x, top + 30), (x + pf.getlength(name), top + 30)], fill=theme.accent, width=2)
        x += int(pf.getlength(name)) + 26
    console_font = font("mono", 17)
    rows: list[Line] = []
    for line in console:
        rows.extend(wrap_runs(line, console_font, w - 48 - 40))
    step = 23
    visible = (h - top - 50) // step
    y = top + 42
    for row in rows[-visible:]:
        draw_runs(draw, (64, y), row, console_font)
        y += step
    return img


def shot_vscode_unicode() -> Image.Image:
    t = VSCODE_DARK
    fn, var, num = hex_color("#DCDCAA"), hex_color("#9CDCFE"), hex_color("#B5CEA8")
    code: list[Line] = [
        [("def ", t.keyword), ("load_sales", fn), ("(path):", t.fg)],
        [("    rows = []", t.fg)],
        [
            ("    with ", t.keyword),
            ("open", fn),
            ("(path, ", t.fg),
            ("encoding", var),
            ("=", t.fg),
            ('"utf-8"', t.string),
            (") as f:", t.fg),
        ],
        [("        for ", t.keyword), ("line ", var), ("in ", t.keyword), ("f:", t.fg)],
        [("            rows.append(line.strip().split(", t.fg), ('","', t.string), ("))", t.fg)],
        [("    return ", t.keyword), ("rows[", t.fg), ("1", num), (":]", t.fg)],
    ]
    red = hex_color("#F14C4C")
    console: list[Line] = [
        [
            ("PS D:\\work\\reports> ", t.fg),
            ("python", hex_color("#DCDCAA")),
            (" process_sales.py data\\sales_2024_05.csv", t.fg),
        ],
        plain("Traceback (most recent call last):", t.fg),
        plain('  File "D:\\work\\reports\\process_sales.py", line 48, in <module>', t.fg),
        plain("    rows = load_sales(sys.argv[1])", t.fg),
        plain('  File "D:\\work\\reports\\process_sales.py", line 33, in load_sales', t.fg),
        plain("    for line in f:", t.fg),
        plain('  File "<frozen codecs>", line 322, in decode', t.fg),
        plain("UnicodeDecodeError: 'utf-8' codec can't decode byte 0xb0 in position 12: invalid start byte", red),
        plain("PS D:\\work\\reports> ", t.fg),
    ]
    return ide_window(
        t,
        "process_sales.py - reports - Visual Studio Code",
        ("process_sales.py", "config.toml"),
        code,
        ["PROBLEMS", "OUTPUT", "DEBUG CONSOLE", "TERMINAL"],
        console,
    )


def shot_intellij_java_heap() -> Image.Image:
    t = INTELLIJ_LIGHT
    red, link, grey = hex_color("#D0021B"), hex_color("#2A5DB0"), hex_color("#7F7F7F")
    code: list[Line] = [
        [("    ", t.fg), ("public ", t.keyword), ("Report build(List<Order> orders) {", t.fg)],
        [
            ("        List<", t.fg),
            ("byte", t.keyword),
            ("[]> pages = ", t.fg),
            ("new ", t.keyword),
            ("ArrayList<>();", t.fg),
        ],
        [("        for ", t.keyword), ("(Order o : orders) {", t.fg)],
        [("            pages.add(renderer.renderPdfPage(o));", t.fg)],
        [("        }", t.fg)],
        [("        return new ", t.keyword), ("Report(pages);", t.fg)],
    ]
    console: list[Line] = [
        plain(
            "/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xmx512m -javaagent:/opt/idea/lib/idea_rt.jar "
            "-Dfile.encoding=UTF-8 -classpath /home/lena/acme-reports/target/classes com.acme.report.Main",
            grey,
        ),
        plain("10:41:07.332 [main] INFO  com.acme.report.Main - Loading 184 203 orders for 2024-Q1", t.fg),
        plain('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space', red),
        [("    at java.base/java.util.Arrays.copyOf(", red), ("Arrays.java:3537", link), (")", red)],
        [
            ("    at java.base/java.io.ByteArrayOutputStream.ensureCapacity(", red),
            ("ByteArrayOutputStream.java:100", link),
            (")", red),
        ],
        [("    at com.acme.report.PdfRenderer.renderPdfPage(", red), ("PdfRenderer.java:88", link), (")", red)],
        [("    at com.acme.report.ReportBuilder.build(", red), ("ReportBuilder.java:33", link), (")", red)],
        plain("", t.fg),
        plain("Process finished with exit code 1", t.fg),
    ]
    return ide_window(
        t,
        "acme-reports – ReportBuilder.java",
        ("ReportBuilder.java", "PdfRenderer.java"),
        code,
        ["Run:", "Main"],
        console,
    )


def shot_jupyter_cuda() -> Image.Image:
    img = Image.new("RGB", (1180, 540), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 1180, 52), fill=(255, 255, 255))
    draw.text((20, 12), "jupyter", font=font("sans", 22), fill=hex_color("#F37626"))
    draw.text((130, 16), "finetune_llama  Last Checkpoint: 3 minutes ago", font=font("sans", 15), fill=(40, 40, 40))
    draw.text((20, 60), "File   Edit   View   Run   Kernel   Settings   Help", font=font("sans", 14), fill=(60, 60, 60))
    draw.line([(0, 88), (1180, 88)], fill=(224, 224, 224))
    mf = font("mono", 15)
    draw.text((14, 110), "[14]:", font=mf, fill=hex_color("#307FC1"))
    code = [
        "for step, batch in enumerate(train_loader):",
        '    batch = {k: v.to("cuda") for k, v in batch.items()}',
        "    out = model(**batch)",
        "    out.loss.backward()",
    ]
    draw.rectangle((80, 104, 1160, 112 + 22 * len(code)), fill=hex_color("#F5F5F5"), outline=(224, 224, 224))
    for i, row in enumerate(code):
        draw.text((90, 108 + i * 22), row, font=mf, fill=(0, 0, 0))
    out = [
        ("-" * 75, (0, 0, 0)),
        ("OutOfMemoryError                          Traceback (most recent call last)", hex_color("#B22B31")),
        ("Cell In[14], line 3", hex_color("#00A250")),
        ("      1 for step, batch in enumerate(train_loader):", (0, 0, 0)),
        ('      2     batch = {k: v.to("cuda") for k, v in batch.items()}', (0, 0, 0)),
        ("----> 3     out = model(**batch)", hex_color("#00A250")),
        ("", (0, 0, 0)),
        (
            "OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of "
            "23.64 GiB of which 1.31 GiB is free. Including non-PyTorch memory, this process has 22.31 GiB memory "
            "in use. Of the allocated memory 20.87 GiB is allocated by PyTorch, and 1.02 GiB is reserved by "
            "PyTorch but unallocated.",
            hex_color("#B22B31"),
        ),
    ]
    y0 = 130 + 22 * len(code)
    rows: list[Line] = []
    for text, color in out:  # Jupyter wraps long output lines at spaces
        rows.extend([(part, color)] for part in wrap_words(text, mf, 1050))
    draw.rectangle((80, y0, 1160, y0 + 16 + 22 * len(rows)), fill=hex_color("#FDDDDD"))
    for i, row in enumerate(rows):
        draw_runs(draw, (90, y0 + 8 + i * 22), row, mf)
    return img


def shot_bsod() -> Image.Image:
    blue = hex_color("#0078D7")
    img = Image.new("RGB", (1200, 680), blue)
    draw = ImageDraw.Draw(img)
    white = (255, 255, 255)
    x = 120
    draw.text((x, 50), ":(", font=font("sans", 120), fill=white)
    y = draw_text_block(
        draw,
        (x, 230),
        "Your PC ran into a problem and needs to restart. We're just collecting "
        "some error info, and then we'll restart for you.",
        font("sans", 24),
        white,
        900,
    )
    draw.text((x, y + 20), "40% complete", font=font("sans", 24), fill=white)
    rng = random.Random(7)
    qx, qy, cell = x, y + 90, 5
    draw.rectangle((qx, qy, qx + 25 * cell + 8, qy + 25 * cell + 8), fill=white)
    for i in range(25):
        for j in range(25):
            finder = any(i0 <= i < i0 + 7 and j0 <= j < j0 + 7 for i0, j0 in [(0, 0), (0, 18), (18, 0)])
            if (finder and (i % 6 == 0 or j % 6 == 0 or (2 <= i % 18 <= 4 and 2 <= j % 18 <= 4))) or (
                not finder and rng.random() < 0.5
            ):
                draw.rectangle((qx + 4 + j * cell, qy + 4 + i * cell, qx + 8 + j * cell, qy + 8 + i * cell), fill=blue)
    tx = qx + 25 * cell + 30
    small = font("sans", 16)
    draw_text_block(
        draw,
        (tx, qy),
        "For more information about this issue and possible fixes, visit https://www.windows.com/stopcode",
        small,
        white,
        760,
    )
    draw.text((tx, qy + 60), "If you call a support person, give them this info:", font=small, fill=white)
    draw.text((tx, qy + 86), "Stop code: IRQL_NOT_LESS_OR_EQUAL", font=small, fill=white)
    draw.text((tx, qy + 110), "What failed: rtwlanu.sys", font=small, fill=white)
    return img


# --- more screenshots (added for the 40-item eval set) -----------------------


def shot_command_not_found() -> Image.Image:
    t = GNOME_DARK
    user, cwd = "lena@laptop", "~/infra/terraform"
    lines: list[Line] = [
        bash_prompt(t, user, cwd, "terraform init"),
        plain("Command 'terraform' not found, but can be installed with:", t.fg),
        plain("sudo snap install terraform", t.fg),
        bash_prompt(t, user, cwd, "kubectl get nodes"),
        plain("bash: kubectl: command not found", t.fg),
        bash_prompt(t, user, cwd),
    ]
    return terminal(lines, title=f"{user}: {cwd}", theme=t, style="gnome", size=(900, 300), font_size=17)


def shot_dns_nxdomain() -> Image.Image:
    img = browser_frame((1000, 560), "intranet.acme-corp.com", "intranet.acme-corp.com/wiki")
    chrome_error_page(
        img,
        "This site can’t be reached",
        [
            ("plain", "Check if there is a typo in intranet.acme-corp.com."),
            ("plain", "If spelling is correct, try running Windows Network Diagnostics."),
        ],
        "DNS_PROBE_FINISHED_NXDOMAIN",
        "sad",
        ("Details", "Reload"),
    )
    return img


def shot_git_merge_conflict() -> Image.Image:
    t = MAC_LIGHT
    p = "sam@MacBook-Air billing % "
    lines: list[Line] = [
        plain(p + "git checkout main && git pull -q", t.fg),
        plain("Switched to branch 'main'", t.fg),
        plain(p + "git merge feature/invoice-pdf", t.fg),
        plain("Auto-merging src/invoice.py", t.fg),
        plain("CONFLICT (content): Merge conflict in src/invoice.py", t.fg),
        plain("Automatic merge failed; fix conflicts and then commit the result.", t.fg),
        plain(p, t.fg),
    ]
    return terminal(lines, title="billing — -zsh — 100×14", theme=t, style="mac", size=(860, 260), font_size=17)


def shot_module_not_found() -> Image.Image:
    t = WIN_TERMINAL
    p = "PS C:\\Users\\ana\\sales-report> "
    grey = hex_color("#767676")
    lines: list[Line] = [
        [(p, t.fg), ("python", t.yellow), (" report.py --month 2024-05", t.fg)],
        plain("Traceback (most recent call last):", t.fg),
        plain('  File "C:\\Users\\ana\\sales-report\\report.py", line 3, in <module>', grey),
        plain("    import pandas as pd", t.fg),
        plain("ModuleNotFoundError: No module named 'pandas'", t.red),
        plain(p, t.fg),
    ]
    return terminal(lines, title="Windows PowerShell", theme=t, style="wt", size=(900, 280), font_size=16)


def shot_ssh_host_key() -> Image.Image:
    t = UBUNTU
    warn = "@" * 59
    lines: list[Line] = [
        bash_prompt(t, "deploy@ci-runner", "~", "ssh deploy@203.0.113.10"),
        plain(warn, t.fg),
        plain("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @", t.fg),
        plain(warn, t.fg),
        plain("IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!", t.fg),
        plain("Offending ECDSA key in /home/deploy/.ssh/known_hosts:7", t.fg),
        plain("Host key for 203.0.113.10 has changed and you have requested strict checking.", t.fg),
        plain("Host key verification failed.", t.fg),
        bash_prompt(t, "deploy@ci-runner", "~"),
    ]
    return terminal(lines, title="deploy@ci-runner: ~", theme=t, style="gnome", size=(940, 340), font_size=16)


def shot_zh_redis_refused() -> Image.Image:
    t = GNOME_DARK
    user, cwd = "liming@dev-server", "~/商城后端"
    lines: list[Line] = [
        bash_prompt(t, user, cwd, "python manage.py runserver"),
        plain("错误：无法连接缓存服务，请检查 Redis 是否启动", t.red),
        bash_prompt(t, user, cwd, "redis-cli ping"),
        plain("Could not connect to Redis at 127.0.0.1:6379: Connection refused", t.fg),
        bash_prompt(t, user, cwd),
    ]
    return terminal(
        lines, title=f"{user}: {cwd}", theme=t, style="gnome", size=(900, 260), font_kind="cjk_mono", font_size=17
    )


# ---------------------------------------------------------------------------
# Query list
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    id: str
    image: str
    question: str
    expected: str
    render: Callable[[], Image.Image]
    key: str  # text that must survive OCR (checked by hand / in tests)


Q_EN = "How do I fix this?"
Q_EN2 = "What does this error mean and how do I fix it?"
Q_EN3 = "I keep getting this, any idea?"
Q_ZH = "这个错误怎么解决？"
Q_ZH2 = "怎么修复这个问题？"

SHOTS: list[Shot] = [
    Shot(
        "shot01",
        "shot01-pip-ssl.png",
        Q_EN,
        "kb/pip-ssl-certificate-verify-failed.md",
        shot_pip_ssl,
        "CERTIFICATE_VERIFY_FAILED",
    ),
    Shot(
        "shot02",
        "shot02-git-publickey.png",
        Q_EN2,
        "kb/git-permission-denied-publickey.md",
        shot_git_publickey,
        "Permission denied (publickey)",
    ),
    Shot(
        "shot03",
        "shot03-docker-daemon.png",
        Q_EN,
        "kb/docker-cannot-connect-daemon.md",
        shot_docker_daemon,
        "Cannot connect to the Docker daemon",
    ),
    Shot(
        "shot04",
        "shot04-chrome-refused.png",
        Q_EN3,
        "kb/chrome-err-connection-refused.md",
        shot_chrome_refused,
        "ERR_CONNECTION_REFUSED",
    ),
    Shot(
        "shot05",
        "shot05-win-0x80070005.png",
        Q_EN,
        "kb/windows-0x80070005-access-denied.md",
        shot_win_access_denied,
        "0x80070005",
    ),
    Shot(
        "shot06",
        "shot06-vscode-unicodedecode.png",
        Q_EN2,
        "kb/python-unicodedecodeerror-utf8.md",
        shot_vscode_unicode,
        "UnicodeDecodeError: 'utf-8' codec can't decode byte",
    ),
    Shot(
        "shot07",
        "shot07-node-eaddrinuse.png",
        Q_EN,
        "kb/node-eaddrinuse-port-in-use.md",
        shot_eaddrinuse,
        "EADDRINUSE: address already in use",
    ),
    Shot(
        "shot08",
        "shot08-jupyter-cuda-oom.png",
        Q_EN,
        "kb/cuda-out-of-memory.md",
        shot_jupyter_cuda,
        "CUDA out of memory",
    ),
    Shot(
        "shot09",
        "shot09-cert-date-invalid.png",
        Q_EN2,
        "kb/browser-net-err-cert-date-invalid.md",
        shot_cert_date_invalid,
        "NET::ERR_CERT_DATE_INVALID",
    ),
    Shot(
        "shot10",
        "shot10-k8s-crashloop.png",
        Q_EN,
        "kb/kubernetes-crashloopbackoff.pdf",
        shot_k8s_crashloop,
        "CrashLoopBackOff",
    ),
    Shot("shot11", "shot11-nginx-502.png", Q_EN3, "kb/nginx-502-bad-gateway.pdf", shot_nginx_502, "502 Bad Gateway"),
    Shot(
        "shot12",
        "shot12-zh-pip-timeout.png",
        Q_ZH,
        "kb/zh-pip-read-timeout.md",
        shot_zh_pip_timeout,
        "ReadTimeoutError",
    ),
    Shot(
        "shot13",
        "shot13-zh-msvcp140.png",
        Q_ZH,
        "kb/zh-windows-msvcp140-missing.pdf",
        shot_zh_msvcp140,
        "找不到 MSVCP140.dll",
    ),
    Shot(
        "shot14",
        "shot14-zh-wechat-network.png",
        Q_ZH2,
        "kb/zh-wechat-network-unavailable.md",
        shot_zh_wechat,
        "当前网络不可用",
    ),
    Shot(
        "shot15", "shot15-zh-permission.png", Q_ZH, "kb/zh-linux-permission-denied.md", shot_zh_permission, "权限不够"
    ),
    Shot(
        "shot16",
        "shot16-mysql-access-denied.png",
        Q_EN,
        "kb/mysql-access-denied-for-user.pdf",
        shot_mysql_denied,
        "Access denied for user 'root'@'localhost'",
    ),
    Shot(
        "shot17",
        "shot17-intellij-java-heap.png",
        Q_EN2,
        "kb/java-outofmemoryerror-heap-space.pdf",
        shot_intellij_java_heap,
        "java.lang.OutOfMemoryError: Java heap space",
    ),
    Shot(
        "shot18",
        "shot18-bsod-irql.png",
        Q_EN,
        "kb/windows-bsod-irql-not-less-or-equal.pdf",
        shot_bsod,
        "IRQL_NOT_LESS_OR_EQUAL",
    ),
    Shot(
        "shot19",
        "shot19-zh-disk-space.png",
        Q_ZH2,
        "kb/zh-windows-disk-space-low.md",
        shot_zh_disk_space,
        "磁盘空间不足",
    ),    Shot("shot20", "shot20-command-not-found.png", Q_EN, "kb/bash-command-not-found.md", shot_command_not_found, "command not found"),
    Shot("shot21", "shot21-dns-nxdomain.png", Q_EN3, "kb/chrome-dns-probe-finished-nxdomain.md", shot_dns_nxdomain, "DNS_PROBE_FINISHED_NXDOMAIN"),
    Shot("shot22", "shot22-git-merge-conflict.png", Q_EN2, "kb/git-merge-conflict.md", shot_git_merge_conflict, "Merge conflict in src/invoice.py"),
    Shot("shot23", "shot23-module-not-found.png", Q_EN, "kb/python-modulenotfounderror.md", shot_module_not_found, "No module named 'pandas'"),
    Shot("shot24", "shot24-ssh-host-key.png", Q_EN2, "kb/ssh-host-key-verification-failed.md", shot_ssh_host_key, "Host key verification failed"),
    Shot("shot25", "shot25-zh-redis-refused.png", Q_ZH, "kb/zh-redis-connection-refused.md", shot_zh_redis_refused, "Connection refused"),
]

# answer_contains of each screenshot: a command from the right article's fix steps.
SHOT_ANSWERS: dict[str, tuple[str, ...]] = {
    "shot01": ("python -m pip install --upgrade pip certifi",),
    "shot02": ("ssh-keygen -t ed25519",),
    "shot03": ("sudo systemctl start docker",),
    "shot04": ("curl -v http://localhost:8080",),
    "shot05": ("sfc /scannow",),
    "shot06": ('encoding="utf-8-sig"',),
    "shot07": ("lsof -i :3000",),
    "shot08": ("nvidia-smi",),
    "shot09": ("sudo certbot renew",),
    "shot10": ("kubectl logs",),
    "shot11": ("sudo nginx -t",),
    "shot12": ("pypi.tuna.tsinghua.edu.cn",),
    "shot13": ("vc_redist.x64.exe",),
    "shot14": ("netsh winsock reset",),
    "shot15": ("chmod +x deploy.sh",),
    "shot16": ("FROM mysql.user",),
    "shot17": ("-Xmx4g",),
    "shot18": ("mdsched.exe",),
    "shot19": ("cleanmgr",),
    "shot20": ("which kubectl",),
    "shot21": ("ipconfig /flushdns",),
    "shot22": ("git merge --abort",),
    "shot23": ("python -m pip install",),
    "shot24": ("ssh-keygen -R",),
    "shot25": ("sudo systemctl start redis-server",),
}


@dataclass(frozen=True)
class Typed:
    """A question typed by a user, no screenshot: paraphrases, pasted error text, bare codes."""

    id: str
    question: str
    expected: str
    answer: tuple[str, ...]


TYPED: list[Typed] = [
    Typed("text01", "npm install -g typescript fails with EACCES: permission denied", "kb/npm-eacces-permission-denied.md", ("npm config set prefix ~/.npm-global",)),
    Typed("text02", "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", "kb/node-javascript-heap-out-of-memory.md", ("--max-old-space-size=4096",)),
    Typed("text03", 'psql: error: FATAL: password authentication failed for user "postgres"', "kb/postgresql-password-authentication-failed.md", ("sudo -u postgres psql",)),
    Typed("text04", "OSError: [Errno 28] No space left on device", "kb/linux-no-space-left-on-device.md", ("df -h",)),
    Typed("text05", "My printer shows Offline in Windows and nothing prints", "kb/printer-offline.pdf", ("net stop spooler",)),
    Typed("text06", "Excel says Product Activation Failed and most features are disabled", "kb/office-activation-failed.pdf", ("OSPP.VBS",)),
    Typed("text07", "Wi-Fi is connected but Windows says No Internet, secured", "kb/windows-wifi-no-internet-secured.md", ("ipconfig /renew",)),
    Typed("text08", "pip install on Ubuntu 24.04 says error: externally-managed-environment", "kb/python-externally-managed-environment.md", ("python3 -m venv .venv",)),
    Typed("text09", "0x80070005", "kb/windows-0x80070005-access-denied.md", ("sfc /scannow",)),
    Typed("text10", "ERR_CONNECTION_REFUSED", "kb/chrome-err-connection-refused.md", ("curl -v http://localhost:8080",)),
    Typed("text11", "CrashLoopBackOff", "kb/kubernetes-crashloopbackoff.pdf", ("kubectl logs",)),
    Typed("text12", "IRQL_NOT_LESS_OR_EQUAL", "kb/windows-bsod-irql-not-less-or-equal.pdf", ("mdsched.exe",)),
    Typed("text13", "java.lang.OutOfMemoryError: Java heap space", "kb/java-outofmemoryerror-heap-space.pdf", ("-Xmx4g",)),
    Typed("text14", "docker ps says the daemon isn't running on my Linux server", "kb/docker-cannot-connect-daemon.md", ("sudo systemctl start docker",)),
    Typed("text15", "pip can't verify the SSL certificate of pypi.org behind our company proxy", "kb/pip-ssl-certificate-verify-failed.md", ("pip config set global.cert",)),
    Typed("text16", "my PyTorch training crashes because the GPU ran out of memory", "kb/cuda-out-of-memory.md", ("PYTORCH_CUDA_ALLOC_CONF",)),
    Typed("text17", "node server won't start, port 3000 is already taken", "kb/node-eaddrinuse-port-in-use.md", ("lsof -i :3000",)),
    Typed("text18", "git clone GitHub 一直超时：Failed to connect to github.com port 443", "kb/zh-git-clone-timeout.md", ("git config --global --unset http.proxy",)),
    Typed("text19", "Python 调用 ffmpeg 报错：系统找不到指定的文件", "kb/zh-system-cannot-find-file.md", ("where ffmpeg",)),
    Typed("text20", "WPS 打开 Word 文档提示文件已损坏，怎么办？", "kb/zh-wps-file-corrupted.md", ("文档修复",)),
    Typed("text21", "MySQL 登录提示 Access denied for user 'root'@'localhost'", "kb/mysql-access-denied-for-user.pdf", ("sudo mysql",)),
    Typed("text22", "ssh 连接服务器提示 REMOTE HOST IDENTIFICATION HAS CHANGED", "kb/ssh-host-key-verification-failed.md", ("ssh-keygen -R",)),
    Typed("text23", "Redis 连接被拒绝怎么解决？", "kb/zh-redis-connection-refused.md", ("sudo systemctl start redis-server",)),
]


def save_png(img: Image.Image, path: Path) -> None:
    img.save(path, optimize=True)
    if path.stat().st_size > 150_000:
        # Flat UI colours survive palette quantisation without visible loss.
        img.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


def main() -> None:
    KB_DIR.mkdir(exist_ok=True)
    QUERY_DIR.mkdir(exist_ok=True)
    for name, source in PDF_ARTICLES.items():
        print("pdf ", build_pdf(name, source).relative_to(HERE))
    records = []
    for shot in SHOTS:
        if not (HERE / shot.expected).exists():
            raise FileNotFoundError(shot.expected)
        save_png(shot.render(), QUERY_DIR / shot.image)
        print("png ", f"queries/{shot.image}")
        records.append({"id": shot.id, "question": shot.question, "image": shot.image, "expected": shot.expected, "ocr_key": shot.key, "answer_contains": list(SHOT_ANSWERS[shot.id])})
    for typed in TYPED:
        if not (HERE / typed.expected).exists():
            raise FileNotFoundError(typed.expected)
        records.append({"id": typed.id, "question": typed.question, "expected": typed.expected, "answer_contains": list(typed.answer), "kind": "typed"})
    with open(QUERY_DIR / "queries.jsonl", "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print("jsonl queries/queries.jsonl")


if __name__ == "__main__":
    main()
