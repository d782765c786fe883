"""What each stage of a trace moves between machines on a cluster, per document, and what the
stages that need no encoder cost in CPU per document: the figures docs/scale.md multiplies out.

    .venv/bin/python bench/shuffle_sizes.py [--docs 2000] [--seed 7]

On a planted corpus (bench/synthetic.py, the corpus bench/trace.py traces) the pipeline's own
stages run in this process, and each is measured by what it makes, not by how long a shared
machine took:

* CPU milliseconds per document (``time.process_time``) of read, segment + split, candidate
  features (MinHash signatures and rare terms) and facts;
* bytes per document of the records a cluster shuffles or broadcasts: the file's text, the
  documents and sentences rows, the features record (``features_to_bytes``, what the MinHash
  banding and term postings group), the LSH band keys it emits (document bands of ``DOC_ROWS``
  rows; one band set per sentence of ``QUOTE_MIN_TOKENS`` words or more), sentence vectors
  (512 float32 each, the fast encoder's) and the topic vector.

Output rows (passages, relations) are measured in the seeds' and bench's JSON lines elsewhere.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402
from sourcetrace import pipeline  # noqa: E402
from sourcetrace.candidates.pairs import (  # noqa: E402
    DOC_ROWS,
    QUOTE_PERM,
    QUOTE_ROWS,
    features_to_bytes,
)
from sourcetrace.readers import discover  # noqa: E402

VECTOR_BYTES = 512 * 4  # a sentence or topic vector of the fast encoder (USE, 512 float32)
BAND_KEY_BYTES = 8 + 8 + 24  # band index, band hash (int64 each) and a document id of ~24 characters


def measure(root: Path) -> dict[str, float]:
    paths, _ = discover([str(root)])
    cpu = dict.fromkeys(("read", "segment+split", "features", "facts"), 0.0)
    sizes: dict[str, list[int]] = {k: [] for k in ("text", "documents row", "sentences rows", "sentences",
                                                    "features", "band keys", "sentence vectors")}
    docs_total = 0
    for path in paths:
        t = time.process_time()
        source = pipeline.read(path)
        cpu["read"] += time.process_time() - t
        t = time.process_time()
        docs, sentences = pipeline.segment(source, Path(path).stem)
        cpu["segment+split"] += time.process_time() - t
        for d in docs:
            own = [s for s in sentences if s.doc == d.id]
            t = time.process_time()
            feats = pipeline.features([pipeline.doc_input(d, source.text, own)])[0]
            cpu["features"] += time.process_time() - t
            t = time.process_time()
            pipeline.facts(d, source.text)
            cpu["facts"] += time.process_time() - t
            docs_total += 1
            sizes["text"].append(len(source.text[d.start:d.end].encode("utf-8")))
            sizes["documents row"].append(len(json.dumps(d.to_json(), ensure_ascii=False).encode("utf-8")) + 1)
            sizes["sentences rows"].append(sum(len(json.dumps(s.to_json())) + 1 for s in own))
            sizes["sentences"].append(len(own))
            sizes["features"].append(len(features_to_bytes(feats)))
            bands = (len(feats.doc_sig) // DOC_ROWS if feats.doc_sig is not None else 0) \
                + len(feats.quote_sigs) * (QUOTE_PERM // QUOTE_ROWS)
            sizes["band keys"].append(bands * BAND_KEY_BYTES)
            sizes["sentence vectors"].append(len(own) * VECTOR_BYTES)
    out = {f"cpu ms/doc {k}": 1000 * v / docs_total for k, v in cpu.items()}
    out.update({f"bytes/doc {k}" if k != "sentences" else "sentences/doc": statistics.fmean(v)
                for k, v in sizes.items()})
    out["bytes/doc topic vector"] = VECTOR_BYTES
    out["documents"] = docs_total
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_shuffle_") as tmp:
        synthetic.planted_corpus(Path(tmp), args.docs, args.seed)
        figures = measure(Path(tmp))
    print(f"== per document, planted corpus of {figures.pop('documents'):.0f} documents ==")
    for key, value in figures.items():
        print(f"{key:<40} {value:>10.2f}")


if __name__ == "__main__":
    main()
