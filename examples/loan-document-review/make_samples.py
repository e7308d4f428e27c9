"""Regenerate the synthetic loan applications in ``files/``, the manifest and the query cases.

Every past application ``aNN`` has ``files/aNN/income-statement.pdf`` (a text PDF for about half
of them, a "scanned" image-only PDF of a photographed statement for the rest; English or
Chinese 收入证明), ``certificate.jpg`` (phone photo of a property-ownership certificate /
不动产权证书), ``id-card.jpg`` (phone photo of a fictional ID card) and ``note.md`` (the
reviewer's note). ``applications.csv`` is the manifest the pipeline reads (``case_id,files,``
then the fields ``amount,outcome,employer,monthly_income,city,applied_on``; ``files`` is a
``;``-separated list relative to the CSV's folder); ``applications.jsonl`` holds the same rows
for the JSONL manifest reader.

ALL DATA IS SYNTHETIC: every person, employer, address and certificate is fictional, every
document says SPECIMEN / 样例, and ID numbers use the made-up form ``SPEC-0042-XXXX``.

Built-in patterns (so that "similar application" means something):
  * Shell-employer ring A, "Hengtai Jiye Trading Co., Ltd." (恒泰基业商贸有限公司), round monthly
    incomes of 50,000 / 60,000 / 80,000 CNY, all fraud: a05 a11 a17 a23 a31 a38.
  * Shell-employer ring B, "Northgate Consulting Partners Ltd.", round 40,000 / 45,000 CNY,
    all fraud: a08 a20 a33 a42.
  * Re-submitted document images (the same source photo, transformed; see REUSE):
      a14 certificate.jpg = a03's (re-compressed q55 and resized to 75 %)
      a27 certificate.jpg = a03's (cropped 7 % and rotated 2 degrees)
      a17 certificate.jpg = a05's (re-lit and cropped 5 %)
      a36 certificate.jpg = a12's (resized to 60 % and re-compressed q60)
      a25 id-card.jpg     = a09's (rotated -3 degrees and re-lit)
      a40 id-card.jpg     = a21's (cropped 5 % and re-compressed q65)
    a14 a25 a27 a36 a40 are fraud; a03 a09 a12 a21 are ordinary approved applications whose
    documents were copied.
  * Defaulted applications with loan amounts of 100x monthly income and more: a04 a10 a16 a22
    a30 a35 a41 a44 (four of them at "Golden Harbor Restaurants Group").
  * The rest are ordinary approved applications at recurring genuine employers.

``queries/cases/q01..q20`` are new applications (same files, ``history.md`` with the
application summary, ``case.yaml`` with the fields but no outcome); ``queries/queries.jsonl``
is the eval set with ``expected_cases`` and ``expected_duplicates`` (QUERIES lists which query
re-uses which past image and with which transform). All randomness uses fixed seeds and the
PDFs carry fixed dates, so the output is identical on every run for a given
Pillow/NumPy/Matplotlib version.

Requirements:
    pip install pillow numpy matplotlib
    apt-get install fonts-noto-cjk fonts-dejavu-core

Run (from the repo root):
    python examples/loan-document-review/make_samples.py
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("pdf")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

HERE = Path(__file__).resolve().parent
FILES_DIR = HERE / "files"
QUERIES_DIR = HERE / "queries"

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS: dict[str, tuple[Path, int]] = {
    "sans": (DEJAVU_DIR / "DejaVuSans.ttf", 0),
    "sans-bold": (DEJAVU_DIR / "DejaVuSans-Bold.ttf", 0),
    "serif": (DEJAVU_DIR / "DejaVuSerif.ttf", 0),
    "serif-bold": (DEJAVU_DIR / "DejaVuSerif-Bold.ttf", 0),
    "mono": (DEJAVU_DIR / "DejaVuSansMono.ttf", 0),
    # Index 2 of the Noto CJK collections is Simplified Chinese (SC).
    "cjk-sans": (NOTO_DIR / "NotoSansCJK-Regular.ttc", 2),
    "cjk-sans-bold": (NOTO_DIR / "NotoSansCJK-Bold.ttc", 2),
    "cjk-serif": (NOTO_DIR / "NotoSerifCJK-Regular.ttc", 2),
    "cjk-serif-bold": (NOTO_DIR / "NotoSerifCJK-Bold.ttc", 2),
}
PDF_DATE = time.strptime("2025-01-01", "%Y-%m-%d")
CERT_SEED, ID_SEED = 1200, 2400  # base seeds of the original certificate and ID photos
FILE_NAMES = ("income-statement.pdf", "certificate.jpg", "id-card.jpg", "note.md")

# ---------------------------------------------------------------------------------------------
# employers, people, applications


@dataclass(frozen=True)
class Employer:
    name: str  # canonical English name (the `employer` field)
    zh: str
    address: str
    address_zh: str
    position: str
    position_zh: str


EMPLOYERS: dict[str, Employer] = {
    "bluewave": Employer("Bluewave Logistics Co., Ltd.", "蓝波物流有限公司", "18 Harbour Road, Shanghai",
                         "上海市样例区港湾路 18 号", "Operations Supervisor", "运营主管"),
    "riverside": Employer("Riverside Medical Devices Co., Ltd.", "江畔医疗器械有限公司", "6 Qiantang Avenue, Hangzhou",
                          "杭州市样例区钱塘大道 6 号", "Quality Engineer", "质量工程师"),
    "greenfield": Employer("Greenfield Software Technology Co., Ltd.", "青野软件科技有限公司", "Block B, 99 Science Park Road, Shenzhen",
                           "深圳市样例区科技园路 99 号 B 座", "Senior Developer", "高级开发工程师"),
    "pearlbay": Employer("Pearl Bay Education Group", "珠湾教育集团", "3 Riverside West, Guangzhou",
                         "广州市样例区滨江西路 3 号", "Teacher", "教师"),
    "northstar": Employer("Northstar Auto Parts Manufacturing Co., Ltd.", "北辰汽车零部件制造有限公司", "120 Industrial Ring Road, Chengdu",
                          "成都市样例区工业环路 120 号", "Production Technician", "生产技术员"),
    "goldenharbor": Employer("Golden Harbor Restaurants Group", "金港餐饮集团", "51 Beijing Road, Guangzhou",
                             "广州市样例区北京路 51 号", "Restaurant Manager", "餐厅经理"),
    "citybus": Employer("Wuhan City Public Transport Co.", "武汉市公交集团", "2 Zhongshan Avenue, Wuhan",
                        "武汉市样例区中山大道 2 号", "Bus Driver", "公交驾驶员"),
    "hengtai": Employer("Hengtai Jiye Trading Co., Ltd.", "恒泰基业商贸有限公司", "Room 2308, 1 Futian Center, Shenzhen",
                        "深圳市样例区福田中心 1 号 2308 室", "General Manager", "总经理"),
    "northgate": Employer("Northgate Consulting Partners Ltd.", "北门咨询合伙有限公司", "Suite 9, 500 Nanjing Road, Shanghai",
                          "上海市样例区南京路 500 号 9 室", "Senior Consultant", "高级顾问"),
    "noodle": Employer("Lin Family Noodle House (self-employed)", "林家面馆（个体经营）", "7 Wenshu Lane, Chengdu",
                       "成都市样例区文殊巷 7 号", "Owner", "经营者"),
    "dental": Employer("Harbor View Dental Clinic", "海景口腔诊所", "26 Lujiang Road, Xiamen",
                       "厦门市样例区鹭江路 26 号", "Dentist", "牙医"),
    "sunnykids": Employer("Sunny Kids Training Center", "阳光少儿培训中心", "88 Optics Valley Street, Wuhan",
                          "武汉市样例区光谷街 88 号", "Course Advisor", "课程顾问"),
    "fruit": Employer("Chen's Fruit Store (self-employed)", "陈记水果店（个体经营）", "15 Market Street, Changsha",
                      "长沙市样例区市场街 15 号", "Owner", "经营者"),
}

CITIES_ZH = {"Shanghai": "上海", "Hangzhou": "杭州", "Shenzhen": "深圳", "Guangzhou": "广州", "Chengdu": "成都",
             "Wuhan": "武汉", "Xiamen": "厦门", "Changsha": "长沙"}
SURNAMES = (("陈", "Chen"), ("林", "Lin"), ("王", "Wang"), ("赵", "Zhao"), ("周", "Zhou"), ("吴", "Wu"),
            ("郑", "Zheng"), ("孙", "Sun"), ("何", "He"), ("高", "Gao"), ("罗", "Luo"), ("梁", "Liang"),
            ("宋", "Song"), ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"))
GIVEN = (("嘉慧", "Jiahui"), ("子轩", "Zixuan"), ("思远", "Siyuan"), ("雨桐", "Yutong"), ("浩然", "Haoran"),
         ("欣怡", "Xinyi"), ("俊杰", "Junjie"), ("晓梅", "Xiaomei"), ("文博", "Wenbo"), ("佳琪", "Jiaqi"),
         ("志强", "Zhiqiang"), ("丽娜", "Lina"), ("明轩", "Mingxuan"))
ESTATES = (("Lotus Garden", "莲花花园"), ("Riverside Mansion", "滨江华庭"), ("Maple Court", "枫林苑"),
           ("Sunshine City", "阳光城"), ("Jade Bay", "翡翠湾"), ("Harmony Residence", "和谐家园"),
           ("Orchid Heights", "兰亭雅居"), ("Cloud Terrace", "云台公馆"))


@dataclass(frozen=True)
class App:
    """One application (past when `outcome` is set, a query otherwise)."""

    id: str
    lang: str  # language of its documents: "en" or "zh"
    employer: str  # key of EMPLOYERS
    income: int  # monthly income in CNY
    amount: int
    city: str
    date: str
    pdf: str  # "text" or "scan"
    outcome: str = ""  # approved / fraud / defaulted ("" for queries)
    reuse: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # file -> (source case, transforms)


def A(cid: str, lang: str, emp: str, income: int, amount: int, city: str, date: str, pdf: str, outcome: str,
      **reuse: tuple[str, tuple[str, ...]]) -> App:
    return App(cid, lang, emp, income, amount, city, date, pdf, outcome,
               {k.replace("_", "-") + ".jpg": v for k, v in reuse.items()})


APPS: tuple[App, ...] = (
    A("a01", "en", "bluewave", 14500, 600000, "Shanghai", "2022-01-10", "text", "approved"),
    A("a02", "zh", "riverside", 11800, 420000, "Hangzhou", "2022-01-24", "scan", "approved"),
    A("a03", "zh", "greenfield", 23600, 1200000, "Shenzhen", "2022-02-15", "text", "approved"),
    A("a04", "en", "goldenharbor", 7200, 900000, "Guangzhou", "2022-03-02", "scan", "defaulted"),
    A("a05", "zh", "hengtai", 50000, 2400000, "Shenzhen", "2022-03-21", "text", "fraud"),
    A("a06", "en", "pearlbay", 9800, 350000, "Guangzhou", "2022-04-06", "scan", "approved"),
    A("a07", "zh", "northstar", 10600, 480000, "Chengdu", "2022-04-27", "text", "approved"),
    A("a08", "en", "northgate", 40000, 1800000, "Shanghai", "2022-05-12", "text", "fraud"),
    A("a09", "zh", "citybus", 8900, 300000, "Wuhan", "2022-05-30", "scan", "approved"),
    A("a10", "zh", "goldenharbor", 6800, 850000, "Guangzhou", "2022-06-14", "text", "defaulted"),
    A("a11", "zh", "hengtai", 60000, 3000000, "Shenzhen", "2022-07-04", "scan", "fraud"),
    A("a12", "en", "bluewave", 16200, 750000, "Shanghai", "2022-07-19", "scan", "approved"),
    A("a13", "zh", "riverside", 12900, 500000, "Hangzhou", "2022-08-08", "text", "approved"),
    A("a14", "zh", "greenfield", 26000, 1300000, "Shenzhen", "2022-08-25", "scan", "fraud",
      certificate=("a03", ("recompress:55", "resize:0.75"))),
    A("a15", "en", "greenfield", 21000, 980000, "Shenzhen", "2022-09-13", "text", "approved"),
    A("a16", "en", "noodle", 9500, 1100000, "Chengdu", "2022-10-03", "scan", "defaulted"),
    A("a17", "zh", "hengtai", 80000, 3600000, "Shenzhen", "2022-10-20", "text", "fraud",
      certificate=("a05", ("relight:0.8", "crop:0.05"))),
    A("a18", "zh", "northstar", 11200, 450000, "Chengdu", "2022-11-07", "scan", "approved"),
    A("a19", "en", "pearlbay", 10400, 380000, "Guangzhou", "2022-11-28", "text", "approved"),
    A("a20", "en", "northgate", 45000, 2000000, "Shanghai", "2022-12-12", "scan", "fraud"),
    A("a21", "zh", "citybus", 9300, 320000, "Wuhan", "2023-01-09", "text", "approved"),
    A("a22", "zh", "goldenharbor", 7600, 980000, "Guangzhou", "2023-02-01", "scan", "defaulted"),
    A("a23", "zh", "hengtai", 50000, 2500000, "Shenzhen", "2023-02-20", "scan", "fraud"),
    A("a24", "en", "bluewave", 13800, 560000, "Shanghai", "2023-03-08", "text", "approved"),
    A("a25", "en", "citybus", 9000, 650000, "Wuhan", "2023-03-27", "text", "fraud",
      id_card=("a09", ("rotate:-3", "relight:1.15"))),
    A("a26", "zh", "riverside", 14100, 600000, "Hangzhou", "2023-04-17", "scan", "approved"),
    A("a27", "en", "pearlbay", 30000, 1500000, "Guangzhou", "2023-05-04", "scan", "fraud",
      certificate=("a03", ("crop:0.07", "rotate:2"))),
    A("a28", "zh", "greenfield", 25400, 1100000, "Shenzhen", "2023-05-22", "text", "approved"),
    A("a29", "en", "dental", 18500, 700000, "Xiamen", "2023-06-12", "scan", "approved"),
    A("a30", "zh", "northstar", 8200, 1000000, "Chengdu", "2023-07-03", "text", "defaulted"),
    A("a31", "en", "hengtai", 60000, 2800000, "Shenzhen", "2023-07-24", "text", "fraud"),
    A("a32", "zh", "pearlbay", 10900, 400000, "Guangzhou", "2023-08-14", "scan", "approved"),
    A("a33", "en", "northgate", 40000, 1900000, "Shanghai", "2023-09-04", "text", "fraud"),
    A("a34", "en", "citybus", 9700, 360000, "Wuhan", "2023-09-25", "text", "approved"),
    A("a35", "en", "goldenharbor", 7000, 880000, "Guangzhou", "2023-10-16", "text", "defaulted"),
    A("a36", "zh", "bluewave", 20000, 1000000, "Shanghai", "2023-11-06", "scan", "fraud",
      certificate=("a12", ("resize:0.6", "recompress:60"))),
    A("a37", "zh", "bluewave", 15000, 620000, "Shanghai", "2023-11-27", "text", "approved"),
    A("a38", "zh", "hengtai", 80000, 4000000, "Shenzhen", "2023-12-18", "scan", "fraud"),
    A("a39", "en", "northstar", 12100, 500000, "Chengdu", "2024-01-15", "scan", "approved"),
    A("a40", "zh", "riverside", 15000, 900000, "Hangzhou", "2024-02-05", "text", "fraud",
      id_card=("a21", ("crop:0.05", "recompress:65"))),
    A("a41", "zh", "sunnykids", 8800, 1050000, "Wuhan", "2024-02-26", "scan", "defaulted"),
    A("a42", "en", "northgate", 45000, 2200000, "Shanghai", "2024-03-18", "scan", "fraud"),
    A("a43", "zh", "riverside", 13300, 520000, "Hangzhou", "2024-04-08", "text", "approved"),
    A("a44", "en", "goldenharbor", 6900, 950000, "Guangzhou", "2024-04-29", "scan", "defaulted"),
)


@dataclass(frozen=True)
class Query:
    """A new application: its documents and what a reviewer should be shown."""

    app: App
    question_lang: str
    expected: tuple[str, ...]  # expected past cases, most similar first
    split: str


def Q(cid: str, lang: str, emp: str, income: int, amount: int, city: str, date: str, pdf: str,
      qlang: str, split: str, expected: str, **reuse: tuple[str, tuple[str, ...]]) -> Query:
    app = A(cid, lang, emp, income, amount, city, date, pdf, "", **reuse)
    return Query(app, qlang, tuple(expected.split()), split)


QUERIES: tuple[Query, ...] = (
    # shell-employer ring A
    Q("q01", "zh", "hengtai", 60000, 3200000, "Shenzhen", "2024-06-03", "scan", "zh", "dev",
      "a11 a05 a17 a23 a31 a38", certificate=("a11", ("recompress:50",))),
    Q("q02", "en", "hengtai", 50000, 2600000, "Shenzhen", "2024-06-10", "text", "en", "test",
      "a23 a05 a11 a17 a31 a38", id_card=("a23", ("crop:0.07", "resize:0.8"))),
    Q("q03", "zh", "hengtai", 80000, 3800000, "Shenzhen", "2024-06-17", "text", "en", "dev",
      "a17 a38 a05 a11 a23 a31"),
    # shell-employer ring B
    Q("q04", "en", "northgate", 40000, 1850000, "Shanghai", "2024-06-24", "scan", "en", "test",
      "a08 a33 a20 a42", certificate=("a08", ("rotate:3", "relight:0.85"))),
    Q("q05", "en", "northgate", 45000, 2100000, "Shanghai", "2024-07-01", "text", "zh", "dev",
      "a20 a42 a08 a33"),
    # re-used documents of ordinary applications
    Q("q06", "zh", "greenfield", 24000, 1250000, "Shenzhen", "2024-07-08", "text", "zh", "test",
      "a03 a14 a27 a28 a15", certificate=("a03", ("resize:0.5", "resize:2.0", "recompress:70"))),
    Q("q07", "en", "bluewave", 18000, 900000, "Shanghai", "2024-07-15", "scan", "en", "dev",
      "a12 a36 a01 a24 a37", certificate=("a12", ("crop:0.06", "rotate:-2"))),
    Q("q08", "zh", "citybus", 9200, 600000, "Wuhan", "2024-07-22", "scan", "zh", "test",
      "a09 a25 a21 a34", id_card=("a09", ("relight:1.2", "recompress:60"))),
    Q("q09", "zh", "riverside", 14000, 850000, "Hangzhou", "2024-07-29", "text", "en", "dev",
      "a21 a40 a43 a26 a13 a02", id_card=("a21", ("resize:0.7", "crop:0.05"))),
    Q("q10", "en", "pearlbay", 28000, 1400000, "Guangzhou", "2024-08-05", "scan", "zh", "dev",
      "a27 a03 a14 a32 a19 a06", certificate=("a27", ("rotate:3",))),
    # high amount / income: the defaulted pattern
    Q("q11", "zh", "goldenharbor", 7000, 920000, "Guangzhou", "2024-08-12", "scan", "zh", "test",
      "a10 a22 a04 a35 a44 a16 a30 a41"),
    Q("q12", "en", "northstar", 8000, 1000000, "Chengdu", "2024-08-19", "text", "en", "test",
      "a30 a16 a41 a04 a10 a22 a35 a44 a18 a07 a39"),
    Q("q13", "zh", "fruit", 9000, 1150000, "Changsha", "2024-08-26", "scan", "zh", "dev",
      "a16 a41 a30 a04 a10 a22 a35 a44"),
    # ordinary applications: past applications at the same employer
    Q("q14", "en", "bluewave", 15200, 600000, "Shanghai", "2024-09-02", "text", "en", "test",
      "a24 a01 a37 a12 a36"),
    Q("q15", "zh", "riverside", 12500, 480000, "Hangzhou", "2024-09-09", "scan", "zh", "dev",
      "a13 a43 a02 a26 a40"),
    Q("q16", "en", "northstar", 11000, 450000, "Chengdu", "2024-09-16", "text", "zh", "test",
      "a18 a07 a39 a30"),
    Q("q17", "zh", "pearlbay", 10000, 380000, "Guangzhou", "2024-09-23", "text", "en", "dev",
      "a19 a32 a06 a27"),
    Q("q18", "zh", "greenfield", 22000, 800000, "Shenzhen", "2024-09-30", "scan", "zh", "test",
      "a15 a28 a03 a14"),
    Q("q19", "en", "citybus", 9500, 340000, "Wuhan", "2024-10-08", "text", "en", "dev",
      "a34 a21 a09 a25", certificate=("a34", ("crop:0.06", "resize:0.85"))),
    Q("q20", "en", "northgate", 40000, 1950000, "Shanghai", "2024-10-14", "scan", "zh", "test",
      "a42 a08 a20 a33", id_card=("a42", ("rotate:-4", "recompress:55"))),
)

EN_QUESTIONS = ("Which past applications look like this one?",
                "Which past applications are similar to this one, and were any documents re-used?")
ZH_QUESTIONS = ("这份申请和哪些历史申请相似？有没有重复使用的材料？", "有哪些相似的历史贷款申请？结果如何？")


def index(cid: str) -> int:
    return int(cid[1:]) + (0 if cid[0] == "a" else 60)


def person(cid: str) -> tuple[str, str, str]:
    """(Chinese name, English name, sex) of the fictional applicant of a case."""
    i = index(cid)
    s_zh, s_en = SURNAMES[i % len(SURNAMES)]
    g_zh, g_en = GIVEN[(i * 7 + 3) % len(GIVEN)]
    return s_zh + g_zh, f"{s_en} {g_en}", "F" if (i * 5) % 3 == 0 else "M"


def id_number(cid: str) -> str:
    return f"SPEC-{index(cid) * 37 % 10000:04d}-XXXX"


# ---------------------------------------------------------------------------------------------
# photo degradation


def load_font(name: str, size: float) -> ImageFont.FreeTypeFont:
    path, idx = FONTS[name]
    return ImageFont.truetype(str(path), int(round(size)), index=idx)


def lighting(size: tuple[int, int], rng: np.random.Generator, strength: float) -> np.ndarray:
    """Gradient times a soft vignette: uneven light of a hand-held photo."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx, yy = xx / w - 0.5, yy / h - 0.5
    theta = rng.uniform(0, 2 * np.pi)
    ramp = xx * np.cos(theta) + yy * np.sin(theta)
    ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min())
    cx, cy = rng.uniform(-0.15, 0.15, 2)
    r2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / 0.5
    return (1.0 - strength * ramp) * (1.0 - 0.6 * strength * np.clip(r2, 0, 1) ** 1.5)


