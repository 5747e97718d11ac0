from __future__ import annotations

import pandas as pd
import pytest

from wsisanalysis.normalize.pseudonym import (
    KEY_ENV,
    hash_identities,
    normalize_email,
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
