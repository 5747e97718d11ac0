"""Country normalization: any common spelling, code or ccTLD to ISO 3166-1 alpha-2.

Exact matches come first (codes, ccTLDs, English names from pycountry and the reference
table, translations shipped with pycountry, curated aliases). Only what is left is matched
fuzzily, and a fuzzy match is accepted only when it is close and no other name is nearly as
close: no other country, territory, region or grouping within :data:`FUZZY_MARGIN` points or
above :data:`FUZZY_RUNNER_UP_MAX` (Cocos vs Cook Islands, Niger vs Nigeria), the words the two
names do not share as close as the names ("Republic of Ireland" is not "Republic of
Iceland"), and no other plausible name contained in the label ("Dominicana"). A wrong country
is worse than an unknown one. Two-letter words ("no", "in", "it") are read as codes only in a
column of codes. Every function works on distinct values once.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
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
#: A leading single letter abbreviates a direction: "S. Sudan", "N. Korea".
_LEADING = {"s": "south", "n": "north"}
FUZZY_THRESHOLD = 88.0
FUZZY_MARGIN = 6.0
#: A runner-up scoring this much is a plausible answer in its own right ("Burunei": Brunei or
#: Burundi?), however far behind the best.
FUZZY_RUNNER_UP_MAX = 82.0
_MIN_FUZZY_LENGTH = 6
#: The words two names do not share must score this much ("Côe" / "Côte", not "Cocos" / "Cook").
_RESIDUE_THRESHOLD = 80.0
#: Other names scoring at least this much are checked for a shared beginning ("Dominicana"
#: begins like both "Dominica" and "Dominican Republic").
_PLAUSIBLE = 70.0
_PREFIX_CHECKS = 12
_MIN_PREFIX = 4
METHODS = ("code", "cctld", "name", "alias", "fuzzy", "none")


@dataclass(frozen=True)
class _Fuzzy:
    """The names fuzzy matching compares against, grouped by target (a country, or one
    blocked label such as a region), so the best score per target is one ``reduceat``."""

    keys: list[str]  # folded names, grouped by target
    starts: np.ndarray  # position of each target's first key in `keys`
    targets: list[str]  # iso2, or "!" + kind for a blocked label
    labels: list[str]  # what to show a user for each target


@dataclass(frozen=True)
class _Index:
    exact: dict[str, tuple[str, str]]  # folded key -> (iso2, method)
    tokens: dict[str, tuple[str, str]]  # token-sorted key -> (iso2, method)
    codes2: dict[str, str]
    codes3: dict[str, str]
    numeric: dict[int, str]
    cctld: dict[str, str]
    blocked: dict[str, str]  # folded key -> kind (region, grouping, non_answer, ...)
    code_words: frozenset[str]  # two-letter words that are codes only in a column of codes
    fuzzy: _Fuzzy


def token_key(folded: str) -> str:
    """Return an order-free key: abbreviations expanded, stop words dropped, tokens sorted.

    >>> token_key(fold("Korea, Dem. People's Rep.")) == token_key(fold("Democratic People's Republic of Korea"))
    True
    >>> token_key(fold("S. Sudan"))
    'south sudan'
    """
    words: list[str] = []
    for position, word in enumerate(folded.split()):
        if position == 0 and word in _LEADING:
            words.append(_LEADING[word])
        elif word != "s":  # the "s" of a possessive ("People's")
            words.extend(_ABBREVIATIONS.get(word, word).split())
    return " ".join(sorted(w for w in words if w not in _STOPWORDS))


def _read_tsv(name: str) -> pd.DataFrame:
    return read_packaged("vocab", name)


def _names(reference: pd.DataFrame, blocked: Mapping[str, str]) -> dict[str, set[tuple[str, str]]]:
    """Every spelling we know -> the (iso2, method) pairs it names: reference and pycountry
    names, pycountry's translations, curated aliases."""
    valid = set(reference["iso2"])
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
    for row in _read_tsv("country_aliases.tsv").itertuples():
        add(row.alias, row.iso2, "alias")
    return names