def photograph(page: Image.Image, seed: int, width: int, gray: bool = False) -> Image.Image:
    """Phone photo of a document on a desk: rotation, desk corners, blur, uneven light, noise."""
    rng = np.random.default_rng(seed)
    desk = tuple(int(c) for c in rng.choice([[96, 74, 58], [120, 118, 112], [70, 72, 80], [150, 140, 125],
                                             [60, 80, 70], [170, 165, 160]]))
    pad = int(page.width * rng.uniform(0.03, 0.09))
    canvas = Image.new("RGB", (page.width + 2 * pad, page.height + 2 * pad), desk)
    canvas.paste(page, (pad + int(rng.integers(-pad // 2, pad // 2 + 1)), pad + int(rng.integers(-pad // 2, pad // 2 + 1))))
    angle = float(rng.uniform(-6, 6))
    photo = canvas.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=desk)
    photo = photo.resize((width, int(photo.height * width / photo.width)), Image.Resampling.LANCZOS)
    photo = photo.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.4, 0.9))))
    px = np.asarray(photo, np.float32)
    px = px * lighting(photo.size, rng, float(rng.uniform(0.12, 0.3)))[..., None]
    px = px * np.array([1.0, rng.uniform(0.97, 1.0), rng.uniform(0.9, 0.98)], np.float32)  # warm light
    px += rng.normal(0, 2.5, px.shape[:2] + (1,)) + rng.normal(0, 1.0, px.shape)
    img = Image.fromarray(np.clip(px, 0, 255).astype(np.uint8))
    return img.convert("L") if gray else img


