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


def test_html_is_picked_automatically() -> None:
    assert "html" in loader_names() and "langchain" not in loader_names()
