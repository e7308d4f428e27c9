"""Params models of the built-in loaders and OCR engines: the settings each accepts.

Only pydantic is imported here, so a config's loader `params` are checked without importing
the loaders (PDFium, PyAV, OCR engines). Each loader class points at its model (`Params`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NoParams(BaseModel):
    """For components that take no settings: any key is an error."""

    model_config = ConfigDict(extra="forbid")


class PdfParams(NoParams):
    password: str | None = Field(None, description="password of encrypted files")
    ocr_min_chars: int = Field(20, ge=0, description="pages whose text layer has fewer "
                               "characters are OCR'd")
    dpi: float = Field(300, gt=0, description="render resolution for OCR")
    images: bool = Field(True, description="extract embedded images")
    min_image_side: int = Field(32, ge=0, description="smallest width and height of an "
                                "extracted image, pixels")
    min_image_area: int = Field(10_000, ge=0, description="smallest width x height of an "
                                "extracted image, pixels")
    min_image_points: float = Field(16, ge=0, description="smallest width and height of an "
                                    "image on the page, points (about a line of text)")
    max_images: int = Field(100, ge=0, description="most images extracted per file")


class SubtitleParams(NoParams):
    chunk_seconds: float = Field(30.0, gt=0, description="seconds of cues per text chunk")


class VideoParams(SubtitleParams):
    frame_interval: float = Field(30.0, gt=0, description="seconds between frames without "
                                  "subtitles")
    frames: bool = Field(True, description="extract frames as image evidence")
    max_frames: int = Field(200, ge=0, description="most frames per video")


class DicomParams(NoParams):
    include_phi: bool = Field(False, description="also index patient-identifying header fields "
                              "(name, ID, birth date, address, ...) and burned-in previews")
    max_frames: int = Field(16, ge=1, description="most previews per multi-frame file, "
                            "evenly spaced")
    window: tuple[float, float] | None = Field(None, description="[center, width] for every "
                                               "file instead of each file's own window")


class LangChainParams(NoParams):
    class_: str | None = Field(None, alias="class", pattern=r"^[A-Za-z_][\w.]*\.[A-Za-z_]\w*$",
                               description="dotted path of the LangChain loader class "
                               "(needed to load; checked when a file is loaded)")
    suffixes: list[str] | None = Field(None, description="file suffixes it takes "
                                       "(default: every file of the source)")
    path_arg: str = Field("file_path", description="constructor argument for the file path")
    kwargs: dict[str, object] = Field(default_factory=dict, description="other constructor "
                                      "arguments")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
