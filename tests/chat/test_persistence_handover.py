"""What a crash can lose stays what it was (docs/operating.md): each update's
changes to a flow are in the store when the update returns, though the
Application hands the persistence its live user data (compared, then copied
only when changed: bot/chat/application.py, `BotApplication.update_persistence`)
instead of python-telegram-bot's deep copy of it after every update."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ConversationHandler, MessageHandler, filters

from bot.bot_api.simulator import Simulator
from bot.chat.context import LANG_KEY
from bot.chat.flows import for_disk
from bot.chat.persistence import StorePersistence
from tests.chat.test_take_action import channel_button
from tests.conftest import start_bot, stop_bot


async def on_disk(services) -> tuple[dict, dict]:
    """What a process started now would restore: (user data, conversation states)."""
    fresh = StorePersistence(services)
    return await fresh.get_user_data(), await fresh.get_conversations("take_action")


def in_memory(application) -> tuple[dict, dict]:
    """The same, from the running application: what it would write of each."""
    users = {user_id: kept for user_id, data in application.user_data.items()
             if (kept := {k: v for k, v in for_disk(data).items() if k != LANG_KEY})}
    (flow,) = [h for group in application.handlers.values() for h in group
               if isinstance(h, ConversationHandler) and h.name == "take_action"]
    return users, dict(flow._conversations)


async def test_every_step_of_a_flow_is_in_the_store_when_its_update_returns(services):
    """The letter flow step by step, two supporters interleaved, and no stop
    (as after SIGKILL): after each update, a fresh persistence on the same
    store restores exactly the flow in memory, each step's choice included
    (the steps change the flow's dict in place)."""
    application, api = await start_bot(services)
    sim = Simulator(application, api, clock=services.clock)
    ana, ben = sim.user(4242), sim.user(4343, "Ben")
    steps = [(ana, "/start"), (ana, "menu:act"), (ben, "/start"), (ana, "act:off:luis-videgaray"),
             (ben, "menu:act"), (ana, "channel:email"), (ana, "Ana López"), (ben, "act:off:luis-videgaray"),
             (ana, "Tijuana"), (ben, "channel:letter"), (ben, "act:skip")]
    seen = set()
    for user, step in steps:
        if step.startswith(("menu:", "act:")):
            await user.press(step)
        elif step.startswith("channel:"):
            await user.press(channel_button(user, "en", step.removeprefix("channel:")))
        else:
            await user.send(step)
        assert await on_disk(services) == in_memory(application), f"after {step!r}"
        users, _ = in_memory(application)
        seen.update(f"{key}={value}" for data in users.values() for key, value in data.get("flow", {}).items()
                    if key != "touched")
    assert {"official=luis-videgaray", "channel=email", "channel=letter", "name=None"} <= seen
    assert (await on_disk(services))[1]  # both still in the flow
    await ana.send("/start")  # leaving the flow deletes its row
    users, states = await on_disk(services)
    assert 4242 not in users and all(key[-1] != 4242 for key in states)
    await stop_bot(application)


async def test_a_change_inside_the_flow_alone_is_written(services):
    """A step that changes only a value inside the flow's dict (no new
    conversation state, nothing else in the user data) is written too: the
    persistence must not keep the live dict it was handed, or the change
    would look like no change."""

    async def change_in_place(update: Update, context) -> None:
        context.user_data["flow"]["official"] = "geronimo-gutierrez"
        raise ApplicationHandlerStop

    application, api = await start_bot(services)
    application.add_handler(MessageHandler(filters.Regex("^change it$"), change_in_place), group=-10)
    ana = Simulator(application, api, clock=services.clock).user(4242)
    await ana.send("/start")
    await ana.press("menu:act")
    await ana.press("act:off:luis-videgaray")
    assert (await on_disk(services))[0][4242]["flow"]["official"] == "luis-videgaray"
    await ana.send("change it")
    assert (await on_disk(services))[0][4242]["flow"]["official"] == "geronimo-gutierrez"
    assert await on_disk(services) == in_memory(application)
    await stop_bot(application)


async def test_the_installed_python_telegram_bot_has_what_the_hand_over_reads(services):
    """The quick hand-over reads python-telegram-bot's private bookkeeping; a
    release that renames it makes the bot fall back to the slower public one,
    and this test says so, before a benchmark would."""
    application, _ = await start_bot(services)
    assert application.hands_over_itself()
    await stop_bot(application)
