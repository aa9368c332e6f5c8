"""Password hashing with argon2id (argon2-cffi).

Parameters: RFC 9106's second recommended option, for machines without a lot of
memory to spare: t=3 passes, m=64 MiB, p=4 lanes, 16-byte salt, 32-byte tag. One
verification cost 240-250 ms on this project's 2-core development machine while it was
busy (`bench/auth.py` measures it against a plain route). Hashes made with other
parameters still verify and are re-hashed on the next successful sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 1024  # argon2 takes any length; this bounds the work one request can ask for


class Passwords:
    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536, lanes: int = 4) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=lanes
        )
        # Verified against when the username does not exist, so the answer takes as
        # long as for a real account (no user enumeration by timing).
        self._decoy = self._hasher.hash("not anyone's password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> tuple[bool, bool]:
        """(password matches, stored hash should be upgraded)."""
        if len(password) > MAX_LENGTH:
            return False, False
        try:
            self._hasher.verify(stored or self._decoy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, False
        if stored is None:
            return False, False
        return True, self._hasher.check_needs_rehash(stored)


def check_strength(password: str, username: str) -> str | None:
    """Why a new password is refused, or None. Length is what matters (NIST SP 800-63B)."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.casefold() == username.casefold():
        return "The password cannot be the username."
    return None
