"""The work split over two cores: the same bytes as one serial call, whatever happens."""

from __future__ import annotations

import os

import pytest

from wsisanalysis import _cores

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")


def _squares(start: int, stop: int) -> bytes:
    return b"".join((i * i % 2**32).to_bytes(4, "little") for i in range(start, stop))


@pytest.fixture
def forking(monkeypatch):
    """Forks for any size, on a machine of any number of cores; records the children."""
    monkeypatch.setattr(_cores, "MIN_ITEMS", 2)
    monkeypatch.setattr(_cores, "usable_cores", lambda: 2)
    monkeypatch.setattr(_cores, "_forks_safely", lambda: True)
    children = []
    fork = os.fork

    def recorded():
        pid = fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(_cores.os, "fork", recorded)
    return children


@pytest.mark.parametrize("count", [2, 3, 1001, 250_001])
def test_the_halves_join_to_the_serial_result(forking, count):
    assert _cores.over_two_cores(_squares, count, 4) == _squares(0, count)
    assert len(forking) == 1


def test_small_work_is_not_forked(monkeypatch):
    monkeypatch.setattr(_cores.os, "fork", lambda: pytest.fail("forked"))
    assert _cores.over_two_cores(_squares, 10, 4) == _squares(0, 10)


def test_one_core_is_not_forked(monkeypatch):
    monkeypatch.setattr(_cores, "MIN_ITEMS", 2)
    monkeypatch.setattr(_cores, "usable_cores", lambda: 1)
    monkeypatch.setattr(_cores.os, "fork", lambda: pytest.fail("forked"))
    assert _cores.over_two_cores(_squares, 10, 4) == _squares(0, 10)


def test_a_failing_child_leaves_the_result_whole(forking):
    parent = os.getpid()

    def fails_in_the_child(start: int, stop: int) -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("child")
        return _squares(start, stop)

    assert _cores.over_two_cores(fails_in_the_child, 1000, 4) == _squares(0, 1000)


def test_a_child_returning_the_wrong_length_is_not_trusted(forking):
    parent = os.getpid()

    def short_in_the_child(start: int, stop: int) -> bytes:
        return _squares(start, stop)[: None if os.getpid() == parent else -4]

    assert _cores.over_two_cores(short_in_the_child, 1000, 4) == _squares(0, 1000)


def test_a_failing_parent_reaps_its_child(forking):
    parent = os.getpid()

    def fails_in_the_parent(start: int, stop: int) -> bytes:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        return _squares(start, stop)

    with pytest.raises(KeyboardInterrupt):
        _cores.over_two_cores(fails_in_the_parent, 1000, 4)
    (child,) = forking
    with pytest.raises(ChildProcessError):  # already waited for: no zombie left behind
        os.waitpid(child, os.WNOHANG)


def test_not_forked_off_linux(monkeypatch):
    monkeypatch.setattr(_cores, "MIN_ITEMS", 2)
    monkeypatch.setattr(_cores, "usable_cores", lambda: 2)
    monkeypatch.setattr(_cores.sys, "platform", "darwin")
    monkeypatch.setattr(_cores.os, "fork", lambda: pytest.fail("forked"))
    assert _cores.over_two_cores(_squares, 10, 4) == _squares(0, 10)


def test_usable_cores_is_the_affinity():
    if hasattr(os, "sched_getaffinity"):
        assert _cores.usable_cores() == len(os.sched_getaffinity(0))
    else:
        assert _cores.usable_cores() >= 1
