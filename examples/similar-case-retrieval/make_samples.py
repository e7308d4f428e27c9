"""Regenerate the synthetic medical case library in ``cases/`` and the query cases in ``queries/``.

Every case is a folder ``cases/<case_id>/`` with a DICOM scan (``scan.dcm``; a few cases have a
2-frame scan or a second series ``scan-series2.dcm``), one figure (``key-image.jpg``, an annotated
key image with an arrow and a measurement, or ``lab-results.jpg``, a phone photo of a lab sheet),
``report.md`` (Findings / Impression / Follow-up, English or Simplified Chinese) and
``case.yaml`` (diagnosis, age, sex, modality, body_part, outcome, study_date).

ALL DATA IS SYNTHETIC. The pixels are drawn phantoms (ellipses, discs, speckle), not scans of
anybody; every person, hospital and address is fictional. Each DICOM header carries deliberately
fake PHI (``SYNTHETIC^PATIENT07``, a made-up address and institution, ...) so that the PHI guard
of the DICOM loader has something to strip, and every image has "SYNTHETIC" burned in.

Eight diagnostic groups (cases): solitary pulmonary nodule (c01-c06, CT), pneumonia
consolidation (c07-c12, CR), pleural effusion (c13-c18, CT and CR), pneumothorax (c19-c23, CR
and CT), renal calculus (c24-c29, CT and US), liver cyst (c30-c34, US, CT and MR),
intracranial hemorrhage (c35-c39, CT head), meniscal tear (c40-c44, MR knee).

``queries/cases/q01..q20`` are new cases of the same findings (a new DICOM and/or a phone photo
of a monitor or a film on a light box, plus ``history.md``); ``queries/queries.jsonl`` is the
eval set: ``expected_cases`` lists the group's cases, most similar first (same sub-type, side
and size). All randomness uses fixed per-case seeds and all UIDs are derived from the case id,
so the output is identical on every run for a given Pillow/NumPy/pydicom version.

Requirements:
    pip install pillow numpy pydicom
    apt-get install fonts-noto-cjk fonts-dejavu-core

Run (from the repo root):
    python examples/similar-case-retrieval/make_samples.py
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
QUERIES_DIR = HERE / "queries"

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS: dict[str, tuple[Path, int]] = {
    "sans": (DEJAVU_DIR / "DejaVuSans.ttf", 0),
    "sans-bold": (DEJAVU_DIR / "DejaVuSans-Bold.ttf", 0),
    "mono": (DEJAVU_DIR / "DejaVuSansMono.ttf", 0),
    # Index 2 of the Noto CJK collections is Simplified Chinese (SC).
    "cjk-sans": (NOTO_DIR / "NotoSansCJK-Regular.ttc", 2),
    "cjk-sans-bold": (NOTO_DIR / "NotoSansCJK-Bold.ttc", 2),
}

N = 128  # DICOM rows = columns
STAMP = "SYNTHETIC"
UID_ROOT = "mmrag-similar-case-retrieval"

# ---------------------------------------------------------------------------------------------
# groups and cases


@dataclass(frozen=True)
class Group:
    """One diagnostic group: canonical name and the names used in reports."""

    key: str
    diagnosis: str  # English canonical name (case.yaml `diagnosis`)
    zh: str
    body_part: str  # DICOM BodyPartExamined


GROUPS: dict[str, Group] = {g.key: g for g in (
    Group("nodule", "solitary pulmonary nodule", "孤立性肺结节", "CHEST"),
    Group("pneumonia", "pneumonia consolidation", "肺炎实变", "CHEST"),
    Group("effusion", "pleural effusion", "胸腔积液", "CHEST"),
    Group("ptx", "pneumothorax", "气胸", "CHEST"),
    Group("stone", "renal calculus", "肾结石", "ABDOMEN"),
    Group("cyst", "liver cyst", "肝囊肿", "ABDOMEN"),
    Group("ich", "intracranial hemorrhage", "颅内出血", "HEAD"),
    Group("meniscus", "knee meniscal tear", "膝关节半月板撕裂", "KNEE"),
)}


@dataclass(frozen=True)
class Case:
    """One past case. `kind` is the sub-type used for similarity (e.g. spiculated, subdural)."""

    id: str
    group: str
    lang: str  # report language: "en" or "zh"
    age: int
    sex: str  # "M" / "F"
    modality: str  # CT / CR / US / MR
    side: str  # "right" / "left" / "bilateral"
    size: float  # mm (volume in mL for hemorrhage)
    site: str  # location in the report language
    kind: str
    outcome: str  # resolved / stable / surgery / deceased
    course: str  # follow-up text, in the report language
    figure: str  # "key" or "lab"
    extra: str = ""  # "", "frames2" (2-frame scan.dcm) or "series2" (scan-series2.dcm)
    date: str = ""


CASES: tuple[Case, ...] = (
    # --- solitary pulmonary nodule (CT chest)
    Case("c01", "nodule", "en", 58, "M", "CT", "right", 8, "right upper lobe", "solid", "stable",
         "Low-dose CT at 12 and 24 months: unchanged size and shape. Considered benign; discharged from nodule follow-up.", "key", date="2022-03-14"),
    Case("c02", "nodule", "zh", 64, "F", "CT", "left", 14, "左肺下叶", "spiculated", "surgery",
         "PET-CT 示代谢增高（SUVmax 4.8）。行胸腔镜左肺下叶切除术，病理为浸润性腺癌 pT1b N0，术后恢复良好。", "key", date="2022-07-02"),
    Case("c03", "nodule", "en", 47, "F", "CT", "right", 6, "right middle lobe", "solid", "stable",
         "Follow-up CT at 12 months unchanged. No further imaging recommended.", "key", date="2023-01-20"),
    Case("c04", "nodule", "zh", 71, "M", "CT", "right", 22, "右肺上叶", "spiculated", "surgery",
         "CT 引导下穿刺活检示鳞状细胞癌。行右肺上叶切除 + 纵隔淋巴结清扫，术后辅助化疗，随访 18 个月无复发。", "key", "frames2", date="2023-05-09"),
    Case("c05", "nodule", "en", 52, "M", "CT", "left", 11, "left upper lobe", "solid", "resolved",
         "Treated as inflammatory after a recent chest infection. Repeat CT at 3 months: the nodule has resolved completely.", "key", date="2023-10-17"),
    Case("c06", "nodule", "zh", 39, "F", "CT", "left", 5, "左肺下叶", "calcified", "stable",
         "结节内见钙化，考虑钙化肉芽肿。一年后复查 CT 无变化，无需进一步随访。", "key", date="2024-02-26"),
    # --- pneumonia consolidation (CR chest)
    Case("c07", "pneumonia", "zh", 34, "M", "CR", "right", 60, "右下肺野", "lobar", "resolved",
         "口服阿莫西林克拉维酸钾 7 天，体温 3 天内恢复正常。6 周后复查胸片实变完全吸收。", "lab", date="2022-01-11"),
    Case("c08", "pneumonia", "en", 78, "F", "CR", "left", 70, "left lower zone", "lobar", "deceased",
         "Admitted with sepsis; IV antibiotics and ICU support. Developed multi-organ failure and died on day 9.", "lab", date="2022-12-05"),
    Case("c09", "pneumonia", "zh", 6, "M", "CR", "right", 45, "右上肺野", "lobar", "resolved",
         "儿科门诊口服抗生素治疗，一周后症状消失，复查胸片病灶吸收。", "key", date="2023-02-18"),
    Case("c10", "pneumonia", "en", 45, "F", "CR", "right", 50, "right upper zone", "lobar", "resolved",
         "Oral doxycycline for 5 days. Follow-up radiograph at 6 weeks: complete clearing.", "key", date="2023-06-30"),
    Case("c11", "pneumonia", "zh", 82, "M", "CR", "bilateral", 80, "双下肺野", "bilateral", "resolved",
         "住院静脉抗生素治疗 12 天，期间需吸氧，出院后 8 周复查大部分吸收。", "lab", date="2024-01-08"),
    Case("c12", "pneumonia", "en", 59, "M", "CR", "left", 55, "left upper zone", "lobar", "resolved",
         "IV then oral antibiotics, discharged on day 4. Radiograph at 8 weeks clear.", "lab", date="2024-11-21"),
    # --- pleural effusion (CT chest / CR chest)
    Case("c13", "effusion", "en", 67, "M", "CT", "right", 45, "right hemithorax", "parapneumonic", "resolved",
         "Ultrasound-guided drainage of 900 mL of straw-coloured fluid; antibiotics. Resolved on CT at 6 weeks.", "lab", "series2", date="2022-04-12"),
    Case("c14", "effusion", "zh", 72, "F", "CT", "left", 70, "左侧胸腔", "malignant", "deceased",
         "胸水细胞学见腺癌细胞，反复胸腔穿刺引流并行胸膜固定术。确诊后 7 个月死亡。", "lab", date="2022-09-27"),
    Case("c15", "effusion", "en", 55, "M", "CT", "right", 20, "right hemithorax", "transudate", "resolved",
         "Attributed to heart failure (high BNP). Diuretics; the effusion resolved within 4 weeks.", "lab", date="2023-03-03"),
    Case("c16", "effusion", "zh", 49, "F", "CT", "right", 50, "右侧胸腔", "empyema", "surgery",
         "胸水 pH 7.05，诊断脓胸。引流效果不佳，行胸腔镜（VATS）胸膜剥脱术，术后恢复顺利。", "lab", date="2023-08-14"),
    Case("c17", "effusion", "en", 80, "M", "CR", "bilateral", 25, "both costophrenic angles", "transudate", "stable",
         "Chronic heart failure. Small bilateral effusions persist but are stable on diuretics at 6 months.", "key", date="2024-03-19"),
    Case("c18", "effusion", "zh", 61, "M", "CR", "left", 40, "左侧肋膈角", "parapneumonic", "resolved",
         "抗感染治疗并行一次诊断性胸腔穿刺，4 周后复查胸片积液消失。", "key", date="2024-10-02"),
    # --- pneumothorax (CR chest / CT chest)
    Case("c19", "ptx", "en", 22, "M", "CR", "left", 15, "left apex", "spontaneous", "resolved",
         "Small primary spontaneous pneumothorax; managed conservatively. Re-expanded fully at 2 weeks.", "key", date="2022-05-23"),
    Case("c20", "ptx", "zh", 19, "M", "CR", "right", 45, "右侧胸腔", "spontaneous", "resolved",
         "大量气胸，置入胸腔闭式引流管，第 3 天肺完全复张后拔管，随访无复发。", "key", date="2022-11-08"),
    Case("c21", "ptx", "en", 27, "M", "CR", "right", 30, "right hemithorax", "recurrent", "surgery",
         "Third episode on the right. VATS bullectomy and pleurodesis; no recurrence at 1 year.", "key", date="2023-04-15"),
    Case("c22", "ptx", "zh", 68, "M", "CR", "left", 30, "左侧胸腔", "secondary", "resolved",
         "慢阻肺基础上继发性气胸，置管引流 5 天后复张，戒烟并规律吸入治疗。", "key", date="2024-01-29"),
    Case("c23", "ptx", "en", 35, "F", "CT", "right", 12, "anterior right hemithorax", "spontaneous", "resolved",
         "Small anterior pneumothorax seen only on CT. Observation; resolved on follow-up radiograph at 10 days.", "key", date="2024-09-06"),
    # --- renal calculus (CT abdomen / US)
    Case("c24", "stone", "zh", 45, "M", "CT", "right", 6, "右肾下极", "simple", "resolved",
         "给予止痛和坦索罗辛排石治疗，两周内结石自行排出，复查 CT 未见残留结石。", "lab", date="2022-02-09"),
    Case("c25", "stone", "en", 52, "M", "CT", "left", 14, "left renal pelvis", "obstructing", "surgery",
         "Moderate hydronephrosis and rising creatinine. Ureteroscopy with laser lithotripsy and a temporary stent; stone-free at 6 weeks.", "lab", date="2022-08-19"),
    Case("c26", "stone", "zh", 38, "F", "US", "right", 4, "右肾中部", "simple", "resolved",
         "多饮水及对症治疗，一个月后复查超声结石消失。", "key", date="2023-03-27"),
    Case("c27", "stone", "en", 61, "M", "CT", "left", 9, "left lower pole", "simple", "surgery",
         "Persistent pain. Extracorporeal shock-wave lithotripsy (ESWL) in one session; fragments passed within 3 weeks.", "key", date="2023-09-12"),
    Case("c28", "stone", "zh", 29, "M", "US", "left", 3, "左肾下极", "simple", "resolved",
         "无梗阻，建议多饮水并复查，三个月后超声未见结石。", "lab", date="2024-04-03"),
    Case("c29", "stone", "en", 57, "F", "CT", "right", 28, "right renal collecting system", "staghorn", "surgery",
         "Partial staghorn calculus with recurrent infections. Percutaneous nephrolithotomy (PCNL); small residual fragment under surveillance.", "key", "frames2", date="2024-12-10"),
    # --- liver cyst (US / CT / MR)
    Case("c30", "cyst", "en", 50, "F", "US", "right", 25, "right lobe (segment 6)", "simple", "stable",
         "Simple cyst, incidental. Repeat ultrasound at 12 months: unchanged. No further follow-up needed.", "key", date="2022-06-16"),
    Case("c31", "cyst", "zh", 63, "F", "US", "right", 62, "肝右叶（S7/S8）", "large", "surgery",
         "囊肿较大伴右上腹胀痛，行腹腔镜肝囊肿开窗术，术后症状消失，半年复查无复发。", "key", date="2022-10-25"),
    Case("c32", "cyst", "en", 44, "M", "CT", "left", 12, "left lobe (segment 3)", "simple", "stable",
         "Incidental on CT for abdominal pain. No follow-up required for a simple cyst of this size.", "key", date="2023-07-07"),
    Case("c33", "cyst", "zh", 58, "F", "MR", "right", 35, "肝右后叶（S7）", "simple", "stable",
         "MRI 证实为单纯囊肿，无强化。18 个月后复查超声大小无变化。", "key", date="2024-05-13"),
    Case("c34", "cyst", "zh", 70, "M", "CT", "right", 48, "肝右叶（S5/S6）", "large", "stable",
         "无明显症状，选择观察，一年后复查 CT 囊肿略增大至 52 mm，继续随访。", "key", "series2", date="2024-11-04"),
    # --- intracranial hemorrhage (CT head); size = hematoma volume in mL
    Case("c35", "ich", "zh", 72, "M", "CT", "right", 30, "右侧基底节区", "intraparenchymal", "stable",
         "高血压性脑出血，保守治疗并控制血压。遗留左侧肢体轻偏瘫，3 个月后转康复治疗，病情稳定。", "lab", date="2022-01-27"),
    Case("c36", "ich", "en", 81, "F", "CT", "left", 40, "left cerebral convexity", "subdural", "surgery",
         "Acute-on-chronic subdural hematoma after a fall, on aspirin. Burr-hole evacuation; returned home at 3 weeks.", "key", date="2022-10-10"),
    Case("c37", "ich", "zh", 55, "M", "CT", "left", 8, "左侧丘脑", "intraparenchymal", "resolved",
         "出血量小，内科保守治疗，2 周后复查 CT 血肿明显吸收，出院时右侧肢体肌力基本恢复。", "key", date="2023-06-06"),
    Case("c38", "ich", "en", 66, "M", "CT", "right", 75, "right frontoparietal lobe", "intraparenchymal", "deceased",
         "Large lobar hemorrhage with midline shift while anticoagulated (INR 3.4). Reversal given; family chose comfort care and the patient died on day 3.", "lab", date="2023-12-18"),
    Case("c39", "ich", "en", 45, "F", "CT", "right", 10, "right cerebral convexity", "subdural", "resolved",
         "Thin traumatic subdural hematoma after a cycling accident. Observation; resolved on CT at 4 weeks.", "key", date="2024-08-22"),
    # --- knee meniscal tear (MR knee)
    Case("c40", "meniscus", "en", 28, "M", "MR", "right", 12, "posterior horn of the medial meniscus", "medial", "surgery",
         "Football twisting injury with locking. Arthroscopic meniscal repair; back to sport at 6 months.", "key", "series2", date="2022-03-30"),
    Case("c41", "meniscus", "zh", 45, "F", "MR", "left", 10, "内侧半月板后角", "medial", "resolved",
         "退变性水平撕裂，无交锁。物理治疗及股四头肌训练 3 个月，疼痛基本缓解。", "key", date="2022-12-12"),
    Case("c42", "meniscus", "en", 19, "M", "MR", "right", 20, "lateral meniscus (bucket-handle)", "lateral", "surgery",
         "Displaced bucket-handle tear with a locked knee. Urgent arthroscopic repair; full range of motion at 4 months.", "key", date="2023-05-25"),
    Case("c43", "meniscus", "zh", 52, "M", "MR", "left", 8, "内侧半月板体部", "medial", "resolved",
         "放射状小撕裂，保守治疗（减重、理疗），半年后症状明显改善。", "key", date="2024-02-07"),
    Case("c44", "meniscus", "zh", 33, "F", "MR", "right", 14, "内侧半月板后角", "medial", "surgery",
         "滑雪扭伤后反复疼痛和交锁，行关节镜下半月板部分切除术，术后 6 周恢复正常活动。", "key", date="2024-10-15"),
)


@dataclass(frozen=True)
class Query:
    """One query case: the new study and its short history."""

    id: str
    group: str
    lang: str  # language of the question
    source_lang: str  # language of history.md ("mixed": Chinese with English terms)
    age: int
    sex: str
    modality: str
    side: str
    size: float
    kind: str
    images: tuple[str, ...]  # "dcm", "screen" (photo of a monitor), "film" (photo of a film)
    history: str
    split: str


EN_Q = ("Find similar past cases and how they ended.",
        "Are there similar past cases? What happened to those patients?")
ZH_Q = ("有没有类似的既往病例？结局如何？", "请找出相似的历史病例，并说明它们的转归。")

QUERIES: tuple[Query, ...] = (
    Query("q01", "nodule", "en", "en", 61, "M", "CT", "right", 18, "spiculated", ("dcm", "screen"),
          "61-year-old man, former smoker, referred after an incidental finding on a cardiac CT. "
          "A solitary irregular nodule of about 18 mm with spiky margins sits in the right upper lung. "
          "No cough or weight loss.", "dev"),
    Query("q02", "nodule", "zh", "zh", 45, "F", "CT", "left", 7, "solid", ("dcm",),
          "45 岁女性，体检低剂量 CT 发现左肺一枚约 7 mm 的圆形实性小结节，边缘光滑。无吸烟史，无症状。", "test"),
    Query("q03", "nodule", "zh", "mixed", 55, "M", "CT", "left", 10, "solid", ("screen",),
          "55 岁男性，一个月前有 chest infection，复查 CT 见 LUL 约 10 mm solid nodule，边界清楚。"
          "患者想知道是否需要手术。", "dev"),
    Query("q04", "pneumonia", "en", "en", 71, "M", "CR", "left", 60, "lobar", ("film",),
          "71-year-old man with three days of fever, productive cough and breathlessness. "
          "The chest film shows a dense white area in the lower part of the left lung. "
          "CRP is markedly raised.", "test"),
    Query("q05", "pneumonia", "zh", "zh", 30, "F", "CR", "right", 50, "lobar", ("dcm", "film"),
          "30 岁女性，发热咳嗽 4 天，听诊右下肺湿啰音。胸片右肺下野见片状高密度影。", "dev"),
    Query("q06", "pneumonia", "en", "zh", 85, "F", "CR", "bilateral", 80, "bilateral", ("dcm",),
          "85 岁女性，养老院居住，意识模糊伴低氧。床旁胸片双肺下野大片实变影。", "test"),
    Query("q07", "effusion", "zh", "zh", 69, "M", "CT", "right", 50, "parapneumonic", ("dcm", "screen"),
          "69 岁男性，肺炎治疗一周后仍发热、胸痛。CT 示右侧胸腔中等量积液，后方可见液平。", "dev"),
    Query("q08", "effusion", "en", "en", 74, "F", "CT", "left", 65, "malignant", ("dcm",),
          "74-year-old woman with weight loss and progressive breathlessness over two months. "
          "CT shows a large fluid collection in the left chest with the lung compressed.", "test"),
    Query("q09", "effusion", "en", "en", 78, "M", "CR", "bilateral", 20, "transudate", ("film",),
          "78-year-old man with known heart failure and swollen ankles. "
          "His film shows blunting of both costophrenic angles.", "dev"),
    Query("q10", "ptx", "en", "en", 20, "M", "CR", "right", 40, "spontaneous", ("dcm", "film"),
          "Tall, thin 20-year-old man with sudden right-sided chest pain while studying. "
          "The radiograph shows a large black area without lung markings along the right side.", "test"),
    Query("q11", "ptx", "zh", "zh", 24, "M", "CR", "left", 15, "spontaneous", ("screen",),
          "24 岁男性，打篮球时突发左胸痛，轻度气短。胸片示左肺尖少量气胸，可见脏层胸膜线。", "dev"),
    Query("q12", "ptx", "zh", "en", 70, "M", "CR", "left", 30, "secondary", ("dcm",),
          "70-year-old man with severe COPD, worse breathlessness since this morning. "
          "Moderate left pneumothorax on the X-ray.", "test"),
    Query("q13", "stone", "en", "zh", 50, "M", "CT", "left", 12, "obstructing", ("dcm", "screen"),
          "50 岁男性，左侧腰部绞痛伴血尿 6 小时。CT 平扫见左肾盂约 12 mm 高密度结石，伴肾积水。", "dev"),
    Query("q14", "stone", "zh", "zh", 33, "F", "US", "right", 5, "simple", ("dcm",),
          "33 岁女性，右侧腰痛两天。超声见右肾内强回声小结石，约 5 mm，后方伴声影，无积水。", "test"),
    Query("q15", "cyst", "zh", "en", 48, "F", "US", "right", 30, "simple", ("dcm", "screen"),
          "48-year-old woman, routine health check. Ultrasound shows a round, echo-free lesion of "
          "about 3 cm in the right liver with bright through-transmission. Liver tests normal.", "dev"),
    Query("q16", "cyst", "en", "zh", 66, "F", "CT", "right", 55, "large", ("dcm",),
          "66 岁女性，右上腹饱胀感半年。CT 见肝右叶一个约 55 mm 的低密度囊性病灶，边界清，无强化。", "test"),
    Query("q17", "ich", "en", "en", 68, "M", "CT", "right", 25, "intraparenchymal", ("dcm", "screen"),
          "68-year-old man with poorly controlled hypertension, sudden left-sided weakness and slurred speech. "
          "Non-contrast CT shows a bright hematoma deep in the right hemisphere.", "dev"),
    Query("q18", "ich", "zh", "zh", 79, "F", "CT", "left", 35, "subdural", ("dcm",),
          "79 岁女性，两周前跌倒，近日嗜睡、右侧肢体无力。CT 示左侧额顶部新月形高密度影。", "test"),
    Query("q19", "meniscus", "en", "zh", 26, "M", "MR", "right", 12, "medial", ("dcm",),
          "26 岁男性，踢球扭伤右膝，此后反复疼痛并有交锁感。MRI 示内侧半月板后角线状高信号达关节面。", "dev"),
    Query("q20", "meniscus", "zh", "en", 50, "F", "MR", "left", 9, "medial", ("dcm", "screen"),
          "50-year-old woman with gradual left knee pain when using stairs, no injury. "
          "MRI shows a horizontal bright line in the medial meniscus reaching the joint surface.", "test"),
)

# ---------------------------------------------------------------------------------------------
# phantoms (values in HU for CT, arbitrary 0..4095 for CR / US / MR)


def blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur (NumPy only)."""
    if sigma <= 0:
        return a
    r = int(3 * sigma) + 1
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    a = np.pad(a, r, mode="edge")
    a = np.apply_along_axis(lambda v: np.convolve(v, k, "valid"), 0, a)
    return np.apply_along_axis(lambda v: np.convolve(v, k, "valid"), 1, a)


