"""Supporters are never stored under their Telegram id.

Everything the store keeps about a supporter is keyed by an HMAC-SHA256 of
the Telegram user id under a secret only this deployment knows: the same
supporter always gets the same key (so counts of unique supporters and
/mydata work), but a leaked database cannot be joined back to Telegram
accounts without the secret.
"""

import hashlib
import hmac


def supporter_key(telegram_user_id: int, secret: bytes) -> str:
    """The keyed hash (hex) that stands for one Telegram user in the store."""
    return hmac.new(secret, str(telegram_user_id).encode(), hashlib.sha256).hexdigest()