def desk_photo(page: Image.Image, seed: int, width: int, scale: tuple[float, float]) -> Image.Image:
    """Phone photo of a document lying on a desk: varied framing, desk texture and clutter.

    Every original photo is framed differently (size in the frame, position, rotation, desk,
    objects), so two different certificates do not look alike to a perceptual hash just
    because they share the printed form.
    """
    rng = np.random.default_rng(seed)
    w, h = width, width * 3 // 4
    base = np.array(rng.choice([[96, 74, 58], [120, 118, 112], [70, 72, 80], [150, 140, 125], [60, 80, 70],
                                [200, 196, 190], [140, 100, 70], [45, 45, 50], [225, 225, 220], [90, 110, 140]]),
                    np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    theta = rng.uniform(0, np.pi)
    grain = np.sin((xx * np.cos(theta) + yy * np.sin(theta)) * rng.uniform(0.05, 0.3) + rng.uniform(0, 6))
    coarse = Image.fromarray(rng.normal(0, 1, (h // 32 + 2, w // 32 + 2)).astype(np.float32)).resize(
        (w, h), Image.Resampling.BICUBIC)
    desk = base * (1 + 0.06 * grain + 0.08 * np.asarray(coarse))[..., None]
    canvas = Image.fromarray(np.clip(desk, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(canvas)
    for _ in range(int(rng.integers(1, 4))):  # clutter: a mug, a phone, a pen
        kind = int(rng.integers(0, 3))
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        col = tuple(int(c) for c in rng.integers(20, 230, 3))
        if kind == 0:
            r = rng.uniform(0.08, 0.16) * w
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=col, outline=(30, 30, 30), width=int(r * 0.15))
        elif kind == 1:
            d.rounded_rectangle((cx, cy, cx + 0.16 * w, cy + 0.3 * w), radius=int(0.02 * w), fill=(25, 25, 30))
        else:
            a = rng.uniform(0, np.pi)
            L = rng.uniform(0.2, 0.4) * w
            d.line((cx, cy, cx + L * np.cos(a), cy + L * np.sin(a)), fill=col, width=int(0.015 * w))
    doc_w = int(w * rng.uniform(*scale))
    doc = page.resize((doc_w, int(page.height * doc_w / page.width)), Image.Resampling.LANCZOS).convert("RGBA")
    doc = doc.rotate(float(rng.uniform(-14, 14)), resample=Image.Resampling.BICUBIC, expand=True)
    # anywhere in the frame, up to 8 % of the document outside it
    px = int(rng.uniform(-0.08 * doc.width, w - 0.92 * doc.width))
    py = int(rng.uniform(-0.08 * doc.height, h - 0.92 * doc.height))
    shadow = Image.new("L", canvas.size, 0)
    shadow.paste(doc.getchannel("A"), (px + 6, py + 8))
    shadow = shadow.filter(ImageFilter.GaussianBlur(8))
    canvas = Image.composite(Image.new("RGB", canvas.size, (15, 15, 15)), canvas, shadow.point(lambda v: v * 0.55))
    canvas.paste(doc, (px, py), doc)
    canvas = canvas.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.4, 0.9))))
    out = np.asarray(canvas, np.float32) * lighting(canvas.size, rng, float(rng.uniform(0.12, 0.32)))[..., None]
    out = out * np.array([1.0, rng.uniform(0.96, 1.0), rng.uniform(0.88, 0.98)], np.float32)
    out += rng.normal(0, 1.8, out.shape[:2] + (1,)) + rng.normal(0, 0.8, out.shape)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def jpeg_bytes(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def transform(data: bytes, steps: tuple[str, ...], seed: int) -> bytes:
    """Re-submission of a photo: the steps of REUSE applied to the submitted JPEG bytes."""
    rng = np.random.default_rng(seed)
    img = Image.open(io.BytesIO(data)).convert("RGB")
    quality = 82
    for step in steps:
        op, arg = step.split(":")
        v = float(arg)
        if op == "recompress":
            quality = int(v)
            img = Image.open(io.BytesIO(jpeg_bytes(img, quality))).convert("RGB")
        elif op == "resize":
            img = img.resize((int(img.width * v), int(img.height * v)), Image.Resampling.LANCZOS)
        elif op == "crop":  # total crop fraction v, split unevenly between the sides
            fx, fy = rng.uniform(0.2, 0.8, 2)
            dw, dh = img.width * v, img.height * v
            img = img.crop((int(dw * fx), int(dh * fy), img.width - int(dw * (1 - fx)), img.height - int(dh * (1 - fy))))
        elif op == "rotate":
            img = img.rotate(v, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(40, 40, 40))
        elif op == "relight":
            px = np.asarray(img, np.float32) * v * lighting(img.size, rng, 0.15)[..., None]
            img = Image.fromarray(np.clip(px, 0, 255).astype(np.uint8))
    return jpeg_bytes(img, quality)


# ---------------------------------------------------------------------------------------------
# documents


def spec_watermark(page: Image.Image, text: str, font: str, size: int, color: tuple[int, int, int, int]) -> None:
    """Diagonal SPECIMEN watermark across a page."""
    layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    f = load_font(font, size)
    for k in range(3):
        d.text((page.width * 0.05, page.height * (0.2 + 0.3 * k)), text, font=f, fill=color)
    layer = layer.rotate(22, resample=Image.Resampling.BICUBIC)
    page.paste(layer, (0, 0), layer)


def seal(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, text: str, font: str) -> None:
    """A red round seal with a star and the word SPECIMEN."""
    red = (200, 30, 36)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, int(r / 14)))
    pts = []
    for k in range(10):
        a = -np.pi / 2 + k * np.pi / 5
        rr = r * (0.28 if k % 2 == 0 else 0.12)
        pts.append((cx + rr * np.cos(a), cy - r * 0.18 + rr * np.sin(a)))
    draw.polygon(pts, fill=red)
    f = load_font(font, r * 0.2)
    w = draw.textlength(text, font=f)
    draw.text((cx - w / 2, cy + r * 0.18), text, font=f, fill=red)
    f2 = load_font("sans-bold", r * 0.2)
    w2 = draw.textlength("SPECIMEN", font=f2)
    draw.text((cx - w2 / 2, cy + r * 0.45), "SPECIMEN", font=f2, fill=red)


