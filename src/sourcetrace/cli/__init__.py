"""The `sourcetrace` command line: one module per command, a thin layer over the library.

``app``       the Typer application and :func:`main` (the console script's entry point)
``options``   arguments and options the commands share
``console``   the consoles; user text escaped into markup, tables and errors; JSON
``common``    store, reading with progress, document look-ups, settings and facts files
``render``    the terminal views the commands print
``read``, ``trace``, ``compare`` (compare, diff), ``show`` (show, origin), ``facts``,
``timeline``, ``search``, ``export``, ``serve``: the commands
"""

from sourcetrace.cli.app import main

__all__ = ["main"]
