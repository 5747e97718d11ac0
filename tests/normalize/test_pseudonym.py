from __future__ import annotations

from unittest import mock

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsisanalysis.normalize.pseudonym import (
    KEY_ENV,
    hash_identities,
    normalize_email,
    normalize_emails,
    pseudonymize,
    resolve_key,
    user_key_file,
)


def test_generated_key_lives_in_a_per_user_folder_not_the_output(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    out = tmp_path / "out"
    key, source = resolve_key(key_dir=out)
    assert user_key_file() == tmp_path / "config" / "wsisanalysis" / "key"
    assert user_key_file().read_text().strip().encode() == key
    assert (user_key_file().stat().st_mode & 0o777) == 0o600
    assert not out.exists()
    assert resolve_key(key_dir=out) == (key, "per-user key file")
    assert "generated" in source


def test_keys_longer_than_64_bytes_are_not_truncated():
    identity = pd.Series(["a@example.org"], dtype="str")
    long_a, long_b = b"k" * 64 + b"A", b"k" * 64 + b"B"
    assert hash_identities(identity, key=long_a)[0] != hash_identities(identity, key=long_b)[0]
    assert hash_identities(identity, key=b"k" * 200)[0].startswith("p_")


@pytest.mark.parametrize(
    "raw",
    ["a@example.org", "\u00a0a@example.org\u00a0", "mailto:a@example.org", "Ana <a@example.org>",
     "a@example.org;", '"a@example.org"', "\uff41\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org",
     "A@Example.ORG"],
)  # fmt: skip
def test_one_email_in_every_disguise_normalizes_to_one_address(raw):
    assert normalize_email(raw) == "a@example.org"


def test_shared_email_with_different_names_is_several_people_initials_are_not():
    email = pd.Series(["d@x.gov", "d@x.gov", "d@x.gov", "a@x.org", "a@x.org"], dtype="str")
    name = pd.Series(["Kwesi Boateng", "Abena Owusu", "kwesi  boateng", "Ana Pereira",
                      "Ana P. Pereira"], dtype="str")  # fmt: skip
    ids = pseudonymize(email, name, None, key=b"k")
    assert ids[0] != ids[1] and ids[0] == ids[2]
    assert ids[3] == ids[4]
    assert ids.attrs["shared_email_rows"] == 3


def test_namesakes_without_email_merge_only_when_country_and_organisation_agree():
    name = pd.Series(["Li Wei"] * 4, dtype="str")
    org = pd.Series(["Tsinghua", "Tsinghua", "NUS", "Tsinghua"], dtype="str")
    country = pd.Series(["China", "China", "China", "Singapore"], dtype="str")
    ids = pseudonymize(None, name, org, key=b"k", country=country)
    assert ids[0] == ids[1]
    assert ids.nunique() == 3


def _many_identities(n: int = 25_000) -> pd.Series:
    """Mostly distinct e-mails (some repeated, some missing): the row-by-row path."""
    values = [f"P{i % (n - 500)}@Example.org " if i % 97 else None for i in range(n)]
    return pd.Series(values, dtype="str")


def test_mostly_distinct_columns_give_the_ids_the_distinct_value_path_gives(monkeypatch):
    """Columns of nearly distinct values are hashed and normalized row by row (no table of
    a million distinct values at the peak): the ids must be those of the per-value path."""
    from wsisanalysis.normalize import pseudonym

    emails = _many_identities()
    assert pseudonym._mostly_distinct(emails)
    row_by_row = pseudonymize(emails, None, None, key=b"k")
    monkeypatch.setattr(pseudonym, "_SAMPLE", len(emails) + 1)  # never "mostly distinct"
    assert not pseudonym._mostly_distinct(emails)
    per_value = pseudonymize(emails, None, None, key=b"k")
    pd.testing.assert_series_equal(row_by_row, per_value)
    assert row_by_row.isna().sum() == emails.isna().sum()


def test_ids_reusing_the_email_digests_are_those_hashed_afresh(monkeypatch):
    """With names, a mostly distinct e-mail column is hashed once, before the shared-e-mail
    test, and only rows whose identity then changes (a shared e-mail, no e-mail) are hashed
    again: the ids must be those of hashing the final identities."""
    from wsisanalysis.normalize import pseudonym

    emails = _many_identities()
    emails[emails.index % 7 == 0] = "desk@x.gov"  # a delegation address, many people
    names = pd.Series([f"Person {i % 3000}" for i in range(len(emails))], dtype="str")
    org = pd.Series(["Org"] * len(emails), dtype="str")
    assert pseudonym._mostly_distinct(pseudonym.normalize_emails(emails))
    reused = pseudonymize(emails, names, org, key=b"k")
    monkeypatch.setattr(pseudonym, "_SAMPLE", len(emails) + 1)  # never "mostly distinct"
    afresh = pseudonymize(emails, names, org, key=b"k")
    pd.testing.assert_series_equal(reused, afresh)
    assert reused.attrs == afresh.attrs and reused.attrs["shared_email_rows"] > 0
    assert reused.isna().sum() == 0  # rows without an e-mail have a name


def test_repeated_values_are_exact_even_when_every_hash_collides(monkeypatch):
    """Shared e-mails are found on 64-bit hashes, then checked exactly: a collision must
    never make two different e-mails one."""
    from wsisanalysis.normalize import pseudonym

    values = pd.Series(["a@x.org", "b@x.org", None, "a@x.org", None, "c@x.org"], dtype="str")
    expected = (values.duplicated(keep=False) & values.notna()).to_numpy()
    assert pseudonym._repeated(values).tolist() == expected.tolist()
    monkeypatch.setattr(pseudonym, "hash", lambda value: 0, raising=False)
    assert pseudonym._repeated(values).tolist() == expected.tolist()


# pieces an e-mail cell is made of, disguises included: full-width and other compatibility
# forms (NFKC), letters whose casefold is not their lower case, every ASCII whitespace Python's
# \s knows (RE2's does not know \v and \x1c-\x1f), quotes, brackets and dots
_PIECES = [
    "a", "B", "z9", "@", ".", "..", "-", "_", "+", "mailto:", "MAILTO:", "<", ">", '"', "'",
    "(", ")", ";", ",", ":", "[", "]", " ", "\t", "\n", "\r", "\v", "\f", "\x1c", "\x1f",
    "\x00", "\x7f", "\u00a0", "\u2003", "\u3000", "\uff41", "\uff20", "\uff0e", "\u00df",
    "\u0130", "\u212a", "\u00e9", "e\u0301", "\ufb01", "example", ".org", "Ana <",
]  # fmt: skip
_BITS = st.lists(st.sampled_from(_PIECES), max_size=4).map("".join)
_WORD = st.one_of(_BITS, st.sampled_from(["ana", "X", "\u00e9", "\uff41", "a.b", ".", "1"]))
_EMAIL_LIKE = st.tuples(
    _BITS, _WORD, st.sampled_from(["@", "\uff20", "@@"]), _WORD,
    st.sampled_from([".", "\uff0e", "..", ". "]), _WORD, _BITS,
).map("".join)  # fmt: skip
_EDGE = st.sampled_from(["", ".", "..", " ", "\x1c", "\x1f", "\x0b", "\u00a0", "\uff0e"])
_CELLS = st.one_of(
    st.none(),
    _EMAIL_LIKE,
    _EMAIL_LIKE.map(str.upper),
    st.text(alphabet="aZ9.@-+!\x00\x0b\x1c\x1f\x7f \u00e9\uff0e\u212a", min_size=3, max_size=9),
    st.builds("{}{}@{}.{}{}".format, _EDGE, _WORD, _WORD, _WORD, _EDGE),  # whole-cell addresses
    st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
    st.text(max_size=20),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=20),
)


