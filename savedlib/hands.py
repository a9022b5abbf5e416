"""Two hands for one job: a helper thread, and the caller, who does any task it waits for that has not begun.

Arrow and NumPy let go of the interpreter while they compute, so a second thread
shares the work of reading a file. How much each task costs differs from file to
file, so rather than guess a fair split, tasks queue for the helper, and a task the
caller wants before the helper has begun it, the caller does itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any


class Hands(Executor):
    """A one-thread pool (use it in a ``with``); ``submit`` returns a future whose ``result`` runs the task on
    the caller's thread if the helper has not begun it (nothing is done twice)."""

    def __init__(self) -> None:
        self._helper = ThreadPoolExecutor(1, thread_name_prefix="savedlib-hand")
        self._helper.submit(int)  # the thread starts now, not when the first task is handed over
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        task = _Task(fn, args, kwargs, self._lock)
        self._helper.submit(task.run)
        return task

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._helper.shutdown(wait=wait, cancel_futures=cancel_futures)


class _Task(Future):
    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict, lock: threading.Lock) -> None:
        super().__init__()
        self._call, self._claim = (fn, args, kwargs), lock

    def run(self) -> None:
        """Do the task, unless the other hand has claimed it."""
        with self._claim:
            if self.running() or self.done() or not self.set_running_or_notify_cancel():  # taken, or cancelled
                return
        fn, args, kwargs = self._call
        try:
            self.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to whoever asks for the result, as any future does
            self.set_exception(exc)

    def result(self, timeout: float | None = None) -> Any:
        self.run()  # not begun yet: the caller's hand does it (else this does nothing)
        return super().result(timeout)
