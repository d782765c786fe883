"""The JSON API under /api/: the same things the pages show, for programs."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from sourcetrace.engines.local import DocumentTexts, fact_diffs_of, facts_of
from sourcetrace.factcheck import document_facts
from sourcetrace.quotes.search import (
    LANGS,
    MAX_QUERY_CHARS,
    QueryError,
    QueryTicket,
    earliest,
    reserve_query,
    search,
)
from sourcetrace.records import Document, FactDiff
from sourcetrace.relate.coverage import orient, summarize
from sourcetrace.relate.families import component, origin_of
from sourcetrace.relate.lineage import chain_json, origin_chain, relations_of
from sourcetrace.report.facts import orient_diffs
from sourcetrace.store.sqlite import Store
from sourcetrace.web.app import Context
from sourcetrace.web.jobs import UploadError

router = APIRouter(prefix="/api", tags=["api"])
MAX_FILES = 20  # per upload request
LIST_LIMIT = 500


def context(request: Request) -> Context:
    return request.app.state.ctx


Ctx = Annotated[Context, Depends(context)]


def require_document(store: Store, doc_id: str) -> Document:
    doc = store.document(doc_id)
    if doc is None:
        raise HTTPException(404, f"no document {doc_id!r} in the store")
    return doc


def run_search(store: Store, q: str, lang: str, limit: int, ticket: QueryTicket | None = None) -> dict[str, Any]:
    """Search with user errors as 422; the shape both the API and the pages use."""
    started = time.perf_counter()
    try:
        hits = search(store, q, lang=lang, limit=limit, ticket=ticket)
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from None
    first = earliest(hits)
    return {"query": q, "lang": lang, "hits": [h.to_json() for h in hits],
            "earliest": first.doc if first else None, "origin": hits[0].origin if hits else None,
            "took_ms": round((time.perf_counter() - started) * 1000, 1), "_hits": hits}


class SearchRequest(BaseModel):
    q: str = Field(max_length=MAX_QUERY_CHARS, description="The quote: a sentence or part of one.")
    lang: str = Field("any", pattern="^(any|ar|en)$")
    limit: int = Field(20, ge=1, le=200)


class SearchSentence(BaseModel):
    start: int
    end: int
    text: str


class SearchHit(BaseModel):
    doc: str
    start: int = Field(description="The span that carries the quote, in file offsets of the document's file.")
    end: int
    kind: str = Field(description="verbatim, near-verbatim, paraphrase, translation or translated-paraphrase")
    score: float
    lang: str
    date: str | None
    title: str | None
    origin: str | None = Field(description="The origin of the document's family.")
    via: str | None = Field(description="The document whose stored passage led here.")
    sentence: SearchSentence
    highlights: list[tuple[int, int]] = Field(description="The matching words, in file offsets.")


class SearchAnswer(BaseModel):
    query: str
    lang: str
    hits: list[SearchHit]
    earliest: str | None = Field(description="The earliest dated hit's document.")
    origin: str | None = Field(description="The best hit's family origin.")
    took_ms: float


# The answer is written as JSON straight from plain records: FastAPI validated and encoded the
# returned dict again, in Python, value by value (the model stays for the OpenAPI description).
# With the plain ASGI guard (app.py), the app's CPU a request beyond the search itself went from
# 3.6 to 2.8 ms (10,000 documents, in process through httpx's ASGI transport, client included).
# The query's vector is reserved in the event loop as the request arrives, while earlier searches
# hold the worker's threads, so it is encoded in one batch with the queries queued meanwhile
# (QueryBatcher): reserved when its search started, a query met the three others running at most.
@router.get("/search", summary="Documents that carry a quote", response_model=SearchAnswer)
async def search_get(ctx: Ctx, q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)],
                     lang: Annotated[str, Query(pattern="^(any|ar|en)$")] = "any",
                     limit: Annotated[int, Query(ge=1, le=200)] = 20) -> Response:
    try:
        ticket = reserve_query(q, lang)
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from None
    return await run_in_threadpool(_search_answer, ctx, q, lang, limit, ticket)


def _search_answer(ctx: Context, q: str, lang: str, limit: int, ticket: QueryTicket) -> Response:
    out = run_search(ctx.store(), q, lang, limit, ticket)
    del out["_hits"]
    return JSONResponse(out)


@router.post("/search", summary="Documents that carry a quote (long quotes in the body)", response_model=SearchAnswer)
async def search_post(ctx: Ctx, body: SearchRequest) -> Response:
    return await search_get(ctx, body.q, body.lang, body.limit)


@router.get("/documents", summary="Stored documents, in file order")
def documents(ctx: Ctx, after: Annotated[str | None, Query(
                  description="Start after this document: the `next` of the page before (one index "
                              "seek, however far the page)")] = None,
              offset: Annotated[int, Query(ge=0, le=2**62, description="Or skip this many documents "
                                           "(SQLite steps over them: slower the further)")] = 0,
              limit: Annotated[int, Query(ge=1, le=LIST_LIMIT)] = 100) -> dict[str, Any]:
    store = ctx.store()
    if after is not None and offset:
        raise HTTPException(422, "page with after or offset, not both")
    total = store.counts()["documents"]
    if offset:
        docs = store.documents_page(offset, limit + 1)
    else:
        try:
            docs = store.documents_after(after, limit + 1)  # one more: is there a next page?
        except KeyError:
            raise HTTPException(404, f"no document {after!r} in the store") from None
    more = len(docs) > limit
    docs = docs[:limit]
    return {"total": total, "offset": offset, "after": after, "next": docs[-1].id if more else None,
            "documents": [d.to_json() for d in docs]}


@router.get("/documents/{doc_id}", summary="A document: metadata, text, relations, origin chain, family")
def document(ctx: Ctx, doc_id: str) -> dict[str, Any]:
    store = ctx.store()
    doc = require_document(store, doc_id)
    rels = relations_of(doc_id, store.relations(doc_id))
    members, fam_rels = component(doc_id, store.relations)
    dates = family_dates(store, members)
    chain = origin_chain(doc_id, fam_rels, dates, {m: _lang(store, m) for m in members})
    return {"document": doc.to_json(), "text": store.span_text(doc_id, doc.start, doc.end),
            "sentences": [s.to_json() for s in store.sentences(doc_id)],
            "relations": [r.to_json() for r in rels],
            "origin_chain": chain_json(chain, fam_rels),
            "family": {"members": members, "origin": origin_of(members, fam_rels, dates) if len(members) > 1 else None},
            "facts": [f.to_json() for f in document_facts(doc, store.document_text(doc_id) or "")]}


@router.get("/documents/{doc_id}/passages", summary="Stored passages touching a document")
def passages(ctx: Ctx, doc_id: str) -> dict[str, Any]:
    store = ctx.store()
    require_document(store, doc_id)
    return {"passages": [p.to_json() for p in store.passages([doc_id])]}


@router.get("/compare", summary="Passages two documents share, with coverage, omissions and additions")
def compare(ctx: Ctx, a: str, b: str) -> dict[str, Any]:
    store = ctx.store()
    da, db = require_document(store, a), require_document(store, b)
    ps = pair_passages(store, da, db)
    summary = summarize(da, db, ps, store.sentences(a), store.sentences(b))
    return {"a": da.to_json(), "b": db.to_json(), "passages": [p.to_json() for p in ps],
            "summary": {k: (dict(v) if k == "kinds" else v) for k, v in summary.items()},
            "fact_diffs": [d.to_json() for d in pair_fact_diffs(store, da, db, ps)]}


def pair_passages(store: Store, da: Document, db: Document) -> list:
    """The stored passages between two documents, oriented a -> b."""
    between = [p for p in store.passages([da.id]) if {p.a, p.b} == {da.id, db.id}]
    return orient(da, db, between)


def pair_fact_diffs(store: Store, da: Document, db: Document, passages: list) -> list[FactDiff]:
    """The fact diff of two documents over their passages (a's facts on side a), as `compare`
    shows it: each document's facts come from the store's cache, the diff is this pair's."""
    texts = DocumentTexts(store)
    facts = facts_of([da, db], texts, store)
    return orient_diffs(fact_diffs_of(store, [da, db], passages, [(da.id, db.id)], facts, texts), da.id, db.id)


@router.get("/families/{doc_id}", summary="The family of a document: members, origin, relations, timeline")
def family(ctx: Ctx, doc_id: str) -> dict[str, Any]:
    store = ctx.store()
    require_document(store, doc_id)
    members, rels = component(doc_id, store.relations)
    dates = family_dates(store, members)
    timeline = sorted(members, key=lambda m: (dates.get(m) or "\uffff", m))
    return {"id": doc_id, "members": members, "origin": origin_of(members, rels, dates) if len(members) > 1 else None,
            "relations": [r.to_json() for r in rels],
            "timeline": [{"document": m, "date": dates.get(m)} for m in timeline]}


def family_dates(store: Store, members: list[str]) -> dict[str, str | None]:
    return {m: (d.date if (d := store.document(m)) else None) for m in members}


def _lang(store: Store, doc_id: str) -> str | None:
    d = store.document(doc_id)
    return d.lang if d else None


@router.post("/uploads", status_code=202, summary="Add files to the store; they are read and traced in the background",
             responses={202: {"description": "The job, with the files accepted and those refused, each with why"},
                        413: {"description": "Every file refused (this status when all were refused for it)"},
                        415: {"description": "Every file refused"}, 422: {"description": "Every file refused"}})
async def upload(ctx: Ctx, files: list[UploadFile]) -> Any:
    if not files or len(files) > MAX_FILES:
        raise HTTPException(422, f"send 1 to {MAX_FILES} files")
    # File by file, as `sourcetrace read` does: the good ones are kept and traced, each refused one
    # is reported with its reason and leaves nothing on disk.
    refused: list[dict[str, Any]] = []
    with ctx.jobs.staging() as staging:
        for f in files:
            data = await f.read(ctx.upload_limit + 1)  # never more than the limit in memory
            try:
                staging.add(f.filename or "", data)
            except UploadError as exc:
                refused.append({"file": f.filename or "", "status": exc.status, "reason": str(exc)})
        paths = staging.commit()
    if not paths:  # nothing to trace: the request fails, with the status all its files share
        statuses = {r["status"] for r in refused}
        return JSONResponse({"detail": "; ".join(r["reason"] for r in refused), "accepted": [], "refused": refused},
                            status_code=statuses.pop() if len(statuses) == 1 else 422)
    return ctx.jobs.submit(paths, refused).to_json()


@router.get("/jobs/{job_id}", summary="Progress of an upload")
def job(ctx: Ctx, job_id: str) -> dict[str, Any]:
    found = ctx.jobs.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return found.to_json()


__all__ = ["LANGS", "router"]