def _exact(
    names: Mapping[str, set[tuple[str, str]]], blocked: Mapping[str, str], valid: set[str]
) -> dict[str, tuple[str, str]]:
    exact: dict[str, tuple[str, str]] = {}
    for key, hits in names.items():
        isos = {iso for iso, _ in hits}
        if len(isos) == 1:  # a spelling shared by two countries matches neither
            iso = isos.pop()
            method = "name" if any(m == "name" for _, m in hits) else "alias"
            exact[key] = (iso, method)
    # curated aliases win over translated collisions ("Congo" is CG in our table)
    for row in _read_tsv("country_aliases.tsv").itertuples():
        key = fold(row.alias)
        if key and key not in blocked and key not in exact and row.iso2 in valid:
            exact[key] = (row.iso2, "alias")
    return exact


def _tokens(
    exact: Mapping[str, tuple[str, str]], blocked: Mapping[str, str]
) -> dict[str, tuple[str, str]]:
    token_hits: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for key, value in exact.items():
        token_hits[token_key(key)].add(value)
    blocked_tokens = {token_key(k) for k in blocked}
    return {
        key: min(hits, key=lambda hit: (hit[1] != "name", hit))  # deterministic: names first
        for key, hits in token_hits.items()
        if key and len({iso for iso, _ in hits}) == 1 and key not in blocked_tokens
    }


def _fuzzy_names(
    exact: Mapping[str, tuple[str, str]],
    blocked_labels: Mapping[str, tuple[str, str]],
    display: Mapping[str, str],
) -> _Fuzzy:
    """Exact names grouped by country, then each blocked label as its own target."""
    groups: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    for key, (iso, _) in sorted(exact.items(), key=lambda item: (item[1][0], item[0])):
        groups[iso].append(key)
        labels[iso] = display[iso]
    for key, (kind, label) in blocked_labels.items():
        groups["!" + kind + ":" + key].append(key)
        labels["!" + kind + ":" + key] = label
    keys = [key for members in groups.values() for key in members]
    sizes = np.array([len(members) for members in groups.values()])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    targets = [t.split(":", 1)[0] for t in groups]
    return _Fuzzy(keys, starts, targets, [labels[t] for t in groups])


def _codes(reference: pd.DataFrame) -> dict[str, dict]:
    codes = reference.dropna(subset=["iso3"])
    return {
        "codes2": {iso: iso for iso in reference["iso2"]},
        "codes3": dict(zip(codes["iso3"], codes["iso2"], strict=True)),
        "numeric": {
            int(m): iso
            for m, iso in zip(reference["m49"], reference["iso2"], strict=True)
            if pd.notna(m)
        },
        "cctld": {
            c.lstrip(".").upper(): iso
            for c, iso in zip(reference["cctld"], reference["iso2"], strict=True)
            if isinstance(c, str)
        },
    }


