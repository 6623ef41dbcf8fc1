"""Supporters are never stored under their Telegram id.

Everything the store keeps about a supporter is keyed by an HMAC-SHA256 of
the Telegram user id under a secret only this deployment knows: the same
supporter always gets the same key (so counts of unique supporters and
/mydata work), but a leaked database cannot be joined back to Telegram
accounts without the secret.

The same secret keys three other things, each in its own domain so that no
two can be joined with each other without the secret: a person's daily
limits (kept across /forget for the day), a chat's deliveries (so an update
is never sent twice), and idempotency keys (so a re-sent update counts once).
"""

import hashlib
import hmac


def supporter_key(telegram_user_id: int, secret: bytes) -> str:
    """The keyed hash (hex) that stands for one Telegram user in the store."""
    return hmac.new(secret, str(telegram_user_id).encode(), hashlib.sha256).hexdigest()


def domain_key(domain: str, value: str, secret: bytes) -> str:
    """A keyed hash of `value` in `domain` ("limits", "recipient", "report"…).
    The supporter key hashes the bare id, which never contains a colon, so no
    domain key can equal a supporter key."""
    return hmac.new(secret, f"{domain}:{value}".encode(), hashlib.sha256).hexdigest()
