"""Per-feature latency (median and 99th percentile), each feature alone.

Full stack (one update through the real Application, in-memory Bot API,
SQLite store): a free-text question answered from the FAQ, an action report
("Sent" on a report prompt). Domain only: the letter rendered from its
template, the letter as PDF (which the bot renders off the event loop, in a
thread). The matcher alone is in test_bench_faq.py; `/stats` on a million
actions in test_bench_store.py.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import date

from bot.appeals import SupporterDetails
from bot.letter_pdf import render_letter_pdf
from bot.simulator import Simulator
from bot.store import open_store
from bot.transport import InMemoryBotAPI
from tests.bench.stack import REPORT_DATA, build_application, fixed_clock, questions, services_for

QUESTION_PASSES = 2
REPORTS = 400
RENDERS = 300
PDFS = 30


def percentiles(samples_s: list[float]) -> tuple[float, float]:
    """(median, p99) in milliseconds."""
    ordered = sorted(samples_s)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return round(statistics.median(ordered) * 1000, 3), round(p99 * 1000, 3)


async def timed(sim: Simulator, payload: dict) -> float:
    started = time.perf_counter()
    calls = await sim.process(payload)
    elapsed = time.perf_counter() - started
    assert calls and all(c.ok for c in calls)
    return elapsed


async def chat_latencies(database) -> dict[str, list[float]]:
    services = services_for(database)
    async with await open_store(database) as store:
        services.store = store
        api = InMemoryBotAPI(clock=fixed_clock)
        application = build_application(services, request=api)
        async with application:
            await application.start()
            sim = Simulator(application, api, clock=fixed_clock)
            asked = [(q, lang) for lang, qs in questions().items() for q in qs]
            faq = []
            for n in range(QUESTION_PASSES + 1):
                for k, (question, lang) in enumerate(asked):
                    user = sim.user(600_000 + k, language_code=lang)
                    message = {"message_id": 1, "date": int(fixed_clock()), "chat": user.chat,
                               "from": user.profile, "text": question}
                    seconds = await timed(sim, {"message": message})
                    if n:  # the first pass warms what a running bot has warm
                        faq.append(seconds)
            reports = []
            for k in range(REPORTS):
                user = sim.user(700_000 + k)
                prompt = api._new_message(user.id, text="Did you send it?", reply_markup={
                    "inline_keyboard": [[{"text": "Sent", "callback_data": REPORT_DATA}]]})
                reports.append(await timed(sim, {"callback_query": {
                    "id": str(k), "from": user.profile, "message": prompt, "chat_instance": str(user.id),
                    "data": REPORT_DATA}}))
            await application.stop()
    return {"faq_answer": faq, "report": reports}


def test_bench_chat_features(tmp_path, record):
    latencies = asyncio.run(chat_latencies(tmp_path / "features.sqlite3"))
    median, p99 = percentiles(latencies["faq_answer"])
    record("faq_answer_ms", median, "ms", "a free-text question answered, full stack (median)")
    record("faq_answer_p99_ms", p99, "ms", f"the same, 99th percentile of {len(latencies['faq_answer'])}")
    median, p99 = percentiles(latencies["report"])
    record("report_ms", median, "ms", "\"Sent\" on a report prompt, full stack incl. the write (median)")
    record("report_p99_ms", p99, "ms", f"the same, 99th percentile of {REPORTS}")


def test_bench_letter_and_pdf(tmp_path, record):
    services = services_for(tmp_path / "unused.sqlite3")
    catalog, appeals = services.catalog, services.appeals
    campaign = catalog.campaigns["ua-150-18"]
    official = catalog.officials["luis-videgaray"]
    renders = []
    for n in range(RENDERS):
        details = SupporterDetails(name=f"Ana López {n}", city="Tijuana", sentence="Por favor, escuche.")
        started = time.perf_counter()
        appeal = appeals.render(campaign, official, "letter", "es", details, date(2018, 9, 15))
        renders.append(time.perf_counter() - started)
    median, p99 = percentiles(renders)
    record("letter_render_ms", median, "ms", "a letter rendered from its template (median)")
    record("letter_render_p99_ms", p99, "ms", f"the same, 99th percentile of {RENDERS}")

    render_letter_pdf(appeal.body, official.name)  # fonts parsed once per process
    pdfs = []
    for _ in range(PDFS):
        started = time.perf_counter()
        pdf = render_letter_pdf(appeal.body, official.name)
        pdfs.append(time.perf_counter() - started)
    assert pdf.startswith(b"%PDF")
    median, p99 = percentiles(pdfs)
    record("pdf_render_ms", median, "ms", "the letter as PDF, in a worker thread off the loop (median)")
    record("pdf_render_p99_ms", p99, "ms", f"the same, 99th percentile of {PDFS}")