def certificate_page(app: App) -> Image.Image:
    """Property-ownership certificate (不动产权证书), fictional, marked SPECIMEN."""
    i = index(app.id)
    zh_name, en_name, _ = person(app.id)
    est_en, est_zh = ESTATES[i % len(ESTATES)]
    block, unit = 1 + i % 9, 100 * (2 + i % 28) + 1 + i % 4
    area = 58 + (i * 13) % 90 + (i % 10) / 10
    year = 2008 + i % 14
    number = f"SPEC-PRC-{year}-{(i * 7919) % 1000000:07d}"
    w, h = 900, 640
    # four print editions of the form: paper tint and border colour
    paper, border = (((236, 232, 214), (120, 90, 60)), ((222, 236, 222), (60, 110, 80)),
                     ((240, 226, 226), (140, 60, 60)), ((224, 232, 242), (60, 80, 130)))[i % 4]
    page = Image.new("RGB", (w, h), paper)
    d = ImageDraw.Draw(page)
    d.rectangle((14, 14, w - 14, h - 14), outline=border, width=6)
    d.rectangle((26, 26, w - 26, h - 26), outline=border, width=2)
    zh = app.lang == "zh"
    city_zh = CITIES_ZH[app.city]
    if zh:
        title_font = load_font("cjk-serif-bold", 44)
        d.text((w / 2 - d.textlength("不动产权证书（样例）", font=title_font) / 2, 44), "不动产权证书（样例）",
               font=title_font, fill=(130, 30, 30))
        rows = (("证书编号", number), ("权利人", zh_name), ("共有情况", "单独所有"),
                ("坐落", f"{city_zh}市样例区{est_zh} {block} 栋 {unit} 室"),
                ("权利类型", "国有建设用地使用权 / 房屋所有权"), ("用途", "住宅"),
                ("面积", f"{area:.1f} 平方米"), ("登记日期", f"{year} 年 {1 + i % 12} 月 {1 + i % 27} 日"))
        font, bold = "cjk-sans", "cjk-sans-bold"
    else:
        title_font = load_font("serif-bold", 30)
        d.text((w / 2 - d.textlength("PROPERTY OWNERSHIP CERTIFICATE", font=title_font) / 2, 50),
               "PROPERTY OWNERSHIP CERTIFICATE", font=title_font, fill=(130, 30, 30))
        rows = (("Certificate No.", number), ("Owner", en_name), ("Ownership", "Sole ownership"),
                ("Address", f"Unit {unit}, Block {block}, {est_en}, {app.city}"),
                ("Right type", "Land use right / building ownership"), ("Use", "Residential"),
                ("Floor area", f"{area:.1f} m²"), ("Registered", f"{year}-{1 + i % 12:02d}-{1 + i % 27:02d}"))
        font, bold = "sans", "sans-bold"
    y = 130
    for k, (label, value) in enumerate(rows):
        d.line((60, y + 50, w - 60, y + 50), fill=(170, 150, 120), width=1)
        d.text((70, y + 8), label, font=load_font(bold, 24), fill=(70, 50, 40))
        d.text((270, y + 8), value, font=load_font(font, 25 if k else 26), fill=(20, 20, 30))
        y += 56
    d.text((70, h - 60), "SPECIMEN — sample data, fictional property / 样例数据，虚构房产", font=load_font("cjk-sans", 20), fill=(170, 20, 20))
    seal(d, w - 150, h - 150, 80, "样例登记机构" if zh else "SAMPLE REGISTRY", "cjk-sans-bold")
    spec_watermark(page, "SPECIMEN  样例", "cjk-sans-bold", 80, (170, 40, 40, 38))
    return page


