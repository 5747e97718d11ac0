"""Pseudonymous participant ids: a keyed hash (keyed BLAKE2b) of the normalized e-mail.

The key never lives in the repository. It comes from the ``WSISANALYSIS_KEY`` environment
variable, from a key file, or is generated once per output folder and stored beside the clean
data (a git-ignored folder), so ids stay stable between runs on the same data and cannot be
recomputed by anyone without the key.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from wsisanalysis._text import fold, map_distinct

logger = logging.getLogger(__name__)

KEY_ENV = "WSISANALYSIS_KEY"
KEY_FILE_NAME = ".wsisanalysis_key"
ID_LENGTH = 16
_CHUNK = 100_000


def resolve_key(
    key: str | bytes | None = None, *, key_dir: str | Path | None = None
) -> tuple[bytes, str]:
    """Return the pseudonymization key and where it came from.

    Order: the `key` argument, the ``WSISANALYSIS_KEY`` environment variable, the key file in
    `key_dir`, and finally a new random key (written to `key_dir` when given).
    """
    if key:
        return (key.encode() if isinstance(key, str) else key), "argument"
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return env.encode(), f"environment variable {KEY_ENV}"
    if key_dir is not None:
        path = Path(key_dir) / KEY_FILE_NAME
        if path.is_file():
            return path.read_text(encoding="utf-8").strip().encode(), f"key file {path}"
        new = secrets.token_hex(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new + "\n", encoding="utf-8")
        path.chmod(0o600)
        logger.warning(
            "No pseudonymization key configured: generated one and stored it in %s. Keep that "
            "file private (it is git-ignored) or set %s to use your own key.",
            path,
            KEY_ENV,
        )
        return new.encode(), f"generated key file {path}"
    return secrets.token_hex(
        32
    ).encode(), "generated for this run only (ids are not stable across runs)"


def pseudonymize(
    email: pd.Series | None,
    name: pd.Series | None,
    organisation: pd.Series | None,
    *,
    key: bytes,
) -> pd.Series:
    """Return ``participant_id`` for each row; missing where there is no e-mail and no name.

    The e-mail identifies a person when present; otherwise the name together with the
    organisation does. Each distinct identity is hashed once with keyed BLAKE2b (a MAC:
    without the key an id cannot be recomputed from an e-mail).
    """
    given = next((s for s in (email, name, organisation) if s is not None), None)
    if given is None:
        msg = "pseudonymize needs an e-mail, name or organisation column"
        raise ValueError(msg)
    index = given.index
    identity = pd.Series(pd.NA, index=index, dtype="str")
    if email is not None:
        # e-mails contain "@" and names are prefixed "name:", so the two never collide
        normal = email.astype("str").str.lower().str.strip(" \t\r\n<>")
        identity = normal.where(normal.str.contains("@", regex=False, na=False))
        del normal
    missing = identity.isna()
    if name is not None and missing.any():
        person = map_distinct(name.astype("str")[missing], fold)
        company = (
            map_distinct(organisation.astype("str")[missing], fold).fillna("")
            if organisation is not None
            else ""
        )
        by_name = ("name:" + person + "|" + company).where(person.notna() & (person != ""))
        identity = identity.mask(missing, by_name.reindex(index))
    return hash_identities(identity, key=key)


def hash_identities(identity: pd.Series, *, key: bytes) -> pd.Series:
    """Keyed BLAKE2b of each distinct identity string -> ``p_<16 hex>`` (missing stays missing).

    The keyed state is set up once and copied per value (keying costs as much as hashing a
    short e-mail); the digests are turned into hex text for all values at once.

    >>> hash_identities(pd.Series(["a@x.org", None, "a@x.org"]), key=b"k").tolist()
    ['p_58e096912cc639e1', nan, 'p_58e096912cc639e1']
    """
    index = identity.index
    codes, uniques = pd.factorize(identity, use_na_sentinel=True)
    del identity
    keyed = hashlib.blake2b(key=key[:64], digest_size=ID_LENGTH // 2)
    digests = bytearray()
    for start in range(0, len(uniques), _CHUNK):  # no million-element Python lists at once
        part = uniques[start : start + _CHUNK].tolist()
        digests += b"".join([_digest(keyed, u) for u in part])
    hashed = _hex_ids(np.frombuffer(digests, dtype=np.uint8).reshape(-1, ID_LENGTH // 2))
    taken = hashed.take(pa.array(codes, mask=codes < 0))
    return pd.Series(taken, index=index, dtype="str", name="participant_id")


def _digest(keyed: Any, value: str) -> bytes:
    state = keyed.copy()
    state.update(value.encode("utf-8"))
    return bytes(state.digest())


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_ids(digests: np.ndarray) -> pa.Array:
    """``p_`` + lower-case hex of each row of `digests`, built as one arrow string buffer."""
    rows, size = digests.shape
    width = 2 + 2 * size
    text = np.empty((rows, width), dtype=np.uint8)
    text[:, 0], text[:, 1] = ord("p"), ord("_")
    text[:, 2::2] = _HEX[digests >> 4]
    text[:, 3::2] = _HEX[digests & 15]
    offsets = np.arange(0, width * (rows + 1), width, dtype=np.int32)
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(text))
