"""Text from a user's files is printed as written: rich never reads it as markup (issue 16, bug 1).

Titles, file names (and so document ids), paths and error messages that echo them may hold
square brackets and colons: `[/b]` used to stop `read` and `show` with a MarkupError traceback
after the file was stored, `[updated]` or `[b]` silently vanished, `:warning:` became an emoji.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BODY = ("The ministers of the coalition met in Rome on 4 June 2020 to review the campaign.\n"
        "They pledged $5 million to rebuild the schools of Mosul before the winter.\n"
        "Foreign Minister Luigi Rossi hosted the meeting and thanked the hosts for their work.\n")
TITLE_A = "Joint statement [/b] of the ministers"
TITLE_B = "Council [updated] notice :warning: today"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`sourcetrace ARGS` in a wide terminal, so that no table cuts a title short."""
    env = {**os.environ, "COLUMNS": "220"}
    return subprocess.run([sys.executable, "-m", "sourcetrace", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def ok(res: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Two statements sharing their body; their file names and titles hold markup. Read through
    their folder: `read` takes a name holding [...] for a glob pattern."""
    (tmp_path / "in").mkdir()
    a = tmp_path / "in" / "[b]joint.txt"
    a.write_text(f"{TITLE_A}\n\n{BODY}", encoding="utf-8")
    b = tmp_path / "in" / "[i]notice.txt"
    b.write_text(f"{TITLE_B}\n\n{BODY}They welcomed the new training mission of the alliance.\n", encoding="utf-8")
    return {"a": a, "b": b, "dir": tmp_path / "in"}


def test_read_and_show_print_titles_and_ids_as_written(files, tmp_path):
    db = str(tmp_path / "s.db")
    res = run("read", str(files["dir"]), "--db", db)
    shown = ok(res)
    assert TITLE_A in shown and TITLE_B in shown
    assert "[b]joint#1" in shown and "[i]notice#1" in shown
    # The titles went into the store as written (--json was never affected).
    docs = {d["id"]: d for d in json.loads(ok(run("read", str(files["dir"]), "--db", db, "--json")))["documents"]}
    assert docs["[b]joint#1"]["title"] == TITLE_A
    for doc, title in (("[b]joint#1", TITLE_A), ("[i]notice#1", TITLE_B)):
        out = ok(run("show", doc, "--db", db))
        assert doc in out and title in out


def test_errors_echo_names_as_written(tmp_path):
    db = str(tmp_path / "s.db")
    missing = tmp_path / "[/b]gone.txt"
    res = run("read", str(missing), "--db", db)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "[/b]gone.txt" in res.stderr
    res = run("show", "[/b]nope#1", "--db", db)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "[/b]nope#1: no such document" in res.stderr
    res = run("facts", "[/i]nope#1", "--db", db)
    assert res.returncode == 2 and "[/i]nope#1" in res.stderr and "Traceback" not in res.stderr


def test_every_command_prints_markup_in_ids_and_titles_as_written(files, tmp_path):
    db, out = str(tmp_path / "s.db"), tmp_path / "out"
    traced = ok(run("trace", str(files["dir"]), "--db", db, "--out", str(out), "--encoder", "use"))
    assert "[b]joint#1" in traced and "[i]notice#1" in traced
    relations = [json.loads(x) for x in (out / "relations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert relations, "the two statements share their body"
    shown = ok(run("show", "[i]notice#1", "--db", db))
    assert TITLE_B in shown and "[b]joint#1" in shown  # the relation table's other document
    for doc in ("[b]joint#1", "[i]notice#1"):
        assert ok(run("origin", doc, "--db", db)).startswith(doc)
    facts = ok(run("facts", "[b]joint#1", "--db", db))
    assert "[b]joint#1" in facts and "2020-06-04" in facts
    compared = ok(run("compare", "[b]joint#1", "[i]notice#1", "--db", db, "--encoder", "use"))
    assert "A [b]joint#1" in compared and TITLE_A in compared and TITLE_B in compared
    diffed = ok(run("diff", "[b]joint#1", "[i]notice#1", "--db", db, "--encoder", "use"))
    assert "[b]joint#1" in diffed and "[i]notice#1" in diffed
    timeline = ok(run("timeline", "[b]joint#1", "[i]notice#1", "--db", db, "--encoder", "use"))
    assert "[b]joint#1" in timeline and "[i]notice#1" in timeline
    found = ok(run("search", "They pledged $5 million to rebuild the schools of Mosul", "--db", db))
    assert "earliest: [" in found and ("[b]joint#1" in found or "[i]notice#1" in found)


def test_console_helpers_show_values_as_written(capsys):
    from rich.console import Console
    from rich.table import Table

    from sourcetrace.cli.console import error, markup, row

    line = markup("[bold]{doc}[/bold] {n:,} sentences, {share:.0%}: {title}", doc="[b]x#1", n=12345, share=0.5,
                  title=TITLE_A + " " + TITLE_B)
    assert line.plain == f"[b]x#1 12,345 sentences, 50%: {TITLE_A} {TITLE_B}"
    assert any(span.style == "bold" and (span.start, span.end) == (0, 6) for span in line.spans)
    table = Table()
    table.add_column("title")
    row(table, TITLE_A)
    console = Console(width=100, emoji=False)
    with console.capture() as shown:
        console.print(table)
    assert TITLE_A in shown.get()
    error("[/b]gone.txt: no such file")
    assert "error: [/b]gone.txt: no such file" in capsys.readouterr().err
