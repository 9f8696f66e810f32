"""Database settings: SQLite by default with WAL and immediate transactions, PostgreSQL by URL."""

from hikikomori_eval.settings.base import database_config


def test_sqlite_gets_wal_and_immediate_transactions():
    config = database_config("sqlite:////tmp/example.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_database_url_switches_to_postgresql():
    config = database_config("postgres://postgres@127.0.0.1:5432/hikikomori_eval")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("hikikomori_eval", "127.0.0.1", 5432)
    assert "transaction_mode" not in config.get("OPTIONS", {})
