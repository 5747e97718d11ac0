"""Each test of the disclosure guard keeps its private state (the ledger's private half, see
``wsisanalysis.metrics.disclosure.memory``) in its own temporary folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