def grid() -> tuple[np.ndarray, np.ndarray]:
    """(y, x) coordinates in -1..1."""
    y, x = np.mgrid[0:N, 0:N].astype(np.float64)
    return y / (N - 1) * 2 - 1, x / (N - 1) * 2 - 1


def ellipse(y, x, cy, cx, ry, rx) -> np.ndarray:
    return ((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 < 1


def side_sign(side: str, rng: np.random.Generator) -> float:
    """Image x sign of a patient side (radiological convention: patient's right = image left)."""
    if side == "right":
        return -1.0
    if side == "left":
        return 1.0
    return float(rng.choice([-1.0, 1.0]))


def texture(rng: np.random.Generator, sigma: float, amp: float) -> np.ndarray:
    t = blur(rng.normal(0, 1, (N, N)), sigma)
    return t / (t.std() + 1e-9) * amp


def chest_ct(rng: np.random.Generator, group: str, side: str, size: float, kind: str,
             spacing: float) -> tuple[np.ndarray, tuple[float, float, float]]:
    """Axial chest CT. Returns the HU image and the lesion (row, col, radius px)."""
    y, x = grid()
    img = np.full((N, N), -1000.0)
    body = ellipse(y, x, 0.05, 0, 0.66, 0.92)
    img[body] = -90.0  # fat
    img[ellipse(y, x, 0.05, 0, 0.6, 0.86)] = 45.0  # muscle / chest wall
    lungs = []
    for sx in (-1, 1):
        lung = ellipse(y, x, -0.02, sx * 0.42, 0.47, 0.3)
        img[lung] = -860.0
        lungs.append(lung)
    img += np.where(lungs[0] | lungs[1], texture(rng, 1.2, 40), 0)
    for _ in range(26):  # vessels
        sx = rng.choice([-1, 1])
        cy, cx = rng.uniform(-0.35, 0.35), sx * rng.uniform(0.2, 0.6)
        img[ellipse(y, x, cy, cx, 0.018, 0.018) & (lungs[0] | lungs[1])] = -300.0
    img[ellipse(y, x, 0.14, 0.08, 0.24, 0.24)] = 40.0  # heart
    img[ellipse(y, x, 0.36, 0.1, 0.07, 0.07)] = 50.0  # aorta
    img[ellipse(y, x, 0.52, 0, 0.11, 0.11)] = 900.0  # vertebral cortex
    img[ellipse(y, x, 0.52, 0, 0.085, 0.085)] = 300.0  # vertebral body
    s = side_sign(side, rng)
    lesion = (0.0, 0.0, 0.0)
    if group == "nodule":
        r = max(size / spacing / 2, 1.6)
        cy, cx = rng.uniform(-0.3, 0.1), s * rng.uniform(0.36, 0.5)
        row, col = (cy + 1) / 2 * (N - 1), (cx + 1) / 2 * (N - 1)
        rr = np.hypot(np.mgrid[0:N, 0:N][0] - row, np.mgrid[0:N, 0:N][1] - col)
        if kind == "spiculated":
            ang = np.arctan2(np.mgrid[0:N, 0:N][0] - row, np.mgrid[0:N, 0:N][1] - col)
            rr = rr / (1 + 0.35 * np.maximum(0, np.sin(7 * ang + rng.uniform(0, 6))) ** 4)
        img[rr < r] = 400.0 if kind == "calcified" else 35.0
        lesion = (row, col, r)
    elif group == "effusion":
        sides = (-1, 1) if side == "bilateral" else (s,)
        depth = min(size / 70, 1.0)
        for sx in sides:
            lung = ellipse(y, x, -0.02, sx * 0.42, 0.47, 0.3)
            level = 0.45 - 0.8 * depth
            fluid = lung & (y > level - 0.08 * np.abs(x - sx * 0.42) / 0.3)
            img[fluid] = 12.0
        row = ((0.45 - 0.4 * depth) + 1) / 2 * (N - 1)
        lesion = (row, (s * 0.42 + 1) / 2 * (N - 1), 0.3 * N / 2)
    elif group == "ptx":
        # anterior air crescent, no vessels, collapsed lung edge behind it
        cx = s * 0.42
        lung = ellipse(y, x, -0.02, cx, 0.47, 0.3)
        edge = -0.5 + min(size / 40, 0.9) * 0.5
        air = lung & (y < edge + 0.25 * ((x - cx) / 0.3) ** 2)
        img[air] = -1000.0
        img[lung & ~air & (y < edge + 0.25 * ((x - cx) / 0.3) ** 2 + 0.03)] = -500.0
        lesion = (((edge - 0.05) + 1) / 2 * (N - 1), (cx + 1) / 2 * (N - 1), 8.0)
    return img + rng.normal(0, 14, (N, N)), lesion


def chest_cr(rng: np.random.Generator, group: str, side: str, size: float,
             ) -> tuple[np.ndarray, tuple[float, float, float]]:
    """PA chest radiograph (bright = dense)."""
    y, x = grid()
    img = np.full((N, N), 350.0)
    body = (np.abs(x) < 0.9 - 0.1 * (y < -0.6) * (-0.6 - y) * 4) & (y > -0.95)
    img[body] = 2300.0
    lungs = []
    for sx in (-1, 1):
        lung = ellipse(y, x, -0.08, sx * 0.4, 0.62, 0.3) & (y < 0.42 - 0.25 * ((x - sx * 0.3) / 0.4) ** 2 + 0.1)
        lungs.append(lung)
    both = lungs[0] | lungs[1]
    img[both] = 1000.0
    markings = texture(rng, 1.0, 90) + 140 * np.exp(-((np.abs(x) - 0.22) ** 2 + (y + 0.05) ** 2) / 0.03)
    img += np.where(both, markings, 0)
    img[ellipse(y, x, 0.22, 0.1, 0.26, 0.3) & (y > 0.0)] = 2500.0  # heart
    img[np.abs(x) < 0.07] += 450.0  # spine / mediastinum
    for k in range(8):  # posterior ribs
        for sx in (-1, 1):
            yc = -0.68 + 0.15 * k + 0.35 * ((x - sx * 0.05) / 0.8) ** 2
            band = (np.abs(y - yc) < 0.025) & (np.abs(x) > 0.08) & (np.abs(x) < 0.8) & (np.sign(x) == sx)
            img[band] += 380.0
    img[(np.abs(y + 0.72 - 0.1 * np.abs(x)) < 0.03) & (np.abs(x) < 0.7)] += 500.0  # clavicles
    s = side_sign(side, rng)
    lesion = (0.0, 0.0, 0.0)
    if group == "pneumonia":
        sides = (-1, 1) if side == "bilateral" else (s,)
        for sx in sides:
            zone_y = 0.2 if size >= 55 or side == "bilateral" else rng.choice([-0.4, 0.2])
            cy, cx = zone_y + rng.uniform(-0.05, 0.05), sx * 0.42
            blob = blur(rng.normal(0, 1, (N, N)), 3.0)
            ry = 0.1 + size / 400
            mask = ellipse(y, x, cy, cx, ry, 0.22) & (blob > -0.3) & (lungs[0] if sx < 0 else lungs[1])
            img[mask] += 1000.0 + 250 * blob[mask]
            lesion = ((cy + 1) / 2 * (N - 1), (cx + 1) / 2 * (N - 1), ry * N / 2)
    elif group == "effusion":
        sides = (-1, 1) if side == "bilateral" else (s,)
        for sx in sides:
            lung = lungs[0] if sx < 0 else lungs[1]
            level = 0.4 - size / 100
            fluid = lung & (y > level - 0.18 * np.abs(x - sx * 0.1) / 0.7)
            img[fluid] = 2250.0
        lesion = ((0.36 + 1) / 2 * (N - 1), (s * 0.58 + 1) / 2 * (N - 1), 3.0)
    elif group == "ptx":
        lung = lungs[0] if s < 0 else lungs[1]
        f = min(size / 50, 0.85)
        cy = -0.08 + (0.25 * f if size < 20 else 0.0)
        inner = ellipse(y, x, cy + 0.1 * f, s * (0.4 - 0.12 * f), 0.62 * (1 - 0.5 * f), 0.3 * (1 - 0.6 * f))
        if size < 20:  # apical: collapse only at the top
            inner = inner | (y > -0.35)
        air = lung & ~inner
        img[air] = 650.0 + rng.normal(0, 10, int(air.sum()))
        edge = inner & ~ellipse(y, x, cy + 0.1 * f, s * (0.4 - 0.12 * f), 0.62 * (1 - 0.5 * f) - 0.02, 0.3 * (1 - 0.6 * f) - 0.02) & lung
        img[edge] += 400.0
        lesion = ((-0.55 + 1) / 2 * (N - 1), (s * 0.55 + 1) / 2 * (N - 1), 10.0)
    img = blur(img, 0.7)
    return img + rng.normal(0, 30, (N, N)), lesion


def abdomen_ct(rng: np.random.Generator, group: str, side: str, size: float, kind: str,
               spacing: float, contrast: bool = False) -> tuple[np.ndarray, tuple[float, float, float]]:
    """Axial abdominal CT at kidney / liver level."""
    y, x = grid()
    img = np.full((N, N), -1000.0)
    img[ellipse(y, x, 0.05, 0, 0.68, 0.9)] = -100.0
    img[ellipse(y, x, 0.05, 0, 0.62, 0.84)] = 30.0
    enh = 40.0 if contrast else 0.0
    img[ellipse(y, x, -0.1, -0.35, 0.42, 0.42)] = 58.0 + enh  # liver (patient right)
    img[ellipse(y, x, -0.2, 0.42, 0.2, 0.22)] = 45.0 + enh  # spleen
    img[ellipse(y, x, 0.2, 0.15, 0.18, 0.3) & (x > -0.1)] = -20.0  # bowel
    kidneys = {}
    for sx in (-1, 1):
        k = ellipse(y, x, 0.32, sx * 0.42, 0.17, 0.11)
        img[k] = 35.0 + 2 * enh
        kidneys[sx] = k
    img[ellipse(y, x, 0.5, 0, 0.11, 0.11)] = 900.0
    img[ellipse(y, x, 0.5, 0, 0.085, 0.085)] = 280.0
    img[ellipse(y, x, 0.3, 0.1, 0.05, 0.05)] = 45.0 + 4 * enh  # aorta
    s = side_sign(side, rng)
    r = max(size / spacing / 2, 1.6)
    if group == "stone":
        cy, cx = 0.32 + rng.uniform(-0.05, 0.08), s * 0.42
        if kind in ("obstructing", "staghorn"):
            img[ellipse(y, x, 0.32, s * 0.4, 0.1, 0.06)] = 5.0  # dilated pelvis
        row, col = (cy + 1) / 2 * (N - 1), (cx + 1) / 2 * (N - 1)
        yy, xx = np.mgrid[0:N, 0:N]
        if kind == "staghorn":
            mask = (np.hypot(yy - row, xx - col) < r * 0.6) | (np.hypot(yy - row + r * 0.5, xx - col - s * r * 0.3) < r * 0.35)
        else:
            mask = np.hypot(yy - row, xx - col) < r
        img[mask] = 900.0
        lesion = (row, col, r)
    else:  # liver cyst
        cx = -0.35 + (0.22 if side == "left" else rng.uniform(-0.1, 0.05))
        cy = -0.1 + rng.uniform(-0.12, 0.12)
        row, col = (cy + 1) / 2 * (N - 1), (cx + 1) / 2 * (N - 1)
        yy, xx = np.mgrid[0:N, 0:N]
        img[np.hypot(yy - row, xx - col) < r] = 5.0
        lesion = (row, col, r)
    return img + rng.normal(0, 12, (N, N)), lesion


def ultrasound(rng: np.random.Generator, group: str, size: float, spacing: float,
               ) -> tuple[np.ndarray, tuple[float, float, float]]:
    """B-mode sector image with speckle: anechoic cyst or echogenic stone with a shadow."""
    y, x = grid()
    rad = np.hypot(x, y + 1.05)
    ang = np.arctan2(x, y + 1.05)
    fan = (np.abs(ang) < 0.6) & (rad > 0.15) & (rad < 2.0)
    tissue = np.full((N, N), 1300.0)
    speckle = np.abs(rng.normal(0, 1, (N, N)) + 1j * rng.normal(0, 1, (N, N)))
    tissue *= 0.55 + 0.45 * blur(speckle, 0.6) / blur(speckle, 0.6).mean()
    tissue *= np.clip(1.25 - 0.35 * rad, 0.4, 1.2)  # depth attenuation
    yy, xx = np.mgrid[0:N, 0:N]
    r = max(size / spacing / 2, 1.6)
    row, col = rng.uniform(0.45, 0.62) * N, rng.uniform(0.38, 0.62) * N
    if group == "cyst":
        inside = np.hypot(yy - row, xx - col) < r
        below = (np.abs(xx - col) < r * 0.9) & (yy > row) & ~inside
        tissue[below] *= 1.45  # posterior acoustic enhancement
        tissue[inside] = 60.0 + 30 * rng.random(int(inside.sum()))
        tissue[(np.abs(np.hypot(yy - row, xx - col) - r) < 0.8)] *= 1.6  # thin wall
    else:  # kidney with an echogenic stone and a shadow
        kidney = ((yy - row) / 22) ** 2 + ((xx - col) / 34) ** 2 < 1
        tissue[kidney] *= 0.7
        sinus = ((yy - row) / 9) ** 2 + ((xx - col) / 20) ** 2 < 1
        tissue[sinus] *= 1.5
        rs = max(r, 2.0)
        stone = np.hypot(yy - row, xx - col) < rs
        shadow = (np.abs(xx - col) < rs) & (yy > row + rs)
        tissue[shadow] *= 0.15
        tissue[stone] = 3600.0
    img = np.where(fan, tissue, 0.0)
    return blur(img, 0.5), (row, col, r)


def head_ct(rng: np.random.Generator, side: str, size: float, kind: str,
            ) -> tuple[np.ndarray, tuple[float, float, float]]:
    """Axial non-contrast head CT with an intraparenchymal or subdural hematoma."""
    y, x = grid()
    img = np.full((N, N), -1000.0)
    img[ellipse(y, x, 0, 0, 0.88, 0.72)] = 40.0  # scalp
    img[ellipse(y, x, 0, 0, 0.84, 0.68)] = 1100.0  # skull
    brain = ellipse(y, x, 0, 0, 0.78, 0.62)
    img[brain] = 34.0
    img += np.where(brain, texture(rng, 2.0, 3), 0)
    s = side_sign(side, rng)
    shift = 0.06 if size >= 40 else 0.0
    for sx in (-1, 1):  # lateral ventricles
        img[ellipse(y, x, -0.05, -s * shift + sx * 0.12, 0.25, 0.07)] = 6.0
    img[(np.abs(x + s * shift) < 0.008) & brain] = 60.0  # falx
    yy, xx = np.mgrid[0:N, 0:N]
    if kind == "subdural":
        thick = 0.03 + size / 900
        outer = ellipse(y, x, 0, 0, 0.78, 0.62)
        inner = ellipse(y, x, 0, -s * thick, 0.78 - thick, 0.62 - thick)
        crescent = outer & ~inner & (np.sign(x) == s) & (np.abs(y) < 0.6)
        img[crescent] = 72.0
        lesion = (N / 2 - 0.2 * N / 2, (s * 0.58 + 1) / 2 * (N - 1), 6.0)
    else:
        r = max((size * 3 / (4 * np.pi)) ** (1 / 3) * 10 / 1.8, 2.0)  # mL -> px radius
        cy, cx = rng.uniform(-0.15, 0.15), s * (0.25 if size < 50 else 0.32)
        row, col = (cy + 1) / 2 * (N - 1), (cx + 1) / 2 * (N - 1)
        rr = np.hypot(yy - row, (xx - col) * 0.85)
        img[(rr < r * 1.5) & brain] = 22.0  # edema
        img[rr < r] = 75.0
        lesion = (row, col, r)
    return img + rng.normal(0, 3, (N, N)), lesion


def knee_mr(rng: np.random.Generator, size: float, kind: str, fatsat: bool = False,
            ) -> tuple[np.ndarray, tuple[float, float, float]]:
    """Sagittal proton-density knee MR: femoral condyle, tibial plateau, meniscus triangles."""
    y, x = grid()
    img = np.full((N, N), 40.0)
    img[np.abs(x) < 0.85] = 900.0  # soft tissue
    marrow = 500.0 if fatsat else 1700.0
    femur = ellipse(y, x, -0.25, -0.05, 0.4, 0.42) | ((np.abs(x + 0.05) < 0.3) & (y < -0.25))
    tibia = (y > 0.2) & (np.abs(x) < 0.5) & (y < 1.0)
    img[femur] = marrow
    img[tibia] = marrow
    img[femur & ~ellipse(y, x, -0.25, -0.05, 0.38, 0.4) & (y > -0.4)] = 150.0  # cortex
    img[(np.abs(y - 0.205) < 0.015) & (np.abs(x) < 0.5)] = 150.0
    img[(y > 0.14) & (y < 0.19) & (np.abs(x) < 0.45)] = 1400.0 if fatsat else 1100.0  # cartilage / fluid
    menisci = []
    for sx in (-1, 1):  # anterior (image left) and posterior horns
        cx = sx * 0.36
        tri = (y > 0.03) & (y < 0.19) & (np.abs(x - cx) < 0.03 + (y - 0.03) * 0.9)
        img[tri] = 120.0
        menisci.append(tri)
    img += texture(rng, 1.5, 40)
    post = menisci[1]
    yy, xx = np.mgrid[0:N, 0:N]
    # tear: bright line through the posterior horn reaching the articular surface
    r0, c0 = (0.12 + 1) / 2 * (N - 1), (0.36 + 1) / 2 * (N - 1)
    length = 4 + size / 3
    t = np.linspace(-length / 2, length / 2, 60)
    slope = 0.0 if kind == "medial" else 0.6
    for ti in t:
        rr, cc = int(round(r0 + slope * ti * 0.5 + ti * 0.25)), int(round(c0 + ti))
        if 0 <= rr < N and 0 <= cc < N and post[rr, cc]:
            img[rr, cc] = 1500.0
    if kind == "lateral":  # displaced fragment (bucket handle): extra dark blob in the notch
        img[ellipse(y, x, 0.08, 0.0, 0.04, 0.08)] = 120.0
    return img + rng.normal(0, 25, (N, N)), (r0, c0, length / 2)


MODALITY_SETUP = {  # modality, group -> (spacing mm, slice thickness, window center, width, scale)
    ("CT", "CHEST"): (2.7, 1.25, -600, 1500),
    ("CT", "ABDOMEN"): (2.7, 5.0, 40, 400),
    ("CT", "HEAD"): (1.8, 5.0, 40, 80),
    ("CR", "CHEST"): (3.0, 0.0, 2048, 4000),
    ("US", "ABDOMEN"): (1.25, 0.0, 1800, 3600),
    ("MR", "ABDOMEN"): (2.7, 6.0, 1200, 2400),
    ("MR", "KNEE"): (1.2, 3.0, 1000, 2000),
}


def phantom(key: str, group: str, modality: str, side: str, size: float, kind: str,
            seed: int, variant: int = 0) -> tuple[np.ndarray, tuple[float, float, float]]:
    """The group's finding drawn for one modality; variant 1 = second slice / series."""
    rng = np.random.default_rng(seed + 1000 * variant)
    body = GROUPS[group].body_part
    spacing = MODALITY_SETUP[(modality, body)][0]
    if modality == "CR":
        return chest_cr(rng, group, side, size)
    if body == "CHEST":
        return chest_ct(rng, group, side, size * (0.85 if variant else 1.0), kind, spacing)
    if modality == "US":
        return ultrasound(rng, group, size, spacing)
    if body == "HEAD":
        return head_ct(rng, side, size * (0.8 if variant else 1.0), kind)
    if body == "KNEE":
        return knee_mr(rng, size, kind, fatsat=bool(variant))
    if modality == "MR":  # liver cyst on T2: bright round lesion
        img, lesion = abdomen_ct(rng, group, side, size, kind, spacing)
        t2 = np.where(img < -500, 30.0, np.where(img > 200, 300.0, 700.0 + 4 * (img - 30)))
        yy, xx = np.mgrid[0:N, 0:N]
        t2[np.hypot(yy - lesion[0], xx - lesion[1]) < lesion[2]] = 2600.0
        return np.clip(t2, 0, 4000) + rng.normal(0, 30, (N, N)), lesion
    return abdomen_ct(rng, group, side, size, kind, spacing, contrast=bool(variant))


# ---------------------------------------------------------------------------------------------
# DICOM


def load_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = FONTS[name]
    return ImageFont.truetype(str(path), size, index=index)


def burn_stamp(stored: np.ndarray, value: int) -> np.ndarray:
    """Burn "SYNTHETIC" into the top-left corner of the stored pixel array."""
    mask = Image.new("L", (N, N), 0)
    ImageDraw.Draw(mask).text((2, 1), STAMP, font=load_font("sans-bold", 11), fill=255)
    m = np.asarray(mask) > 100
    out = stored.copy()
    out[m] = value
    return out


def to_stored(img: np.ndarray, modality: str) -> tuple[np.ndarray, int]:
    """HU (CT, rescale intercept -1024) or raw values -> uint16 stored values, stamp value."""
    if modality == "CT":
        stored = np.clip(img + 1024, 0, 4095)
        return stored.astype(np.uint16), 4095
    return np.clip(img, 0, 4095).astype(np.uint16), 4095


def uid(*parts: object) -> str:
    return generate_uid(entropy_srcs=[UID_ROOT, *map(str, parts)])


def birth_date(age: int, study: str, seed: int) -> str:
    d = dt.date.fromisoformat(study)
    born = dt.date(d.year - age - 1, 1, 1) + dt.timedelta(days=int(seed * 37 % 360))
    return born.strftime("%Y%m%d")


def write_dicom(path: Path, frames: list[np.ndarray], *, person: str, pid: str, age: int, sex: str,
                modality: str, body: str, study_date: str, study_desc: str, series_desc: str,
                series_no: int, seed: int, study_key: str,
                window: tuple[int, int] | None = None) -> None:
    """Write an uncompressed explicit-VR-little-endian DICOM with deliberately fake PHI."""
    spacing, thickness, wc, ww = MODALITY_SETUP[(modality, body)]
    if window is not None:
        wc, ww = window
    sop_class = {"CT": "1.2.840.10008.5.1.4.1.1.2", "MR": "1.2.840.10008.5.1.4.1.1.4",
                 "CR": "1.2.840.10008.5.1.4.1.1.1", "US": "1.2.840.10008.5.1.4.1.1.6.1"}[modality]
    if len(frames) > 1:  # multi-frame: Enhanced-like secondary capture keeps the header simple
        sop_class = "1.2.840.10008.5.1.4.1.1.7.3"  # Multi-frame Grayscale Word SC
    sop_uid = uid(study_key, series_no, "sop")
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = uid("implementation")
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_uid
    date = study_date.replace("-", "")
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = date
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = f"{9 + seed % 8:02d}{seed * 7 % 60:02d}00"
    ds.AccessionNumber = f"SYN{seed:06d}"
    ds.Modality = modality
    ds.Manufacturer = "SYNTHETIC PHANTOM (mmrag sample data)"
    ds.InstitutionName = "Synthetic General Hospital (SAMPLE DATA)"
    ds.InstitutionAddress = "1 Nowhere Lane, Sampletown (SYNTHETIC)"
    ds.ReferringPhysicianName = f"SYNTHETIC^DOCTOR^{chr(65 + seed % 26)}"
    ds.StudyDescription = study_desc
    ds.SeriesDescription = series_desc
    ds.PatientName = person
    ds.PatientID = pid
    ds.PatientBirthDate = birth_date(age, study_date, seed)
    ds.PatientSex = sex
    ds.PatientAge = f"{age:03d}Y"
    ds.PatientAddress = f"{10 + seed % 89} Example Street, Fictional City (SYNTHETIC)"
    ds.PatientComments = "SYNTHETIC SAMPLE DATA - not a real patient"
    ds.BodyPartExamined = body
    # only the word SYNTHETIC is burned in, nothing that identifies a patient (PS3.3 C.7.6.1.1.7)
    ds.BurnedInAnnotation = "NO"
    if thickness:
        ds.SliceThickness = thickness
    ds.StudyInstanceUID = uid(study_key, "study")
    ds.SeriesInstanceUID = uid(study_key, series_no, "series")
    ds.StudyID = f"{seed % 10000:04d}"
    ds.SeriesNumber = series_no
    ds.InstanceNumber = 1
    ds.PatientOrientation = ["L", "P"] if body != "KNEE" else ["A", "F"]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = ds.Columns = N
    ds.PixelSpacing = [spacing, spacing]
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.WindowCenter = wc
    ds.WindowWidth = ww
    if modality == "CT":
        ds.RescaleIntercept = -1024
        ds.RescaleSlope = 1
        ds.RescaleType = "HU"
    stored = []
    for f in frames:
        s, v = to_stored(f, modality)
        stored.append(burn_stamp(s, v))
    if len(frames) > 1:  # adjacent slices, told apart by their slice locations
        ds.NumberOfFrames = len(frames)
        ds.FrameIncrementPointer = 0x00182005  # Slice Location Vector
        ds.SliceLocationVector = [float(k * (thickness or 1.0)) for k in range(len(frames))]
    ds.PixelData = np.stack(stored).astype("<u2").tobytes()
    ds.save_as(path, enforce_file_format=True)


def window8(img: np.ndarray, modality: str, body: str) -> np.ndarray:
    """Windowed 8-bit rendering of a phantom (stamp included)."""
    _, _, wc, ww = MODALITY_SETUP[(modality, body)]
    stored, v = to_stored(img, modality)
    stored = burn_stamp(stored, v).astype(np.float64)
    if modality == "CT":
        stored = stored - 1024
    out = (stored - (wc - ww / 2)) / ww * 255
    return np.clip(out, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------
# figures: annotated key image, lab sheet photo, photo of a screen / film


def synthetic_banner(img: Image.Image, text: str, font: str = "sans-bold") -> Image.Image:
    """Append a red banner with the SYNTHETIC notice under an image."""
    f = load_font(font, 17)
    out = Image.new("RGB", (img.width, img.height + 30), (150, 20, 20))
    out.paste(img, (0, 0))
    ImageDraw.Draw(out).text((8, img.height + 5), text, font=f, fill=(255, 255, 255))
    return out


def key_image(img: np.ndarray, case: Case, lesion: tuple[float, float, float]) -> Image.Image:
    """Upscaled windowed image with an arrow to the lesion and a measurement label."""
    g = GROUPS[case.group]
    scale = 4
    pic = Image.fromarray(window8(img, case.modality, g.body_part)).resize(
        (N * scale, N * scale), Image.Resampling.BICUBIC).convert("RGB")
    d = ImageDraw.Draw(pic)
    row, col, r = lesion
    cx, cy, rr = col * scale, row * scale, max(r, 2) * scale
    dx = -1 if cx > N * scale / 2 else 1
    dy = 1 if cy < N * scale * 0.4 else -1  # arrow from below for lesions near the top
    tail = (cx + dx * (rr + 90), cy + dy * (rr + 70))
    tip = (cx + dx * (rr * 0.75 + 4), cy + dy * (rr * 0.75 + 4))
    d.line((tail, tip), fill=(255, 220, 0), width=4)
    ang = np.arctan2(tip[1] - tail[1], tip[0] - tail[0])
    for a in (ang + 2.6, ang - 2.6):
        d.line((tip, (tip[0] + 18 * np.cos(a), tip[1] + 18 * np.sin(a))), fill=(255, 220, 0), width=4)
    if case.group in ("nodule", "stone", "cyst") or case.kind == "intraparenchymal":  # calliper
        d.line(((cx - rr, cy - dy * (rr + 8)), (cx + rr, cy - dy * (rr + 8))), fill=(0, 230, 255), width=2)
    unit = "mL" if case.group == "ich" else "mm"
    label = f"{case.size:g} {unit}"
    f = load_font("sans-bold", 22)
    lx = min(max(tail[0] - 30, 4), N * scale - 110)
    d.text((lx, tail[1] - 30 if dy < 0 else tail[1] + 4), label, font=f, fill=(255, 220, 0))
    small = load_font("sans", 15)
    d.text((N * scale - 150, 6), f"{case.modality}  {case.id}", font=small, fill=(220, 220, 220))
    return synthetic_banner(pic, "SYNTHETIC — sample data, not a real patient")


LABS: dict[str, list[tuple[str, str, str, str, str]]] = {
    # group -> rows (name EN, name ZH, unit, reference, value key)
    "pneumonia": [("White blood cells", "白细胞计数", "10^9/L", "3.5-9.5", "wbc"),
                  ("Neutrophils", "中性粒细胞百分比", "%", "40-75", "neut"),
                  ("C-reactive protein", "C 反应蛋白", "mg/L", "<10", "crp"),
                  ("Procalcitonin", "降钙素原", "ng/mL", "<0.05", "pct"),
                  ("SpO2 (room air)", "血氧饱和度（未吸氧）", "%", "95-100", "spo2")],
    "effusion": [("Pleural fluid protein", "胸水总蛋白", "g/L", "-", "prot"),
                 ("Pleural fluid LDH", "胸水乳酸脱氢酶", "U/L", "-", "ldh"),
                 ("Pleural fluid pH", "胸水 pH", "", "7.60-7.64", "ph"),
                 ("Serum NT-proBNP", "血清 NT-proBNP", "pg/mL", "<125", "bnp"),
                 ("Cytology", "细胞学", "", "-", "cyto")],
    "stone": [("Urine red blood cells", "尿红细胞", "/HPF", "0-3", "rbc"),
              ("Urine white blood cells", "尿白细胞", "/HPF", "0-5", "uwbc"),
              ("Serum creatinine", "血肌酐", "umol/L", "57-111", "crea"),
              ("Serum uric acid", "血尿酸", "umol/L", "208-428", "ua"),
              ("Urine pH", "尿 pH", "", "4.5-8.0", "uph")],
    "ich": [("Platelets", "血小板计数", "10^9/L", "125-350", "plt"),
            ("INR", "国际标准化比值 INR", "", "0.8-1.2", "inr"),
            ("APTT", "活化部分凝血活酶时间", "s", "25-37", "aptt"),
            ("Glucose", "血糖", "mmol/L", "3.9-6.1", "glu"),
            ("Blood pressure (admission)", "入院血压", "mmHg", "<140/90", "bp")],
}


def lab_values(case: Case) -> dict[str, str]:
    """Values consistent with the case's diagnosis and course."""
    severe = case.outcome == "deceased"
    if case.group == "pneumonia":
        return {"wbc": "19.6 H" if severe else f"{12 + case.age % 5}.{case.age % 10} H",
                "neut": "91 H" if severe else f"{80 + case.age % 9} H", "crp": "214 H" if severe else f"{60 + case.age} H",
                "pct": "8.4 H" if severe else "0.6 H", "spo2": "86 L" if severe or case.age > 80 else "95"}
    if case.group == "effusion":
        exudate = case.kind != "transudate"
        return {"prot": "46" if exudate else "18", "ldh": "980" if case.kind == "empyema" else ("410" if exudate else "95"),
                "ph": "7.05 L" if case.kind == "empyema" else "7.38", "bnp": "3850 H" if not exudate else "210 H",
                "cyto": ("adenocarcinoma cells" if case.lang == "en" else "见腺癌细胞") if case.kind == "malignant" else ("negative" if case.lang == "en" else "阴性")}
    if case.group == "stone":
        return {"rbc": f"{25 + case.age % 30} H", "uwbc": "3", "crea": "168 H" if case.kind == "obstructing" else "82",
                "ua": "455 H" if case.sex == "M" else "310", "uph": "5.5"}
    return {"plt": "212", "inr": "3.4 H" if case.outcome == "deceased" else "1.0", "aptt": "31",
            "glu": "7.8 H", "bp": "196/112 H" if case.kind == "intraparenchymal" else "150/88 H"}


def lab_sheet(case: Case) -> Image.Image:
    """Typeset lab sheet (EN or ZH) on paper, before photo degradation."""
    zh = case.lang == "zh"
    body = load_font("cjk-sans" if zh else "sans", 22)
    bold = load_font("cjk-sans-bold" if zh else "sans-bold", 26)
    page = Image.new("RGB", (760, 560), (246, 244, 236))
    d = ImageDraw.Draw(page)
    title = "检验报告单（样例）" if zh else "LABORATORY REPORT (SPECIMEN)"
    d.text((40, 30), title, font=bold, fill=(30, 30, 40))
    info = (f"姓名：虚构患者 {case.id.upper()}   性别：{'男' if case.sex == 'M' else '女'}   年龄：{case.age}   日期：{case.date}"
            if zh else f"Name: SYNTHETIC PATIENT {case.id.upper()}   Sex: {case.sex}   Age: {case.age}   Date: {case.date}")
    d.text((40, 78), info, font=load_font("cjk-sans" if zh else "sans", 17), fill=(50, 50, 60))
    d.line((40, 110, 720, 110), fill=(90, 90, 100), width=2)
    heads = ("项目", "结果", "单位", "参考范围") if zh else ("Test", "Result", "Unit", "Reference")
    cols = (40, 380, 530, 630)
    for c, h in zip(cols, heads, strict=True):
        d.text((c, 122), h, font=bold, fill=(30, 30, 40))
    values = lab_values(case)
    y = 170
    for en, zh_name, unit, ref, key in LABS[case.group]:
        d.text((cols[0], y), zh_name if zh else en, font=body, fill=(30, 30, 40))
        d.text((cols[1], y), values[key], font=body, fill=(160, 20, 20) if values[key].endswith(("H", "L")) else (30, 30, 40))
        d.text((cols[2], y), unit, font=body, fill=(30, 30, 40))
        d.text((cols[3], y), ref, font=body, fill=(30, 30, 40))
        y += 52
    d.line((40, y + 4, 720, y + 4), fill=(90, 90, 100), width=2)
    d.text((40, y + 18), "SYNTHETIC — sample data, not a real patient", font=load_font("sans-bold", 20), fill=(170, 20, 20))
    stamp = Image.new("RGBA", (260, 90), (0, 0, 0, 0))
    sd = ImageDraw.Draw(stamp)
    sd.rounded_rectangle((4, 4, 256, 86), radius=12, outline=(200, 30, 30, 190), width=5)
    sd.text((22, 20), "SYNTHETIC", font=load_font("sans-bold", 38), fill=(200, 30, 30, 190))
    stamp = stamp.rotate(14, expand=True, resample=Image.Resampling.BICUBIC)
    page.paste(stamp, (470, 20), stamp)
    return page


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


def photograph(page: Image.Image, seed: int, desk: tuple[int, int, int], width: int = 720,
               glare: bool = False) -> Image.Image:
    """Phone-photo degradation: rotation, desk in the corners, blur, uneven light, noise."""
    rng = np.random.default_rng(seed)
    angle = float(rng.uniform(-5, 5))
    photo = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=desk)
    dx, dy = int(photo.width * 0.03), int(photo.height * 0.03)
    photo = photo.crop((dx, dy, photo.width - dx, photo.height - dy))
    photo = photo.resize((width, int(photo.height * width / photo.width)), Image.Resampling.LANCZOS)
    photo = photo.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 1.0))))
    px = np.asarray(photo, np.float32) * lighting(photo.size, rng, float(rng.uniform(0.15, 0.28)))[..., None]
    if glare:
        h, w = px.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w]
        gx, gy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.5) * h
        px += 70 * np.exp(-(((xx - gx) / (0.18 * w)) ** 2 + ((yy - gy) / (0.1 * h)) ** 2))[..., None]
    px += rng.normal(0, 4.0, px.shape[:2] + (1,)) + rng.normal(0, 1.5, px.shape)
    return Image.fromarray(np.clip(px, 0, 255).astype(np.uint8))


