"""The `mmrag` command line: a thin layer over `Runner`; user errors are one line, exit 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from pipelines.errors import MmragError

SET_HELP = "Override a config value: key.path=value (repeatable; values are YAML)."


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn MmragError into a one-line ClickException (exit 1, no traceback)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MmragError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def set_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                        help=SET_HELP)(func)


def executor_options(executor: str, address: str
                     ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--executor local|ray` and `--address ADDR` (the Ray cluster; implies ray), with the
    default each has, for the help."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = click.option("--address", metavar="ADDR",
                            help=f"Ray cluster (host:6379, ray://host:10001); default: "
                                 f"{address}.")(func)
        return click.option("--executor", type=click.Choice(["local", "ray"]),
                            help=f"Local processes or Ray (default: {executor}).")(func)

    return decorate


def _executor(executor: str | None, address: str | None) -> str | None:
    """The executor flags: `--address` means ray, and makes no sense with local."""
    if address and executor == "local":
        raise click.UsageError("--address is for --executor ray")
    return "ray" if address else executor


def _runner(pipeline: str, overrides: tuple[str, ...]) -> Any:
    from pipelines.runner import Runner

    return Runner.from_config(pipeline, list(overrides))


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mmrag")
def main() -> None:
    """mmrag: config-driven multimodal RAG over PDFs, screenshots, photos and videos."""


@main.command("list")
@user_errors
def list_cmd() -> None:
    """Named pipelines in configs/ with their descriptions."""
    from pipelines.config.settings import configs_dir, pipeline_names, read_yaml

    for name in pipeline_names():
        description = read_yaml(configs_dir() / f"{name}.yaml").get("description", "")
        click.echo(f"{name:<28} {description}")


@main.command()
@click.argument("pipeline")
@set_option
@user_errors
def validate(pipeline: str, overrides: tuple[str, ...]) -> None:
    """Check a pipeline config: keys, component types, sources and prompt."""
    from pipelines.config.validation import validate_config

    config = validate_config(pipeline, list(overrides))
    click.echo(f"ok: {config.name} ({config.path})")


@main.command("show-config")
@click.argument("pipeline")
@set_option
@user_errors
def show_config(pipeline: str, overrides: tuple[str, ...]) -> None:
    """The resolved config, defaults included, as YAML."""
    from pipelines.config.settings import dump_config, load_config

    click.echo(dump_config(load_config(pipeline, list(overrides))), nl=False)


@main.command()
@click.argument("pipeline")
@click.option("--prune", is_flag=True, help="Delete the nodes of files no longer in the sources.")
@click.option("--rebuild", is_flag=True,
              help="Drop the pipeline's collections, catalog and lexical index, then ingest all.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="Loader processes or Ray tasks at once (default: ingest.workers, else "
                   "the cores or the cluster's CPUs).")
@executor_options("ingest.executor", "ingest.ray_address, else start a local Ray")
@set_option
@user_errors
def ingest(pipeline: str, prune: bool, rebuild: bool, as_json: bool, workers: int | None,
           executor: str | None, address: str | None, overrides: tuple[str, ...]) -> None:
    """Incrementally ingest the config's sources (unchanged files are skipped)."""
    from pipelines.progress import file_progress

    executor = _executor(executor, address)
    runner = _runner(pipeline, overrides)
    with file_progress("ingest", enabled=not as_json, unit="files") as progress:
        summary = runner.ingest(prune=prune, progress=progress, workers=workers, rebuild=rebuild,
                                executor=executor, address=address)
    if as_json:
        _echo_json(summary.to_dict())
    else:
        click.echo(summary.text())


@main.command()
@click.argument("pipeline")
@click.option("--json", "as_json", is_flag=True, help="Print the stats as JSON.")
@set_option
@user_errors
def stats(pipeline: str, as_json: bool, overrides: tuple[str, ...]) -> None:
    """What the index holds: nodes per modality, sources, store size, last ingest."""
    result = _runner(pipeline, overrides).stats()
    if as_json:
        _echo_json(result.to_dict())
    else:
        click.echo(result.text())


@main.command()
@click.argument("pipeline")
@click.argument("question", required=False, default="")
@click.option("--image", "images", multiple=True, metavar="PATH", help="Image(s) to ask about.")
@click.option("--case", "case", metavar="DIR", type=click.Path(file_okay=False),
              help="A case folder asked about as a whole (its images, documents and "
                   "case.yaml fields); for pipelines that rank cases.")
@click.option("--duplicates", is_flag=True,
              help="Also report query images that are near-duplicates of indexed images.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--stream", is_flag=True, help="Print the answer as it is produced.")
@click.option("--where", "where", multiple=True, metavar="KEY=VALUE",
              help="Only retrieve nodes whose metadata matches, e.g. source='docs/*.md', "
                   "page=2..5, modality=image (repeatable; all must hold).")
