"""Fractional-index keys: the order of a playlist's items without renumbering.

A key is a string of digits from ``DIGITS`` (0-9, A-Z, a-z: ASCII order, so keys sort
byte by byte, which is how the ``position`` column compares them on both databases)
read as a base-62 fraction: "V" is about 0.5, "0V" about 0.008. A key never ends in
"0", so there is always room before it. Between any two keys there is another, so a
move writes one row: the moved item gets a key between its new neighbours.

Each new key ends with a few random digits (``JITTER``): two clients inserting at the
same spot at the same moment get different keys (and both orders are valid). A
collision is still possible (1 in 62**3 for the same spot), which the service answers
by trying again in a savepoint.

A key at either end steps one digit past its neighbour instead of halving the gap, so
appending (the common case) grows keys by one digit per 61 items, not per six. Keys in
the middle grow by about one digit per six insertions at the same spot. ``MAX_KEY`` leaves
room under the column's 64 characters; past it the service spreads the playlist's
keys evenly again (``spread``), which is rare and writes every row once.
"""

from __future__ import annotations

import secrets

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
JITTER = 3
MAX_KEY = 48
_VALUE = {c: i for i, c in enumerate(DIGITS)}


def valid(key: str) -> bool:
    return bool(key) and key[-1] != "0" and all(c in _VALUE for c in key)


def key_between(a: str | None, b: str | None, *, jitter: bool = True) -> str:
    """A key strictly between ``a`` and ``b`` (None: the start or the end)."""
    lo = a or ""
    if b is not None and not lo < b:
        raise ValueError(f"keys out of order: {a!r} >= {b!r}")
    edge = "end" if b is None else "start" if a is None else None
    return _between(lo, b, jitter, edge)


def _between(a: str, b: str | None, jitter: bool, edge: str | None = None) -> str:
    """``a`` < result < ``b``, where "" is 0 and None is 1; at an ``edge`` the new
    digit steps next to the neighbour rather than halving the room."""
    prefix: list[str] = []
    i = 0
    while True:
        da = _VALUE[a[i]] if i < len(a) else 0
        db = _VALUE[b[i]] if b is not None and i < len(b) else BASE
        if b is not None and i >= len(b):
            # b ran out while equal to a's prefix: impossible for a < b without
            # trailing zeros, kept as a guard against malformed keys.
            raise ValueError(f"no key fits between {a!r} and {b!r}")
        if db - da > 1:
            # Room at this digit: anything after the middle digit stays inside.
            if edge == "end":
                digit = DIGITS[da + 1]
            elif edge == "start":
                digit = DIGITS[db - 1]
            else:
                digit = DIGITS[(da + db) // 2]
            tail = _jitter() if jitter else ""
            return "".join(prefix) + digit + tail
        prefix.append(DIGITS[da])
        if db - da == 1:
            # The digits touch: keep a's digit, and from here on only a bounds us.
            b = None
        i += 1


def _jitter() -> str:
    body = "".join(secrets.choice(DIGITS) for _ in range(JITTER - 1))
    return body + secrets.choice(DIGITS[1:])


def keys_between(a: str | None, b: str | None, n: int, *, jitter: bool = True) -> list[str]:
    """``n`` increasing keys between ``a`` and ``b``, about log62(n) digits longer than
    the bounds (by halving the range, not by appending one after another)."""
    if n <= 0:
        return []
    mid = key_between(a, b, jitter=jitter)
    left = n // 2
    return [
        *keys_between(a, mid, left, jitter=jitter),
        mid,
        *keys_between(mid, b, n - left - 1, jitter=jitter),
    ]


def spread(n: int) -> list[str]:
    """``n`` short, evenly spaced keys for a whole playlist (used when keys got long),
    leaving room at both ends for the items added next."""
    return keys_between("1", "y", n, jitter=False)
