"""The DICOM loader: header text without patient identity, windowed previews, frames, codecs,
and every DICOM file the pydicom wheel ships."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pydicom = pytest.importorskip("pydicom")
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402

from loaders.dicom import DicomLoader  # noqa: E402
from loaders.errors import LoaderError  # noqa: E402

PHI = {"PatientName": "Doe^Jane", "PatientID": "MRN-4417093", "PatientBirthDate": "19580214",
       "PatientAddress": "12 Elm Street, Springfield", "InstitutionName": "St. Example Hospital",
       "ReferringPhysicianName": "House^Gregory", "AccessionNumber": "ACC99812"}
PHI_STRINGS = ["Doe", "Jane", "MRN-4417093", "19580214", "Elm Street", "St. Example",
               "House", "Gregory", "ACC99812"]


def write_ct(path: Path, hu: np.ndarray, frames: int = 1, photometric: str = "MONOCHROME2",
             **extra: object) -> Path:
    """A synthetic CT slice (or multi-frame) stored as raw values = HU + 1024."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.BodyPartExamined = "CT", "CHEST"
    ds.StudyDescription, ds.SeriesDescription = "CT chest with contrast", "Axial 1.25 mm"
    ds.SliceThickness, ds.PatientSex, ds.PatientAge = 1.25, "F", "066Y"
    ds.WindowCenter, ds.WindowWidth = 40, 400
    ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
    raw = np.stack([hu + 1024] * frames) if frames > 1 else hu + 1024
    ds.Rows, ds.Columns = hu.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, photometric
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit, ds.PixelRepresentation = 15, 0
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PixelData = raw.astype(np.uint16).tobytes()
    for key, value in {**PHI, **extra}.items():
        setattr(ds, key, value)
    ds.save_as(path, enforce_file_format=True)
    return path


def ramp() -> np.ndarray:
    """HU -160, 40 and 240 in three column bands: the window's bottom, centre and top."""
    hu = np.zeros((32, 48), dtype=np.int16)
    hu[:, :16], hu[:, 16:32], hu[:, 32:] = -160, 40, 240
    return hu


def load(path: Path, tmp_path: Path, **params: object) -> list:
    return list(DicomLoader(artifacts_dir=tmp_path / "art", **params).load(path))


def test_header_text_never_holds_patient_identity(tmp_path: Path) -> None:
    path = write_ct(tmp_path / "scan.dcm", ramp())
    docs = load(path, tmp_path)
    everything = repr([(d.text, d.metadata) for d in docs])
    assert not [s for s in PHI_STRINGS if s in everything]
    assert "Modality: CT" in docs[0].text and "Study: CT chest with contrast" in docs[0].text
    assert "Slice thickness (mm): 1.25" in docs[0].text and "Age: 066Y" in docs[0].text
    allowed = load(path, tmp_path, include_phi=True)
    assert "Patient name: Doe Jane" in allowed[0].text and "MRN-4417093" in allowed[0].text


def test_preview_uses_the_files_window(tmp_path: Path) -> None:
    docs = load(write_ct(tmp_path / "scan.dcm", ramp()), tmp_path)
    image = [d for d in docs if d.modality == "image"]
    assert len(image) == 1 and image[0].page is None
    pixels = np.asarray(Image.open(image[0].image))
    assert (pixels[0, 0], pixels[0, 20], pixels[0, 40]) == (0, 128, 255)
    wide = load(write_ct(tmp_path / "wide.dcm", ramp()), tmp_path, window=[40, 1600])
    pixels = np.asarray(Image.open(wide[1].image))
    assert 90 < pixels[0, 0] < pixels[0, 20] < pixels[0, 40] < 165  # a wider window: greyer


def test_monochrome1_is_inverted(tmp_path: Path) -> None:
    docs = load(write_ct(tmp_path / "m1.dcm", ramp(), photometric="MONOCHROME1"), tmp_path)
    pixels = np.asarray(Image.open(docs[1].image))
    assert (pixels[0, 0], pixels[0, 40]) == (255, 0)


def test_multi_frame_gives_one_image_per_frame(tmp_path: Path) -> None:
    path = write_ct(tmp_path / "multi.dcm", ramp(), frames=5)
    images = [d for d in load(path, tmp_path) if d.modality == "image"]
    assert [d.page for d in images] == [1, 2, 3, 4, 5]
    assert "frame 2 of 5" in images[1].text
    fewer = [d for d in load(path, tmp_path, max_frames=3) if d.modality == "image"]
    assert [d.page for d in fewer] == [1, 3, 5]


def test_burned_in_annotation_gives_no_preview_without_the_switch(tmp_path: Path) -> None:
    path = write_ct(tmp_path / "burned.dcm", ramp(), BurnedInAnnotation="YES")
    assert [d.modality for d in load(path, tmp_path)] == ["text"]
    assert [d.modality for d in load(path, tmp_path, include_phi=True)] == ["text", "image"]


def test_compressed_pixels_without_a_decoder_name_what_to_install(tmp_path: Path) -> None:
    from pydicom.data import get_testdata_file

    path = Path(get_testdata_file("JPEGLSNearLossless_08.dcm", download=False))
    with pytest.raises(LoaderError) as err:
        load(path, tmp_path)
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(path))
    assert "JPEG-LS Lossy (Near-Lossless) Image Compression pixel data needs a decoder: " \
           "pip install 'mmrag[dicom-codecs]'" in message


def test_not_dicom_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.dcm"
    bad.write_bytes(b"\x00" * 10)
    with pytest.raises(LoaderError, match=r"notes.dcm: not a readable DICOM file"):
        load(bad, tmp_path)


def test_every_dicom_file_in_the_pydicom_wheel(tmp_path: Path) -> None:
    """Each file loads or fails with a one-line LoaderError; nothing else escapes."""
    from benchmarks.dicom_sweep import sweep

    rows = sweep(tmp_path / "art")
    outcomes = {r["outcome"] for r in rows}
    assert not [r for r in rows if r["outcome"] == "crash"], [r for r in rows
                                                               if r["outcome"] == "crash"]
    loaded = [r for r in rows if r["outcome"].startswith("loaded")]
    assert len(rows) >= 150 and len(loaded) >= 170 * len(rows) // 197 - 5, outcomes
    assert sum(r["images"] for r in rows) >= 150
    assert all("\n" not in r["reason"] for r in rows)
