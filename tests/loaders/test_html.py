"""HTML loader: Markdown out, headings and numbered steps kept, scripts dropped."""

from __future__ import annotations

from pathlib import Path

from loaders.html import HtmlLoader
from loaders.registry import loader_names
from pipelines.engines.articles import parse

PAGE = """<!doctype html><html><head><title>VPN help</title>
<style>body {color: red}</style><script>alert('tracking')</script></head>
<body><nav>Home | Docs</nav>
<h1>VPN error 809</h1>
<p>Error text: <code>The network connection between your computer and the VPN server could not
be established</code></p>
<h2>Fix</h2>
<ol><li>Allow UDP 500 and 4500 on the firewall.</li><li>Restart the <b>IKEEXT</b> service.</li></ol>
</body></html>"""


def test_html_becomes_markdown_with_steps(tmp_path: Path) -> None:
    path = tmp_path / "vpn.html"
    path.write_text(PAGE, encoding="utf-8")
    (doc,) = HtmlLoader().load(path)
    assert doc.metadata["title"] == "VPN help"
    for dropped in ("alert", "color: red", "Home | Docs"):
        assert dropped not in doc.text
    article = parse(doc.text)
    assert article.title == "VPN error 809"
    assert article.steps == ["Allow UDP 500 and 4500 on the firewall.",
                             "Restart the **IKEEXT** service."]


def test_gbk_html_and_empty_page(tmp_path: Path) -> None:
    gbk = tmp_path / "zh.htm"
    gbk.write_bytes("<html><body><p>磁盘空间不足，请清理临时文件和回收站。</p></body></html>"
                    .encode("gbk"))
    assert "磁盘空间不足" in next(HtmlLoader().load(gbk)).text
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><script>x()</script></body></html>")
    assert list(HtmlLoader().load(empty)) == []


def test_html_is_picked_automatically(tmp_path: Path) -> None:
    """A `.html` file in a knowledge base is ingested by the HTML loader: its node carries
    the page title and holds Markdown, not tags or scripts."""
    from pipelines.runner import Runner
    from tests.conftest import write_config

    assert "html" in loader_names() and "langchain" not in loader_names()
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "vpn.html").write_text(PAGE, encoding="utf-8")
    (kb / "printer.md").write_text("# Printer\n\nThe printer shows E-04 when out of paper.\n")
    config = write_config(tmp_path, f"name: html\nsources: [{{path: {kb}}}]\n")
    runner = Runner.from_config(config, {"index.store.path": str(tmp_path / "store")})
    assert not runner.ingest(workers=0).failed
    top = runner.retrieve("VPN error 809 IKEEXT")[0].node
    assert top.metadata["source"].endswith("vpn.html") and top.metadata["title"] == "VPN help"
    text = top.get_content()
    assert text.startswith("# VPN error 809") and "1. Allow UDP 500" in text
    assert "<" not in text and "alert" not in text
