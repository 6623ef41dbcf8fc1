"""A child process for the abuse test: one person's reports, replies and
problems, as fast as it can, against a shared database.

    python -m tests.limits_worker DATABASE_URL_OR_PATH WORKER_NUMBER ATTEMPTS ACTIONS_PER_REPORT

Every attempt uses the same supporter and limiter keys (one person, two
processes) and a key of its own (so none is a duplicate). Worker 1 also
deletes the person's data (/forget) every FORGET_EVERY attempts, as a person
trying to reset the caps would. Prints how many were recorded and how many
refused.
"""

from __future__ import annotations

import asyncio
import sys

from bot.store import ActionReport, Limits, ProblemReport, ReplyReport, open_store_at

PERSON, LIMITER = "a" * 64, "b" * 64
LIMITS = Limits(LIMITER, reports=50, actions=1000, replies=10, problems=10)
FORGET_EVERY = 10
CHAT = 4242


async def main(database: str, worker: int, attempts: int, per_report: int) -> None:
    async with await open_store_at(database) as store:
        recorded = refused = 0
        for n in range(attempts):
            key = f"w{worker}-{n}"
            results = await asyncio.gather(
                store.record_action(ActionReport("ua-150-18", "luis-videgaray", "email", per_report, "done",
                                                 "en", None, PERSON, "a-" + key), limits=LIMITS),
                store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", "ok", PERSON, "r-" + key),
                                   limits=LIMITS),
                store.record_contact_problem(ProblemReport("ua-150-18", "luis-videgaray", "email", "bounced",
                                                           None, PERSON, "p-" + key), limits=LIMITS))
            recorded += sum(r.created for r in results)
            refused += sum(r.capped for r in results)
            if worker == 1 and n % FORGET_EVERY == FORGET_EVERY // 2:
                await store.forget(PERSON, CHAT, limiter=LIMITER)
        print(recorded, refused)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
