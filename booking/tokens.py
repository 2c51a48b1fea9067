"""Registration tokens: random, stored only as a hash, checked in constant time.

A token is an HMAC of a random per-registration salt under the project's secret, so the
e-mail task can rebuild a link without the token ever being stored; the database holds
only the salt and the token's SHA-256, and neither opens a registration without the key.
"""

import hashlib
import hmac
import secrets

from django.utils.crypto import salted_hmac

TOKEN_PURPOSE = "booking.registration-token"


def new_salt() -> str:
    return secrets.token_hex(16)


def token_for_salt(salt: str) -> str:
    """The token that belongs to ``salt`` (64 hex characters)."""
    return salted_hmac(TOKEN_PURPOSE, salt, algorithm="sha256").hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    """Compare in constant time, so response timing reveals nothing about the hash."""
    return hmac.compare_digest(hash_token(token), token_hash)


def looks_like_token(token: str) -> bool:
    return (
        isinstance(token, str) and len(token) == 64 and all(c in "0123456789abcdef" for c in token)
    )