@settings(max_examples=400)
@given(st.lists(_CELLS, max_size=30), st.integers(1, 8))
def test_vectorized_emails_are_those_of_normalize_email_on_every_value(cells, chunk):
    """The arrow path (ASCII values) and the per-value fallback give exactly what
    :func:`normalize_email` gives each value, whatever the chunking."""
    from wsisanalysis.normalize import pseudonym

    with mock.patch.object(pseudonym, "_CHUNK", chunk):
        out = normalize_emails(pd.Series(cells, dtype="str"))
    expected = [None if c is None else normalize_email(c) for c in cells]
    assert [None if pd.isna(v) else v for v in out.tolist()] == expected
    assert str(out.dtype) == "str"


@pytest.mark.parametrize("repeated", [True, False], ids=["per value", "row by row"])
def test_values_that_are_not_text_get_no_id(repeated):
    """A number or a missing value in an identity column is no one: its id is missing (a
    zero digest would make every such row one person, ``p_0000000000000000``)."""
    distinct = [f"a{i}@x.org" for i in range(20_000)]
    values = ["a@x.org", 3, None] * 5_000 if repeated else [*distinct, 3, None]
    ids = hash_identities(pd.Series(values, dtype=object), key=b"k")
    assert ids.isna().tolist() == [not isinstance(v, str) for v in values]
    assert ids.dropna().str.fullmatch(r"p_[0-9a-f]{16}").all()


def test_ids_are_the_same_whether_hashed_on_one_core_or_two(monkeypatch):
    """The keyed hash runs half in a forked child on a second core: same ids, same order."""
    from wsisanalysis import _cores

    emails = _many_identities()
    names = pd.Series([f"Person {i % 3000}" for i in range(len(emails))], dtype="str")
    monkeypatch.setattr(_cores, "usable_cores", lambda: 2)
    monkeypatch.setattr(_cores, "MIN_ITEMS", 2)
    monkeypatch.setattr(_cores, "_forks_safely", lambda: True)
    forks = []
    fork = _cores.os.fork
    monkeypatch.setattr(_cores.os, "fork", lambda: forks.append(1) or fork())
    two = pseudonymize(emails, names, None, key=b"k")
    assert forks
    monkeypatch.setattr(_cores, "usable_cores", lambda: 1)
    one = pseudonymize(emails, names, None, key=b"k")
    pd.testing.assert_series_equal(two, one)
