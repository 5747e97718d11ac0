"""Write output files safely: atomically, and with formula-like CSV cells neutralized.

May import: nothing from wsisanalysis but ``errors``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells with ``'`` so spreadsheets show them as text.

    Cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are neutralized
    (OWASP CSV injection guidance), except plain numbers such as ``-3``. Does not modify
    `frame`.

    >>> neutralize_formulas(pd.DataFrame({"a": ["=HYPERLINK(1)", "-3", "ok"]}))["a"].tolist()
    ["'=HYPERLINK(1)", '-3', 'ok']
    """
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            text = col.astype("str")
            risky = text.str.match(r"^[=+\-@\t\r]", na=False) & ~text.str.fullmatch(
                r"[+-]?\d+(\.\d+)?", na=False
            )
            if risky.any():
                out[name] = text.mask(risky, "'" + text)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a CSV (UTF-8, formula-like cells neutralized) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralize_formulas(frame).to_csv(path, index=False, encoding="utf-8")
    return path
