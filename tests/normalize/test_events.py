from __future__ import annotations

import pandas as pd

from wsisanalysis.normalize.events import cluster_events, fingerprint


def test_fingerprint_ignores_case_spacing_punctuation_accents_and_word_order():
    names = ["ICANN 82 – Seattle", "icann  82, seattle", "Seattle ICANN 82", "ICANN 82 Séattle"]
    assert len({fingerprint(n) for n in names}) == 1
    assert fingerprint("ICANN 82") != fingerprint("ICANN 83")
    assert fingerprint("ICANN82") != fingerprint("ICANN 82")  # as OpenRefine: different tokens


def test_each_cluster_takes_its_most_frequent_spelling_and_lists_the_merge():
    events = pd.Series(["IGF 2025", "igf 2025", "IGF 2025", "IGF-2025 ", None, "WSIS Forum"])
    merged, merges = cluster_events(events)
    assert merged.tolist()[:4] == ["IGF 2025"] * 4 and pd.isna(merged.iloc[4])
    assert [(m.event, sorted(m.variants), m.rows) for m in merges] == [
        ("IGF 2025", ["IGF-2025 ", "igf 2025"], 2)
    ]


def test_nothing_to_merge_returns_the_input():
    events = pd.Series(["A", "B"])
    merged, merges = cluster_events(events)
    assert merged is events and merges == []
