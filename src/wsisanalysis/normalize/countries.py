"""Country normalization: any common spelling, code or ccTLD to ISO 3166-1 alpha-2.

Exact matches come first (codes, ccTLDs, English names from pycountry and the reference
table, translations shipped with pycountry, curated aliases). Only what is left is matched
fuzzily, and a fuzzy match is accepted only when it is close and unambiguous, and when no
region or grouping ("Sub-Saharan Africa", "EU", "World") is as close: a wrong country is
worse than an unknown one. Every function works on distinct values once.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pycountry
from rapidfuzz import fuzz, process

from wsisanalysis._text import fold, strip_tags
from wsisanalysis.reference import reference_countries
from wsisanalysis.reference.packaged import read_packaged

#: pycountry ships ISO 3166 names translated by the iso-codes project; these languages cover
#: the exports we meet (UN languages plus the large European ones) and local names.
_LANGUAGES = ("fr", "es", "pt", "de", "it", "nl", "ru", "ar", "zh_CN", "tr", "pl", "sv")
_ABBREVIATIONS = {
    "rep": "republic",
    "dem": "democratic",
    "fed": "federated",
    "sts": "states",
    "st": "saint",
    "ste": "sainte",
    "is": "islands",
    "isl": "islands",
    "pdr": "peoples democratic republic",
    "pr": "peoples republic",
    "sar": "",
    "u": "united",
}
_STOPWORDS = {"of", "the", "and", "de", "la", "le", "del", "des", "da", "do", "du", "et", "y"}
FUZZY_THRESHOLD = 88.0
FUZZY_MARGIN = 4.0
_MIN_FUZZY_LENGTH = 5
METHODS = ("code", "cctld", "name", "alias", "fuzzy", "none")


@dataclass(frozen=True)
class _Index:
    exact: dict[str, tuple[str, str]]  # folded key -> (iso2, method)
    tokens: dict[str, tuple[str, str]]  # token-sorted key -> (iso2, method)
    codes2: dict[str, str]
    codes3: dict[str, str]
    numeric: dict[int, str]
    cctld: dict[str, str]
    blocked: dict[str, str]  # folded key -> kind (region, grouping, non_answer, ...)
    fuzzy_keys: list[str]
    fuzzy_targets: list[str]  # iso2, or "!" + kind for a blocked label
    fuzzy_labels: list[str]  # what to show a user for each fuzzy key


def token_key(folded: str) -> str:
    """Return an order-free key: abbreviations expanded, stop words dropped, tokens sorted.

    >>> token_key(fold("Korea, Dem. People's Rep.")) == token_key(fold("Democratic People's Republic of Korea"))
    True
    """
    words: list[str] = []
    for word in folded.split():
        words.extend(_ABBREVIATIONS.get(word, word).split())
    return " ".join(sorted(w for w in words if w not in _STOPWORDS and w != "s"))


def _read_tsv(name: str) -> pd.DataFrame:
    return read_packaged("vocab", name)


@functools.cache
def _index() -> _Index:  # noqa: C901 - listed in tests/test_architecture.py
    reference = reference_countries()
    valid = set(reference["iso2"])
    non_countries = _read_tsv("non_countries.tsv")
    blocked = {fold(r.label): r.kind for r in non_countries.itertuples()}
    blocked_labels = {fold(r.label): r.label for r in non_countries.itertuples()}.values()

    names: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def add(label: str | None, iso2: str, method: str) -> None:
        if label and iso2 in valid:
            key = fold(label)
            if key and key not in blocked:
                names[key].add((iso2, method))

    for row in reference.itertuples():
        add(row.name, row.iso2, "name")
    english: list[tuple[str, str]] = []
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            label = getattr(country, attr, None)
            add(label, country.alpha_2, "name")
            if label:
                english.append((label, country.alpha_2))
    for lang in _LANGUAGES:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for label, iso2 in english:
            translated = translation.gettext(label)
            if translated != label:
                add(translated, iso2, "alias")
    curated = _read_tsv("country_aliases.tsv")
    for row in curated.itertuples():
        add(row.alias, row.iso2, "alias")

    exact: dict[str, tuple[str, str]] = {}
    for key, hits in names.items():
        isos = {iso for iso, _ in hits}
        if len(isos) == 1:  # a spelling shared by two countries matches neither
            iso = isos.pop()
            method = "name" if any(m == "name" for _, m in hits) else "alias"
            exact[key] = (iso, method)
    # curated aliases win over translated collisions ("Congo" is CG in our table)
    for row in curated.itertuples():
        key = fold(row.alias)
        if key and key not in blocked and key not in exact and row.iso2 in valid:
            exact[key] = (row.iso2, "alias")

    token_hits: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for key, value in exact.items():
        token_hits[token_key(key)].add(value)
    blocked_tokens = {token_key(k) for k in blocked}
    tokens = {
        key: min(hits, key=lambda hit: (hit[1] != "name", hit))  # deterministic: names first
        for key, hits in token_hits.items()
        if key and len({iso for iso, _ in hits}) == 1 and key not in blocked_tokens
    }

    fuzzy_keys = [*exact, *blocked]
    fuzzy_targets = [iso for iso, _ in exact.values()] + ["!" + kind for kind in blocked.values()]
    display = dict(zip(reference["iso2"], reference["name"], strict=True))
    fuzzy_labels = [display[iso] for iso, _ in exact.values()] + list(blocked_labels)
    codes = reference.dropna(subset=["iso3"])
    return _Index(
        exact=exact,
        tokens=tokens,
        codes2={iso: iso for iso in valid},
        codes3=dict(zip(codes["iso3"], codes["iso2"], strict=True)),
        numeric={
            int(m): iso
            for m, iso in zip(reference["m49"], reference["iso2"], strict=True)
            if pd.notna(m)
        },
        cctld={
            c.lstrip(".").upper(): iso
            for c, iso in zip(reference["cctld"], reference["iso2"], strict=True)
            if isinstance(c, str)
        },
        blocked=blocked,
        fuzzy_keys=fuzzy_keys,
        fuzzy_targets=fuzzy_targets,
        fuzzy_labels=fuzzy_labels,
    )


_CODE2 = re.compile(r"^[A-Za-z]{2}$")
_CODE3 = re.compile(r"^[A-Za-z]{3}$")
_NUMERIC = re.compile(r"^\d{1,3}(\.0)?$")
_CCTLD = re.compile(r"^\.[A-Za-z]{2}$")


@dataclass(frozen=True)
class CountryMatch:
    """The outcome of normalizing one distinct country label."""

    iso2: str | None
    method: str
    reason: str = ""
    candidates: tuple[tuple[str, float], ...] = ()


def _fuzzy(key: str, index: _Index) -> CountryMatch:
    hits = process.extract(key, index.fuzzy_keys, scorer=fuzz.ratio, limit=8)
    return _decide(key, [(score, position) for _, score, position in hits], index)


def _fuzzy_many(keys: list[str], index: _Index) -> list[CountryMatch]:
    """Fuzzy-match many keys in one vectorized, multi-threaded rapidfuzz call."""
    if not keys:
        return []
    scores = process.cdist(keys, index.fuzzy_keys, scorer=fuzz.ratio, workers=-1)
    top = min(8, scores.shape[1])
    best = np.argpartition(-scores, top - 1, axis=1)[:, :top]
    out = []
    for row, key in enumerate(keys):
        positions = sorted(best[row], key=lambda p: -scores[row, p])
        out.append(_decide(key, [(float(scores[row, p]), int(p)) for p in positions], index))
    return out


def _decide(key: str, hits: list[tuple[float, int]], index: _Index) -> CountryMatch:
    candidates: list[tuple[str, float]] = []
    best_by_target: dict[str, float] = {}
    for score, position in hits:
        target = index.fuzzy_targets[position]
        best_by_target.setdefault(target, score)
        label = index.fuzzy_labels[position]
        if all(label != c for c, _ in candidates):
            candidates.append((label, round(score, 1)))
    ranked = sorted(best_by_target.items(), key=lambda item: -item[1])
    top = tuple(candidates[:3])
    if not ranked:
        return CountryMatch(None, "none", "no_match", top)
    target, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if target.startswith("!"):
        return CountryMatch(None, "none", f"looks_like_{target[1:]}", top)
    if len(key) < _MIN_FUZZY_LENGTH or score < FUZZY_THRESHOLD:
        return CountryMatch(None, "none", "no_confident_match", top)
    if score - runner_up < FUZZY_MARGIN:
        return CountryMatch(None, "none", "ambiguous", top)
    return CountryMatch(target, "fuzzy", "", top)


_PENDING = "pending"


def match_country(value: object, *, fuzzy: bool = True) -> CountryMatch:  # noqa: C901 - listed in tests/test_architecture.py
    """Normalize one label; prefer :func:`normalize_countries` for many values.

    >>> match_country(".uk")
    CountryMatch(iso2='GB', method='cctld', reason='', candidates=())
    >>> match_country("Sub-Saharan Africa").iso2 is None
    True
    """
    if not isinstance(value, str):
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            value = str(value)
        else:
            return CountryMatch(None, "none", "empty")
    index = _index()
    text = strip_tags(value).strip().strip("\"'").strip()
    if not text:
        return CountryMatch(None, "none", "empty")
    key = fold(text)
    if _CCTLD.match(text):
        iso = index.cctld.get(text[1:].upper())
        return CountryMatch(iso, "cctld") if iso else CountryMatch(None, "none", "unknown_cctld")
    if key in index.blocked:
        return CountryMatch(None, "none", index.blocked[key])
    if key in index.exact and not _CODE2.match(text):
        iso, method = index.exact[key]
        return CountryMatch(iso, method)
    if _CODE2.match(text):
        iso = index.codes2.get(text.upper())
        if iso:
            return CountryMatch(iso, "code")
        if key in index.exact:  # "UK", "NZ"
            return CountryMatch(index.exact[key][0], "alias")
        return CountryMatch(None, "none", "unknown_code")
    if _CODE3.match(text) and text.upper() in index.codes3:
        return CountryMatch(index.codes3[text.upper()], "code")
    if _NUMERIC.match(text):
        iso = index.numeric.get(int(float(text)))
        return CountryMatch(iso, "code") if iso else CountryMatch(None, "none", "unknown_code")
    tkey = token_key(key)
    if tkey in index.tokens:
        return CountryMatch(index.tokens[tkey][0], index.tokens[tkey][1])
    if not key:
        return CountryMatch(None, "none", "empty")
    if not fuzzy:
        return CountryMatch(None, _PENDING, key)
    return _fuzzy(key, index)


def match_many(values: Sequence[object]) -> list[CountryMatch]:
    """Match distinct values: exact tiers one by one, the fuzzy remainder in one batch."""
    matches = [match_country(value, fuzzy=False) for value in values]
    pending = [i for i, m in enumerate(matches) if m.method == _PENDING]
    for i, match in zip(
        pending, _fuzzy_many([matches[i].reason for i in pending], _index()), strict=True
    ):
        matches[i] = match
    return matches


def normalize_countries(values: Iterable[object], *, details: bool = False) -> pd.DataFrame:
    """Normalize country labels to ISO 3166-1 alpha-2 codes.

    Parameters
    ----------
    values
        Any iterable of labels: names in English, French, Spanish and other languages,
        ISO alpha-2/alpha-3/numeric codes, ccTLDs (``.uk``), historic names.
    details
        Also return ``reason`` (why nothing matched) and ``candidates`` (best guesses).

    Returns
    -------
    pandas.DataFrame
        One row per input value, in order, with columns ``input, iso2, method``. ``iso2`` is
        missing where no confident match exists; ``method`` is one of ``code, cctld, name,
        alias, fuzzy, none``. Each distinct value is matched once.

    Examples
    --------
    >>> normalize_countries(["USA", "Etats-Unis", ".uk", "Korea, Rep.", "Sub-Saharan Africa"])
                    input  iso2 method
    0                 USA    US  alias
    1          Etats-Unis    US  alias
    2                 .uk    GB  cctld
    3         Korea, Rep.    KR  alias
    4  Sub-Saharan Africa  <NA>   none
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    series = series.reset_index(drop=True)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    matches = match_many(list(uniques))
    iso = np.array([m.iso2 for m in matches] + [None], dtype=object)[codes]
    method = np.array([m.method for m in matches] + ["none"], dtype=object)[codes]
    out = pd.DataFrame(
        {
            "input": series,
            "iso2": pd.array(iso, dtype="string"),
            "method": pd.Categorical(method, categories=METHODS),
        }
    )
    if details:
        reason = np.array([m.reason for m in matches] + ["empty"], dtype=object)[codes]
        cands = np.array(
            ["; ".join(f"{c} ({s:g})" for c, s in m.candidates) for m in matches] + [""],
            dtype=object,
        )[codes]
        out = out.assign(reason=reason, candidates=cands)
    return out
