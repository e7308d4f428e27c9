"""All user-facing error classes; each prints as one line at the CLI."""

from loaders.errors import LoaderError, MissingDependencyError, MmragError


class ConfigError(MmragError):
    """The pipeline config is invalid: names the file, the key path and the fix."""


class StoreError(MmragError):
    """The index store is missing, empty, locked or unreachable."""


class LLMError(MmragError):
    """The LLM backend failed (missing key, auth, timeout)."""


class InputError(MmragError):
    """A query or batch input is wrong (missing image, bad JSONL line)."""


__all__ = [
    "ConfigError",
    "InputError",
    "LLMError",
    "LoaderError",
    "MissingDependencyError",
    "MmragError",
    "StoreError",
]
