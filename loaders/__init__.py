"""Source loaders: one module per kind of file; never imports `pipelines`."""

from loaders.base import Document, Loader
from loaders.errors import LoaderError, MissingDependencyError, MmragError

__all__ = ["Document", "Loader", "LoaderError", "MissingDependencyError", "MmragError"]