def screen_page(img8: np.ndarray, label: str, film: bool, seed: int) -> Image.Image:
    """The image shown on a monitor (dark bezel, moire) or as a film on a light box."""
    rng = np.random.default_rng(seed)
    pic = Image.fromarray(img8).resize((480, 480), Image.Resampling.BICUBIC).convert("RGB")
    if film:
        page = Image.new("RGB", (620, 600), (235, 240, 246))  # light box
        page.paste(pic, (70, 40))
        d = ImageDraw.Draw(page)
        d.text((74, 530), f"{label}  SYNTHETIC FILM — sample data", font=load_font("sans-bold", 18), fill=(60, 60, 70))
        return page
    page = Image.new("RGB", (640, 580), (18, 18, 22))  # bezel
    screen = Image.new("RGB", (600, 520), (0, 0, 0))
    screen.paste(pic, (60, 20))
    d = ImageDraw.Draw(screen)
    d.text((8, 6), "SYNTHETIC", font=load_font("sans-bold", 16), fill=(255, 80, 80))
    d.text((8, 496), label, font=load_font("mono", 14), fill=(200, 200, 200))
    px = np.asarray(screen, np.float32)
    yy, xx = np.mgrid[0:px.shape[0], 0:px.shape[1]]
    moire = 1 + 0.06 * np.sin(xx * 0.9 + yy * 0.35 + rng.uniform(0, 6))
    screen = Image.fromarray(np.clip(px * moire[..., None] + 6, 0, 255).astype(np.uint8))
    page.paste(screen, (20, 20))
    return page


