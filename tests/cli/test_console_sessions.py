"""The console as someone trying the bot meets it: buttons pressed with #N and
numbers typed as text, pop-ups shown, sessions that follow one another on
the same database, long piped scripts, flows left open, the console user's
id and language, and the bot's clock moved with --as-of.

Each session runs the real console driver (`run_console`) over the same
objects `advocacy-bot console` builds (`build_console`), reading a StringIO."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

from bot.bot_api.transport import ApiCall
from bot.console import CONSOLE_USER_ID, ConsolePrinter, build_console, run_console
from bot.store import open_store

AS_OF = date(2018, 9, 15)  # before the appeal's deadline (27 September 2018)
# /start, Take action, Luis Videgaray, Email, a name, a city, skip the sentence, English:
# the appeal is delivered and "Did you send it?" asks with three buttons.
# Take action, the minister, email, name, city, English (#2), then Skip (#1) the sentence.
TO_REPORT_PROMPT = ["/start", "#3", "#1", "#2", "Ana", "Oaxaca", "#2", "#1"]


async def session(settings, *lines: str, lang: str | None = None, as_of: date | None = AS_OF,
                  tmp_documents=None):
    """One console session reading `lines`; (what it printed, the console)."""
    console = build_console(settings, as_of)
    out = io.StringIO()
    await run_console(console.application, console.api, stdin=io.StringIO("".join(f"{x}\n" for x in lines)),
                      out=out, documents_dir=settings.data_dir / "console-documents",
                      language_code=lang or "en", choose_language=lang,
                      message_ids=console.message_ids, as_of=as_of)
    return out.getvalue(), console


async def actions_in(settings) -> list[tuple[int, str]]:
    async with await open_store(settings.database_path) as store:
        return [(row.count, row.status) async for row in store.export_actions(None, None)]


# -- 6. a typed number is text; #N presses a button --------------------------------------------


async def test_a_typed_number_answers_how_many_and_hash_n_presses_a_button(settings):
    printed, _ = await session(settings, *TO_REPORT_PROMPT, "#2", "12")
    assert "Type a number from 1 to" in printed
    assert "no button" not in printed  # 12 went to the bot as text...
    assert await actions_in(settings) == [(12, "done")]  # ...and was counted as 12 appeals


async def test_a_hash_number_past_the_buttons_is_refused_with_the_count(settings):
    printed, _ = await session(settings, "/start", "#9", "#abc")
    assert "(no button #9; there are 7)" in printed
    assert printed.count("(no button") == 1  # "#abc" is text, sent to the bot as a question
    assert "I don't have an answer to that" in printed


# -- 7. pop-ups and changed keyboards ------------------------------------------------------------


async def test_follow_shows_its_pop_up_and_the_buttons_again_renumbered(settings):
    printed, _ = await session(settings, "/start", "#3", "#3", "#3")
    assert "(pop-up: 🔔 You follow this case now" in printed
    after = printed.split("(buttons changed)\n", 1)[1]
    assert after.startswith("[#1] Luis Videgaray — Mexican Minister of Foreign Affairs\n"
                            "[#2] Gerónimo Gutiérrez — Ambassador of Mexico to the United States\n"
                            "[#3] ⬅️ Back  [#4] ✖️ Cancel\n")
    # #3 is now Back (it was Follow): the numbering matches what was printed last, so the
    # flow goes back (and, with one case, out), instead of following the case again.
    assert "\nCancelled. Nothing you typed has been kept.\n" in after
    assert "(notice:" not in printed


def test_a_notice_without_alert_and_a_removed_keyboard_are_printed(tmp_path):
    out = io.StringIO()
    printer = ConsolePrinter(out, tmp_path)
    markup = {"inline_keyboard": [[{"text": "Follow", "callback_data": "upd:on:x"}]]}
    printer(ApiCall("sendMessage", {"chat_id": 1, "text": "Hi", "reply_markup": markup},
                    result={"message_id": 7}))
    printer(ApiCall("answerCallbackQuery", {"callback_query_id": "1", "text": "Already following"}))
    printer(ApiCall("editMessageReplyMarkup", {"chat_id": 1, "message_id": 7}))
    assert out.getvalue() == "\nHi\n[#1] Follow\n(notice: Already following)\n(buttons removed)\n"
    assert printer.buttons == []


# -- 8. message ids continue across sessions ------------------------------------------------------


async def test_a_report_in_a_second_session_is_counted_not_already_counted(settings):
    first, _ = await session(settings, *TO_REPORT_PROMPT, "#1")
    # The same appeal again the same day: asked "Did you send it again?", then "#1" is yes.
    second, _ = await session(settings, *TO_REPORT_PROMPT, "#1", "#1")
    assert "Did you send it again?" in second
    assert "already counted" not in second.lower()
    assert await actions_in(settings) == [(1, "done"), (1, "done")]


# -- 9. a long piped script is never flood-limited -------------------------------------------------


async def test_thirty_piped_lines_are_all_answered(settings):
    printed, _ = await session(settings, *["/start"] * 30)
    assert printed.count("Hello, Console!") == 30
    assert "slow down" not in printed.lower()


# -- 10. a flow left open by the last session -------------------------------------------------------


async def test_a_flow_left_open_is_announced_with_how_to_go_on(settings):
    first, _ = await session(settings, "/start", "#3", "#1", "#2")  # stopped at "What name…?"
    assert "What name should the appeal be signed with?" in first
    assert "You were taking action" not in first
    second, _ = await session(settings, "/cancel")
    assert ("You were taking action (writing an appeal) when the last session ended, and its buttons are "
            "gone: type /act to start again, or /cancel to leave it.") in second
    assert "Cancelled. Nothing you typed has been kept." in second
    third, _ = await session(settings)
    assert "You were" not in third  # left: nothing to announce any more


async def test_an_open_how_many_question_is_announced(settings):
    await session(settings, *TO_REPORT_PROMPT, "#2")
    printed, _ = await session(settings, "3")
    assert "You were asked how many you sent when the last session ended" in printed
    assert await actions_in(settings) == [(3, "done")]


# -- 11. the console user's id and language --------------------------------------------------------


async def test_the_hint_names_the_console_user_and_that_id_is_an_organizer_when_listed(settings):
    printed, _ = await session(replace(settings, organizer_ids=frozenset({CONSOLE_USER_ID})), "/stats")
    assert printed.startswith(f"Console chat as Telegram user {CONSOLE_USER_ID} "
                              f"(ORGANIZER_IDS={CONSOLE_USER_ID} to try organizer commands).")
    assert "#N presses button N" in printed
    assert "This command is for organizers" not in printed
    assert "Actions" in printed  # the organizer's figures


async def test_lang_wins_over_a_language_stored_by_an_earlier_session(settings):
    chosen, _ = await session(settings, "/language", "#2", "/start")  # Español, stored
    assert "¡Hola, Console!" in chosen
    english, _ = await session(settings, "/start", lang="en")
    assert "Hello, Console!" in english and "¡Hola" not in english
    spanish, _ = await session(settings, "/start", lang="es")
    assert "¡Hola, Console!" in spanish


# -- --as-of: the bot's clock --------------------------------------------------------------------


async def test_as_of_sets_the_bots_today_and_says_so(settings):
    printed, console = await session(settings, "/act", as_of=date(2018, 9, 10))
    assert console.services.today() == date(2018, 9, 10)
    assert "The bot's clock is set to 2018-09-10 (--as-of)." in printed
    assert "27 September 2018 (17 days left)" in printed
    _, real = await session(settings, as_of=None)
    assert real.services.today() == date.today()


# -- the shipped case on today's clock, and as it ran ---------------------------------------


async def test_on_todays_clock_ua_150_18_is_an_archive_with_no_way_to_send_or_report(settings):
    """`make run` today: Take action says nothing is open; the case's screen is
    its archive (closed since 30 October 2018, and why), the past appeal has
    no link and no report button, and nothing can be counted."""
    printed, _ = await session(settings, "/start", "#3", "#2", "#1", "#1", as_of=None)  # #1: sign up
    assert "No case is open for action right now." in printed
    assert "This case closed on 30 October 2018." in printed
    assert "A past appeal, for the record only. Please do not send it" in printed
    assert "mail.google.com" not in printed and "twitter.com/intent" not in printed
    assert "I sent" not in printed and "I posted" not in printed  # no report buttons anywhere
    assert await actions_in(settings) == []


async def test_as_of_2018_09_10_runs_the_live_flow(settings):
    printed, _ = await session(settings, *TO_REPORT_PROMPT, "#1", as_of=date(2018, 9, 10))
    assert "Deadline:* 27 September 2018 (17 days left)." in printed
    assert "Did you send the email?" in printed
    assert await actions_in(settings) == [(1, "done")]


# -- 12. the letters' PDFs carry the typed name: none outlives the session or /forget ----------------


class WatchedLines:
    """Console input that notes which documents exist each time a line is read."""

    def __init__(self, lines: list[str], folder):
        self.lines, self.folder, self.seen = list(lines), folder, []

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        self.seen.append(sorted(p.name for p in self.folder.glob("*")) if self.folder.exists() else [])
        return f"{self.lines.pop(0)}\n" if self.lines else ""


async def test_a_letters_pdf_is_owner_only_deleted_at_forget_and_none_is_left_at_exit(settings):
    folder = settings.data_dir / "console-documents"
    folder.mkdir(parents=True)
    (folder / "left-by-a-killed-session.pdf").write_bytes(b"%PDF Zyxname")  # deleted at the next start
    letter = ["/start", "#3", "#1", "#1", "Zyxname Console", "Oaxaca", "#2", "#1"]
    console = build_console(settings, AS_OF)
    out = io.StringIO()
    lines = WatchedLines([*letter, "/forget", "#1"], folder)
    await run_console(console.application, console.api, stdin=lines, out=out, documents_dir=folder,
                      message_ids=console.message_ids, as_of=AS_OF)
    printed = out.getvalue()
    assert "(deleted when the console exits)]" in printed
    delivered = lines.seen[len(letter)]  # read just after the appeal came
    assert len(delivered) == 1 and delivered[0].endswith(".pdf")
    assert lines.seen[len(letter) + 1] == delivered  # still there while /forget asks
    assert lines.seen[len(letter) + 2] == []  # deleted by /forget
    assert list(folder.glob("*")) == []
    # A session that just exits deletes them too, and writes them owner-only meanwhile.
    modes = []
    console = build_console(settings, AS_OF)
    console.api.listeners.append(
        lambda call: modes.extend(p.stat().st_mode & 0o777 for p in folder.glob("*")))
    # /start after the letter: an API call while its PDF is on disk (the PDF is the appeal's last message)
    await run_console(console.application, console.api,
                      stdin=io.StringIO("".join(f"{x}\n" for x in [*letter, "/start"])),
                      out=io.StringIO(), documents_dir=folder, message_ids=console.message_ids, as_of=AS_OF)
    assert modes and set(modes) == {0o600}
    assert list(folder.glob("*")) == []


async def test_the_console_shows_the_pdfs_caption_edited_by_its_report_button(settings):
    """A letter's report prompt is its PDF's caption (issue 29): "I posted the
    letter" under it edits the caption, and the console prints the edit."""
    letter = ["/start", "#3", "#1", "#1", "Ana", "Oaxaca", "#2", "#1"]
    console = build_console(settings, AS_OF)
    out = io.StringIO()
    lines = io.StringIO("".join(f"{x}\n" for x in [*letter, "#1"]))
    await run_console(console.application, console.api, stdin=lines, out=out,
                      documents_dir=settings.data_dir / "console-documents", message_ids=console.message_ids,
                      as_of=AS_OF)
    printed = out.getvalue()
    assert "Did you post the letter?" in printed
    assert "🙏 Thank you! Your action is counted." in printed.split("Did you post the letter?")[-1]