@functools.cache
def _index() -> _Index:
    reference = reference_countries()
    non_countries = _read_tsv("non_countries.tsv")
    words = non_countries["kind"] == "code_word"
    code_words = frozenset(fold(label) for label in non_countries.loc[words, "label"])
    blocked_rows = non_countries[~words]
    blocked = {fold(r.label): r.kind for r in blocked_rows.itertuples()}
    blocked_labels = {fold(r.label): (r.kind, r.label) for r in blocked_rows.itertuples()}
    exact = _exact(_names(reference, blocked), blocked, set(reference["iso2"]))
    display = dict(zip(reference["iso2"], reference["name"], strict=True))
    return _Index(
        exact=exact,
        tokens=_tokens(exact, blocked),
        blocked=blocked,
        code_words=code_words,
        fuzzy=_fuzzy_names(exact, blocked_labels, display),
        **_codes(reference),
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


def target_scores(key: str) -> dict[str, float]:
    """The best fuzzy score (``fuzz.ratio``) of `key` against each target's names.

    Targets are ISO codes and, prefixed ``!``, the kinds of blocked labels (regions,
    groupings, non-answers). What :func:`match_country` decides a fuzzy match from.
    """
    fuzzy = _index().fuzzy
    scores = process.cdist([key], fuzzy.keys, scorer=fuzz.ratio)[0]
    best = np.maximum.reduceat(scores, fuzzy.starts)
    out: dict[str, float] = {}
    for target, score in zip(fuzzy.targets, best, strict=True):
        out[target] = max(out.get(target, 0.0), float(score))
    return out


def _fuzzy_many(keys: list[str], index: _Index) -> list[CountryMatch]:
    """Fuzzy-match many keys in one vectorized, multi-threaded rapidfuzz call."""
    if not keys:
        return []
    fuzzy = index.fuzzy
    scores = process.cdist(keys, fuzzy.keys, scorer=fuzz.ratio, workers=-1)
    per_target = np.maximum.reduceat(scores, fuzzy.starts, axis=1)
    return [_decide(key, scores[row], per_target[row], index) for row, key in enumerate(keys)]


def _residues(key: str, other: str) -> tuple[str, str]:
    """The words of two names that they do not share ("ireland" / "iceland")."""
    mine, theirs = key.split(), other.split()
    return (
        " ".join(w for w in mine if w not in theirs),
        " ".join(w for w in theirs if w not in mine),
    )


def _common_prefix(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def _doubt(key: str, scores: np.ndarray, best: int, index: _Index) -> str:
    """Why a close fuzzy match to target `best` is still not safe, or ``""``.

    The words the two names do not share must be close, and not themselves another
    country's name ("Republic of Ireland" is not "Republic of Iceland", "Virgin Islands UK"
    not "Virgin Islands US"); and no other plausible name may begin like `key` further than
    the match does ("Dominicana": Dominica or Dominican Republic?).
    """
    fuzzy = index.fuzzy
    target = fuzzy.targets[best]
    start = fuzzy.starts[best]
    stop = fuzzy.starts[best + 1] if best + 1 < len(fuzzy.starts) else len(fuzzy.keys)
    nearest = fuzzy.keys[start + int(np.argmax(scores[start:stop]))]
    mine, theirs = _residues(key, nearest)
    if mine and index.exact.get(mine, (target,))[0] != target:
        return "names_another_country"
    if (mine or theirs) and fuzz.ratio(mine, theirs) < _RESIDUE_THRESHOLD:
        return "differs_in_a_distinctive_word"
    reach = _common_prefix(key, nearest)
    top = np.argpartition(-scores, min(_PREFIX_CHECKS, len(scores) - 1))[:_PREFIX_CHECKS]
    owner = np.searchsorted(fuzzy.starts, top, side="right") - 1
    for position, group in zip(top, owner, strict=True):
        if fuzzy.targets[group] == target or scores[position] < _PLAUSIBLE:
            continue
        if reach >= _MIN_PREFIX and _common_prefix(key, fuzzy.keys[position]) > reach:
            return "ambiguous"
    return ""


def _decide(key: str, scores: np.ndarray, per_target: np.ndarray, index: _Index) -> CountryMatch:
    fuzzy = index.fuzzy
    ranked = np.argsort(-per_target, kind="stable")
    top = tuple(
        (fuzzy.labels[i], round(float(per_target[i]), 1)) for i in ranked[:3] if per_target[i] > 0
    )
    if not len(ranked) or per_target[ranked[0]] <= 0:
        return CountryMatch(None, "none", "no_match", top)
    best = int(ranked[0])
    s1 = float(per_target[best])
    target = fuzzy.targets[best]
    # the runner-up is the best score of any other target (blocked labels of a kind are one)
    second = next((i for i in ranked[1:] if fuzzy.targets[i] != target), None)
    s2 = float(per_target[second]) if second is not None else 0.0
    if target.startswith("!"):
        return CountryMatch(None, "none", f"looks_like_{target[1:]}", top)
    if len(key) < _MIN_FUZZY_LENGTH or s1 < FUZZY_THRESHOLD:
        return CountryMatch(None, "none", "no_confident_match", top)
    if s1 - s2 < FUZZY_MARGIN or s2 >= FUZZY_RUNNER_UP_MAX:
        return CountryMatch(None, "none", "ambiguous", top)
    doubt = _doubt(key, scores, best, index)
    if doubt:
        return CountryMatch(None, "none", doubt, top)
    return CountryMatch(target, "fuzzy", "", top)


_PENDING = "pending"


def _text_of(value: object) -> str | None:
    if isinstance(value, str):
        text = strip_tags(value).strip().strip("\"'").strip()
        return text or None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(value)
    return None


def _code(text: str, key: str, index: _Index, codes: bool) -> CountryMatch | None:
    """Codes: two- and three-letter ISO codes, M49 numbers (``None``: not a code)."""
    if _CODE2.match(text):
        if key in index.code_words and not codes:
            return CountryMatch(None, "none", "word_not_code")  # "no", "in", "it", "me", "to"
        iso = index.codes2.get(text.upper())
        if iso:
            return CountryMatch(iso, "code")
        if key in index.exact:  # "UK"
            return CountryMatch(index.exact[key][0], "alias")
        return CountryMatch(None, "none", "unknown_code")
    if _CODE3.match(text) and text.upper() in index.codes3:
        return CountryMatch(index.codes3[text.upper()], "code")
    if _NUMERIC.match(text):
        iso = index.numeric.get(int(float(text)))
        return CountryMatch(iso, "code") if iso else CountryMatch(None, "none", "unknown_code")
    return None


def _exact_tiers(text: str, key: str, index: _Index, codes: bool) -> CountryMatch | None:
    if _CCTLD.match(text):
        iso = index.cctld.get(text[1:].upper())
        return CountryMatch(iso, "cctld") if iso else CountryMatch(None, "none", "unknown_cctld")
    if key in index.blocked:
        return CountryMatch(None, "none", index.blocked[key])
    if key in index.exact and not _CODE2.match(text):
        iso, method = index.exact[key]
        return CountryMatch(iso, method)
    coded = _code(text, key, index, codes)
    if coded is not None:
        return coded
    tkey = token_key(key)
    if tkey in index.tokens:
        return CountryMatch(index.tokens[tkey][0], index.tokens[tkey][1])
    return None


def match_country(value: object, *, fuzzy: bool = True, codes: bool = False) -> CountryMatch:
    """Normalize one label; prefer :func:`normalize_countries` for many values.

    `codes` says the label comes from a column of codes: only there are two-letter words
    such as "no", "in" or "it" read as ISO codes.

    >>> match_country(".uk")
    CountryMatch(iso2='GB', method='cctld', reason='', candidates=())
    >>> match_country("Sub-Saharan Africa").iso2 is None
    True
    >>> match_country("no").iso2, match_country("no", codes=True).iso2
    (None, 'NO')
    """
    text = _text_of(value)
    if text is None:
        return CountryMatch(None, "none", "empty")
    index = _index()
    key = fold(text)
    found = _exact_tiers(text, key, index, codes)
    if found is not None:
        return found
    if not key:
        return CountryMatch(None, "none", "empty")
    if not fuzzy:
        return CountryMatch(None, _PENDING, key)
    return _fuzzy_many([key], index)[0]


def holds_codes(values: Sequence[object]) -> bool:
    """Whether most distinct labels are ISO codes. Two-letter words that are codes too ("no",
    "it") are left out of the count: alone they are no evidence either way.

    >>> holds_codes(["NO", "SE", "DK"]), holds_codes(["Norway", "no", "Sweden"]), holds_codes(["no"])
    (True, False, False)
    """
    index = _index()
    texts = [t for t in (_text_of(v) for v in values) if t is not None]
    texts = [t for t in texts if not (_CODE2.match(t) and fold(t) in index.code_words)]
    coded = sum(
        (_CODE2.match(t) is not None and t.upper() in index.codes2)
        or (_CODE3.match(t) is not None and t.upper() in index.codes3)
        for t in texts
    )
    return coded > len(texts) / 2


def match_many(values: Sequence[object], *, codes: bool | None = None) -> list[CountryMatch]:
    """Match the distinct values of one column: exact tiers one by one, the fuzzy remainder
    in one batch. Two-letter words are read as codes only when the column holds codes
    (`codes`, decided from `values` when None)."""
    codes = holds_codes(values) if codes is None else codes
    matches = [match_country(value, fuzzy=False, codes=codes) for value in values]
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