def avatar(size: int, seed: int) -> Image.Image:
    """A drawn head-and-shoulders silhouette (no real face)."""
    rng = np.random.default_rng(seed)
    bg = tuple(int(c) for c in rng.integers(170, 235, 3))
    img = Image.new("RGB", (size, int(size * 1.25)), bg)
    d = ImageDraw.Draw(img)
    skin = tuple(int(c) for c in (rng.integers(190, 235), rng.integers(150, 195), rng.integers(120, 165)))
    shirt = tuple(int(c) for c in rng.integers(20, 160, 3))
    hair = tuple(int(c) for c in rng.integers(10, 70, 3))
    s = size
    d.ellipse((s * 0.1, s * 0.85, s * 0.9, s * 1.6), fill=shirt)
    d.ellipse((s * 0.28, s * 0.22, s * 0.72, s * 0.78), fill=skin)
    d.chord((s * 0.24, s * 0.12, s * 0.76, s * 0.62), 180, 360, fill=hair)
    return img


def id_card_page(app: App) -> Image.Image:
    """Fictional identity card marked SPECIMEN (no real ID format)."""
    i = index(app.id)
    zh_name, en_name, sex = person(app.id)
    w, h = 860, 540
    card = Image.new("RGB", (w, h), (0, 0, 0))
    px = np.zeros((h, w, 3), np.float32)
    t = np.linspace(0, 1, w)[None, :, None]
    px[:] = (1 - t) * np.array([214, 230, 240]) + t * np.array([236, 226, 238])
    card = Image.fromarray(px.astype(np.uint8))
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=36, fill=255)
    d = ImageDraw.Draw(card)
    d.rectangle((0, 0, w, 74), fill=(40, 80, 140))
    d.text((30, 14), "SPECIMEN — FICTIONAL ID CARD  样例证件（虚构）", font=load_font("cjk-sans-bold", 30), fill=(255, 255, 255))
    card.paste(avatar(220, 9000 + i), (w - 270, 110))
    born = f"{1965 + i * 3 % 35}-{1 + i % 12:02d}-{1 + (i * 5) % 27:02d}"
    est_en, est_zh = ESTATES[(i + 3) % len(ESTATES)]
    zh = app.lang == "zh"
    rows = ((("姓名", zh_name), ("性别", "女" if sex == "F" else "男"), ("出生", born),
             ("住址", f"{CITIES_ZH[app.city]}市样例区{est_zh} {1 + i % 7} 号"), ("证件号", id_number(app.id)))
            if zh else
            (("Name", en_name), ("Sex", sex), ("Born", born), ("Address", f"{1 + i % 7} {est_en}, {app.city}"),
             ("ID No.", id_number(app.id))))
    y = 110
    for label, value in rows:
        d.text((40, y), label, font=load_font("cjk-sans", 24), fill=(60, 70, 90))
        d.text((170, y - 4), value, font=load_font("cjk-sans-bold" if label in ("Name", "姓名") else "cjk-sans", 30),
               fill=(20, 20, 30))
        y += 70
    d.text((40, h - 58), "NOT A REAL DOCUMENT — sample data", font=load_font("sans-bold", 24), fill=(180, 20, 20))
    spec_watermark(card, "SPECIMEN", "sans-bold", 90, (40, 80, 140, 34))
    out = Image.new("RGB", (w, h), (128, 128, 128))
    out.paste(card, (0, 0), mask)
    return out


