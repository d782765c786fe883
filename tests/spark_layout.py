"""An output set rewritten the way Spark writes a DataFrame, for the load tests that must not need
Spark: each table a directory of part files (JSON lines, gzipped JSON lines or Parquet) holding
the rows in another order, split unevenly, beside Hadoop's ``_SUCCESS`` marker and ``.crc``
checksums."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

TABLES = ("documents", "sentences", "passages", "relations", "families", "texts")


def spark_layout(src: Path, dst: Path, fmt: str = "json", parts: int = 3, seed: int = 1) -> Path:
    """The tables of the JSON-lines set `src` as part-file directories under `dst` (``fmt``:
    json, gz or parquet). Rows are shuffled across parts, as a shuffle stage leaves them."""
    rng = random.Random(seed)
    dst.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        path = src / f"{name}.jsonl"
        if not path.exists():
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        rng.shuffle(rows)
        folder = dst / name
        folder.mkdir()
        cuts = sorted(rng.randint(0, len(rows)) for _ in range(parts - 1))
        for i, (lo, hi) in enumerate(zip([0, *cuts], [*cuts, len(rows)], strict=True)):
            stem = f"part-{i:05d}-3f1c2a9e-0b7d-4c55-9a51-5d2e8c7f0a11-c000"
            chunk = rows[lo:hi]
            if fmt == "parquet":
                _parquet(name, chunk, folder / f"{stem}.snappy.parquet")
                (folder / f".{stem}.snappy.parquet.crc").write_bytes(b"crc")
                continue
            body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk).encode("utf-8")
            if fmt == "gz":
                (folder / f"{stem}.json.gz").write_bytes(gzip.compress(body))
            else:
                (folder / f"{stem}.json").write_bytes(body)
            (folder / f".{stem}.json.crc").write_bytes(b"crc")
        (folder / "_SUCCESS").write_bytes(b"")
    if (src / "settings.json").exists():
        (dst / "settings.json").write_bytes((src / "settings.json").read_bytes())
    return dst


def _parquet(name: str, rows: list[dict], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sourcetrace.export.parquet import SCHEMAS

    schema = SCHEMAS[name]
    table = pa.Table.from_pylist([{f: r.get(f) for f in schema.names} for r in rows], schema=schema)
    pq.write_table(table, path, compression="snappy")