# ---------------------------------------------------------------------------------------------
# reports


def report_en(case: Case) -> tuple[str, str]:
    g, s, z = case.group, case.side, case.size
    side_txt = {"bilateral": "bilateral"}.get(s, s)
    findings = {
        "nodule": lambda: {
            "solid": f"A {z:g} mm solid, well-circumscribed nodule in the {case.site}. No calcification, no cavitation. No mediastinal or hilar lymphadenopathy. No pleural effusion.",
            "spiculated": f"A {z:g} mm irregular nodule with spiculated margins in the {case.site}, with pleural tagging. No enlarged lymph nodes.",
            "calcified": f"A {z:g} mm densely calcified nodule in the {case.site}. Lungs otherwise clear.",
        }[case.kind],
        "pneumonia": lambda: f"Airspace consolidation in the {case.site} with air bronchograms. "
                     + ("Small left pleural effusion. " if case.outcome == "deceased" else "No pleural effusion. ")
                     + "Heart size normal. No pneumothorax.",
        "effusion": lambda: f"{'Bilateral small pleural effusions' if s == 'bilateral' else f'{side_txt.capitalize()} pleural effusion'} "
                    f"(maximum depth about {z:g} mm) {'blunting ' + case.site if case.modality == 'CR' else 'layering dependently in the ' + case.site}, "
                    "with adjacent compressive atelectasis. "
                    + ("Pleural thickening and enhancement. " if case.kind in ("empyema", "malignant") else "No pleural thickening. "),
        "ptx": lambda: f"{side_txt.capitalize()} pneumothorax in the {case.site}; the visceral pleural line is visible with absent lung markings peripherally. "
               f"Rim of air about {z:g} mm. No mediastinal shift." + (" Emphysematous changes." if case.kind == "secondary" else ""),
        "stone": lambda: f"A {z:g} mm {'staghorn ' if case.kind == 'staghorn' else ''}calculus in the {case.site}"
                 + (", with moderate hydronephrosis." if case.kind == "obstructing" else ". No hydronephrosis.")
                 + (" Echogenic focus with posterior acoustic shadowing." if case.modality == "US" else " Density about 900 HU."),
        "cyst": lambda: f"A {z:g} mm round lesion in the {case.site}, "
                + {"US": "anechoic with a thin wall and posterior acoustic enhancement.",
                   "CT": "of fluid attenuation (about 5 HU) with no enhancement and no septa.",
                   "MR": "homogeneously bright on T2, dark on T1, no enhancement."}[case.modality],
        "ich": lambda: (f"Hyperdense crescentic extra-axial collection over the {case.site}, maximum thickness about {max(4, z / 4):.0f} mm (estimated volume {z:g} mL). "
                if case.kind == "subdural" else
                f"Acute intraparenchymal hematoma in the {case.site}, estimated volume {z:g} mL, with surrounding edema. ")
               + ("Midline shift of 6 mm." if z >= 40 else "No midline shift.") + " No hydrocephalus.",
        "meniscus": lambda: f"Linear intrameniscal high signal in the {case.site} extending to the articular surface, tear length about {z:g} mm. "
                    + ("Displaced fragment in the intercondylar notch. " if case.kind == "lateral" else "")
                    + "Cruciate ligaments intact. Small joint effusion.",
    }[g]()
    impression = {
        "nodule": lambda: f"{'Spiculated' if case.kind == 'spiculated' else 'Solitary'} pulmonary nodule, {case.site}, {z:g} mm.",
        "pneumonia": lambda: f"Consolidation in keeping with pneumonia, {case.site}.",
        "effusion": lambda: f"{side_txt.capitalize()} pleural effusion" + {"parapneumonic": ", likely parapneumonic.", "malignant": ", suspicious for malignancy.",
                                                                      "transudate": ", likely transudate (cardiac).", "empyema": ", suspected empyema."}[case.kind],
        "ptx": lambda: f"{side_txt.capitalize()} {'secondary ' if case.kind == 'secondary' else ''}pneumothorax, {'small' if z < 20 else ('moderate' if z < 40 else 'large')}.",
        "stone": lambda: f"{side_txt.capitalize()} renal calculus, {z:g} mm" + (" with obstruction." if case.kind == "obstructing" else "."),
        "cyst": lambda: f"Simple hepatic cyst, {z:g} mm." if z < 45 else f"Large hepatic cyst, {z:g} mm.",
        "ich": lambda: f"Acute {'subdural hematoma' if case.kind == 'subdural' else 'intracerebral hemorrhage'}, {side_txt}.",
        "meniscus": lambda: f"Tear of the {case.site}, {side_txt} knee.",
    }[g]()
    return findings, impression


