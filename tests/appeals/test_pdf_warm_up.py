"""The first PDF after a start used to take about 1.4 s on a busy machine
(fpdf2 imported and its font prepared for the first letter): the bot now
pays that at start, in a worker thread."""

from __future__ import annotations

import subprocess
import sys

from bot.appeals import letter_pdf
from tests.conftest import ROOT, start_bot, stop_bot

FIRST_PDF = """
import sys, time
from bot.appeals import letter_pdf
if sys.argv[1] == "warm":
    letter_pdf.warm_up()
started = time.perf_counter()
letter_pdf.render_letter_pdf("Estimado Señor:\\n\\nTexto.\\n\\nAtentamente,\\nAna", "x", "Letter")
print(time.perf_counter() - started)
"""


def _first_pdf_seconds(mode: str) -> float:
    done = subprocess.run([sys.executable, "-c", FIRST_PDF, mode], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    return float(done.stdout)


def test_after_the_warm_up_the_first_letter_costs_what_any_letter_costs():
    cold, warm = _first_pdf_seconds("cold"), _first_pdf_seconds("warm")
    assert warm < cold / 5, (cold, warm)  # measured: about 0.3 s cold, under 5 ms warm


async def test_the_bot_warms_the_renderer_when_it_starts(services, monkeypatch):
    warmed = []
    monkeypatch.setattr(letter_pdf, "warm_up", lambda: warmed.append(True))
    application, _ = await start_bot(services)
    try:
        await application.post_init(application)  # as serve.py and the console call it
        await services.extras["pdf_warm_up"]
    finally:
        await stop_bot(application)
    assert warmed == [True]
