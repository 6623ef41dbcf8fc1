"""The key file (bot/store/keyring.py): per-supporter keys whose deletion is real."""

from __future__ import annotations

import sqlite3
import stat

from bot.store.keyring import SEALED, Keyring

OWNER, OTHER = "a" * 64, "b" * 64


def test_a_sealed_text_opens_only_with_its_key_and_its_purpose(tmp_path):
    ring = Keyring(tmp_path / "keys")
    sealed = ring.seal(OWNER, "She wrote back", "official_replies.summary")
    assert sealed.startswith(SEALED) and "She wrote" not in sealed
    assert ring.seal(OWNER, "She wrote back", "official_replies.summary") != sealed  # a fresh nonce each time
    assert ring.open(OWNER, sealed, "official_replies.summary") == "She wrote back"
    assert ring.open(OWNER, sealed, "contact_problems.note") is None  # moved to another column: refused
    assert ring.open(OTHER, sealed, "official_replies.summary") is None  # someone else's key: refused
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    assert ring.open(OWNER, tampered, "official_replies.summary") is None
    assert ring.open(OWNER, "typed before sealing", "x") == "typed before sealing"
    assert ring.open(None, None, "x") is None


def test_handles_are_stable_while_the_key_lives_and_lost_with_it(tmp_path):
    ring = Keyring(tmp_path / "keys")
    handle = ring.handle(OWNER, "report:1:2")
    assert handle == Keyring(tmp_path / "keys").handle(OWNER, "report:1:2")  # another process agrees
    assert handle != ring.handle(OTHER, "report:1:2")
    ring.destroy(OWNER)
    assert ring.key(OWNER, create=False) is None
    assert ring.handle(OWNER, "report:1:2") != handle  # a new person


def test_the_main_database_knows_a_supporter_by_an_alias_only_their_key_ties_to_them(tmp_path):
    ring = Keyring(tmp_path / "keys")
    assert ring.alias(OWNER, create=False) is None
    alias = ring.alias(OWNER)
    assert alias != OWNER and len(alias) == 64 and ring.alias(OWNER) == alias
    assert ring.key(alias, create=False) == ring.key(OWNER, create=False)  # found by either
    ring.destroy(alias)  # what the store does at /forget: it only knows the alias
    assert ring.key(OWNER, create=False) is None and ring.alias(OWNER) != alias


def test_supporters_from_before_the_key_file_keep_their_keyed_hash_as_alias(tmp_path):
    ring = Keyring(tmp_path / "keys")
    assert ring.is_empty()
    ring.adopt([OWNER])
    assert ring.alias(OWNER, create=False) == OWNER and not ring.is_empty()


def test_the_file_is_owner_only_and_a_destroyed_key_is_nowhere_in_it(tmp_path):
    path = tmp_path / "keys"
    ring = Keyring(path)
    key = ring.key(OWNER)
    ring.key(OTHER)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ring.destroy(OWNER)
    assert not ring.checkpoint_owed
    for file in tmp_path.iterdir():
        assert key not in file.read_bytes() and key[:8] not in file.read_bytes(), file.name
        assert OWNER.encode() not in file.read_bytes(), file.name


def test_a_reader_delays_the_checkpoint_without_stalling_and_settle_finishes_it(tmp_path, caplog):
    path = tmp_path / "keys"
    ring = Keyring(path)
    key = ring.key(OWNER)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM supporter_keys").fetchone()
    ring.destroy(OWNER)  # returns at once
    assert ring.checkpoint_owed and not ring.settle()
    assert "could not finish" in caplog.text and OWNER not in caplog.text
    reader.execute("COMMIT")
    reader.close()
    assert ring.settle() and not ring.checkpoint_owed
    assert all(key not in file.read_bytes() for file in tmp_path.iterdir())


def test_a_destroyed_key_is_synced_before_destroy_returns_a_created_one_is_not_waited_for(tmp_path):
    """synchronous = FULL for every change but the creation of a key (keyring.CREATE_SYNC)."""
    ring = Keyring(tmp_path / "keys")
    statements: list[str] = []
    ring._db.set_trace_callback(statements.append)
    ring.alias(OWNER)
    ring.destroy(OWNER)
    mode, writes = "FULL", []
    for statement in statements:
        if statement.startswith("PRAGMA synchronous"):
            mode = statement.rsplit("=", 1)[1].strip()
        elif statement.split()[0] in ("INSERT", "DELETE"):
            writes.append((statement.split()[0], mode))
    assert writes == [("INSERT", "NORMAL"), ("DELETE", "FULL")]
    assert ring._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again after the creation


def test_keys_found_are_remembered_until_the_file_changes_or_one_is_destroyed(tmp_path):
    """A report looks its supporter's key up several times: one query, then
    from memory; a key destroyed here or by another process (another
    connection to the file) is at once no longer found."""
    ring, other = Keyring(tmp_path / "keys"), Keyring(tmp_path / "keys")
    alias = ring.alias(OWNER)
    statements: list[str] = []
    ring._db.set_trace_callback(statements.append)
    assert [ring.alias(OWNER), ring.alias(alias), ring.key(OWNER) is not None] == [alias, alias, True]
    assert ring.alias(OWNER) == alias
    assert sum(s.startswith("SELECT key, alias") for s in statements) == 1  # the alias, once; then memory
    other.destroy(OWNER)  # /forget handled by another process sharing the file
    assert ring.key(OWNER, create=False) is None and ring.key(alias, create=False) is None
    assert ring.alias(OWNER) != alias  # a new person
    ring.alias(OTHER)
    ring.destroy(OTHER)
    assert ring.key(OTHER, create=False) is None