def report_zh(case: Case) -> tuple[str, str]:
    g, z = case.group, case.size
    sd = {"right": "右", "left": "左", "bilateral": "双"}[case.side]
    findings = {
        "nodule": lambda: {
            "solid": f"{case.site}见一实性结节，大小约 {z:g} mm，边界清楚，无钙化及空洞。纵隔及肺门未见肿大淋巴结，无胸腔积液。",
            "spiculated": f"{case.site}见一不规则结节，大小约 {z:g} mm，边缘可见毛刺及胸膜牵拉征。纵隔淋巴结无肿大。",
            "calcified": f"{case.site}见一致密钙化结节，直径约 {z:g} mm。余肺野清晰。",
        }[case.kind],
        "pneumonia": lambda: f"{case.site}见大片状实变影，其内可见支气管充气征。心影大小正常，未见气胸及胸腔积液。",
        "effusion": lambda: (f"{case.site}变钝，呈外高内低弧形液面，提示{sd}侧胸腔积液，最大深度约 {z:g} mm。"
                     if case.modality == "CR" else
                     f"{case.site}见弧形液性密度影，沿后方坠积分布，最大深度约 {z:g} mm，邻近肺组织压迫性不张。")
                    + ("胸膜增厚并强化。" if case.kind in ("empyema", "malignant") else "未见胸膜增厚。"),
        "ptx": lambda: f"{case.site}见无肺纹理透亮区，可见脏层胸膜线，气带宽约 {z:g} mm，纵隔无移位。" + ("双肺呈肺气肿改变。" if case.kind == "secondary" else ""),
        "stone": lambda: f"{case.site}见一{'鹿角形' if case.kind == 'staghorn' else ''}结石，大小约 {z:g} mm，"
                 + ("伴中度肾积水。" if case.kind == "obstructing" else "未见肾积水。")
                 + ("呈强回声，后方伴声影。" if case.modality == "US" else "CT 值约 900 HU。"),
        "cyst": lambda: f"{case.site}见一圆形病灶，大小约 {z:g} mm，"
                + {"US": "呈无回声，壁薄光滑，后方回声增强。", "CT": "呈水样低密度（约 5 HU），增强后无强化，无分隔。",
                   "MR": "T2WI 呈均匀高信号，T1WI 低信号，增强无强化。"}[case.modality],
        "ich": lambda: (f"{case.site}颅板下见新月形高密度影，最厚处约 {max(4, z / 4):.0f} mm（估计 {z:g} mL）。" if case.kind == "subdural" else
                f"{case.site}见团块状高密度血肿，估计出血量约 {z:g} mL，周围见低密度水肿带。")
               + (f"中线结构向{'左' if case.side == 'right' else '右'}移位约 6 mm。" if z >= 40 else "中线结构居中。") + "脑室系统无扩张。",
        "meniscus": lambda: f"{sd}膝{case.site}见线状高信号累及关节面，长约 {z:g} mm。前后交叉韧带完整，关节腔少量积液。",
    }[g]()
    impression = {
        "nodule": lambda: f"{case.site}孤立性肺结节（{z:g} mm）" + ("，恶性可能性大。" if case.kind == "spiculated" else "。"),
        "pneumonia": lambda: f"{case.site}实变，符合肺炎表现。",
        "effusion": lambda: f"{sd}侧胸腔积液，" + {"parapneumonic": "考虑肺炎旁积液。", "malignant": "恶性积液待排。",
                                        "transudate": "考虑心源性漏出液。", "empyema": "考虑脓胸。"}[case.kind],
        "ptx": lambda: f"{sd}侧{'继发性' if case.kind == 'secondary' else ''}气胸（{'少量' if z < 20 else ('中等量' if z < 40 else '大量')}）。",
        "stone": lambda: f"{sd}肾结石（{z:g} mm）" + ("伴梗阻。" if case.kind == "obstructing" else "。"),
        "cyst": lambda: f"肝囊肿（{z:g} mm）。" if z < 45 else f"较大肝囊肿（{z:g} mm）。",
        "ich": lambda: f"{sd}侧急性{'硬膜下血肿' if case.kind == 'subdural' else '脑实质出血'}。",
        "meniscus": lambda: f"{sd}膝{case.site}撕裂。",
    }[g]()
    return findings, impression


