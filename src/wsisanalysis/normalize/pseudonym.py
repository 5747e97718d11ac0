"""Pseudonymous participant ids: a keyed hash (keyed BLAKE2b) of the normalized e-mail.

The key never lives in the repository, nor beside the shareable clean table. It comes from the
``key`` argument, the ``WSISANALYSIS_KEY`` environment variable, the ``WSISANALYSIS_KEY_FILE``
file, or is generated once and kept in a per-user config folder (``$XDG_CONFIG_HOME`` or
``~/.config``, ``wsisanalysis/key``), so ids stay stable between runs and cannot be recomputed
by anyone without the key. Keys of any length are accepted: a key over 64 bytes (BLAKE2b's
limit) is hashed to 64 bytes first, never truncated.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from wsisanalysis._cores import over_two_cores
from wsisanalysis._text import fold

logger = logging.getLogger(__name__)

KEY_ENV = "WSISANALYSIS_KEY"
KEY_FILE_ENV = "WSISANALYSIS_KEY_FILE"
KEY_FILE_NAME = ".wsisanalysis_key"
ID_LENGTH = 16
_CHUNK = 100_000
_SAMPLE = 10_000  # rows looked at to tell a column of mostly distinct values
_EMAIL = re.compile(r"[^\s<>\"'();,:\[\]]+@[^\s<>\"'();,:\[\]]+\.[^\s<>\"'();,:\[\]]+")
# _EMAIL's parts for ASCII text in RE2's syntax: its \s lacks \v and \x1c-\x1f, which Python's has
_PART = r"[^\t\n\x0b\x0c\r\x1c-\x1f <>\"'();,:\[\]]+"
_ASCII_ADDRESS = rf"^{_PART}@{_PART}\.{_PART}$"  # a cell that is nothing but the address


def user_key_file() -> Path:
    """Where a generated key is kept: a per-user config folder, never the output folder."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "wsisanalysis" / "key"


def _read_key(path: Path) -> bytes:
    return path.read_text(encoding="utf-8").strip().encode()


def resolve_key(
    key: str | bytes | None = None, *, key_dir: str | Path | None = None
) -> tuple[bytes, str]:
    """Return the pseudonymization key and where it came from.

    Order: the `key` argument, ``WSISANALYSIS_KEY``, the file named by
    ``WSISANALYSIS_KEY_FILE``, a key file left in `key_dir` by an older version (read, with a
    warning to move it), the per-user key file (:func:`user_key_file`), and finally a new
    random key written there.
    """
    if key:
        return (key.encode() if isinstance(key, str) else key), "argument"
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return env.encode(), f"environment variable {KEY_ENV}"
    named = os.environ.get(KEY_FILE_ENV, "").strip()
    if named:
        return _read_key(Path(named)), f"key file named by {KEY_FILE_ENV}"
    old = Path(key_dir) / KEY_FILE_NAME if key_dir is not None else None
    if old is not None and old.is_file():
        logger.warning(
            "The pseudonymization key sits beside the clean table in %s: move it to %s or set %s.",
            old, user_key_file(), KEY_ENV,
        )  # fmt: skip
        return _read_key(old), "key file in the output folder"
    path = user_key_file()
    if path.is_file():
        return _read_key(path), "per-user key file"
    path.parent.mkdir(parents=True, exist_ok=True)
    new = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(new + "\n")
    logger.warning(
        "No pseudonymization key configured: generated one and stored it in %s. Keep that file "
        "private, or set %s to use your own key.",
        path, KEY_ENV,
    )  # fmt: skip
    return new.encode(), "generated per-user key file"


def normalize_email(value: str) -> str | None:
    """The address in an e-mail cell, however written; None when there is none.

    >>> [normalize_email(v) for v in ["\u00a0A@Example.ORG ", "mailto:a@example.org",
    ...  "Ana <a@example.org>;", '"a@example.org"', "\uff41\uff20example.org", "n/a"]]
    ['a@example.org', 'a@example.org', 'a@example.org', 'a@example.org', 'a@example.org', None]
    """
    text = unicodedata.normalize("NFKC", value)
    found = _EMAIL.search(text)
    if found is None:
        return None
    address = found.group(0).casefold().strip(".")
    return address.removeprefix("mailto:")


