"""A DICOM file with patient identity, ingested and queried: the identity is nowhere in the
pipeline's state folder, the query output or the log, unless `include_phi` is set."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import write_config
from tests.loaders.test_dicom import PHI_STRINGS, ramp, write_ct


def state_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.mark.parametrize("include_phi", [False, True])
def test_patient_identity_never_indexed_without_the_switch(tmp_path: Path,
                                                          include_phi: bool) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    write_ct(scans / "case-001.dcm", ramp())
    write_ct(scans / "case-002.dcm", np.full((32, 48), 300, dtype=np.int16),
             StudyDescription="CT abdomen", BodyPartExamined="ABDOMEN")
    store = tmp_path / "store"
    config = write_config(tmp_path, f"""
sources:
  - path: {scans}
    params: {{include_phi: {str(include_phi).lower()}}}
index: {{store: {{path: {store}}}}}
""")
    run = [sys.executable, "-m", "pipelines.cli"]
    ingest = subprocess.run([*run, "ingest", str(config)], capture_output=True, text=True,
                            check=True)
    query = subprocess.run([*run, "query", str(config), "CT abdomen", "--json"],
                           capture_output=True, text=True, check=True)
    answer = json.loads(query.stdout)
    assert answer["sources"][0]["source"].endswith("case-002.dcm")
    assert any(s["modality"] == "image" for s in answer["sources"])
    seen = state_bytes(store).decode("latin-1") + ingest.stdout + ingest.stderr + query.stdout
    leaked = [s for s in PHI_STRINGS if s in seen]
    if include_phi:
        assert "MRN-4417093" in leaked
    else:
        assert leaked == []
