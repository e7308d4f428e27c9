"""The native API: multipart query (same JSON as `mmrag query --json`), listings, evidence."""

from __future__ import annotations

import httpx
import pytest

from tests.server.conftest import KEY, SHOTS

PIPELINE = "error-screenshot-support"
AUTH = {"Authorization": f"Bearer {KEY}"}


def ask(url: str, question: str, images: list = (), where: list[str] = ()) -> httpx.Response:
    files = [("images", (p.name, p.read_bytes(), "image/png")) for p in images]
    data = {"question": question, "where": list(where)}
    return httpx.post(f"{url}/api/pipelines/{PIPELINE}/query", data=data, files=files or None,
                      headers=AUTH, timeout=120)


def test_query_returns_the_runner_answer(support_server: str, support_runner: object) -> None:
    shot = SHOTS / "shot01-pip-ssl.png"
    reply = ask(support_server, "How do I fix this?", [shot])
    assert reply.status_code == 200, reply.text
    got = reply.json()
    want = support_runner.query("How do I fix this?", images=[shot]).to_dict()
    assert set(got) == set(want)
    assert got["answer"].replace(str(support_runner.config.folder.parent) + "/", "") == \
        got["answer"]  # no server path in the text
    assert [(s["rank"], s["score"], s["text"], s["page"]) for s in got["sources"]] == \
        [(s["rank"], s["score"], s["text"], s["page"]) for s in want["sources"]]
    assert [s["source"] for s in got["sources"]] == [
        s["source"].split("/examples/", 1)[1].join(["examples/", ""]) for s in want["sources"]]
    assert all(not s["source"].startswith("/") for s in got["sources"])


def test_pdf_evidence_image_by_opaque_id(support_server: str) -> None:
    reply = ask(support_server, "nginx 502 Bad Gateway upstream")
    cited = [s for s in reply.json()["sources"] if s["image_url"]]
    assert cited, "the nginx PDF's page crop should be cited"
    image = httpx.get(cited[0]["image_url"], headers=AUTH)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert not cited[0]["image"].startswith("/")
    token = cited[0]["image_url"].rsplit("/", 1)[1]
    body, mac = token.split(".")
    for forged in (f"{body}.AAAAAAAAAAAAAAAAAAAAAA", "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd",
                   f"{token}x", "%2Fetc%2Fpasswd"):
        bad = httpx.get(f"{support_server}/api/evidence/{PIPELINE}/{forged}", headers=AUTH)
        assert bad.status_code == 404, forged
        assert "error" in bad.json()


def test_listing_health_and_schema(support_server: str) -> None:
    listing = httpx.get(f"{support_server}/api/pipelines", headers=AUTH).json()["pipelines"]
    assert listing[0]["name"] == PIPELINE and listing[0]["stats"]["sources"] >= 10
    assert "/" not in str(listing[0]["stats"].get("last_run", ""))
    assert httpx.get(f"{support_server}/healthz").json() == {"status": "ok",
                                                             "pipelines": [PIPELINE]}
    schema = httpx.get(f"{support_server}/openapi.json", headers=AUTH).json()
    assert {"/v1/chat/completions", "/v1/models", "/api/pipelines",
            "/api/pipelines/{name}/query"} <= set(schema["paths"])


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_without_image_is_a_400(support_server: str, question: str) -> None:
    reply = ask(support_server, question)
    assert reply.status_code == 400
    assert reply.json()["error"]["message"].startswith("empty question")
