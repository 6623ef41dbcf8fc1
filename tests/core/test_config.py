"""Settings: defaults, .env files, and one-line errors naming the variable."""

from __future__ import annotations

import stat

import pytest

from bot.core.config import ConfigError, Settings, load_settings


def test_defaults(tmp_path):
    settings = load_settings({}, dotenv=None)
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert str(settings.database_path) == "data/advocacy.sqlite3"
    assert settings.organizer_ids == frozenset()


def test_dotenv_is_read_and_environment_wins(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nORGANIZER_IDS=1, 2\nLOG_LEVEL='debug'\nexport CONTENT_DIR=c\n")
    settings = load_settings({"CONTENT_DIR": "elsewhere"}, dotenv=dotenv)
    assert settings.organizer_ids == frozenset({1, 2})
    assert settings.log_level == "DEBUG"
    assert str(settings.content_dir) == "elsewhere"


@pytest.mark.parametrize("name, value, message", [
    ("ORGANIZER_IDS", "12,abc", "ORGANIZER_IDS: 'abc' is not a Telegram id (comma-separated numbers)"),
    ("LOG_LEVEL", "loud", "LOG_LEVEL: 'LOUD' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("TELEGRAM_BOT_TOKEN", "nocolon",
     "TELEGRAM_BOT_TOKEN: looks malformed; expected digits, a colon and letters, digits, - or _, "
     "as @BotFather gives it (123456:ABC…)"),
    # A space inside passed the old check (a colon was enough), then Telegram was retried for 16 s.
    ("TELEGRAM_BOT_TOKEN", "123456:AAH ello",
     "TELEGRAM_BOT_TOKEN: looks malformed (it contains a space); expected digits, a colon and letters, "
     "digits, - or _, as @BotFather gives it (123456:ABC…)"),
    ("TELEGRAM_BOT_TOKEN", "123456:AAH\"x",
     "TELEGRAM_BOT_TOKEN: looks malformed (it contains a quote); expected digits, a colon and letters, "
     "digits, - or _, as @BotFather gives it (123456:ABC…)"),
    ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL: must start with http:// or https://"),
    ("DATABASE_URL", "mysql://x", "DATABASE_URL: must be postgresql://… or sqlite:///path"),
    ("SUPPORTER_ID_SECRET", "short", "SUPPORTER_ID_SECRET: too short (use at least 16 characters)"),
    ("TELEGRAM_API_RETRIES", "-1", "TELEGRAM_API_RETRIES: must be a whole number from 0 to 20 (default 5)"),
    ("TELEGRAM_API_RETRIES", "21", "TELEGRAM_API_RETRIES: must be a whole number from 0 to 20 (default 5)"),
    ("SEMANTIC_TIER", "maybe", "SEMANTIC_TIER: 'maybe' is not on or off"),
])
def test_malformed_settings_name_the_variable(name, value, message):
    with pytest.raises(ConfigError) as raised:
        load_settings({name: value}, dotenv=None)
    assert str(raised.value) == message


def test_generated_secret_is_kept_with_mode_600(tmp_path):
    settings = Settings(database_path=tmp_path / "data/bot.sqlite3")
    first = settings.secret()
    path = tmp_path / "data/supporter_id_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.secret() == first and len(first) == 64


def test_cli_prints_one_line_for_a_bad_setting(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "bot", "check"], capture_output=True, text=True,
                            env={"ORGANIZER_IDS": "x", "PATH": ""}, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr == ("configuration error: ORGANIZER_IDS: 'x' is not a Telegram id "
                             "(comma-separated numbers)\n")


@pytest.mark.parametrize("content", ["", "\n", "short-secret\n"])
def test_an_empty_or_short_secret_file_is_refused(tmp_path, content):
    settings = Settings(database_path=tmp_path / "data/bot.sqlite3")
    path = tmp_path / "data/supporter_id_secret"
    path.parent.mkdir()
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="supporter id secret is empty or too short"):
        settings.secret()


def test_a_secret_file_others_can_read_is_used_with_a_warning(tmp_path, caplog):
    settings = Settings(database_path=tmp_path / "data/bot.sqlite3")
    path = tmp_path / "data/supporter_id_secret"
    path.parent.mkdir()
    path.write_text("0123456789abcdef0123\n")
    path.chmod(0o640)
    assert settings.secret() == b"0123456789abcdef0123"
    assert f"{path} can be read by other users: chmod 600 it" in caplog.text
    caplog.clear()
    path.chmod(0o600)
    settings.secret()
    assert caplog.text == ""


async def test_a_new_database_and_its_folder_are_owner_only(tmp_path):
    from bot.store import open_store

    path = tmp_path / "fresh/bot.sqlite3"
    async with await open_store(path) as store:
        await store.set_language("a" * 64, "es")  # something in the WAL
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for file in path.parent.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, file.name


def test_api_retries_default_to_5_and_0_means_one_try():
    assert load_settings({}, dotenv=None).telegram_api_retries == 5
    assert load_settings({"TELEGRAM_API_RETRIES": "0"}, dotenv=None).telegram_api_retries == 0


def test_the_semantic_tier_is_on_unless_turned_off_and_cached_in_the_data_folder():
    from bot.runtime import semantic_cache

    on = load_settings({"DATABASE_PATH": "/srv/bot/db.sqlite3"}, dotenv=None)
    assert on.semantic_tier is True
    assert str(semantic_cache(on)) == "/srv/bot/semantic-cache"
    assert load_settings({"SEMANTIC_TIER": "ON"}, dotenv=None).semantic_tier is True
    off = load_settings({"SEMANTIC_TIER": "off"}, dotenv=None)
    assert off.semantic_tier is False and semantic_cache(off) is None
