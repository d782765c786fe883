"""Worker processes that end with the process that started them.

A ``ProcessPoolExecutor`` worker waits on a call queue whose both ends it holds, so it never
reads end-of-file when its parent is killed (SIGKILL, the OOM killer): it would stay, idle,
holding the store open and memory. Each pool's initializer calls :func:`end_with_parent`,
which watches, in a daemon thread, whether this process was handed to another parent, and ends
it then. Polling ``getppid`` is portable across POSIX systems and, unlike Linux's
``PR_SET_PDEATHSIG``, does not fire when the *thread* that started the worker ends.
"""

from __future__ import annotations

import os
import threading
import time

POLL_SECONDS = 0.5  # how soon an orphaned worker ends; a getppid() call costs about a microsecond


def end_with_parent(poll: float = POLL_SECONDS) -> None:
    """Exit this process (status 1, nothing flushed: its work is lost with its parent anyway)
    once its parent has ended; a no-op where there is no parent process to watch."""
    parent = os.getppid()
    if parent <= 1:
        return

    def watch() -> None:
        while True:
            time.sleep(poll)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="end with parent", daemon=True).start()
