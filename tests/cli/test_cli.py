"""The command line other tools rely on: ask, letter, stats, export, dashboard."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from pypdf import PdfReader

from bot.core.identity import supporter_key
from bot.store import ActionReport, open_store
from tests.conftest import ROOT


def run(tmp_path, *args, stdin: str = "", extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DASHBOARD_TOKEN")}
    env.update({"CONTENT_DIR": str(ROOT / "content"), "SEEDS_DIR": str(ROOT / "seeds"),
                "DATABASE_PATH": str(tmp_path / "data/bot.sqlite3"), **(extra_env or {})})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)


def test_ask_json_answers_and_declines(tmp_path):
    answered = json.loads(run(tmp_path, "ask", "--json", "What is non-refoulement?").stdout)
    assert answered["id"] == "non-refoulement" and answered["score"] > 0.4
    assert answered["title"] == "What is non-refoulement?"  # the heading the chat shows
    assert answered["text"].startswith("Non-refoulement") and "**" not in answered["text"]
    assert len(answered["suggestions"]) <= 3
    declined = json.loads(run(tmp_path, "ask", "--json", "--lang", "es", "¿quién ganó el partido?").stdout)
    assert declined["id"] is None and len(declined["suggestions"]) == 3
    assert declined["title"] is None and declined["text"] is None


def test_ask_reads_one_question_per_line_in_order(tmp_path):
    result = run(tmp_path, "ask", "--json", "-", "--lang", "es",
                 stdin="¿qué es el principio de no devolución?\n\nrecetas de pozole\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["non-refoulement", None, None]
    assert lines[1]["suggestions"] == []  # an empty line: nothing to go on


def test_ask_prints_the_answer_with_its_sources(tmp_path):
    out = run(tmp_path, "ask", "Has Mexico signed a safe third country agreement?").stdout
    assert out.startswith("[us-mexico-agreement-status] (score ")
    assert "Sources:\n  - " in out
    about_the_bot = run(tmp_path, "ask", "I need help with my own asylum case.").stdout
    assert about_the_bot.startswith("[legal-help] ")
    assert "Sources:" not in about_the_bot  # it rests on no document: no empty heading


def test_letter_prints_the_appeal_and_writes_the_pdf(tmp_path):
    result = run(tmp_path, "letter", "--campaign", "ua-150-18", "--target", "luis-videgaray", "--channel",
                 "letter", "--lang", "es", "--name", "Ana {{ 7*7 }}", "--city", "Oaxaca",
                 "--date", "2018-09-15", "--pdf", "letter.pdf", "--paper", "Letter")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("15 de septiembre de 2018\n\nLuis Videgaray\nSecretario de Relaciones "
                                    "Exteriores de México\nPlaza Juárez No. 20")
    assert "Estimado Señor Canciller:" in result.stdout
    assert result.stdout.endswith("Atentamente,\nAna {{ 7*7 }}\nOaxaca\n")
    pages = PdfReader(tmp_path / "letter.pdf").pages
    text = "\n".join(p.extract_text() for p in pages)
    assert text.split() == result.stdout.split()  # the PDF is the letter printed, word for word
    assert (pages[0].mediabox.width, pages[0].mediabox.height) == (612, 792)  # as asked: US Letter
    assert result.stderr == "PDF written to letter.pdf (Letter)\n"


def test_letter_pdf_is_a4_unless_asked_and_writes_portuguese(tmp_path):
    """The paper is the supporter's choice (default A4), not the official's
    country (México prints on US Letter); a Portuguese letter prints its accents."""
    from tests.appeals.language_tree import language_tree

    content = language_tree(tmp_path)
    result = run(tmp_path, "letter", "--campaign", "ua-150-18", "--target", "luis-videgaray", "--channel",
                 "letter", "--date", "2018-09-15", "--pdf", "a4.pdf")
    assert result.returncode == 0, result.stderr
    page = PdfReader(tmp_path / "a4.pdf").pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == (595.28, 841.89)
    result = run(tmp_path, "letter", "--campaign", "test-ua-555-27", "--target", "rita-exemplo", "--channel",
                 "letter", "--date", "2027-02-01", "--as-of", "2027-02-01", "--pdf", "pt.pdf",
                 extra_env={"CONTENT_DIR": str(content)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1º de fevereiro de 2027\n\nRita Exemplo\n")
    assert result.stdout.endswith("Respeitosamente,\nUma pessoa que apoia a Anistia Internacional\n")
    text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "pt.pdf").pages)
    assert text.split() == result.stdout.split()
    refused = run(tmp_path, "letter", "--campaign", "test-ua-555-27", "--target", "rita-exemplo", "--channel",
                  "letter", "--lang", "fr", "--as-of", "2027-02-01", extra_env={"CONTENT_DIR": str(content)})
    assert refused.returncode == 2
    assert refused.stderr.endswith("--lang: Rita Exemplo's appeal can be in pt, en, es\n")


def test_letter_errors_are_one_line(tmp_path):
    result = run(tmp_path, "letter", "--campaign", "ua-150-18", "--target", "luis-videgaray",
                 "--channel", "call")
    assert (result.returncode, result.stderr) == (2, "error: Luis Videgaray has no contact for call\n")
    result = run(tmp_path, "letter", "--campaign", "ua-150-18", "--target", "nobody", "--channel", "email")
    assert result.stderr == ("error: 'nobody' is not a target of ua-150-18 "
                             "(targets: luis-videgaray, geronimo-gutierrez)\n")


def _seed_actions(tmp_path) -> str:
    key = supporter_key(42, b"x" * 32)

    async def write():
        async with await open_store(tmp_path / "data/bot.sqlite3") as store:
            for n, channel in enumerate(["letter", "email", "email"]):
                await store.record_action(ActionReport(
                    "ua-150-18", "luis-videgaray", channel, 2, "done", "es", None, key, f"k{n}",
                    at=datetime(2018, 9, 20, tzinfo=UTC)))

    asyncio.run(write())
    return key


def test_stats_and_export(tmp_path):
    key = _seed_actions(tmp_path)
    stats = json.loads(run(tmp_path, "stats", "--campaign", "ua-150-18", "--json").stdout)
    assert (stats["actions"], stats["supporters"], stats["by_channel"]) == (6, 1, {"letter": 2, "email": 4})
    assert stats["official_names"] == {o: n for o, n in (("luis-videgaray", "Luis Videgaray"),
                                                                ("geronimo-gutierrez", "Gerónimo Gutiérrez"))
                                       if o in stats["by_official"]}
    table = run(tmp_path, "stats").stdout
    assert "Actions done:                 6" in table
    assert "By official:" in table and "Luis Videgaray" in table and "luis-videgaray" not in table
    exported = run(tmp_path, "export", "--format", "csv", "--campaign", "ua-150-18", "--since", "2018-09-01")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == 3 and {r["supporter"] for r in rows} == {key}
    assert list(rows[0]) == ["id", "created_at", "campaign_id", "official_id", "official_name", "channel",
                             "count", "status", "language", "supporter"]
    assert {r["official_name"] for r in rows} <= {"Luis Videgaray", "Gerónimo Gutiérrez"}
    later = run(tmp_path, "export", "--since", "2018-10-01").stdout  # --format csv is the default
    assert later.strip().count("\n") == 0  # the header only


def test_dashboard_refuses_to_start_without_a_token(tmp_path):
    result = run(tmp_path, "dashboard")
    assert result.returncode == 2
    assert result.stderr == ("error: DASHBOARD_TOKEN is not set: the dashboard needs a token to protect "
                             "it\n")


def test_stats_json_counts_per_day_from_the_cases_issue_date(tmp_path):
    """Not the last 90 days, which for a case of 2018 are all zeros: from the
    day it was issued (UA 150.18: August 2018, so from its first day) to today."""
    _seed_actions(tmp_path)
    stats = json.loads(run(tmp_path, "stats", "--campaign", "ua-150-18", "--json").stdout)
    days = dict(stats["by_day"])
    assert stats["by_day"][0][0] == "2018-08-01"
    assert stats["by_day"][-1][0] == stats["today"]
    assert days["2018-09-20"] == 6 and sum(days.values()) == 6
