"""The facts, diff and timeline commands end to end, on texts written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import run

V2019 = ("The ministers of the coalition met in Rome on 14 November 2019.\n"
         "They pledged $5 million to rebuild the schools of Mosul.\n"
         "They recalled their statement of 6 February 2019.\n"
         "Foreign Minister Luigi Rossi hosted the meeting and thanked the hosts.\n")
V2021 = ("The ministers of the coalition met in Rome on 30 March 2021.\n"
         "They pledged $7 million to rebuild the schools of Mosul.\n"
         "They recalled their statement of 14 November 2019.\n"
         "Foreign Minister Luigi Rossi hosted the meeting and thanked the hosts.\n"
         "They welcomed the new training mission of the alliance.\n")
AR = "اجتمع الوزراء في روما في 14 تشرين الثاني/نوفمبر 2019 وتعهدوا بتقديم ثمانية ملايين دولار.\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("v2019.txt", V2019), ("v2021.txt", V2021), ("ar.txt", AR)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        out[name] = tmp_path / name
    return out


def test_help_of_the_new_commands():
    for cmd in ("facts", "diff", "timeline"):
        res = run(cmd, "--help")
        assert res.returncode == 0 and "--db" in res.stdout and "--json" in res.stdout


def test_facts_lists_spans_types_and_values(files, tmp_path):
    res = run("facts", str(files["ar.txt"]), "--db", str(tmp_path / "s.db"), "--json", "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    facts = json.loads(res.stdout)
    got = {(f["type"], f["value"], f["text"]) for f in facts}
    assert ("date", "2019-11-14", "14 تشرين الثاني/نوفمبر 2019") in got
    assert ("money", "8000000 USD", "ثمانية ملايين دولار") in got
    assert ("place", "Rome", "روما") in got
    rows = (tmp_path / "o" / "facts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(facts) and set(json.loads(rows[0])) == {"doc", "start", "end", "type", "value"}
    table = run("facts", str(files["ar.txt"]), "--db", str(tmp_path / "s.db"), "--type", "money")
    assert table.returncode == 0 and "8000000 USD" in table.stdout and "2019-11-14" not in table.stdout


def test_facts_errors_are_one_clear_line(tmp_path):
    from sourcetrace.store.sqlite import Store

    Store(tmp_path / "s.db").close()  # an id in a store that is not there: "no store at" (test_cli_paths)
    res = run("facts", "no-such-doc#1", "--db", str(tmp_path / "s.db"))
    assert res.returncode == 2 and "no such document" in res.stderr and "Traceback" not in res.stderr
    res = run("facts", "x", "--type", "colour", "--db", str(tmp_path / "s.db"))
    assert res.returncode == 2 and "unknown fact type" in res.stderr


def test_diff_reports_changed_values_and_writes_the_contract_files(files, tmp_path):
    out = tmp_path / "o"
    res = run("diff", str(files["v2019.txt"]), str(files["v2021.txt"]), "--db", str(tmp_path / "s.db"),
              "--encoder", "use", "--json", "--out", str(out), "--html", str(tmp_path / "d.html"))
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    changed = {(d["type"], d["value_a"], d["value_b"]) for d in data["fact_diffs"] if d["status"] == "changed"}
    assert ("money", "5000000 USD", "7000000 USD") in changed
    assert ("date", "2019-11-14", "2021-03-30") in changed
    same = {(d["type"], d["value_a"]) for d in data["fact_diffs"] if d["status"] == "same"}
    assert ("place", "Rome") in same and ("place", "Mosul") in same
    rows = [json.loads(x) for x in (out / "fact_diffs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(data["fact_diffs"])
    assert set(rows[0]) == {"a", "a_start", "a_end", "b", "b_start", "b_end", "type", "status", "value_a", "value_b"}
    assert (out / "facts.jsonl").exists()
    page = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert 'class="facts"' in page and 'class="fv-new">7000000 USD' in page
    text = run("diff", str(files["v2019.txt"]), str(files["v2021.txt"]), "--db", str(tmp_path / "s.db"),
               "--encoder", "use")
    assert text.returncode == 0 and "changed" in text.stdout and "→" in text.stdout


def test_timeline_orders_versions_and_shows_their_changes(files, tmp_path):
    res = run("timeline", str(files["v2021.txt"]), str(files["v2019.txt"]), "--db", str(tmp_path / "s.db"),
              "--encoder", "use", "--json", "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert [v["date"] for v in data["versions"]] == ["2019-11-14", "2021-03-30"]
    (step,) = data["steps"]
    assert step["added"] and any(f["status"] == "changed" and f["type"] == "money" for f in step["facts"])
    assert (tmp_path / "o" / "timeline.json").exists() and (tmp_path / "o" / "fact_diffs.jsonl").exists()
    one = run("timeline", str(files["v2019.txt"]), "--db", str(tmp_path / "s.db"))
    assert one.returncode == 2 and "at least two" in one.stderr
