"""DICOM (`.dcm`) files: clinically useful header fields as text, pixel data as PNG previews.

Patient-identifying fields are never read into documents unless the source's loader
params say `include_phi: true`: only the fields listed in `CLINICAL` are indexed (an allow
list, so a field not named here cannot leak), and a file whose pixels carry burned-in
annotations (0028,0301 = YES) gives no preview unless PHI is allowed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.base import Document, Loader
from loaders.errors import LoaderError
from loaders.params import DicomParams

# (keyword, label) of the header fields indexed as text, in reading order
CLINICAL = (
    ("Modality", "Modality"), ("BodyPartExamined", "Body part"),
    ("StudyDescription", "Study"), ("SeriesDescription", "Series"),
    ("ProtocolName", "Protocol"), ("ImageType", "Image type"),
    ("ViewPosition", "View"), ("Laterality", "Laterality"),
    ("PatientSex", "Sex"), ("PatientAge", "Age"),
    ("SliceThickness", "Slice thickness (mm)"), ("SpacingBetweenSlices", "Slice spacing (mm)"),
    ("PixelSpacing", "Pixel spacing (mm)"), ("KVP", "kVp"),
    ("ContrastBolusAgent", "Contrast"), ("MagneticFieldStrength", "Field strength (T)"),
    ("SequenceName", "Sequence"), ("RepetitionTime", "TR (ms)"), ("EchoTime", "TE (ms)"),
    ("Manufacturer", "Manufacturer"), ("ManufacturerModelName", "Model"),
    ("Rows", "Rows"), ("Columns", "Columns"), ("NumberOfFrames", "Frames"),
)
# indexed only with `include_phi: true`
IDENTIFYING = (
    ("PatientName", "Patient name"), ("PatientID", "Patient ID"),
    ("PatientBirthDate", "Birth date"), ("PatientAddress", "Address"),
    ("OtherPatientIDs", "Other patient IDs"), ("PatientTelephoneNumbers", "Telephone"),
    ("InstitutionName", "Institution"), ("ReferringPhysicianName", "Referring physician"),
    ("AccessionNumber", "Accession number"), ("StudyDate", "Study date"),
    ("StudyID", "Study ID"),
)
# what to install for pixel data pydicom cannot decode by itself (by transfer syntax name)
_NO_DECODER = ("missing", "does not support", "no pixel data decoders")
CODECS = "pip install 'mmrag[dicom-codecs]' (pylibjpeg, pylibjpeg-libjpeg, pylibjpeg-openjpeg)"


class DicomLoader(Loader):
    """One text document of header fields per file, and one image per frame (a PNG preview
    with the file's window/level, or its full range).

    Params:
        include_phi: Also index patient-identifying fields (default false).
        max_frames: Most previews per multi-frame file, evenly spaced (default 16).
        window: `[center, width]` for every file, instead of each file's own.
    """

    name = "dicom"
    suffixes = (".dcm", ".dicom")
    version = 1
    Params = DicomParams
    options: DicomParams

    def load(self, path: Path) -> Iterator[Document]:
        ds = _read(path)
        include_phi = self.options.include_phi
        fields = _fields(ds, CLINICAL + (IDENTIFYING if include_phi else ()))
        header = "\n".join(f"{label}: {value}" for label, value in fields.items())
        meta = {f"dicom_{k.lower().replace(' ', '_').replace('(', '').replace(')', '')}": v
                for k, v in fields.items() if k in ("Modality", "Body part", "Study", "Series")}
        summary = f"DICOM {fields.get('Modality', '')} {fields.get('Body part', '')}".strip()
        yield Document(text=f"{summary}\n{header}", source=str(path), metadata=meta)
        if "PixelData" not in ds:
            return
        if str(ds.get("BurnedInAnnotation", "")).upper() == "YES" and not include_phi:
            return  # the pixels may show the patient's name: no preview without the switch
        frames = _frames(ds, path, self.options.window)
        count = len(frames)
        folder = self.artifact_folder(path)
        for number in _pick(count, self.options.max_frames):
            image = frames[number]
            evidence = folder / f"frame-{number + 1:04d}.png"
            image.save(evidence)
            label = f"frame {number + 1} of {count}" if count > 1 else "image"
            yield Document(text=f"{summary} {label}\n{header}", source=str(path),
                           modality="image", image=str(evidence),
                           page=number + 1 if count > 1 else None,
                           metadata={**meta, "width": image.width, "height": image.height})


def _read(path: Path) -> Any:
    import pydicom
    from pydicom.errors import InvalidDicomError
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns about each non-conformant value
        try:
            try:
                return pydicom.dcmread(path)
            except InvalidDicomError:  # no preamble: an old ACR-NEMA or raw dataset
                ds = pydicom.dcmread(path, force=True)
                if not any(k in ds for k in ("SOPClassUID", "Modality", "PixelData")):
                    raise InvalidDicomError("no DICOM elements") from None
                return ds
        except (InvalidDicomError, OSError, ValueError, KeyError, EOFError) as exc:
            raise LoaderError(path, f"not a readable DICOM file ({exc.__class__.__name__})"
                              ) from None


def _fields(ds: Any, wanted: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Label -> value text of the wanted header fields present in `ds`."""
    out: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for keyword, label in wanted:
            try:
                value = ds.get(keyword)
            except (ValueError, KeyError, TypeError):
                continue  # a malformed value is skipped, not fatal
            text = _text(value)
            if text:
                out[label] = text
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        return "\\".join(_text(v) for v in value)
    text = str(value).strip()
    return text.replace("^", " ").strip() if text not in ("", "None") else ""


def _frames(ds: Any, path: Path, window: tuple[float, float] | None) -> list[Any]:
    """Every frame as an 8-bit PIL image, windowed for display."""
    import numpy as np
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pixels = ds.pixel_array
        except (RuntimeError, NotImplementedError) as exc:
            syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
            name = getattr(syntax, "name", "this transfer syntax")
            text = str(exc)
            if any(s in text.lower() for s in _NO_DECODER):
                raise LoaderError(path, f"{name} pixel data needs a decoder: {CODECS}") from None
            reason = text.rsplit(":", 1)[-1].strip().splitlines()[0][:80] if ":" in text else ""
            raise LoaderError(path, f"cannot decode {name} pixel data"
                              + (f" ({reason})" if reason else "")) from None
        except (AttributeError, ValueError, KeyError, TypeError) as exc:
            raise LoaderError(path, f"broken pixel data ({str(exc).splitlines()[0][:120]})"
                              ) from None
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    arrays = list(pixels) if frames > 1 else [pixels]
    images = []
    for array in arrays:
        if photometric == "PALETTE COLOR":
            from pydicom.pixels import apply_color_lut

            rgb = apply_color_lut(array, ds)
            images.append(Image.fromarray(_to_uint8(rgb, None, None)))
        elif samples == 3:
            images.append(Image.fromarray(_to_uint8(np.asarray(array), None, None), "RGB"))
        else:
            gray = _windowed(ds, np.asarray(array), window)
            if photometric == "MONOCHROME1":
                gray = 255 - gray
            images.append(Image.fromarray(gray, "L"))
    return images


def _windowed(ds: Any, array: Any, window: tuple[float, float] | None) -> Any:
    """Modality LUT (rescale to e.g. Hounsfield units), then the window: the config's, the
    file's own (or its VOI LUT), else the full range."""
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    values = apply_modality_lut(array, ds).astype("float64")
    if window:
        center, width = float(window[0]), float(window[1])
        return _to_uint8(values, center - width / 2, center + width / 2)
    if "WindowCenter" in ds or "VOILUTSequence" in ds:
        try:
            shown = apply_voi_lut(values, ds, index=0)
            return _to_uint8(shown, None, None)
        except (ValueError, TypeError, IndexError, KeyError):
            pass
    return _to_uint8(values, None, None)


def _to_uint8(values: Any, low: float | None, high: float | None) -> Any:
    import numpy as np

    values = np.asarray(values, dtype="float64")
    low = float(values.min()) if low is None else low
    high = float(values.max()) if high is None else high
    if high <= low:
        return np.zeros(values.shape, dtype="uint8")
    return (np.clip((values - low) / (high - low), 0.0, 1.0) * 255).round().astype("uint8")


def _pick(count: int, most: int) -> list[int]:
    """At most `most` frame indexes, evenly spaced, first and last included."""
    if count <= most or most < 2:
        return list(range(min(count, max(most, 1))))
    step = (count - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})