def statement_rows(app: App) -> list[tuple[str, int]]:
    """(month, gross pay) for the statement: identical round sums for shell employers."""
    shell = app.employer in ("hengtai", "northgate")
    months = 3 if shell else 6
    y, m = (int(p) for p in app.date.split("-")[:2])
    rows = []
    for k in range(months, 0, -1):
        mm, yy = m - k, y
        while mm <= 0:
            mm, yy = mm + 12, yy - 1
        if shell:
            pay = app.income
        else:
            rng = np.random.default_rng(index(app.id) * 31 + k)
            pay = app.income + int(rng.integers(-6, 7)) * 10 + (app.income // 2 if mm == 12 else 0)
        rows.append((f"{yy}-{mm:02d}", pay))
    return rows


@dataclass
class Item:
    """One element of a statement layout; coordinates in PDF points from the top left."""

    kind: str  # text / line / seal / mark
    x: float
    y: float
    text: str = ""
    size: float = 11
    bold: bool = False
    color: str = "#1a1a22"
    x2: float = 0
    y2: float = 0


def statement_layout(app: App) -> list[Item]:
    """The income statement on an A4 page (595 x 842 pt), EN or ZH."""
    emp = EMPLOYERS[app.employer]
    zh_name, en_name, sex = person(app.id)
    rows = statement_rows(app)
    total = sum(p for _, p in rows)
    y, m, day = app.date.split("-")
    issued = f"{y}-{m}-{max(1, int(day) - 3):02d}"
    items: list[Item] = []
    if app.lang == "zh":
        items += [Item("text", 60, 60, emp.zh, 18, True), Item("text", 60, 86, emp.address_zh, 10, color="#444450"),
                  Item("line", 60, 104, x2=535, y2=104),
                  Item("text", 232, 130, "收入证明", 22, True),
                  Item("text", 60, 180, f"兹证明 {zh_name}（证件号：{id_number(app.id)}）自 {int(y) - 1 - index(app.id) % 4} 年起在我单位工作，", 11.5),
                  Item("text", 60, 202, f"现任{emp.position_zh}，月收入（税前）人民币 {app.income:,} 元。", 11.5),
                  Item("text", 60, 236, f"近 {len(rows)} 个月收入明细如下：", 11.5),
                  Item("text", 90, 264, "月份", 11, True), Item("text", 300, 264, "应发工资（元）", 11, True)]
    else:
        items += [Item("text", 60, 60, emp.name, 17, True), Item("text", 60, 86, emp.address, 10, color="#444450"),
                  Item("line", 60, 104, x2=535, y2=104),
                  Item("text", 60, 130, "INCOME STATEMENT", 20, True),
                  Item("text", 60, 168, f"Date: {issued}", 11),
                  Item("text", 60, 190, f"This is to certify that {'Ms.' if sex == 'F' else 'Mr.'} {en_name} (ID No. {id_number(app.id)}) has been", 11),
                  Item("text", 60, 208, f"employed by {emp.name} since {int(y) - 1 - index(app.id) % 4}", 11),
                  Item("text", 60, 226, f"as {emp.position}. Monthly gross income: CNY {app.income:,}.", 11),
                  Item("text", 60, 250, f"Gross pay for the last {len(rows)} months:", 11),
                  Item("text", 90, 276, "Month", 11, True), Item("text", 300, 276, "Gross pay (CNY)", 11, True)]
    yy = items[-1].y + 19
    items.append(Item("line", 80, yy, x2=460, y2=yy))
    yy -= 14
    for month, pay in rows:
        yy += 22
        items += [Item("text", 90, yy, month, 11), Item("text", 300, yy, f"{pay:,}", 11)]
    yy += 20
    items.append(Item("line", 80, yy, x2=460, y2=yy))
    yy += 8
    if app.lang == "zh":
        items += [Item("text", 90, yy, "合计", 11, True), Item("text", 300, yy, f"{total:,}", 11, True),
                  Item("text", 60, yy + 44, "特此证明。", 11.5),
                  Item("text", 300, yy + 90, f"单位（盖章）：{emp.zh}", 11),
                  Item("text", 300, yy + 112, f"日期：{int(y)} 年 {int(m)} 月 {max(1, int(day) - 3)} 日", 11),
                  Item("seal", 200, yy + 100, "样例公章", 46),
                  Item("mark", 60, 790, "样例 SPECIMEN — 虚构单位与人物，非真实文件", 10, True, "#b01818")]
    else:
        items += [Item("text", 90, yy, "Total", 11, True), Item("text", 300, yy, f"{total:,}", 11, True),
                  Item("text", 60, yy + 44, "This statement is issued at the employee's request for a loan application.", 10.5),
                  Item("text", 300, yy + 90, f"Human Resources, {emp.name}"[:60], 10),
                  Item("text", 300, yy + 108, "Signed: (SPECIMEN signatory)", 10),
                  Item("seal", 200, yy + 100, "HR DEPT", 46),
                  Item("mark", 60, 790, "SPECIMEN — sample data: fictional company and person, not a real document", 10, True, "#b01818")]
    return items


def mpl_font(lang: str, bold: bool) -> font_manager.FontProperties:
    if lang == "zh":
        # one CJK face only (the embedded subset of each face costs ~25 KB per PDF)
        return font_manager.FontProperties(fname=str(NOTO_DIR / "NotoSansCJK-Regular.ttc"))
    return font_manager.FontProperties(fname=str(DEJAVU_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")))


def statement_text_pdf(app: App, path: Path) -> None:
    """A real text PDF (TrueType fonts embedded, fonttype 42) via Matplotlib."""
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(595 / 72, 842 / 72))
        fig.patch.set_facecolor("white")
        wm = "样例 SPECIMEN" if app.lang == "zh" else "SPECIMEN"
        fig.text(0.5, 0.45, wm, fontproperties=mpl_font(app.lang, True), fontsize=70, color="#e4c8c8",
                 rotation=30, ha="center", va="center", zorder=0)
        for it in statement_layout(app):
            if it.kind in ("text", "mark"):
                fig.text(it.x / 595, 1 - it.y / 842, it.text, fontproperties=mpl_font(app.lang, it.bold),
                         fontsize=it.size, color=it.color, va="top")
            elif it.kind == "line":
                fig.add_artist(Line2D([it.x / 595, it.x2 / 595], [1 - it.y / 842, 1 - it.y2 / 842],
                                      color="#555560", linewidth=0.8))
            elif it.kind == "seal":
                r = it.size
                fig.add_artist(Ellipse((it.x / 595, 1 - it.y / 842), 2 * r / 595, 2 * r / 842, fill=False,
                                       edgecolor="#c81e24", linewidth=2.2))
                fig.text(it.x / 595, 1 - (it.y - 10) / 842, "★", fontproperties=mpl_font("en", True), fontsize=16,
                         color="#c81e24", ha="center", va="center")
                fig.text(it.x / 595, 1 - (it.y + 14) / 842, it.text, fontproperties=mpl_font(app.lang, True), fontsize=8,
                         color="#c81e24", ha="center", va="center")
                fig.text(it.x / 595, 1 - (it.y + 28) / 842, "SPECIMEN", fontproperties=mpl_font("en", True), fontsize=6.5,
                         color="#c81e24", ha="center", va="center")
        fig.savefig(path, metadata={"CreationDate": None, "ModDate": None, "Producer": None,
                                    "Creator": "mmrag sample data (SYNTHETIC)",
                                    "Title": f"Income statement {app.id} (SPECIMEN)"})
        plt.close(fig)


def statement_page_image(app: App, width: int = 860) -> Image.Image:
    """The same layout rendered as a paper page (for the scanned PDFs)."""
    s = width / 595
    page = Image.new("RGB", (width, int(842 * s)), (246, 244, 238))
    wm = "样例 SPECIMEN" if app.lang == "zh" else "SPECIMEN"
    layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((page.width * 0.12, page.height * 0.42), wm, font=load_font("cjk-sans-bold", 70 * s),
                               fill=(200, 120, 120, 70))
    layer = layer.rotate(30, resample=Image.Resampling.BICUBIC, center=(page.width / 2, page.height * 0.47))
    page.paste(layer, (0, 0), layer)
    d = ImageDraw.Draw(page)
    zh = app.lang == "zh"
    for it in statement_layout(app):
        if it.kind in ("text", "mark"):
            name = ("cjk-sans" if zh else "sans") + ("-bold" if it.bold else "")
            d.text((it.x * s, it.y * s), it.text, font=load_font(name, it.size * s * 1.0), fill=it.color)
        elif it.kind == "line":
            d.line((it.x * s, it.y * s, it.x2 * s, it.y2 * s), fill=(85, 85, 96), width=max(1, int(s)))
        elif it.kind == "seal":
            seal(d, it.x * s, it.y * s, it.size * s, it.text, "cjk-sans-bold")
    return page


def statement_scan_pdf(app: App, path: Path) -> None:
    """An image-only PDF: a phone photo of the printed statement, no text layer."""
    photo = photograph(statement_page_image(app), 7000 + index(app.id), width=640, gray=True)
    photo.save(path, "PDF", resolution=photo.width / 8.27, quality=56, title=f"Scanned statement {app.id} (SPECIMEN)",
               creationDate=PDF_DATE, modDate=PDF_DATE, producer="mmrag sample data (SYNTHETIC)")


# ---------------------------------------------------------------------------------------------
# notes and histories


def ring_members(app: App) -> list[str]:
    return [a.id for a in APPS if a.employer == app.employer and a.id < app.id]


def note(app: App) -> str:
    emp = EMPLOYERS[app.employer]
    ratio = app.amount / app.income
    zh = app.lang == "zh"
    earlier = ring_members(app)
    lines: list[str] = []
    reused = [(f, src) for f, (src, _) in app.reuse.items()]
    if app.outcome == "approved":
        lines = ([f"已电话向{emp.zh}人事核实在职及收入，近 6 个月工资流水与收入证明（月均 {app.income:,} 元）一致。",
                  f"不动产权证书与登记信息相符，权利人即申请人。贷款金额为月收入的 {ratio:.0f} 倍，在政策范围内。",
                  "结论：批准。"] if zh else
                 [f"Employment and income confirmed by phone with {emp.name} HR; six months of bank statements match the stated CNY {app.income:,} a month.",
                  f"Property certificate matches the registry record and names the applicant. Loan is {ratio:.0f}x monthly income, within policy.",
                  "Decision: approved."])
    elif app.outcome == "defaulted":
        lines = ([f"收入证明显示{emp.zh}月收入 {app.income:,} 元，贷款 {app.amount:,} 元，约为月收入的 {ratio:.0f} 倍，超出常规比例，追加担保人后批准。",
                  f"放款后第 {5 + index(app.id) % 8} 个月起连续逾期，后转为不良，结果：违约。"] if zh else
                 [f"Income CNY {app.income:,} a month at {emp.name}; loan CNY {app.amount:,} is about {ratio:.0f}x monthly income, above the usual ratio. Approved after a guarantor was added.",
                  f"Payments stopped in month {5 + index(app.id) % 8} after drawdown; the account defaulted."])
    elif app.employer in ("hengtai", "northgate") and not reused:
        lines = ([f"申报单位{emp.zh}无社保缴纳记录，注册地址为虚拟办公室；收入证明每月均为整数 {app.income:,} 元，无个税记录。",
                  (f"与既往申请 {'、'.join(earlier)} 为同一单位、同一开具格式。" if earlier else "单位电话无人接听。"),
                  "结论：拒绝，标记为欺诈（空壳单位团伙）。"] if zh else
                 [f"{emp.name} has no social-insurance contributions and its registered address is a virtual office; the statement shows exactly CNY {app.income:,} every month and no income tax.",
                  (f"Same employer and statement layout as earlier applications {', '.join(earlier)}." if earlier else "Nobody answered the employer's phone number."),
                  "Decision: declined, flagged as fraud (shell-employer ring)."])
    else:
        for f, src in reused:
            what = {"certificate.jpg": ("不动产权证书", "property certificate"), "id-card.jpg": ("身份证件照片", "ID card photo")}[f]
            lines += ([f"提交的{what[0]}与既往申请 {src} 的材料为同一张照片（经裁剪/压缩处理），证件上的姓名与申请人不符。"] if zh else
                      [f"The submitted {what[1]} is the same photo as the one in earlier application {src} (cropped / re-compressed); the name on it is not the applicant's."])
        if app.employer in ("hengtai", "northgate"):
            lines += (["同时申报单位为空壳公司团伙常用单位，收入为整数。"] if zh else
                      ["The employer is also the shell company used by the fraud ring; round-number income."])
        lines += (["结论：拒绝，标记为欺诈（重复使用他人材料）。"] if zh else
                  ["Decision: declined, flagged as fraud (re-used documents)."])
    title = f"# 审核意见 — {app.id}（样例数据）" if zh else f"# Reviewer note — {app.id} (SPECIMEN data)"
    return title + "\n\n" + "\n".join(f"- {line}" for line in lines) + "\n"


def history(app: App) -> str:
    emp = EMPLOYERS[app.employer]
    zh_name, en_name, _ = person(app.id)
    if app.lang == "zh":
        return (f"# 申请摘要 — {app.id}（样例数据）\n\n"
                f"申请人 {zh_name}（虚构），{CITIES_ZH[app.city]}，申请日期 {app.date}。申报单位：{emp.zh}，"
                f"职位{emp.position_zh}，月收入 {app.income:,} 元。申请贷款 {app.amount:,} 元，以房产作为抵押。"
                "提交材料：收入证明、不动产权证书照片、身份证件照片。\n")
    return (f"# Application summary — {app.id} (SPECIMEN data)\n\n"
            f"Applicant {en_name} (fictional), {app.city}, applied on {app.date}. Employer: {emp.name}, "
            f"{emp.position}, monthly income CNY {app.income:,}. Requested loan CNY {app.amount:,}, secured on a property. "
            "Documents: income statement, photo of the property certificate, photo of the ID card.\n")


# ---------------------------------------------------------------------------------------------
# writing


def origin(app: App, fname: str) -> str:
    """The case whose original photo a document image comes from (following re-use chains)."""
    lookup = {a.id: a for a in APPS}
    cur = app
    while fname in cur.reuse:
        cur = lookup[cur.reuse[fname][0]]
    return cur.id


_PHOTOS: dict[tuple[str, str], bytes] = {}


def photo_bytes(app: App, fname: str) -> bytes:
    """JPEG bytes of a case's certificate or ID photo (a transformed copy when re-used)."""
    key = (app.id, fname)
    if key not in _PHOTOS:
        if fname in app.reuse:
            src_id, steps = app.reuse[fname]
            src = next(a for a in APPS if a.id == src_id)
            _PHOTOS[key] = transform(photo_bytes(src, fname), steps, 4000 + index(app.id))
        elif fname == "certificate.jpg":
            _PHOTOS[key] = jpeg_bytes(desk_photo(certificate_page(app), CERT_SEED + index(app.id), 660, (0.6, 0.95)), 66)
        else:
            _PHOTOS[key] = jpeg_bytes(desk_photo(id_card_page(app), ID_SEED + index(app.id), 600, (0.6, 0.9)), 66)
    return _PHOTOS[key]


def write_documents(app: App, folder: Path) -> None:
    folder.mkdir(parents=True)
    if app.pdf == "text":
        statement_text_pdf(app, folder / "income-statement.pdf")
    else:
        statement_scan_pdf(app, folder / "income-statement.pdf")
    for fname in ("certificate.jpg", "id-card.jpg"):
        (folder / fname).write_bytes(photo_bytes(app, fname))


def fields(app: App) -> dict[str, object]:
    out: dict[str, object] = {"amount": app.amount}
    if app.outcome:
        out["outcome"] = app.outcome
    out.update({"employer": EMPLOYERS[app.employer].name, "monthly_income": app.income, "city": app.city,
                "applied_on": app.date})
    return out


def write_yaml(path: Path, data: dict[str, object]) -> None:
    lines = [f"{k}: {v}" if isinstance(v, int) else f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in data.items()]
    path.write_text("# SPECIMEN sample data: fictional applicant\n" + "\n".join(lines) + "\n", encoding="utf-8")


def doc_langs(app: App) -> set[str]:
    lookup = {a.id: a for a in APPS}
    langs = {app.lang}
    for fname in app.reuse:
        langs.add(lookup[origin(app, fname)].lang)
    return langs


def query_record(q: Query) -> dict[str, object]:
    app = q.app
    dups = []
    for fname in sorted(app.reuse):
        src = origin(app, fname)
        same = [a.id for a in APPS if origin(a, fname) == src]
        first = app.reuse[fname][0]
        for cid in [first] + [c for c in same if c != first]:
            dups.append({"query_image": fname, "case": cid, "image": fname})
    for d in dups:
        assert d["case"] in q.expected, (app.id, d)
    langs = doc_langs(app)
    n = index(app.id)
    question = (ZH_QUESTIONS if q.question_lang == "zh" else EN_QUESTIONS)[n % 2 if not dups else 0]
    return {"id": app.id, "case": f"cases/{app.id}", "question": question, "expected_cases": list(q.expected),
            "split": q.split, "lang": q.question_lang, "source_lang": "mixed" if len(langs) > 1 else app.lang,
            "expected_duplicates": dups}


def main() -> None:
    for d in (FILES_DIR, QUERIES_DIR):
        if d.exists():
            shutil.rmtree(d)
    rows = []
    for app in APPS:
        folder = FILES_DIR / app.id
        write_documents(app, folder)
        (folder / "note.md").write_text(note(app), encoding="utf-8")
        rows.append({"case_id": app.id, "files": [f"files/{app.id}/{f}" for f in FILE_NAMES], "fields": fields(app)})
    names = ["case_id", "files", *rows[0]["fields"]]
    with (HERE / "applications.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(names)
        for r in rows:
            writer.writerow([r["case_id"], ";".join(r["files"]), *r["fields"].values()])
    (HERE / "applications.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote files/, applications.csv, applications.jsonl ({len(rows)} applications)")
    records = []
    for q in QUERIES:
        folder = QUERIES_DIR / "cases" / q.app.id
        write_documents(q.app, folder)
        (folder / "history.md").write_text(history(q.app), encoding="utf-8")
        write_yaml(folder / "case.yaml", fields(q.app))
        records.append(query_record(q))
    (QUERIES_DIR / "queries.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    print(f"wrote queries/ ({len(records)} queries, {sum(bool(r['expected_duplicates']) for r in records)} with duplicates)")


if __name__ == "__main__":
    main()