@set_option
@user_errors
def query(pipeline: str, question: str, images: tuple[str, ...], case: str | None,
          duplicates: bool, as_json: bool, stream: bool, where: tuple[str, ...],
          overrides: tuple[str, ...]) -> None:
    """Answer one question, optionally about images or a whole case folder."""
    if duplicates:
        overrides = (*overrides, "retrieval.duplicates=true")
    runner = _runner(pipeline, overrides)
    if stream and not as_json:
        for piece in runner.stream(question, list(images), list(where), case=case):
            if isinstance(piece, str):
                click.echo(piece, nl=False)
        click.echo()
        answer = piece
    else:
        answer = runner.query(question, list(images), list(where), case=case)
    if as_json:
        _echo_json(answer.to_dict())
        return
    if not stream:
        click.echo(answer.answer)
    if answer.sources:
        # the order is the fused ranking (dense + BM25 + CLIP), the number each one's cosine
        click.echo("\nSources (in ranked order; cosine to the question):")
        for source in answer.sources:
            click.echo(f"  [{source.rank}] {source.label()}  (cosine {source.score:.3f})")
            if source.image:
                click.echo(f"      image: {source.image_label()}")


@main.command()
@click.argument("pipeline")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False))
@click.option("--output", "output_path", required=True, type=click.Path(dir_okay=False))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Answering threads (Ray: actors).")
@executor_options("local", "start a local Ray")
@set_option
@user_errors
def batch(pipeline: str, input_path: str, output_path: str, workers: int, executor: str | None,
          address: str | None, overrides: tuple[str, ...]) -> None:
    """Answer every line of a JSONL file; resumes where a previous run stopped."""
    from pipelines.progress import file_progress

    executor = _executor(executor, address) or "local"
    runner = _runner(pipeline, overrides)
    with file_progress("batch") as progress:
        summary = runner.batch(input_path, output_path, workers=workers, progress=progress,
                               executor=executor, address=address)
    click.echo(summary.text())


@main.command("eval")
@click.argument("pipeline")
@click.option("--dataset", required=True, type=click.Path(dir_okay=False))
@click.option("--report", "report_dir", type=click.Path(file_okay=False),
              help="Folder for report.json, report.md and PNG plots.")
@set_option
@user_errors
def eval_cmd(pipeline: str, dataset: str, report_dir: str | None,
             overrides: tuple[str, ...]) -> None:
    """Recall@1/3/5, MRR, nDCG@5, answer checks and latency over a labelled JSONL set."""
    click.echo(_runner(pipeline, overrides).evaluate(dataset, report_dir).text())


@main.command()
@click.argument("pipelines", nargs=-1)
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Server settings YAML (host, port, auth, limits, cors_origins, ...).")
@click.option("--host", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default 8000).")
@click.option("--workers", type=click.IntRange(1, 64), help="Server processes (default 1).")
@click.option("--allow-unauthenticated", is_flag=True,
              help="Serve on a non-loopback address without API keys.")
@click.option("--pipeline-set", "pipeline_overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a value of every served pipeline's config (repeatable).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a server setting, e.g. limits.max_images=2 (repeatable).")
@user_errors
def serve(pipelines: tuple[str, ...], config_path: str | None, host: str | None,
          port: int | None, workers: int | None, allow_unauthenticated: bool,
          pipeline_overrides: tuple[str, ...], overrides: tuple[str, ...]) -> None:
    """Serve pipelines over HTTP: OpenAI-compatible API, native API and a web page."""
    from pipelines.server.config import load_serve_config
    from pipelines.server.run import serve as run_server

    flags = [f"{k}={v}" for k, v in (("host", host), ("port", port), ("workers", workers))
             if v is not None]
    if allow_unauthenticated:
        flags.append("allow_unauthenticated=true")
    config = load_serve_config(config_path, [*overrides, *flags])
    if pipelines:
        config.pipelines = list(pipelines)
    config.pipeline_overrides += list(pipeline_overrides)
    run_server(config)


@main.command()
@click.argument("image")
@click.option("--lang", default="eng+chi_sim", show_default=True, help="Tesseract languages.")
@click.option("--engine", default="tesseract", show_default=True,
              type=click.Choice(["tesseract", "rapidocr"]))
@user_errors
def ocr(image: str, lang: str, engine: str) -> None:
    """The OCR text of one image, as the pipelines see it."""
    from pathlib import Path

    from loaders.ocr import Ocr

    path = Path(image)
    if not path.is_file():
        raise MmragError(f"{path}: image not found")
    languages = lang.split("+")
    if engine == "tesseract":
        _check_tesseract_languages(languages)
    click.echo(Ocr(engine, languages).image_file(path).text)


def _check_tesseract_languages(languages: list[str]) -> None:
    """A language Tesseract has no data for is a user error, not a traceback."""
    import pytesseract

    installed = set(pytesseract.get_languages(config=""))
    missing = [name for name in languages if name not in installed]
    if missing:
        raise MmragError(f"--lang: Tesseract has no language {missing[0]!r}; installed: "
                         f"{', '.join(sorted(installed))}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
