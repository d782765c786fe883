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
    # the fact diff, as `compare` gives it (issue 20): 004 keeps the statement's date of 6 Feb 2019
    assert any(d["type"] == "date" and d["status"] == "same" and d["value_a"] == "2019-02-06"
               for d in cmp["fact_diffs"])
    assert all(d["a"] == D000 for d in cmp["fact_diffs"])
    page = client.get("/compare", params={"a": D000, "b": D004}).text
    assert '<table class="facts">' in page and "2019-02-06" in page
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


UPLOAD = [("files", ("planted.txt", b"A document planted in the archive by another site.\n", "text/plain"))]


@pytest.mark.parametrize("headers", [{"origin": "https://evil.example"}, {"origin": "null"},
                                     {"origin": "http://testserver:8080"}, {"origin": "https://testserver"},
                                     {"referer": "https://evil.example/page.html"},
                                     {"origin": "https://evil.example", "referer": "http://testserver/upload"}])
def test_uploads_from_another_sites_page_are_refused(tmp_path, headers):
    # Issue 19: with no token on loopback a foreign Origin was accepted (202) and the file stored.
    app = create_app(tmp_path / "s.db")
    submitted = Submitted(app)
    with TestClient(app) as c:
        r = c.post("/api/uploads", files=UPLOAD, headers=headers)
        assert r.status_code == 403, r.text
        assert submitted.paths == [] and files_on_disk(app.state.ctx.upload_dir) == []
        assert c.get("/api/documents").json()["total"] == 0
        # Any other method that could change state is refused as well, before routing.
        for method in ("PUT", "PATCH", "DELETE"):
            assert c.request(method, "/api/uploads", headers=headers).status_code == 403


@pytest.mark.parametrize("headers", [{"origin": "http://testserver"}, {"referer": "http://testserver/upload"},
                                     {"origin": "HTTP://TestServer:80"}, {}])
def test_uploads_from_the_apps_own_pages_or_no_page_are_taken(tmp_path, headers):
    # Neither Origin nor Referer: not sent by a page of another site (a browser sends Origin with
    # every cross-origin POST), but by curl or a script of the user's.
    app = create_app(tmp_path / "s.db")
    submitted = Submitted(app)
    with TestClient(app) as c:
        assert c.post("/api/uploads", files=UPLOAD, headers=headers).status_code == 202
    assert [p.name for p in submitted.paths[0]] == ["planted.txt"]


def test_the_token_in_the_header_lets_any_origin_post_but_the_cookie_does_not(tmp_path):
    app = create_app(tmp_path / "s.db", token="s3cret")
    submitted = Submitted(app)
    foreign = {"origin": "http://127.0.0.1:9999"}  # another port: same site, so the cookie would go along
    with TestClient(app) as c:
        ok = c.post("/api/uploads", files=UPLOAD, headers={**foreign, "Authorization": "Bearer s3cret"})
        assert ok.status_code == 202
        c.get("/?token=s3cret")  # the pages' cookie
        assert c.post("/api/uploads", files=UPLOAD, headers=foreign).status_code == 403
        assert c.post("/api/uploads", files=UPLOAD, headers={"origin": "http://testserver"}).status_code == 202
    assert len(submitted.paths) == 2


def test_search_by_post_is_a_read_and_open_to_any_origin(empty_client):
    # It changes nothing, a foreign page cannot read the answer (no CORS headers), and GET asks the same.
    r = empty_client.post("/api/search", json={"q": "?!"}, headers={"origin": "https://evil.example"})
    assert r.status_code == 422  # searched (and found wanting), not refused


def test_the_pages_own_posts_carry_their_origin():
    # Under "no-referrer" Chromium sends `Origin: null` with the upload form's own post (see test_browser.py).
    from sourcetrace.web.app import SAFE_HEADERS

    assert SAFE_HEADERS["Referrer-Policy"] == "same-origin"


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


class Submitted:
    """Stands in for the upload jobs' submit: records what would be traced, traces nothing."""

    def __init__(self, app) -> None:
        from sourcetrace.web.jobs import Job

        self.paths: list[list[Path]] = []
        self.job = Job
        app.state.ctx.jobs.submit = self

    def __call__(self, paths, refused=None):
        self.paths.append(paths)
        return self.job("j", [p.name for p in paths], refused=list(refused or []))


