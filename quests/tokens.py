"""Participants' magic-link tokens, with booking's discipline (``booking.tokens``): an
HMAC of a random salt under the project's secret, stored only as the salt and a SHA-256,
so the e-mail task can rebuild the link and the database alone opens nothing."""

from django.utils.crypto import salted_hmac

from booking.tokens import hash_token, looks_like_token, new_salt, token_matches

TOKEN_PURPOSE = "quests.participant-token"

__all__ = ["hash_token", "looks_like_token", "new_salt", "token_for_salt", "token_matches"]


def token_for_salt(salt: str) -> str:
    """The participant token that belongs to ``salt`` (64 hex characters)."""
    return salted_hmac(TOKEN_PURPOSE, salt, algorithm="sha256").hexdigest()
