"""The notes of one long step (sourcetrace/progress.py): heard only where armed, per thread, throttled."""

from __future__ import annotations

import threading

from sourcetrace import progress


def test_a_note_reaches_only_the_note_armed_around_it():
    heard: list[tuple] = []
    progress.note("encode", 1, 2)  # nothing armed: nothing happens
    with progress.noting(lambda *n: heard.append(n)):
        progress.note("encode", 1, 2)
        with progress.noting(None):  # a pair inside that reports nothing
            progress.note("windows", 1, 9)
        progress.note("windows", 3, 9)
    progress.note("encode", 2, 2)
    assert heard == [("encode", 1, 2), ("windows", 3, 9)]


def test_a_note_armed_in_one_thread_is_not_another_threads():
    heard: list[tuple] = []
    with progress.noting(lambda *n: heard.append(n)):
        other = threading.Thread(target=progress.note, args=("encode", 5, 5))  # another pair's, elsewhere
        other.start()
        other.join()
        progress.note("plan", 1, 1)
    assert heard == [("plan", 1, 1)]


def test_throttled_passes_each_phase_its_end_and_a_count_an_interval(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    sent: list[tuple] = []
    note = progress.Throttled(lambda *n: sent.append(n), every=0.5)
    note("static rows", 10, 30)  # a new phase: sent
    now[0] = 0.1
    note("static rows", 20, 30)  # within the half second: dropped
    note("static rows", 30, 30)  # the phase's end: sent
    note("encode", 0, 100)  # a new phase
    now[0] = 0.3
    note("encode", 50, 100)  # dropped
    now[0] = 0.9
    note("encode", 60, 100)  # half a second on: sent
    assert sent == [("static rows", 10, 30), ("static rows", 30, 30), ("encode", 0, 100), ("encode", 60, 100)]