def files_on_disk(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_an_upload_keeps_the_good_files_and_reports_each_refused_one(tmp_path):
    # Issue 19: a refused file used to refuse the whole upload; now each file stands alone, as in `read`.
    good, other = b"The ministers met in Baghdad on Sunday and agreed on a joint committee.\n", b"Another text.\n"
    app = create_app(tmp_path / "s.db", upload_limit=200_000)
    submitted = Submitted(app)
    root = app.state.ctx.upload_dir
    with TestClient(app) as c:
        for bad, status in ((("b.pdf", b"%PDF-1.4 ..."), 415), (("b.txt", b"\x00\x01binary"), 415),
                            (("b.txt", b" \n"), 422), (("b.txt", b"y" * 200_001), 413)):
            for files in ([("a.txt", good), bad], [bad, ("a.txt", good)], [("a.txt", good), ("c.md", other), bad]):
                r = c.post("/api/uploads", files=[("files", (n, d, "text/plain")) for n, d in files])
                assert r.status_code == 202, (files, r.text)
                body = r.json()
                taken = [n for n, d in files if (n, d) != bad]
                assert body["accepted"] == taken and [x["file"] for x in body["refused"]] == [bad[0]]
                assert body["refused"][0]["status"] == status and bad[0] in body["refused"][0]["reason"]
                assert [p.name for p in submitted.paths[-1]] == taken
                # The accepted files are kept; nothing of the refused one is anywhere on disk.
                on_disk = files_on_disk(root)
                assert set(taken) <= {p.name for p in on_disk} <= {"a.txt", "c.md"}, on_disk
                assert all(p.read_bytes() in (good, other) for p in on_disk)
        r = c.post("/api/uploads", files=[("files", ("x.pdf", b"%PDF", "text/plain")), ("files", ("y.txt", b" ", "text/plain"))])
        assert r.status_code == 422 and [x["file"] for x in r.json()["refused"]] == ["x.pdf", "y.txt"]
        assert r.json()["accepted"] == []


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
        assert r.json()["refused"][0]["reason"] == r.json()["detail"]
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


def test_documents_pages_by_keyset_cover_the_store_in_the_offset_order(client, monkeypatch):
    everything = client.get("/api/documents", params={"limit": 500}).json()
    ids = [d["id"] for d in everything["documents"]]
    assert len(ids) == everything["total"] >= 3 and everything["next"] is None
    walked, after = [], None
    while True:
        body = client.get("/api/documents", params={"limit": 2, **({"after": after} if after else {})}).json()
        walked += [d["id"] for d in body["documents"]]
        after = body["next"]
        if after is None:
            break
        assert after == walked[-1]
    assert walked == ids
    assert [d["id"] for d in client.get("/api/documents", params={"offset": 1, "limit": 2}).json()["documents"]] == ids[1:3]
    assert client.get("/api/documents", params={"after": "nope"}).status_code == 404
    assert client.get("/api/documents", params={"after": ids[0], "offset": 1}).status_code == 422
    page = client.get("/documents")
    assert page.status_code == 200 and "next 200" not in page.text  # fewer than a page
    assert client.get("/documents", params={"after": "nope"}).status_code == 404
    from sourcetrace.web import pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    page = client.get("/documents", params={"after": ids[0]})
    assert page.status_code == 200 and f'href="/documents?after={quote(ids[1], safe="/")}"' in page.text


def test_documents_offset_beyond_sqlite_integers_is_a_client_error(client):
    # SQLite integers are 64-bit: a larger offset is refused as invalid, never a server error.
    assert client.get("/api/documents", params={"offset": 2**63}).status_code == 422
    assert client.get("/api/documents", params={"offset": 2**40}).status_code == 200


def test_the_api_docs_page_and_only_its_own_files_are_served(empty_client):
    # Issue 20: FastAPI's docs page with Swagger UI from the installed package, never a CDN.
    page = empty_client.get("/api/docs")
    assert page.status_code == 200 and "/api/openapi.json" in page.text and "cdn" not in page.text.lower()
    assert "'sha256-" in page.headers["content-security-policy"]  # its one inline script, by hash
    js = empty_client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert empty_client.get("/api/docs/assets/LICENSE").status_code == 404
    assert empty_client.get("/api/docs/assets/..%2F..%2Fcore.py").status_code == 404
    assert "'sha256-" not in empty_client.get("/").headers["content-security-policy"]


@pytest.mark.slow
def test_a_running_app_finds_what_another_process_traced_later(tmp_path):
    # Issue 20: no restart after another process adds documents, their vectors included (a
    # translated query reaches them only through the vector index).
    import subprocess
    import sys

    from conftest import DEMO

    db = tmp_path / "s.db"
    Store(db).close()
    quote_en = "The ministers of the Regional Water Cooperation Council met in Qadira"
    quote_ar = "اجتمع وزراء مجلس التعاون المائي الإقليمي في القديرة"
    # warm: as serve's workers, searching the quote index's copy in memory, which must catch up
    with TestClient(create_app(db, create=False, warm=True)) as c:
        assert c.get("/api/search", params={"q": quote_en}).json()["hits"] == []
        done = subprocess.run([sys.executable, "-m", "sourcetrace", "trace", str(DEMO / "statement_en.txt"),
                               "--db", str(db), "--out", str(tmp_path / "out")], capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
        hits = c.get("/api/search", params={"q": quote_en}).json()["hits"]
        assert hits and hits[0]["doc"].startswith("statement_en") and hits[0]["kind"] == "verbatim"
        translated = c.get("/api/search", params={"q": quote_ar}).json()["hits"]
        assert translated and translated[0]["doc"].startswith("statement_en")


def test_a_warmed_worker_freezes_what_it_loaded(tmp_path, monkeypatch):
    # serve's workers: the cycle collector stops walking the app, the encoder and the quote
    # index's copy in each full collection (web.app)
    import gc

    import sourcetrace.quotes.search as quote_search

    monkeypatch.setattr(quote_search, "prepare", lambda store: None)
    Store(tmp_path / "s.db").close()
    gc.unfreeze()
    try:
        with TestClient(create_app(tmp_path / "s.db", create=False, warm=True)):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_worker_runs_at_most_its_threads_of_routes_at_once(tmp_path, monkeypatch):
    # serve's workers queue searches beyond WORKER_THREADS in arrival order (web.app)
    import json

    import anyio.to_thread

    import sourcetrace.web.app as web_app

    seen: dict = {}
    monkeypatch.setattr(web_app, "create_app", lambda db, **kw: seen.update(kw))
    monkeypatch.setenv(web_app.SERVE_SETTINGS, json.dumps({"db": str(tmp_path / "s.db"), "allowed_hosts": None}))
    web_app.app_from_environment()
    assert seen["threads"] == web_app.WORKER_THREADS
    monkeypatch.undo()

    Store(tmp_path / "s.db").close()
    app = create_app(tmp_path / "s.db", threads=3)

    @app.get("/_limit")
    async def limit() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    with TestClient(app) as c:
        assert c.get("/_limit").json() == 3
