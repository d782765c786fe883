"""How relations read in a page: from the derived side ("derived from") or the source side ("source of"),
and a document's origin chain as a line of steps."""

from __future__ import annotations

from collections.abc import Sequence

from sourcetrace.records import Relation
from sourcetrace.relate.lineage import chain_ends_in_cycle, is_directed, unknown_direction

FROM_WORDS = {"translation": "translation of", "copy": "copy of", "derived": "derived from",
              "revision": "revision of"}
TO_WORDS = {"translation": "translated as", "copy": "copied as", "derived": "source of", "revision": "revised as"}


def what_a_is(r: Relation) -> str:
    """What ``r.a`` is to ``r.b``: "derived from" when b is its source, "source of" when a is; a
    relation of a directed type with no source says "direction unknown" (never a guessed one)."""
    if not is_directed(r):
        return r.type if r.type == "related" else f"{r.type}, direction unknown"
    return FROM_WORDS.get(r.type, r.type) if r.source == r.b else TO_WORDS.get(r.type, r.type)


def chain_steps(chain: Sequence[tuple[str, Relation | None]], relations: Sequence[Relation]
                ) -> tuple[list[tuple[str, str | None]], str]:
    """An origin chain (``lineage.origin_chain``) as (document, how it takes from the next one)
    steps, and what its last document is: "origin", "stops: cycle" when the walk met a cycle, or
    "no known source: direction unknown with …" when a relation no evidence directed joins it."""
    steps = [(doc, FROM_WORDS.get(r.type, r.type) if r else None) for doc, r in chain]
    return steps, chain_end(chain, relations)


def chain_end(chain: Sequence[tuple[str, Relation | None]], relations: Sequence[Relation]) -> str:
    """What the last document of an origin chain is (see :func:`chain_steps`)."""
    if chain_ends_in_cycle(chain, relations):
        return "stops: cycle"
    unknown = unknown_direction(chain[-1][0], relations) if chain else []
    if unknown:
        return f"no known source: direction unknown with {', '.join(unknown)}"
    return "origin"