def write_report(case: Case, folder: Path) -> None:
    g = GROUPS[case.group]
    if case.lang == "en":
        findings, impression = report_en(case)
        text = (f"# {case.modality} {g.body_part.lower()} — case {case.id} (SYNTHETIC)\n\n"
                f"{case.age}-year-old {'man' if case.sex == 'M' else 'woman'}, study date {case.date}. "
                "Synthetic sample report; the patient is fictional.\n\n"
                f"## Findings\n\n{findings.strip()}\n\n## Impression\n\n{impression}\n\n## Follow-up\n\n{case.course}\n")
    else:
        findings, impression = report_zh(case)
        text = (f"# {case.modality} 检查报告 — 病例 {case.id}（合成样例）\n\n"
                f"{case.age} 岁{'男性' if case.sex == 'M' else '女性'}，检查日期 {case.date}。合成示例报告，患者为虚构人物。\n\n"
                f"## 检查所见\n\n{findings.strip()}\n\n## 诊断意见\n\n{impression}\n\n## 随访\n\n{case.course}\n")
    (folder / "report.md").write_text(text, encoding="utf-8")


def yaml_scalar(v: object) -> str:
    if isinstance(v, int | float):
        return f"{v:g}" if isinstance(v, float) else str(v)
    return json.dumps(str(v), ensure_ascii=False)


