"""`sourcetrace load`: a run's outputs (a cluster's part files, or a `trace --out` directory)
into the store, so that `show`, `origin`, `search` and `serve` answer from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sourcetrace.cli.common import StageLog, logs_progress, open_store
from sourcetrace.cli.console import dump_json, err_console, fail, say
from sourcetrace.cli.options import DbOption, JsonOption
from sourcetrace.cli.paths import check_db


def load(
    outdir: Annotated[Path, typer.Argument(
        metavar="DIR", help="The outputs of a run: `trace --out` JSON lines, or the part-file directories "
                            "(JSON lines or Parquet) of `trace --engine spark`.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bring a run's outputs into the store: files with their texts, documents, sentences,
    passages and relations.

    Then `show`, `origin`, `serve` and, after `sourcetrace index`, `search` answer from the store
    as after a local trace. One transaction: a malformed table (exit code 2, the part and line
    named) or an interrupt leaves the store as it was. Files already in the store under the same
    path are replaced.
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from sourcetrace.engines import local
    from sourcetrace.engines.load import LoadError
    from sourcetrace.engines.load import load as load_outputs

    check_db(db)
    with open_store(db) as store:
        try:
            if logs_progress():
                with StageLog() as log:
                    report = load_outputs(outdir, store, progress=log.progress())
            else:
                with Progress(TextColumn("[bold]loading"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                              console=err_console, transient=True, disable=as_json) as bar:
                    task = bar.add_task("", total=None)
                    report = load_outputs(outdir, store, progress=local.Progress(
                        total=lambda n: bar.update(task, total=n), advance=lambda n: bar.update(task, advance=n)))
        except LoadError as exc:
            fail(f"load {outdir}: {exc}; nothing was loaded")
        except KeyboardInterrupt:
            err_console.print("interrupted: nothing was loaded, the store is as it was")
            raise typer.Exit(130) from None
        db_path = store.path
    if as_json:
        dump_json({"loaded": report.outdir, "db": str(db_path), **report.counts, "texts_read_again": report.read_again})
        return
    c = report.counts
    say("loaded {files:,} files, {documents:,} documents, {sentences:,} sentences, {passages:,} passages and "
        "{relations:,} relations from {outdir} into {db}", **c, outdir=report.outdir, db=str(db_path))
    if report.read_again:
        say("{n:,} file texts were not in the outputs and were read again from the files", n=len(report.read_again))
    say("[dim]`sourcetrace show DOC`, `origin DOC` and `serve` answer from it now; run `sourcetrace index` "
        "before `search`[/dim]")
