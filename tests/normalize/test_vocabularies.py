from __future__ import annotations

import pandas as pd
import pytest
from helpers import DATA

from wsisanalysis import schema as C
from wsisanalysis._text import fold
from wsisanalysis.normalize.vocabularies import (
    _read_tsv,
    community_mapper,
    gender_mapper,
    map_topics,
    mode_mapper,
    newcomer_mapper,
    stakeholder_mapper,
)

STAKEHOLDER_CASES = pd.read_csv(
    DATA / "stakeholder_aliases.tsv", sep="\t", comment="#", dtype=str, keep_default_na=False
)
COMMUNITY_CASES = pd.read_csv(
    DATA / "community_aliases.tsv", sep="\t", comment="#", dtype=str, keep_default_na=False
)


@pytest.mark.parametrize(
    ("raw", "expected"), list(STAKEHOLDER_CASES.itertuples(index=False, name=None))
)
def test_stakeholder_labels(raw, expected):
    assert stakeholder_mapper().match(raw).value == expected


@pytest.mark.parametrize(
    ("raw", "expected"), list(COMMUNITY_CASES.itertuples(index=False, name=None))
)
def test_community_labels(raw, expected):
    assert community_mapper().match(raw).value == expected


@pytest.mark.parametrize(
    ("table", "vocabulary"),
    [
        ("stakeholder_groups.tsv", C.STAKEHOLDER_GROUPS),
        ("communities.tsv", C.COMMUNITIES),
        ("topics.tsv", C.TOPICS_VOCAB),
        ("activity_types.tsv", C.ACTIVITY_TYPES),
    ],
)
def test_alias_tables_are_consistent(table, vocabulary):
    frame = _read_tsv(table)
    assert not (frame == "").any().any(), "blank cells"
    assert set(frame["value"]) <= set(vocabulary)
    folded = frame.assign(key=frame["label"].map(fold))
    clashes = folded.groupby("key")["value"].nunique()
    assert (clashes == 1).all(), clashes[clashes > 1]
    for value in set(vocabulary) - {C.UNKNOWN}:
        if value in set(frame["value"]):
            assert fold(value) in set(folded["key"]) or value in set(frame["label"]), (
                f"{value} must map to itself"
            )


def test_unresolved_label_becomes_unknown_and_is_counted():
    mapped, distinct = stakeholder_mapper().map_series(
        pd.Series(["CSO", "Martian", "Martian", None])
    )
    assert mapped.tolist() == ["civil_society", "unknown", "unknown", "unknown"]
    row = distinct.set_index("label").loc["Martian"]
    assert row["method"] == "unresolved" and row["rows"] == 2


def test_ralo_hierarchy_is_kept():
    assert C.COMMUNITY_PARENT["AFRALO"] == "ALAC"
    assert C.COMMUNITY_PARENT["NCUC"] == "GNSO"
    assert community_mapper().match("At-Large / AFRALO").value == "AFRALO"


@pytest.mark.parametrize(
    ("mapper", "raw", "expected"),
    [
        (mode_mapper, "In person", "onsite"),
        (mode_mapper, "Online", "remote"),
        (newcomer_mapper, "Y", "newcomer"),
        (newcomer_mapper, "FALSE", "returning"),
        (gender_mapper, "Prefer not to say", "prefer_not_to_say"),
        (gender_mapper, "F", "female"),
        (gender_mapper, "Non-binary", "non_binary"),
    ],
)
def test_small_vocabularies(mapper, raw, expected):
    assert mapper().match(raw).value == expected


def test_topics_cell_lists_several_topics():
    out, distinct = map_topics(pd.Series(["DNS abuse; LEO satellites", "misc", None]))
    assert out.tolist() == ["dns_security_stability;emerging_tech_satellite", "unknown", "unknown"]
    assert distinct.set_index("label").loc["misc", "method"] == "unresolved"


@pytest.mark.parametrize(
    ("mapper", "cases"),
    [(stakeholder_mapper, STAKEHOLDER_CASES), (community_mapper, COMMUNITY_CASES)],
)
def test_rule_order_never_decides(mapper, cases):
    """Every alias case maps the same with the keyword rules reversed (issue #12)."""
    from dataclasses import replace

    forward = mapper()
    backward = replace(forward, rules=list(reversed(forward.rules)))
    for raw in cases.iloc[:, 0]:
        assert backward.match(raw) == forward.match(raw), raw
