"""Settings from environment variables (and a `.env` file beside the project).

Every setting has one name, documented in README.md and deploy/example.env.
A missing or malformed value raises `ConfigError` with a one-line message that
names the variable; the CLI prints it and exits without a traceback.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
MIN_SECRET = 16  # bytes of the supporter id secret
log = logging.getLogger(__name__)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str | None = None
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    database_path: Path = Path("data/advocacy.sqlite3")
    database_url: str | None = None
    organizer_ids: frozenset[int] = field(default_factory=frozenset)
    supporter_id_secret: bytes | None = None
    dashboard_token: str | None = None
    # Proxies whose X-Forwarded-For/-Proto the dashboard believes (addresses or networks).
    dashboard_trusted_proxies: tuple[str, ...] = ()
    content_dir: Path = Path("content")
    seeds_dir: Path = Path("seeds")
    log_level: str = "INFO"
    log_format: str = "text"
    broadcast_rate: float = 25.0  # case-update messages per second, all chats together
    telegram_api_retries: int = 5  # a failed Bot API call is tried again this many times
    semantic_tier: bool = True  # build the FAQ's semantic tier when the 'semantic' extra is installed
    # The supporters' keys (bot/store/keyring.py): a SQLite file on this machine,
    # also when the store is PostgreSQL. Default: beside DATABASE_PATH.
    key_file: Path | None = None

    @property
    def data_dir(self) -> Path:
        return self.database_path.parent

    def store_key_file(self) -> Path | None:
        """The key file to open the store with: KEY_FILE if set; for PostgreSQL,
        beside DATABASE_PATH; None lets a SQLite store keep it beside its file."""
        if self.key_file is not None:
            return self.key_file
        if self.database_url and self.database_url.startswith(("postgresql://", "postgres://")):
            return Path(f"{self.database_path}.keys")
        return None

    def secret(self) -> bytes:
        """The key for supporter hashes: configured, or kept in the data folder.

        Generated once on first start and stored with mode 600 (in a folder
        only its owner can open), so hashes stay stable across restarts
        without anyone having to invent a secret. A file that is empty or
        shorter than 16 bytes is refused (every hash would be guessable); one
        that others can read is used, with a warning.
        """
        if self.supporter_id_secret:
            return self.supporter_id_secret
        path = self.data_dir / "supporter_id_secret"
        try:
            if path.exists():
                value = path.read_text().strip().encode()
                if len(value) < MIN_SECRET:
                    raise ConfigError(f"{path}: the supporter id secret is empty or too short (at least "
                                      f"{MIN_SECRET} bytes; delete the file to have a new one generated, "
                                      "which changes every supporter's key)")
                if path.stat().st_mode & 0o077:
                    log.warning("%s can be read by other users: chmod 600 it", path)
                return value
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            value = secrets.token_hex(32)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(value + "\n")
        except OSError as error:
            raise ConfigError(f"DATABASE_PATH: cannot keep the supporter id secret in {self.data_dir} "
                              f"({error.strerror}); use a writable folder or set SUPPORTER_ID_SECRET"
                              ) from None
        return value.encode()

    def check_folders(self) -> None:
        """CONTENT_DIR and SEEDS_DIR are folders: a wrong path is a setting to fix
        (one line), not a hundred content problems."""
        for name, folder in (("CONTENT_DIR", self.content_dir), ("SEEDS_DIR", self.seeds_dir)):
            if not folder.is_dir():
                raise ConfigError(f"{name}: {folder} is not a folder")


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments skipped, quotes stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _organizer_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not (part.lstrip("-").isascii() and part.lstrip("-").isdigit()):
            raise ConfigError(
                f"ORGANIZER_IDS: {part!r} is not a Telegram id (comma-separated numbers)"
            )
        ids.add(int(part))
    return frozenset(ids)


def _trusted_proxies(raw: str) -> tuple[str, ...]:
    networks = []
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ConfigError(f"DASHBOARD_TRUSTED_PROXY: {part!r} is not an IP address or network "
                              "(e.g. 127.0.0.1 or 172.16.0.0/12)") from None
    return tuple(networks)


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Settings:
    """Settings from `environ` (default os.environ) over the `.env` file."""
    env = dict(read_dotenv(dotenv)) if dotenv else {}
    env.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    token = get("TELEGRAM_BOT_TOKEN")
    if token and ":" not in token:
        raise ConfigError("TELEGRAM_BOT_TOKEN: looks malformed (expected 123456:ABC… from BotFather)")
    base_url = get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError("TELEGRAM_API_BASE_URL: must start with http:// or https://")
    database_url = get("DATABASE_URL")
    if database_url and not database_url.startswith(("postgresql://", "postgres://", "sqlite:///")):
        raise ConfigError("DATABASE_URL: must be postgresql://… or sqlite:///path")
    level = (get("LOG_LEVEL") or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL: {level!r} is not one of {', '.join(LOG_LEVELS)}")
    log_format = (get("LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT: {log_format!r} is not text or json")
    try:
        broadcast_rate = float(get("BROADCAST_RATE") or 25)
    except ValueError:
        raise ConfigError("BROADCAST_RATE: not a number (messages per second, e.g. 25)") from None
    if not 0 < broadcast_rate <= 30:
        raise ConfigError("BROADCAST_RATE: must be above 0 and at most 30 (Telegram's limit)")
    retries = get("TELEGRAM_API_RETRIES") or "5"
    if not (retries.isascii() and retries.isdigit()) or int(retries) > 20:
        raise ConfigError("TELEGRAM_API_RETRIES: must be a whole number from 0 to 20 (default 5)")
    semantic = (get("SEMANTIC_TIER") or "on").lower()
    if semantic not in ("on", "off"):
        raise ConfigError(f"SEMANTIC_TIER: {semantic!r} is not on or off")
    secret = get("SUPPORTER_ID_SECRET")
    if secret is not None and len(secret) < MIN_SECRET:
        raise ConfigError("SUPPORTER_ID_SECRET: too short (use at least 16 characters)")
    return Settings(
        telegram_bot_token=token,
        telegram_api_base_url=base_url,
        database_path=Path(get("DATABASE_PATH") or "data/advocacy.sqlite3"),
        database_url=database_url,
        organizer_ids=_organizer_ids(get("ORGANIZER_IDS") or ""),
        supporter_id_secret=secret.encode() if secret else None,
        dashboard_token=get("DASHBOARD_TOKEN"),
        dashboard_trusted_proxies=_trusted_proxies(get("DASHBOARD_TRUSTED_PROXY") or ""),
        content_dir=Path(get("CONTENT_DIR") or "content"),
        seeds_dir=Path(get("SEEDS_DIR") or "seeds"),
        log_level=level,
        log_format=log_format,
        broadcast_rate=broadcast_rate,
        telegram_api_retries=int(retries),
        semantic_tier=semantic == "on",
        key_file=Path(get("KEY_FILE")) if get("KEY_FILE") else None,
    )
