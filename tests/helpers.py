"""Paths and small helpers shared by the tests (importable: pytest's pythonpath has tests/)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
