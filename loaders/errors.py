"""Errors raised by loaders; `pipelines.errors` re-exports them with the rest."""


class MmragError(Exception):
    """Base class: a user-facing problem, printed as one line without a traceback."""


class LoaderError(MmragError):
    """A file could not be loaded (unreadable, corrupt, unsupported, too large)."""

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # picklable across processes
        return (self.__class__, (self.path, self.problem))


class MissingDependencyError(MmragError):
    """An optional dependency is not installed; the message names the extra."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(f"{package} is not installed: pip install 'mmrag[{extra}]'")
        self.package = package
        self.extra = extra

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # picklable across processes
        return (self.__class__, (self.package, self.extra))
