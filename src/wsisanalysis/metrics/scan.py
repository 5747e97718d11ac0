"""Coverage over Parquet past memory: DuckDB sums the weights per category, pandas does the rest.

``coverage(path, by, engine="duckdb")`` reads only the `by` columns and ``count`` of a clean
table written by ``wsisanalysis clean`` and hands :func:`~wsisanalysis.metrics.coverage`
one row per combination of categories, weighted by the rows it stands for (as
:func:`~wsisanalysis.metrics.counts.weights`: ``count``, else 1; 0 for a no-show). Shares,
intervals and baselines are then computed by the same code as for a table in memory, so the
two engines give the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.errors import InputFileError, WsisAnalysisError

ENGINES = ("pandas", "duckdb")


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        msg = (
            "engine='duckdb' needs the duckdb package, which is not installed. "
            "Install it with: pip install 'wsisanalysis[duckdb]' (or use engine='pandas')."
        )
        raise WsisAnalysisError(msg) from None
    return duckdb


def _registered(con: Any, source: pd.DataFrame | str | Path) -> tuple[str, list[str], Any]:
    """A relation name for `source`, its columns, and its first rows as pandas (for dtypes)."""
    if isinstance(source, pd.DataFrame):
        con.register("source_table", source)
        return "source_table", [str(c) for c in source.columns], source.iloc[:0]
    import pyarrow.parquet as pq

    path = Path(source)
    if not path.is_file():
        msg = f"{path}: no such Parquet file. Expected a clean table written by `wsisanalysis clean`."
        raise InputFileError(msg)
    parquet = pq.ParquetFile(path)
    head = parquet.read_row_group(0).to_pandas() if parquet.num_row_groups else None
    escaped = str(path).replace("'", "''")
    return f"read_parquet('{escaped}')", list(parquet.schema_arrow.names), head


def grouped_counts(source: pd.DataFrame | str | Path, by: Sequence[str]) -> pd.DataFrame:
    """One row per combination of the `by` columns' values with ``count``: the rows' weights.

    Columns keep the dtypes the table has (a clean table's categoricals keep their whole
    vocabulary), so ``coverage`` of the result equals ``coverage`` of the table.
    """
    duckdb = _duckdb()
    con = duckdb.connect()
    try:
        relation, columns, head = _registered(con, source)
        missing = [c for c in by if c not in columns]
        if missing:
            msg = f"Cannot compute coverage by {missing}: the table has no such column. Found: {', '.join(columns)}."
            raise WsisAnalysisError(msg)
        keys = ", ".join(f'"{c}"' for c in by)
        weight = f'coalesce(TRY_CAST("{C.COUNT}" AS BIGINT), 1)' if C.COUNT in columns else "1"
        if C.ATTENDED in columns:  # registrations that never attended weigh 0 (``weights``)
            weight = f'CASE WHEN "{C.ATTENDED}" IS FALSE THEN 0 ELSE {weight} END'
        grouped = con.sql(
            f"SELECT {keys}, sum({weight})::BIGINT AS _weight FROM {relation} GROUP BY ALL"
        ).df()
    finally:
        con.close()
    out = {}
    for column in by:
        values = grouped[column]
        dtype = head[column].dtype if head is not None else None
        if isinstance(dtype, pd.CategoricalDtype) and not len(dtype.categories):
            dtype = None  # an empty table's Parquet keeps no vocabulary: coverage knows it
        out[column] = values.astype(dtype) if dtype is not None else values
    return pd.DataFrame(out).assign(**{C.COUNT: grouped["_weight"].to_numpy()})


def engine_frame(
    source: pd.DataFrame | str | Path, by: Sequence[str], engine: str
) -> pd.DataFrame:
    """What ``coverage`` counts for `engine`: the table itself, or DuckDB's grouped weights."""
    if engine not in ENGINES:
        msg = f"Unknown engine {engine!r}. Expected one of: {', '.join(ENGINES)}."
        raise WsisAnalysisError(msg)
    if engine == "duckdb":
        return grouped_counts(source, by)
    if isinstance(source, pd.DataFrame):
        return source
    return pd.read_parquet(source)
