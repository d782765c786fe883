"""The `sourcetrace` command: the Typer application, its commands in help order, and :func:`main`.

Each command lives in its own module (read, trace, compare and diff, show and origin, facts,
timeline, search, export, serve, load) and is a thin layer over the library; terminal views are in
:mod:`sourcetrace.cli.render`, printing and escaping in :mod:`sourcetrace.cli.console`.
"""

from __future__ import annotations

import gc
import sys
from typing import Annotated

import typer

from sourcetrace import __version__
from sourcetrace.cli import compare, export, facts, load, read, search, serve, show, timeline, trace
from sourcetrace.cli.console import EXIT_CODES, err_console, error, out_console

app = typer.Typer(
    name="sourcetrace",
    help="Trace where a text came from: originals, translations, copies and revisions (Arabic and English).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    epilog="Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items()) + ".",
)
app.command()(read.read)
app.command("compare")(compare.compare_cmd)
app.command()(trace.trace)
app.command()(load.load)
app.command()(show.show)
app.command()(show.origin)
app.command("facts")(facts.facts_cmd)
app.command("diff")(compare.diff_cmd)
app.command()(timeline.timeline)
app.command("search")(search.search_cmd)
app.command("index")(search.index_cmd)
app.command()(export.export)
app.command()(serve.serve)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"sourcetrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Show the version and exit.")] = False) -> None:
    """Trace where a text came from."""


def _user_errors() -> tuple[type[Exception], ...]:
    """The store's and the outputs' errors, each a user's (one line, exit code 2): of the modules
    that define them, those a command imported (one not imported raised nothing; importing them
    here would cost every command what `--help` no longer pays)."""
    found = []
    for module, name in (("sourcetrace.store.schema", "StoreError"), ("sourcetrace.outputs", "OutputError")):
        loaded = sys.modules.get(module)
        if loaded is not None:
            found.append(getattr(loaded, name))
    return tuple(found)


def main() -> None:
    """Entry point: user errors become one clear line, never a traceback."""
    try:
        app()
    except Exception as exc:
        if not isinstance(exc, _user_errors()):
            raise
        error(str(exc))
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted: the store keeps every file completed so far")
        sys.exit(130)
    finally:
        # The process ends here: its last collection would walk everything alive for cycles (a 25k
        # trace's millions of records: ~0.5 s of one core, after its outputs), all freed with it anyway.
        gc.freeze()
