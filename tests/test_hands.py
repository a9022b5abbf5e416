"""savedlib.hands: a task the helper has not begun is done by whoever wants it, and only once."""

from __future__ import annotations

import threading

import pytest

from savedlib.hands import Hands


def test_a_task_not_begun_is_done_by_the_caller_once():
    release, runs = threading.Event(), []

    def busy() -> str:
        release.wait(10)
        return threading.current_thread().name

    def task() -> str:
        runs.append(threading.current_thread().name)
        return "done"

    with Hands() as hands:
        first = hands.submit(busy)
        while not first.running():  # the helper has begun the first task
            pass
        second = hands.submit(task)
        assert second.result() == "done" and runs == [threading.current_thread().name]
        release.set()
        assert first.result().startswith("savedlib-hand")
    assert runs == [threading.current_thread().name]  # the helper, free again, did not run it a second time


def test_a_task_begun_by_the_helper_is_waited_for_and_its_error_raised():
    def fails() -> None:
        raise ValueError("a save date that is not one")

    with Hands() as hands:
        future = hands.submit(fails)
        with pytest.raises(ValueError, match="not one"):
            future.result()
