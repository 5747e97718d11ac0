"""Value-level normalization: each function maps distinct raw values to canonical ones.

Headers and the user's mapping file, countries, vocabularies (stakeholder groups, communities,
attendance mode, newcomer, gender, activity types, topics), dates and pseudonyms. Each works
once per distinct value, so a million rows cost what their few hundred distinct labels cost.

May import: ``wsisanalysis.schema``, ``wsisanalysis.errors``, ``wsisanalysis._text``,
``wsisanalysis.reference``.
"""

from __future__ import annotations

from wsisanalysis.normalize.countries import normalize_countries

__all__ = ["normalize_countries"]
