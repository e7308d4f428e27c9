"""Case sources (`kind: cases`): several files that belong together plus a few fields.

A case is a sub-folder of the source path (its files, and an optional `case.yaml` or
`case.json` mapping of fields) or a row of a CSV/JSONL manifest (`case_id`, `files`, fields).
Every node of a case carries `case_id` and the case's fields as flat metadata, so `--where
outcome=fraud` filters on them; each case also gets one text node, its *record* (the id and
fields), so the fields are searchable words too.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from loaders.base import Document
from pipelines.errors import ConfigError

FIELD_FILES = ("case.yaml", "case.yml", "case.json")
MANIFESTS = (".csv", ".jsonl")
# metadata keys of mmrag's own: a case field may not shadow them
RESERVED = frozenset({"source", "path", "modality", "page", "image", "start", "end", "bbox",
                      "case_id", "case_fields", "case_record", "fingerprint", "width", "height",
                      "failed_pages"})
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?")
Scalar = str | int | float | bool


@dataclass
class Case:
    """One case: its id, fields and files; `origin` names it in the catalog (the case's
    record node is stored under `origin`)."""

    case_id: str
    fields: dict[str, Scalar]
    files: list[Path] = field(default_factory=list)
    origin: str = ""

    def metadata(self) -> dict[str, Scalar]:
        """What every node of the case carries: `case_id` and the fields."""
        return {"case_id": self.case_id, "case_fields": ",".join(self.fields), **self.fields}

    def key(self) -> str:
        """A digest of the id and fields: part of each file's content hash, so a changed
        field re-embeds the whole case."""
        text = json.dumps(self.metadata(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def record(self) -> Document:
        """The case's own text node: its id and fields, one per line."""
        lines = [f"Case {self.case_id}", *(f"{k}: {v}" for k, v in self.fields.items())]
        return Document(text="\n".join(lines), source=self.origin, metadata={"case_record": True})


def is_record(source: str) -> bool:
    """Whether a catalog source is a case's record ("<folder>#case", "<manifest>#<id>")."""
    return "#" in Path(source).name


def read_cases(path: Path, display: Callable[[Path], str] = str) -> list[Case]:
    """The cases of one `kind: cases` source: a folder of case folders, or a manifest;
    `display` names a folder or manifest in the catalog (the records' `origin`)."""
    if path.is_dir():
        return [_folder_case(sub, display) for sub in sorted(path.iterdir())
                if sub.is_dir() and not sub.name.startswith(".")]
    if path.is_file() and path.suffix.lower() in MANIFESTS:
        return _manifest_cases(path, display)
    if path.is_file():
        raise ConfigError(f"{path}: a cases source is a folder of case folders or a "
                          f"{'/'.join(MANIFESTS)} manifest")
    raise ConfigError(f"source path not found: {path}")


def read_case_folder(folder: Path) -> Case:
    """One case folder on its own (a query given as `--case DIR`)."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: case folder not found")
    return _folder_case(folder, str)


def _folder_case(folder: Path, display: Callable[[Path], str]) -> Case:
    fields: dict[str, Scalar] = {}
    for name in FIELD_FILES:
        if (folder / name).is_file():
            fields = _fields(_read_mapping(folder / name), folder / name)
            break
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in FIELD_FILES
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    return Case(folder.name, fields, files, origin=f"{display(folder)}#case")


def _read_mapping(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{path}: cannot read the case fields ({problem})") from None


def _fields(data: object, where: Path | str) -> dict[str, Scalar]:
    """A flat mapping of scalar fields; dates become ISO strings."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: case fields must be a mapping of names to values")
    out: dict[str, Scalar] = {}
    for key, value in data.items():
        name = str(key)
        if name in RESERVED:
            raise ConfigError(f"{where}: case field {name!r} is a name mmrag uses itself; "
                              f"rename it (reserved: {', '.join(sorted(RESERVED))})")
        if value is None:
            continue
        if hasattr(value, "isoformat"):  # YAML dates
            value = value.isoformat()
        if not isinstance(value, str | int | float | bool):
            raise ConfigError(f"{where}: case field {name!r} must be a single value "
                              f"(text, number, date or true/false), not {type(value).__name__}")
        out[name] = value
    return out


def _scalar(text: str) -> Scalar:
    """A CSV cell as a number when it is one (so `amount=1000..5000` compares numbers)."""
    text = text.strip()
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _manifest_cases(manifest: Path, display: Callable[[Path], str]) -> list[Case]:
    rows = _manifest_rows(manifest)
    cases, seen = [], set()
    for number, (case_id, files, fields) in enumerate(rows, start=1):
        where = f"{manifest}: row {number}"
        if not case_id:
            raise ConfigError(f"{where}: no case_id")
        if case_id in seen:
            raise ConfigError(f"{where}: case_id {case_id!r} appears twice")
        seen.add(case_id)
        paths = [(manifest.parent / f).resolve() for f in files]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise ConfigError(f"{where}: case {case_id!r} file not found: {missing[0]}")
        cases.append(Case(case_id, _fields(fields, where), paths,
                          origin=f"{display(manifest)}#{case_id}"))
    return cases


def _manifest_rows(manifest: Path) -> list[tuple[str, list[str], dict[str, object]]]:
    """(case_id, files, fields) per row of a CSV (`files` split on ';') or JSONL manifest."""
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{manifest}: cannot read the manifest ({exc})") from None
    if manifest.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        if not reader.fieldnames or not {"case_id", "files"} <= set(reader.fieldnames):
            raise ConfigError(f"{manifest}: a case manifest needs the columns case_id and files")
        return [(str(row.pop("case_id") or "").strip(),
                 [f.strip() for f in str(row.pop("files") or "").split(";") if f.strip()],
                 {k: _scalar(v) for k, v in row.items() if k and v not in (None, "")})
                for row in reader]
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{manifest}: line {number}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("files"), list):
            raise ConfigError(f"{manifest}: line {number}: needs case_id and a files list")
        rows.append((str(item.get("case_id") or "").strip(), [str(f) for f in item["files"]],
                     item.get("fields") or {}))
    return rows
