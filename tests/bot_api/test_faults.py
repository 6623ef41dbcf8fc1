"""Fault tolerance through the transport: Bot API 429s, 5xx, timeouts and
refused connections during /start, an answer, a letter and a report. The
supporter is answered once the API recovers; no action is lost or counted
twice."""

from __future__ import annotations

import pytest
from telegram.error import TimedOut

from bot.bot_api.transport import BotApiRefusal
from tests.chat.test_take_action import complete
from tests.conftest import texts_of


class Faults:
    """Fail the next `times` calls of `method` with `make()`, then recover."""

    def __init__(self, method: str, times: int, make):
        self.method, self.left, self.make = method, times, make

    def __call__(self, method: str, params: dict):
        if method != self.method or self.left == 0:
            return None
        self.left -= 1
        failure = self.make()
        if isinstance(failure, Exception) and not isinstance(failure, BotApiRefusal):
            raise failure
        return failure


FAILURES = {
    "429": lambda: BotApiRefusal(429, "Too Many Requests: retry after 3", {"retry_after": 3}),
    "500": lambda: BotApiRefusal(500, "Internal Server Error"),
    "502": lambda: BotApiRefusal(502, "Bad Gateway"),
    "timeout": lambda: TimedOut("Timed out"),
    "refused": lambda: ConnectionRefusedError(111, "Connection refused"),
}


@pytest.mark.parametrize("failure", FAILURES)
async def test_start_is_answered_once_the_api_recovers(bot, services, failure):
    sim, api = bot
    api.fault = Faults("sendMessage", 3, FAILURES[failure])
    calls = await sim.user().send("/start")
    assert texts_of(calls)[0].startswith("Hello, Ana!")
    assert len(texts_of(calls)) == 1
    assert services.metrics.api_errors.values  # counted by code
    expected = [3.0] * 3 if failure == "429" else [0.5, 1.0, 2.0]
    assert services.sleep == expected


async def test_an_answer_survives_a_bad_gateway(bot):
    sim, api = bot
    api.fault = Faults("sendMessage", 2, FAILURES["502"])
    calls = await sim.user().send("What is non-refoulement?")
    assert texts_of(calls)[0].startswith("<b>What is non-refoulement")


async def test_a_letter_survives_failed_uploads(bot):
    sim, api = bot
    api.fault = Faults("sendDocument", 2, FAILURES["timeout"])
    calls = await complete(sim.user(), "luis-videgaray", "letter", "en")
    (document,) = [c for c in calls if c.method == "sendDocument" and c.ok]
    assert document.files["document"][0].startswith("letter-luis-videgaray-es-2018-09-15-")
    # the PDF's caption carries the report prompt (issue 29)
    assert document.text.split("\n\n")[-1].startswith("Did you post the letter?")


async def test_a_report_is_counted_once_through_failures(bot, services):
    sim, api = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    message, button = user.find_button("✅ I sent the email")
    api.fault = Faults("editMessageText", 2, FAILURES["500"])
    calls = await user.press_data(message, button["callback_data"])
    assert calls[-1].text.startswith("🙏 Thank you!")
    # The API stays down longer than the retries: the report is still recorded, once,
    # and pressing again once it is back says so.
    second_message, _ = await _new_prompt(user, sim)
    # The same appeal again the same day: the supporter has answered "Yes, count it again".
    again = button["callback_data"].replace("rep:d:", "rep:g:")
    api.fault = Faults("editMessageText", 100, FAILURES["refused"])
    calls = await user.press_data(second_message, again)
    assert "Sorry, something went wrong" in texts_of(calls)[-1]
    api.fault = None
    calls = await user.press_data(second_message, again)
    assert calls[-1].params.get("text") == "This action was already counted. Thank you!"
    stats = await services.store.campaign_stats("ua-150-18", today=services.today())
    assert stats.actions == 2  # one per prompt, none doubled


async def _new_prompt(user, sim):
    await complete(user, "luis-videgaray", "email", "en")
    return user.find_button("✅ I sent the email")
