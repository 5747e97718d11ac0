"""Read the tables shipped inside the package (``wsisanalysis/data``) with importlib.resources."""

from __future__ import annotations

from importlib import resources

import pandas as pd


def read_packaged(*parts: str) -> pd.DataFrame:
    """Read a packaged CSV or TSV as text (no value turned into NaN, ``#`` lines in TSVs skipped).

    >>> read_packaged("vocab", "headers.tsv").columns.tolist()
    ['header', 'column']
    """
    path = resources.files("wsisanalysis").joinpath("data", *parts)
    tsv = parts[-1].endswith(".tsv")
    with resources.as_file(path) as file:
        return pd.read_csv(
            file,
            sep="\t" if tsv else ",",
            dtype=str,
            keep_default_na=False,
            comment="#" if tsv else None,
            encoding="utf-8",
        )
