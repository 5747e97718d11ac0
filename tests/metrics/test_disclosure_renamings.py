"""Which labels of this week's data may be which of an earlier snapshot's
(``wsisanalysis.metrics.disclosure.renamings``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsisanalysis.metrics.disclosure import renamings
from wsisanalysis.metrics.disclosure.tables import Records


def _records(**columns):
    return Records(pd.DataFrame(columns))


def test_a_respelling_is_always_matched_and_other_labels_pair_with_every_gone_one():
    before = _records(group=["civ", "gov", "Académie"], iso2=["fr", "de", "it"])
    now = _records(group=["civil society", "gov", "academie"], iso2=["FR", "DE", "IT"])
    got = renamings.possible_renamings(("group", "iso2"), now, before)
    assert got["group"] == {"academie": ["Académie"], "civil society": ["civ"]}
    assert got["iso2"] == {"DE": ["de"], "FR": ["fr"], "IT": ["it"]}


def test_codes_are_never_taken_for_renamings_of_other_codes():
    """Nepal gone and Bangladesh new is another country, not Nepal renamed."""
    before, now = _records(iso2=["FR", "NP"]), _records(iso2=["FR", "BD"])
    assert renamings.possible_renamings(("iso2",), now, before) == {}


def test_too_many_pairs_are_not_tried_but_respellings_still_are():
    before = _records(g=[f"old {i}" for i in range(11)] + ["Gov"])
    now = _records(g=[f"new {i}" for i in range(11)] + ["gov"])
    assert renamings.possible_renamings(("g",), now, before) == {"g": {"gov": ["Gov"]}}


def test_old_names_put_every_renamed_label_back():
    found = {"region": {"Europe": ["EU"]}, "group": {"civil society": ["civ", "ngo"]}}
    key, columns = ("Europe", "civil society"), ("region", "group")
    assert renamings.old_names(key, columns, found) == [("EU", "civ"), ("EU", "ngo")]
    assert renamings.old_names(("AF", "gov"), columns, found) == []


def test_new_and_gone_labels_are_added_up_key_by_key():
    """A category split in two is compared by the sum of its parts."""
    before = _records(group=["civ", "gov"])
    now = _records(group=["civ-academia", "civ-ngo", "gov"])
    ((new, gone),) = renamings.new_and_gone(("group",), now, before).values()
    assert (new, gone) == ({"civ-academia", "civ-ngo"}, {"civ"})
    cells = {
        ((True,), ("group",), ("civ-academia",)): np.array([1, 0, 0], dtype=bool),
        ((True,), ("group",), ("civ-ngo",)): np.array([0, 1, 0], dtype=bool),
        ((True,), ("group",), ("gov",)): np.array([0, 0, 1], dtype=bool),
    }
    summed = renamings.together(cells, "group", new)
    ((cell, mask),) = summed.items()
    assert cell == ((True,), ("group",), (renamings.RELABELLED,))
    assert mask.tolist() == [True, True, False]