def normalize_emails(email: pd.Series) -> pd.Series:
    """:func:`normalize_email` of every value: cells that are nothing but an ASCII address
    vectorized (arrow, a chunk at a time), the others through :func:`normalize_email`.

    For such a cell the search finds the whole cell, NFKC changes nothing and casefold is
    lower-casing, so lower-casing and trimming dots give the same answer (the ``mailto:``
    prefix never survives: a match holds no colon). RE2 only tells whether the whole cell
    matches (its fast automaton); asking it for the match would be slower than Python.
    1M e-mails: ~0.25 s instead of ~1.1 s.
    """
    column = pa.array(email.array, pa.large_string())
    column = pa.chunked_array([column]) if isinstance(column, pa.Array) else column
    parts = [
        chunk
        for start in range(0, len(column), _CHUNK)
        for chunk in _whole_addresses(column.slice(start, _CHUNK)).chunks
    ]  # a chunk at a time: the intermediate arrays stay small
    del column
    out = pd.Series(pa.chunked_array(parts, pa.large_string()), index=email.index, dtype="str")
    other = (out.isna() & email.notna()).to_numpy(dtype=bool)
    if other.any():
        out = out.mask(other, _map_each(email[other], normalize_email).reindex(email.index))
    return out


def _whole_addresses(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """:func:`normalize_email` of the values that are nothing but an ASCII address; missing
    for the others."""
    import pyarrow.compute as pc

    whole = pc.and_kleene(
        pc.string_is_ascii(values), pc.match_substring_regex(values, _ASCII_ADDRESS)
    )
    kept = pc.if_else(whole, values, pa.scalar(None, pa.large_string()))
    return pc.utf8_trim(pc.ascii_lower(kept), characters=".")


def _name_key(name: str) -> str:
    """A name's words longer than one letter, sorted: ``Ana P. Pereira`` meets ``Ana Pereira``."""
    return " ".join(sorted(w for w in fold(name).split() if len(w) > 1))


def _compatible(a: str, b: str) -> bool:
    small, big = sorted((set(a.split()), set(b.split())), key=len)
    return small <= big


def _mostly_distinct(values: pd.Series) -> bool:
    """Whether the first rows of a long column are mostly distinct (e-mails, names): then
    working per distinct value only adds a table of a million values to the peak (~100 MB
    for 1M e-mails), and the result is the same either way."""
    sample = values.iloc[:_SAMPLE]
    return len(sample) >= _SAMPLE and 2 * sample.nunique(dropna=False) > len(sample)


def _map_each(series: pd.Series, func: Any) -> pd.Series:
    """``func`` applied to each non-missing value, mapped back to every row: once per
    distinct value, or row by row when nearly every value is distinct.

    As :func:`wsisanalysis._text.map_distinct`, but the values pass through Python in chunks,
    so a million e-mails never exist as a million Python strings, twice, beside the column.
    """
    if _mostly_distinct(series):
        parts = [
            pa.array(
                [func(v) if isinstance(v, str) else None for v in chunk.tolist()],
                pa.large_string(),
            )
            for chunk in _chunks(series)
        ]  # kept as chunks: one buffer would copy the whole column once more
        return pd.Series(
            pa.chunked_array(parts, pa.large_string()), index=series.index, dtype="str"
        )
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    parts = [
        pa.array([func(u) for u in uniques[start : start + _CHUNK].tolist()], pa.large_string())
        for start in range(0, len(uniques), _CHUNK)
    ]
    del uniques
    mapped = pa.chunked_array(parts, pa.large_string()).combine_chunks()
    values = mapped.take(pa.array(codes, mask=codes < 0))  # one arrow take, no object array
    return pd.Series(values, index=series.index, dtype="str")


def _chunks(values: pd.Series) -> Iterator[pd.Series]:
    for start in range(0, len(values), _CHUNK):
        yield values.iloc[start : start + _CHUNK]


def _repeated(values: pd.Series, hashes: np.ndarray | None = None) -> np.ndarray:
    """Rows whose value (not missing) is on another row too: ``duplicated(keep=False)``.

    Found on 64-bit hashes of the values first (a table of integers, not of a million
    strings: ~35 MB less at the peak for 1M e-mails), then checked exactly on the rows whose
    hash repeats, so a hash collision costs a comparison, never a wrong answer. `hashes`,
    when given, are such hashes already made (the ids' digests).
    """
    if hashes is None:
        hashes = np.empty(len(values), dtype=np.int64)
        for start, chunk in zip(range(0, len(values), _CHUNK), _chunks(values), strict=True):
            hashes[start : start + len(chunk)] = [hash(v) for v in chunk.tolist()]
    order = np.argsort(hashes, kind="stable")  # a sort: no hash table beside the hashes
    ordered = hashes[order]
    del hashes
    same = ordered[1:] == ordered[:-1]
    repeats = np.zeros(len(ordered), dtype=bool)
    repeats[1:] |= same
    repeats[:-1] |= same
    candidates = np.sort(order[repeats])
    del order, ordered
    out = np.zeros(len(values), dtype=bool)
    subset = values.iloc[candidates]
    out[candidates] = (subset.duplicated(keep=False) & subset.notna()).to_numpy(dtype=bool)
    return out


def _shared_emails(
    email: pd.Series, name: pd.Series, hashes: np.ndarray | None = None
) -> pd.Series:
    """Rows whose e-mail is shared by people with different names (a delegation address).

    Only e-mails seen with two or more distinct name spellings are examined (so only rows
    whose e-mail is on more than one row are looked at; see :func:`_repeated`).
    """
    repeated = _repeated(email, hashes)
    pairs = pd.DataFrame({"e": email[repeated], "n": name[repeated].astype("str")})
    pairs = pairs.dropna().drop_duplicates()
    pairs = pairs[pairs["e"].duplicated(keep=False)]
    shared: set[str] = set()
    if len(pairs):
        pairs = pairs.assign(k=pairs["n"].map(_name_key))
        pairs = pairs[pairs["k"] != ""].drop_duplicates(["e", "k"])
        for address, group in pairs.groupby("e")["k"]:
            names = group.tolist()
            if any(not _compatible(a, b) for i, a in enumerate(names) for b in names[i + 1 :]):
                shared.add(str(address))
    return email.isin(shared) & name.notna()


def pseudonymize(
    email: pd.Series | None,
    name: pd.Series | None,
    organisation: pd.Series | None,
    *,
    key: bytes,
    country: pd.Series | None = None,
) -> pd.Series:
    """Return ``participant_id`` for each row; missing where there is no e-mail and no name.

    The e-mail identifies a person when present, unless people with different names share it
    (a delegation address): then e-mail and name together do. Without an e-mail, the name
    does together with the organisation and the country, so namesakes from two countries or
    two organisations stay two people. Each distinct identity is hashed once with keyed
    BLAKE2b (a MAC: without the key an id cannot be recomputed from an e-mail).
    """
    given = next((s for s in (email, name, organisation) if s is not None), None)
    if given is None:
        msg = "pseudonymize needs an e-mail, name or organisation column"
        raise ValueError(msg)
    index = given.index
    identity = pd.Series(pd.NA, index=index, dtype="str")
    shared = pd.Series(False, index=index)
    digests = None
    if email is not None:
        # e-mails contain "@" and names are prefixed "name:", so the two never collide
        identity = normalize_emails(email.astype("str"))
        if name is not None:
            digests = _row_digests(identity, key) if _mostly_distinct(identity) else None
            hashes = None if digests is None else digests.view(np.int64).ravel()
            shared = _shared_emails(identity, name, hashes)
            identity = _with_names(identity, name, shared)
    missing = identity.isna()
    if name is not None and missing.any():
        identity = _by_name(identity, missing, name, organisation, country)
    if digests is None:
        hashed = hash_identities(identity, key=key)
    else:  # the e-mails' digests, made for the shared-e-mail test, serve every row not changed
        hashed = _ids_from(identity, digests, (shared | missing).to_numpy(dtype=bool), key)
    hashed.attrs["shared_email_rows"] = int(shared.sum())
    return hashed


def _with_names(identity: pd.Series, name: pd.Series, shared: pd.Series) -> pd.Series:
    """`identity` with the name joined to the e-mail on `shared` rows."""
    if not shared.any():
        return identity
    person = _map_each(name.astype("str")[shared], _name_key)
    joined = identity[shared] + "|name:" + person  # the shared rows only
    return identity.mask(shared, joined.reindex(identity.index))


def _by_name(
    identity: pd.Series, missing: pd.Series, name: pd.Series,
    organisation: pd.Series | None, country: pd.Series | None,
) -> pd.Series:  # fmt: skip
    """`identity` with rows without an e-mail identified by name, organisation and country."""
    person = _map_each(name.astype("str")[missing], fold)
    context = [
        _map_each(col.astype("str")[missing], fold).fillna("")
        for col in (organisation, country)
        if col is not None
    ]
    by_name = "name:" + person
    for part in context:
        by_name = by_name + "|" + part
    return identity.mask(
        missing, by_name.where(person.notna() & (person != "")).reindex(identity.index)
    )


def _keyed(key: bytes) -> Any:
    """The keyed BLAKE2b state every id is copied from."""
    if len(key) > 64:  # BLAKE2b takes at most 64 key bytes: hash a longer key, never cut it
        key = hashlib.blake2b(key, digest_size=64).digest()
    return hashlib.blake2b(key=key, digest_size=ID_LENGTH // 2)


def _row_digests(identity: pd.Series, key: bytes) -> np.ndarray:
    """The digest of every row's identity (zeros where missing), one row of bytes each."""
    digests = _digests_of(identity.iloc, len(identity), _keyed(key))
    return np.frombuffer(digests, dtype=np.uint8).reshape(-1, ID_LENGTH // 2)


def _ids_from(
    identity: pd.Series, digests: np.ndarray, changed: np.ndarray, key: bytes
) -> pd.Series:
    """:func:`hash_identities` of `identity`, from `digests` made before the `changed` rows'
    identity changed: only those rows are hashed again."""
    rows = np.flatnonzero(changed)
    if len(rows):
        digests[rows] = _row_digests(identity.iloc[rows], key)
    valid = identity.notna().to_numpy(dtype=bool)
    return pd.Series(
        _hex_ids(digests, valid), index=identity.index, dtype="str", name="participant_id"
    )


def hash_identities(identity: pd.Series, *, key: bytes) -> pd.Series:
    """Keyed BLAKE2b of each distinct identity string -> ``p_<16 hex>`` (missing stays missing).

    The keyed state is set up once and copied per value (keying costs as much as hashing a
    short e-mail); the digests are turned into hex text for all values at once.

    >>> hash_identities(pd.Series(["a@x.org", None, "a@x.org"]), key=b"k").tolist()
    ['p_58e096912cc639e1', nan, 'p_58e096912cc639e1']
    """
    index = identity.index
    keyed = _keyed(key)
    if _mostly_distinct(identity):  # nearly one id per row: hash each row, no distinct table
        return pd.Series(
            _hash_rows(identity, keyed), index=index, dtype="str", name="participant_id"
        )
    codes, uniques = pd.factorize(identity, use_na_sentinel=True)
    del identity
    digests = _digests_of(uniques, len(uniques), keyed)
    hashed = _hex_ids(
        np.frombuffer(digests, dtype=np.uint8).reshape(-1, ID_LENGTH // 2), _is_text(uniques)
    )
    taken = hashed.take(pa.array(codes, mask=codes < 0))
    return pd.Series(taken, index=index, dtype="str", name="participant_id")


def _hash_rows(identity: pd.Series, keyed: Any) -> pa.Array:
    """The id of every row's identity, missing where it is missing."""
    valid = _is_text(identity)
    digests = _digests_of(identity.iloc, len(identity), keyed)
    return _hex_ids(np.frombuffer(digests, dtype=np.uint8).reshape(-1, ID_LENGTH // 2), valid)


def _is_text(values: Any) -> np.ndarray:
    """Which of `values` are strings (the others are not hashed: their id is missing)."""
    if isinstance(values.dtype, pd.StringDtype):  # text or missing: no Python loop to tell
        return ~np.asarray(pd.isna(values), dtype=bool)
    return np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))


def _digests_of(values: Any, count: int, keyed: Any) -> bytearray:
    """:func:`_digests` of ``values[0:count]``, a chunk at a time (no million-element Python
    lists at once), the second half by a forked child on a second core when there is one."""

    def work(start: int, stop: int) -> bytearray:
        out = bytearray()
        for first in range(start, stop, _CHUNK):
            out += _digests(values[first : min(first + _CHUNK, stop)].tolist(), keyed)
        return out

    return over_two_cores(work, count, ID_LENGTH // 2)


def _digests(values: list[Any], keyed: Any) -> bytearray:
    """The keyed digest of each string of `values` (zero bytes for anything else), end to end.

    One plain loop, no call per value: 1M e-mails take ~0.5 s instead of ~0.8 s CPU.
    """
    out, copy, blank = bytearray(), keyed.copy, bytes(ID_LENGTH // 2)
    for value in values:
        if isinstance(value, str):
            state = copy()
            state.update(value.encode("utf-8"))
            out += state.digest()
        else:
            out += blank
    return out


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_ids(digests: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """``p_`` + lower-case hex of each row of `digests`, built as one arrow string buffer
    (missing where `valid` is False)."""
    rows, size = digests.shape
    width = 2 + 2 * size
    text = np.empty((rows, width), dtype=np.uint8)
    text[:, 0], text[:, 1] = ord("p"), ord("_")
    text[:, 2::2] = _HEX[digests >> 4]
    text[:, 3::2] = _HEX[digests & 15]
    # 64-bit offsets: pandas' text columns are large strings, so the ids are not copied again
    offsets = np.arange(0, width * (rows + 1), width, dtype=np.int64)
    nulls = None if valid is None or valid.all() else pa.array(valid).buffers()[1]
    return pa.LargeStringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(text), nulls)