def write_yaml(path: Path, fields: dict[str, object]) -> None:
    lines = [f"{k}: {yaml_scalar(v)}" for k, v in fields.items()]
    path.write_text("# SYNTHETIC sample data: fictional patient\n" + "\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# main


def case_seed(cid: str) -> int:
    return int(cid[1:]) * 101 + (0 if cid[0] == "c" else 50000)


def study_desc(group: str, modality: str, body: str) -> str:
    return {("CT", "CHEST"): "CT CHEST", ("CR", "CHEST"): "XR CHEST PA", ("CT", "ABDOMEN"): "CT ABDOMEN",
            ("US", "ABDOMEN"): "US ABDOMEN", ("MR", "ABDOMEN"): "MRI LIVER", ("CT", "HEAD"): "CT HEAD NON-CONTRAST",
            ("MR", "KNEE"): "MRI KNEE"}[(modality, body)]


def series_desc(group: str, modality: str, body: str, variant: int) -> str:
    base = {("CT", "CHEST"): "Axial 1.25 mm lung", ("CR", "CHEST"): "PA", ("CT", "ABDOMEN"): "Axial 5 mm",
            ("US", "ABDOMEN"): "B-mode", ("MR", "ABDOMEN"): "Axial T2 HASTE", ("CT", "HEAD"): "Axial 5 mm brain",
            ("MR", "KNEE"): "Sagittal PD"}[(modality, body)]
    if variant:
        return {"KNEE": "Sagittal PD fat-sat", "ABDOMEN": "Axial 5 mm portal venous",
                "CHEST": "Axial 5 mm mediastinal"}.get(body, base + " (2)")
    return base


def write_case(case: Case) -> None:
    g = GROUPS[case.group]
    folder = CASES_DIR / case.id
    folder.mkdir(parents=True)
    seed = case_seed(case.id)
    img, lesion = phantom(case.id, case.group, case.modality, case.side, case.size, case.kind, seed)
    frames = [img]
    if case.extra == "frames2":
        frames.append(phantom(case.id, case.group, case.modality, case.side, case.size, case.kind, seed, 1)[0])
    person = f"SYNTHETIC^PATIENT{case.id[1:]}"
    common = dict(person=person, pid=f"SYN-MED-{case.id[1:]:0>4}", age=case.age, sex=case.sex,
                  modality=case.modality, body=g.body_part, study_date=case.date,
                  study_desc=study_desc(case.group, case.modality, g.body_part), seed=seed, study_key=case.id)
    write_dicom(folder / "scan.dcm", frames, series_desc=series_desc(case.group, case.modality, g.body_part, 0),
                series_no=1, **common)
    if case.extra == "series2":
        img2, _ = phantom(case.id, case.group, case.modality, case.side, case.size, case.kind, seed, 1)
        window = (40, 400) if g.body_part == "CHEST" else None  # mediastinal window
        write_dicom(folder / "scan-series2.dcm", [img2], series_no=2, window=window,
                    series_desc=series_desc(case.group, case.modality, g.body_part, 1), **common)
    if case.figure == "key":
        key_image(img, case, lesion).save(folder / "key-image.jpg", quality=80)
    else:
        desk = ((96, 74, 58), (120, 118, 112), (70, 72, 80))[seed % 3]
        photograph(lab_sheet(case), seed, desk, width=680).save(folder / "lab-results.jpg", quality=78)
    write_report(case, folder)
    write_yaml(folder / "case.yaml", {"diagnosis": g.diagnosis, "age": case.age, "sex": case.sex,
                                      "imaging": case.modality, "body_part": g.body_part.lower(),
                                      "outcome": case.outcome, "study_date": case.date})


def similarity_order(q: Query) -> list[str]:
    """The group's cases, most similar first: same sub-type, same side, close size, close age."""
    group = [c for c in CASES if c.group == q.group]

    def score(c: Case) -> tuple[float, ...]:
        return (-(c.kind == q.kind) - (c.side == q.side) - 0.5 * (c.modality == q.modality),
                abs(c.size - q.size) / max(q.size, 1), abs(c.age - q.age), int(c.id[1:]))
    return [c.id for c in sorted(group, key=score)]


def write_query(q: Query) -> dict[str, object]:
    g = GROUPS[q.group]
    folder = QUERIES_DIR / "cases" / q.id
    folder.mkdir(parents=True)
    seed = case_seed(q.id)
    img, _ = phantom(q.id, q.group, q.modality, q.side, q.size, q.kind, seed)
    date = f"2025-{1 + int(q.id[1:]) % 12:02d}-{3 + int(q.id[1:]):02d}"
    if "dcm" in q.images:
        write_dicom(folder / "scan.dcm", [img], person=f"SYNTHETIC^QUERY{q.id[1:]}", pid=f"SYN-QRY-{q.id[1:]:0>4}",
                    age=q.age, sex=q.sex, modality=q.modality, body=g.body_part, study_date=date,
                    study_desc=study_desc(q.group, q.modality, g.body_part),
                    series_desc=series_desc(q.group, q.modality, g.body_part, 0), series_no=1, seed=seed,
                    study_key=q.id)
    for kind in ("screen", "film"):
        if kind in q.images:
            page = screen_page(window8(img, q.modality, g.body_part), f"{q.modality} {g.body_part}  {q.id}",
                               kind == "film", seed)
            desk = (60, 58, 64) if kind == "screen" else (150, 140, 125)
            photograph(page, seed + 7, desk, width=640, glare=True).save(
                folder / f"{kind}-photo.jpg", quality=78)
    (folder / "history.md").write_text(f"# History (SYNTHETIC query {q.id})\n\n{q.history}\n"
                                       if q.source_lang == "en" else
                                       f"# 病史（合成查询 {q.id}）\n\n{q.history}\n", encoding="utf-8")
    write_yaml(folder / "case.yaml", {"age": q.age, "sex": q.sex, "imaging": q.modality,
                                      "body_part": g.body_part.lower(), "study_date": date})
    n = int(q.id[1:])
    question = (EN_Q if q.lang == "en" else ZH_Q)[n % 2]
    return {"id": q.id, "case": f"cases/{q.id}", "question": question, "expected_cases": similarity_order(q),
            "split": q.split, "lang": q.lang, "source_lang": q.source_lang}


def main() -> None:
    for d in (CASES_DIR, QUERIES_DIR):
        if d.exists():
            shutil.rmtree(d)
    for case in CASES:
        write_case(case)
    print(f"wrote cases/ ({len(CASES)} cases, {len(GROUPS)} groups)")
    records = [write_query(q) for q in QUERIES]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    (QUERIES_DIR / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote queries/ ({len(records)} queries)")


if __name__ == "__main__":
    main()
