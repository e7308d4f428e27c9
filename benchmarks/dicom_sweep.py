"""The DICOM loader over every DICOM file the installed pydicom wheel ships (CT, MR, CR, PET,
multi-frame, JPEG / JPEG-LS / JPEG 2000 / RLE / deflate encodings, many character sets):
loaded (with how many preview images) or failed, with the one-line reason.

    .venv/bin/python benchmarks/dicom_sweep.py [--json out.json] [--list]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_table, write_json  # noqa: E402

SKIP = {".py", ".pyc", ".json", ".txt", ".md", ".dump", ".gz", ".bz2", ".zip", ".xml"}


def files() -> list[Path]:
    """The test data files inside the pydicom wheel (nothing is downloaded)."""
    from pydicom.data import data_manager

    root = Path(data_manager.DATA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() not in SKIP
                  and "__pycache__" not in p.parts)


def sweep(artifacts: Path) -> list[dict]:
    from loaders.dicom import DicomLoader
    from loaders.errors import LoaderError

    loader = DicomLoader(artifacts_dir=artifacts)
    rows = []
    for path in files():
        row = {"file": path.name, "outcome": "", "images": 0, "reason": ""}
        try:
            docs = list(loader.load(path))
            row["images"] = sum(d.modality == "image" for d in docs)
            row["outcome"] = "loaded, with images" if row["images"] else "loaded, header only"
        except LoaderError as exc:
            row["outcome"], row["reason"] = "failed", str(exc).split(": ", 1)[-1]
        except Exception as exc:  # noqa: BLE001 - the sweep reports what the loader let escape
            row["outcome"], row["reason"] = "crash", f"{exc.__class__.__name__}: {exc}"[:200]
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--list", action="store_true", help="print every file's outcome")
    args = parser.parse_args()
    import pydicom

    rows = sweep(Path(tempfile.mkdtemp(prefix="mmrag-dicom-")))
    print(f"pydicom {pydicom.__version__}: {len(rows)} files, "
          f"{sum(r['images'] for r in rows)} preview images")
    counts = Counter((r["outcome"], r["reason"][:110]) for r in rows)
    print_table(["outcome", "reason", "files"],
                [[o, r or "-", n] for (o, r), n in counts.most_common()])
    if args.list:
        print_table(["file", "outcome", "images", "reason"],
                    [[r["file"], r["outcome"], r["images"], r["reason"]] for r in rows])
    write_json(args.json, rows)


if __name__ == "__main__":
    main()
