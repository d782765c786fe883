"""The JSON API and the pages through FastAPI's test client: answers, bad input, access, uploads."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from conftest import copy_store
from sourcetrace.engines.ingest import ingest
from sourcetrace.readers.base import default_readers
from sourcetrace.store.sqlite import Store
from sourcetrace.web import create_app, is_loopback
from sourcetrace.web.jobs import UploadError, safe_name

D000, D002A, D004 = "000_d1cb74700ad1c777#1", "002_5d78def7b98681ae#1", "004_bb9c77e55452a9c2#1"


def url_id(doc_id: str) -> str:
    return quote(doc_id, safe="")


@pytest.fixture(scope="module")
def client(seeds_db, tmp_path_factory):
    db = copy_store(seeds_db, tmp_path_factory.mktemp("api") / "s.db")
    with TestClient(create_app(db, upload_limit=200_000)) as c:
        yield c


@pytest.fixture(scope="module")
def empty_client(tmp_path_factory):
    """An app over an empty store: for what needs no seed documents (bad input, uploads)."""
    with TestClient(create_app(tmp_path_factory.mktemp("empty") / "s.db", upload_limit=200_000)) as c:
        yield c


def wait_for(client: TestClient, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running")


# -- answers ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_search_answers_with_hits_earliest_and_origin(client):
    r = client.get("/api/search", params={"q": "The Ministers emphasized the protection of civilians"})
    assert r.status_code == 200
    body = r.json()
    assert body["hits"][0]["doc"] == D002A and body["origin"] == D002A
    hit = body["hits"][0]
    assert {"doc", "start", "end", "kind", "score", "date", "origin", "sentence", "highlights"} <= set(hit)
    post = client.post("/api/search", json={"q": "The Ministers emphasized the protection of civilians", "lang": "ar"})
    assert post.status_code == 200 and all(h["lang"] == "ar" for h in post.json()["hits"])


@pytest.mark.slow
def test_document_compare_and_family(client):
    doc = client.get(f"/api/documents/{url_id(D004)}").json()
    assert doc["document"]["id"] == D004 and doc["text"]
    assert [c["document"] for c in doc["origin_chain"]][-1] == D002A
    assert doc["family"]["origin"] == D002A
    assert any(f["type"] == "date" for f in doc["facts"]) and all(f["doc"] == D004 for f in doc["facts"])
    cmp = client.get("/api/compare", params={"a": D000, "b": D004}).json()
    assert cmp["passages"] and all(p["a"] == D000 for p in cmp["passages"])
    fam = client.get(f"/api/families/{url_id(D000)}").json()
    assert fam["origin"] == D002A and D004 in fam["members"]
    listing = client.get("/api/documents", params={"limit": 3}).json()
    assert listing["total"] == 7 and len(listing["documents"]) == 3
    assert client.get(f"/api/documents/{url_id(D004)}/passages").json()["passages"]


def test_openapi_schema_covers_the_api(empty_client):
    paths = empty_client.get("/api/openapi.json").json()["paths"]
    assert {"/api/search", "/api/documents", "/api/documents/{doc_id}", "/api/compare", "/api/families/{doc_id}",
            "/api/uploads", "/api/jobs/{job_id}"} <= set(paths)


# -- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["", "   ", "?!«»"])
def test_an_empty_query_is_422(empty_client, q):
    assert empty_client.get("/api/search", params={"q": q}).status_code == 422
    assert empty_client.post("/api/search", json={"q": q}).status_code == 422
    assert empty_client.get("/", params={"q": q or "!"}).status_code in (200, 422)


def test_a_1mb_query_is_refused_not_searched(empty_client):
    big = "word " * 200_000
    started = time.monotonic()
    assert empty_client.post("/api/search", json={"q": big}).status_code == 422
    assert empty_client.get("/api/search", params={"q": big[:60_000]}).status_code == 422
    assert time.monotonic() - started < 10


def test_invalid_utf8_is_answered_not_crashed(empty_client):
    assert empty_client.get("/api/search?q=%FF%FE%FD").status_code in (400, 422)  # refused, never searched
    r = empty_client.post("/api/search", content=b'{"q": "\xff\xfe abc"}', headers={"content-type": "application/json"})
    assert r.status_code in (400, 422)
    assert empty_client.get("/api/documents/%FF%FE").status_code in (400, 404)


@pytest.mark.parametrize("path", ["/api/documents/nope", "/api/documents/..%2F..%2Fetc%2Fpasswd",
                                  "/api/families/nope", "/api/jobs/nope", "/api/documents/nope/passages"])
def test_unknown_ids_are_404(empty_client, path):
    assert empty_client.get(path).status_code == 404


def test_unknown_ids_in_pages_and_compare(client):
    assert client.get("/api/compare", params={"a": D000, "b": "nope"}).status_code == 404
    assert client.get("/doc/nope").status_code == 404
    assert client.get("/compare", params={"a": "x", "b": D000}).status_code == 404
    assert client.get("/family/nope").status_code == 404


def test_bad_parameters_are_422(empty_client):
    assert empty_client.get("/api/search", params={"q": "x y", "lang": "fr"}).status_code == 422
    assert empty_client.get("/api/search", params={"q": "x y", "limit": 0}).status_code == 422
    assert empty_client.get("/api/documents", params={"offset": -1}).status_code == 422


# -- access -------------------------------------------------------------------------------------

def test_loopback_hosts():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.3.4.5")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2") and not is_loopback("example.org")


def test_a_token_guards_every_request(seeds_db, tmp_path):
    db = copy_store(seeds_db, tmp_path / "s.db")
    with TestClient(create_app(db, token="s3cret")) as c:
        assert c.get("/api/documents").status_code == 401
        assert c.get("/").status_code == 401
        assert c.get("/api/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/documents", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        page = c.get("/?token=s3cret")  # once in the address: a cookie for the pages after it
        assert page.status_code == 200 and "sourcetrace_token" in page.headers["set-cookie"]
        assert c.get("/documents").status_code == 200


def test_on_loopback_other_host_names_are_refused(tmp_path):
    with TestClient(create_app(tmp_path / "s.db", allowed_hosts=["127.0.0.1", "localhost"]),
                    base_url="http://127.0.0.1:8765") as c:
        assert c.get("/api/documents").status_code == 200
        assert c.get("/api/documents", headers={"host": "evil.example:8765"}).status_code == 400


def test_pages_carry_a_strict_content_security_policy(empty_client):
    csp = empty_client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


# -- escaping -----------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_document_holding_script_shows_as_text(tmp_path):
    f = tmp_path / "evil.txt"
    f.write_text('The minister said <script>alert("x")</script> and <img src=x onerror=alert(1)> twice.\n\n'
                 'A second paragraph about <b>bold</b> claims and the "quoted" words of the minister.\n',
                 encoding="utf-8")
    db = tmp_path / "s.db"
    with Store(db) as st:
        ingest([str(f)], st)
    with TestClient(create_app(db)) as c:
        doc_id = c.get("/api/documents").json()["documents"][0]["id"]
        for html in (c.get(f"/doc/{url_id(doc_id)}").text,
                     c.get("/", params={"q": 'The minister said <script>alert("x")</script>'}).text,
                     c.get("/documents").text):
            assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in c.get(f"/doc/{url_id(doc_id)}").text


# -- uploads ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "ok"), [("report.txt", "report.txt"), ("../../etc/passwd.txt", "passwd.txt"),
                                          ("C:\\x\\a b.HTML", "a_b.html"), ("تقرير.md", "تقرير.md")])
def test_upload_names_are_made_plain(name, ok):
    assert safe_name(name) == ok


@pytest.mark.parametrize("name", ["x.exe", "noext", "", "../x.sh", "a.txt.pdf"])
def test_upload_names_of_other_types_are_refused(name):
    with pytest.raises(UploadError):
        safe_name(name)


@pytest.mark.parametrize("suffix", sorted({s for r in default_readers() for s in r.suffixes}))
def test_uploads_take_every_suffix_the_readers_read(suffix):
    # .ndjson, .xhtml, .markdown and .text were refused while the readers read them.
    assert safe_name(f"a{suffix}") == f"a{suffix}"
    assert safe_name(f"a{suffix.upper()}") == f"a{suffix}"


def test_a_refused_file_refuses_the_whole_upload_and_writes_nothing(empty_client):
    good = b"The ministers met in Baghdad on Sunday and agreed on a joint committee.\n"
    root = empty_client.app.state.ctx.upload_dir
    for bad, status in ((("b.pdf", b"%PDF-1.4 ..."), 415), (("b.txt", b"\x00\x01binary"), 415),
                        (("b.txt", b" \n"), 422), (("b.txt", b"x" * 200_001), 413)):
        for files in ([("a.txt", good), bad], [bad, ("a.txt", good)], [("a.txt", good), ("c.md", good), bad]):
            r = empty_client.post("/api/uploads", files=[("files", (n, d, "text/plain")) for n, d in files])
            assert r.status_code == status, (files, r.text)
            assert not root.exists() or [p for p in root.rglob("*")] == [], list(root.rglob("*"))


def test_a_staged_upload_is_moved_whole_or_not_at_all(tmp_path):
    from sourcetrace.web.jobs import Staging

    root = tmp_path / "uploads"
    with Staging(root, 1000) as staging:
        staging.add("a.txt", b"first text\n")
        staging.add("../b.ndjson", b'{"text": "second"}\n')
        paths = staging.commit()
    assert [p.name for p in paths] == ["a.txt", "b.ndjson"] and paths[0].read_bytes() == b"first text\n"
    assert sorted(p.relative_to(root).parts[1] for p in root.rglob("*") if p.is_file()) == ["a.txt", "b.ndjson"]
    assert not any(p.name.startswith(".") for p in root.rglob("*"))  # the staging folder is gone
    with pytest.raises(UploadError), Staging(root, 1000) as staging:
        staging.add("c.txt", b"third text\n")
        staging.add("d.exe", b"MZ")
    assert not list(root.rglob("c.txt")) and not any(p.name.startswith(".") for p in root.rglob("*"))


def test_uploads_are_type_checked_and_size_limited(empty_client):
    cases = [("a.pdf", b"%PDF-1.4 ...", 415), ("a.txt", b"\x00\x01\x02binary", 415), ("a.txt", b"   \n", 422),
             ("a.txt", b"x" * 200_001, 413)]
    for name, data, status in cases:
        r = empty_client.post("/api/uploads", files={"files": (name, data, "text/plain")})
        assert r.status_code == status, (name, r.text)
    assert empty_client.post("/api/uploads").status_code == 422


@pytest.mark.slow
def test_concurrent_uploads_are_all_traced(client):
    texts = [f"Upload number {i}: The Ministers emphasized the protection of civilians and affirmed that "
             "international law, including international humanitarian law and the protection of civilians and "
             "international human rights law, as well as relevant UN Security Council resolutions, must be upheld "
             f"under all circumstances. Reporter {i} added nothing else.\n" for i in range(3)]
    answers: list = [None] * len(texts)

    def send(i: int) -> None:
        answers[i] = client.post("/api/uploads", files={"files": (f"up{i}.txt", texts[i].encode(), "text/plain")})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a.status_code == 202 for a in answers)
    jobs = [wait_for(client, a.json()["id"]) for a in answers]
    assert all(j["state"] == "done" and len(j["documents"]) == 1 for j in jobs), jobs
    for j in jobs:
        doc = client.get(f"/api/documents/{url_id(j['documents'][0])}").json()
        assert doc["family"]["origin"] == D002A, doc["relations"]
    hits = client.get("/api/search", params={"q": "Reporter 2 added nothing else"}).json()["hits"]
    assert hits[0]["doc"] == jobs[2]["documents"][0]


def test_uploads_stay_inside_the_upload_folder(client):
    r = client.post("/api/uploads", files={"files": ("../../../../tmp/escape.txt", b"Some words here.\n", "text/plain")})
    assert r.status_code == 202
    root = client.app.state.ctx.upload_dir.resolve()
    written = list(root.rglob("escape.txt"))
    assert written and all(root in p.resolve().parents for p in written)
    assert not Path("/tmp/escape.txt").exists() or Path("/tmp/escape.txt").stat().st_mtime < time.time() - 60
    wait_for(client, r.json()["id"])


def test_documents_offset_beyond_sqlite_integers_is_a_client_error(client):
    # SQLite integers are 64-bit: a larger offset is refused as invalid, never a server error.
    assert client.get("/api/documents", params={"offset": 2**63}).status_code == 422
    assert client.get("/api/documents", params={"offset": 2**40}).status_code == 200
