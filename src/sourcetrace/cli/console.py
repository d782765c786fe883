"""Where the commands print: two consoles, one way to put user text into markup, JSON, errors.

Text that comes from a user's files or arguments (titles, paths, document ids, sentences,
evidence, error messages that echo a file name) is never read as rich markup: it goes into a
line through :func:`markup` or :func:`say`, into a table through :func:`row`, and into an error
through :func:`error` / :func:`fail`, each of which escapes it with ``rich.markup.escape``.
Emoji codes (``:warning:``) are not replaced either: a title keeps its colons. (One edge
``escape`` leaves: a value ending in a backslash shows it doubled unless a tag follows.)
"""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

out_console = Console(emoji=False)
err_console = Console(stderr=True, soft_wrap=True, emoji=False)


def _escaped(value: object) -> object:
    return escape(value) if isinstance(value, str) else value


def markup(template: str, /, **values: object) -> Text:
    """``template`` (our markup, ``str.format`` fields) with every string value escaped.

    ``markup("[bold]{doc}[/bold] {n:,} sentences", doc=doc.id, n=n)``: numbers keep their format
    spec; strings are shown as written.
    """
    return Text.from_markup(template.format(**{k: _escaped(v) for k, v in values.items()}), emoji=False)


def say(template: str, /, **values: object) -> None:
    """Print a line of :func:`markup` on standard output."""
    out_console.print(markup(template, **values), highlight=False)


def row(table: Table, *cells: object) -> None:
    """Add a row whose string cells are text as written (escaped), other cells renderables."""
    table.add_row(*(_escaped(c) for c in cells))


def error(message: str) -> None:
    """Print ``error: MESSAGE`` on standard error (the message as written)."""
    err_console.print(markup("[red]error[/red]: {message}", message=message), highlight=False)


#: What a command's exit code means; ``sourcetrace --help`` and the README list these, and no
#: other code may come out (tests/test_cli_robustness.py).
EXIT_CODES = {
    0: "done",
    1: "read or trace: an input could not be read (each is named on standard error), the others "
       "were read and the outputs written (with --strict, reading stopped there)",
    2: "nothing was done: a usage error (an option or argument), an --out, --html or --db that "
       "cannot be used, a document, file, store or encoder that cannot be found or read, or a run's "
       "outputs that `load` cannot load as they are (the store is left as it was)",
    130: "interrupted: the store keeps every file completed so far (of a `load`, nothing)",
}


def fail(message: str, code: int = 2) -> NoReturn:
    """:func:`error`, then end the command with ``code`` (see :data:`EXIT_CODES`)."""
    error(message)
    raise typer.Exit(code)


def dump_json(payload: object) -> None:
    """``payload`` as indented JSON on standard output (UTF-8 as is; sets become lists)."""
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=1, default=list)
    sys.stdout.write("\n")
