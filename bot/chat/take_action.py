"""Take action: from "Take action" to a finished, personal appeal.

One ConversationHandler, read top to bottom: case → official → channel →
name → city → language → personal sentence → the appeal, delivered. The
language comes before the sentence so that the supporter knows which
language the sentence goes into (it goes in as typed). Each
step has a Back button to the one before, /cancel leaves from anywhere, and
30 minutes of silence ends the flow with a note (`flows.py`). What the
supporter typed is kept only in memory, in `user_data["flow"]`, while the
flow runs (never on disk: a restart asks for it again), and is removed the
moment the appeal is delivered (or the flow is cancelled or times out).

Only cases open for action today are offered, and only officials who hold
the post today (`bot.catalog.cases`); a case that closes while a supporter writes is
checked again before the appeal is delivered. Closed cases are archives
(`archive.py`). Reporting ("Did you send it?") is in `report.py`: its buttons
carry all they need, so they work after the flow has ended or the bot has
restarted.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.appeals.letter_pdf import unsupported_characters
from bot.appeals.render import (
    TWEET_LIMIT,
    SupporterDetails,
    email_compose_url,
    speaking_seconds,
    tweet_intent_url,
    tweet_length,
)
from bot.appeals.supporter_input import CITY_MAX, NAME_MAX, SENTENCE_MAX, Refused, clean
from bot.bot_api.transport import MAX_TEXT
from bot.catalog import Campaign, Official, offered_channels
from bot.catalog.cases import actionable_cases
from bot.catalog.dates import language_name
from bot.catalog.i18n import Html
from bot.chat import archive, flows, letter_paper, report, routing, updates
from bot.chat.case_screens import campaign_screen
from bot.chat.context import BotContext, answer_stale, keyboard, reply, short_label
from bot.chat.delivery import queue_long, send_later
from bot.chat.flows import APPEAL_KEY, PERSONAL_FIELDS
from bot.chat.menu import ACT, HOME, PAST, main_menu
from bot.chat.prompt_message import fits_caption
from bot.chat.signup_offer import offer_row
from bot.core.telegram_html import escape

# Conversation states, in the order a supporter meets them.
CAMPAIGN, OFFICIAL, CHANNEL, NAME, CITY, SENTENCE, LANGUAGE = range(7)

FLOW_KEY = APPEAL_KEY
LETTER_DAYS_NEEDED = 7
CHANNEL_ICONS = {"letter": "✉️", "email": "📧", "call": "📞", "tweet": "🐦"}

PICK_CAMPAIGN = "act:camp:"
PICK_OFFICIAL = "act:off:"
PICK_CHANNEL = "act:ch:"
PICK_LANGUAGE = "act:lang:"
SKIP = "act:skip"
BACK = "act:back"
CANCEL = "act:cancel"
LIMITS = {"name": NAME_MAX, "city": CITY_MAX, "sentence": SENTENCE_MAX}


# -- helpers -----------------------------------------------------------------

def _flow(context: BotContext) -> dict:
    return context.user_data.setdefault(FLOW_KEY, {})


def _end_flow(context: BotContext) -> None:
    context.user_data.pop(FLOW_KEY, None)


def _campaign(context: BotContext) -> Campaign:
    return context.services.catalog.campaigns[_flow(context)["campaign"]]


def _official(context: BotContext) -> Official:
    return context.services.catalog.officials[_flow(context)["official"]]


def _label(context: BotContext, update: Update, key: str) -> str:
    return context.services.texts.plain(context.lang(update), key)


def _nav(context: BotContext, update: Update, *extra: list[tuple[str, str]]):
    """Extra rows, then Back and Cancel."""
    return keyboard([*extra, [(_label(context, update, "act.back"), BACK),
                              (_label(context, update, "act.cancel"), CANCEL)]])


def recommended_channel(available: list[str], remaining: int | None) -> str | None:
    """A posted letter only when a week or more remains; otherwise the fastest."""
    if remaining is None:
        return None
    order = ("letter", "email", "tweet", "call") if remaining >= LETTER_DAYS_NEEDED else (
        "email", "tweet", "call", "letter")
    return next((c for c in order if c in available), None)


# -- the steps ---------------------------------------------------------------

async def start(update: Update, context: BotContext) -> int:
    """Entry: the cases open for action, soonest deadline first; with exactly
    one, straight to it; with none, say so and point to past cases."""
    flows.begin(context, FLOW_KEY, {})
    running = actionable_cases(context.services.catalog, context.services.today())
    if not running:
        _end_flow(context)
        markup = keyboard([offer_row(context, update),
                           [(_label(context, update, "menu.past"), PAST),
                            (_label(context, update, "menu.home"), HOME)]])
        await reply(update, context.t(update, "act.no_open_case"), markup, edit=True)
        return ConversationHandler.END
    if len(running) == 1:
        _flow(context)["campaign"] = running[0].campaign.id
        return await ask_official(update, context)
    return await ask_campaign(update, context)


async def ask_campaign(update: Update, context: BotContext) -> int:
    lang = context.lang(update)
    running = actionable_cases(context.services.catalog, context.services.today())
    rows = [[(short_label(f"{s.campaign.reference}: {s.campaign.title.get(lang)}"),
              f"{PICK_CAMPAIGN}{s.campaign.id}")] for s in running]
    rows.append([(_label(context, update, "act.cancel"), CANCEL)])
    await reply(update, context.t(update, "act.choose_campaign"), keyboard(rows), edit=True)
    return CAMPAIGN


async def pick_campaign(update: Update, context: BotContext) -> int:
    campaign = context.campaign(update.callback_query.data.removeprefix(PICK_CAMPAIGN))
    if campaign is None:
        await answer_stale(update, context)  # forged or from old content: the list stays
        return CAMPAIGN
    _flow(context)["campaign"] = campaign.id
    return await ask_official(update, context)


async def ask_official(update: Update, context: BotContext) -> int:
    """The case screen, with the officials to write to as buttons; a case that
    can no longer be acted on shows its archive instead."""
    status = context.status(_campaign(context))
    if not status.actionable:
        _end_flow(context)
        await archive.show_case(update, context, status)
        return ConversationHandler.END
    lang = context.lang(update)
    officials = context.services.catalog.officials
    rows = [[(short_label(f"{officials[t.official].name} — {officials[t.official].title.get(lang)}", 64),
              f"{PICK_OFFICIAL}{t.official}")] for t in status.writable]
    text = Html(campaign_screen(context, update, status) + "\n\n" + context.t(update, "act.choose_official"))
    rows.append(updates.follow_row(context, update, status.campaign.id))
    await reply(update, text, _nav(context, update, *rows), edit=True)
    return OFFICIAL


async def pick_official(update: Update, context: BotContext) -> int:
    official_id = update.callback_query.data.removeprefix(PICK_OFFICIAL)
    status = context.status(_campaign(context))
    if not status.actionable:
        return await ask_official(update, context)  # closed meanwhile: the archive
    if not status.can_write_to(official_id):
        await answer_stale(update, context)  # forged, or no longer in office: the screen stays
        return OFFICIAL
    _flow(context)["official"] = official_id
    return await ask_channel(update, context)


async def ask_channel(update: Update, context: BotContext) -> int:
    campaign, official = _campaign(context), _official(context)
    available = offered_channels(campaign, official)
    status = context.status(campaign)
    best = recommended_channel(available, status.days_left)
    rows = []
    for channel in sorted(available, key=lambda c: c != best):
        label = f"{CHANNEL_ICONS[channel]} {_label(context, update, f'channel.{channel}')}"
        if channel == best:
            label = f"⭐ {label} {_label(context, update, 'act.recommended')}"
        rows.append([(label, f"{PICK_CHANNEL}{channel}")])
    text = context.t(update, "act.choose_channel", name=official.name,
                     title=official.title.get(context.lang(update)))
    if best == "letter":
        text = Html(text + "\n\n" + context.t(update, "act.why_letter"))
    elif best is not None and "letter" in available:
        text = Html(text + "\n\n" + context.t(update, "act.why_not_letter"))
    await reply(update, text, _nav(context, update, *rows), edit=True)
    return CHANNEL


async def pick_channel(update: Update, context: BotContext) -> int:
    channel = update.callback_query.data.removeprefix(PICK_CHANNEL)
    if channel not in offered_channels(_campaign(context), _official(context)):
        await answer_stale(update, context)
        return CHANNEL
    _flow(context)["channel"] = channel
    if channel == "tweet":  # a tweet is signed by the account: only the sentence is asked
        _flow(context).update(name="", city="")
        return await ask_language(update, context)
    return await ask_name(update, context)


async def _ask_text(update: Update, context: BotContext, key: str, state: int,
                    notice: Html | None = None, after: Html | None = None, **values: object) -> int:
    text = context.t(update, key, **values)
    if after:
        text = Html(text + "\n\n" + after)
    if notice:
        text = Html(notice + "\n\n" + text)
    markup = _nav(context, update, [(_label(context, update, "act.skip"), SKIP)])
    await reply(update, text, markup, edit=notice is None)
    return state


def _calling(context: BotContext) -> bool:
    return _flow(context).get("channel") == "call"


async def ask_name(update: Update, context: BotContext, notice: Html | None = None) -> int:
    """A call is not signed: the supporter says a name, or none."""
    key = "act.ask_name_call" if _calling(context) else "act.ask_name"
    return await _ask_text(update, context, key, NAME, notice)


async def ask_city(update: Update, context: BotContext, notice: Html | None = None) -> int:
    key = "act.ask_city_call" if _calling(context) else "act.ask_city"
    return await _ask_text(update, context, key, CITY, notice)


async def ask_sentence(update: Update, context: BotContext, notice: Html | None = None) -> int:
    """With the real limit up front (for a tweet, what still fits in it), and,
    when the appeal is in another language than the supporter's, which one:
    the sentence goes into it as typed."""
    lang, mine = _flow(context).get("lang"), context.lang(update)
    after = None
    if lang is not None and lang != mine:
        after = context.t(update, "act.sentence_language", language=language_name(lang, mine))
    return await _ask_text(update, context, "act.ask_sentence", SENTENCE, notice, after,
                           limit=_limit(context, update, "sentence"))


def _limit(context: BotContext, update: Update, field: str) -> int:
    """The field's limit; for a tweet's sentence, what still fits in 280 characters."""
    if field == "sentence" and _flow(context).get("channel") == "tweet":
        # The language is chosen before the sentence: it must fit the tweet in that language.
        render, campaign, official = context.services.appeals.render, _campaign(context), _official(context)
        chosen = _flow(context).get("lang")
        longest = max(tweet_length(render(campaign, official, "tweet", lang, SupporterDetails(),
                                          context.services.today()).body.strip())
                      for lang in ((chosen,) if chosen else _appeal_languages(context, update)))
        return max(0, TWEET_LIMIT - longest - 1)
    return LIMITS[field]


def _refusal(context: BotContext, update: Update, field: str, value: str) -> Html | None:
    """Why this value cannot go into the appeal, or None when it can."""
    if isinstance(cleaned := clean(value, _limit(context, update, field)), Refused):
        return context.t(update, cleaned.reason, limit=cleaned.limit, length=cleaned.length)
    if _flow(context).get("channel") == "letter" and (missing := unsupported_characters(cleaned)):
        return context.t(update, "input.not_printable", characters=" ".join(missing[:10]))
    return None


def _lost_field(flow: dict) -> str | None:
    """A field typed before a restart: it was kept in memory only, so it is gone."""
    return next((f for f in PERSONAL_FIELDS if f in flow and flow[f] is None), None)


async def _ask_again(update: Update, context: BotContext, field: str) -> int:
    """Ask again from the first lost field on, saying why."""
    flow = _flow(context)
    for later in PERSONAL_FIELDS[PERSONAL_FIELDS.index(field):]:
        flow.pop(later, None)
    asker = {"name": ask_name, "city": ask_city, "sentence": ask_sentence}[field]
    return await asker(update, context, notice=context.t(update, "act.retype"))


async def _earlier_input_lost(update: Update, context: BotContext) -> int | None:
    """After a restart, the first answer that comes says so at once and asks
    again from the lost field, instead of three steps later at delivery."""
    if (lost := _lost_field(_flow(context))) is not None:
        return await _ask_again(update, context, lost)
    return None


async def _got_text(update: Update, context: BotContext, field: str, again, then) -> int:
    if (asked := await _earlier_input_lost(update, context)) is not None:
        return asked
    value = update.effective_message.text or ""
    if (problem := _refusal(context, update, field, value)) is not None:
        return await again(update, context, notice=problem)
    _flow(context)[field] = clean(value, _limit(context, update, field))
    return await then(update, context)


async def got_name(update: Update, context: BotContext) -> int:
    return await _got_text(update, context, "name", ask_name, ask_city)


async def got_city(update: Update, context: BotContext) -> int:
    return await _got_text(update, context, "city", ask_city, ask_language)


async def got_sentence(update: Update, context: BotContext) -> int:
    return await _got_text(update, context, "sentence", ask_sentence, deliver)


async def skip_name(update: Update, context: BotContext) -> int:
    if (asked := await _earlier_input_lost(update, context)) is not None:
        return asked
    _flow(context)["name"] = ""
    return await ask_city(update, context)


async def skip_city(update: Update, context: BotContext) -> int:
    if (asked := await _earlier_input_lost(update, context)) is not None:
        return asked
    _flow(context)["city"] = ""
    return await ask_language(update, context)


async def skip_sentence(update: Update, context: BotContext) -> int:
    if (asked := await _earlier_input_lost(update, context)) is not None:
        return asked
    _flow(context)["sentence"] = ""
    return await deliver(update, context)


def _appeal_languages(context: BotContext, update: Update) -> tuple[str, ...]:
    """The languages this appeal can be in: the official's, then the supporter's."""
    return tuple(dict.fromkeys((_official(context).language, context.lang(update))))


def _language_label(context: BotContext, update: Update, key: str, lang: str) -> str:
    """A language button: its name from Babel, in the supporter's language,
    capitalised as it starts the label ("Portuguese", "Portugués")."""
    name = language_name(lang, context.lang(update))
    return context.services.texts.plain(context.lang(update), key, language=name[:1].upper() + name[1:])


async def ask_language(update: Update, context: BotContext) -> int:
    """Skipped when the supporter reads the official's language."""
    official = _official(context)
    mine = context.lang(update)
    if official.language == mine:
        _flow(context)["lang"] = mine
        return await ask_sentence(update, context)
    theirs = [(_language_label(context, update, "act.lang_official", official.language),
               f"{PICK_LANGUAGE}{official.language}")]
    own = [(_language_label(context, update, "act.lang_mine", mine), f"{PICK_LANGUAGE}{mine}")]
    await reply(update, context.t(update, "act.choose_language", name=official.name),
                _nav(context, update, theirs, own), edit=True)
    return LANGUAGE


async def pick_language(update: Update, context: BotContext) -> int:
    lang = update.callback_query.data.removeprefix(PICK_LANGUAGE)
    if lang not in _appeal_languages(context, update):
        await answer_stale(update, context)
        return LANGUAGE
    if (asked := await _earlier_input_lost(update, context)) is not None:
        return asked
    _flow(context)["lang"] = lang
    return await ask_sentence(update, context)


# -- delivery ----------------------------------------------------------------

async def deliver(update: Update, context: BotContext) -> int:
    """Send the appeal by channel, then forget what was typed and ask for the report."""
    flow = _flow(context)
    if (lost := _lost_field(flow)) is not None:
        return await _ask_again(update, context, lost)
    campaign, official = _campaign(context), _official(context)
    if not context.status(campaign).can_write_to(official.id):  # closed, or left office, mid-flow
        _end_flow(context)
        await reply(update, context.t(update, "act.case_changed"), main_menu(context, update),
                    edit=update.callback_query is not None)
        return ConversationHandler.END
    channel, lang, mine = flow["channel"], flow["lang"], context.lang(update)
    details = SupporterDetails(**{f: flow.get(f, "") for f in PERSONAL_FIELDS})
    render = context.services.appeals.render
    today = context.services.today()
    appeal = render(campaign, official, channel, lang, details, today)
    if update.callback_query:
        await update.callback_query.answer()
    parts = SENDERS[channel](update, context, official, appeal, language_name(lang, mine))
    if lang != mine:
        other = render(campaign, official, channel, mine, details, today)
        # "what you are signing" fits a letter or an email, not a call script or a tweet
        intro = {"call": "act.translation_call", "tweet": "act.translation_tweet"}.get(channel,
                                                                                     "act.translation")
        parts = _with_translation(parts, Html(context.t(update, intro) + "\n\n" + escape(_full_text(other))))
    # Queued and sent once this handler has returned (outbox.py), back to back while the chat's
    # budget lasts (send_budget.py: a few at once, then one a second): the fewer messages, the sooner.
    for text, markup in parts:
        queue_long(update, context, text, markup)
    prompt = report.prompt(update, context, campaign.id, official.id, channel, lang)
    if channel == "letter":
        _queue_pdf(update, context, official, appeal, prompt)
    else:
        send_later(update, context, _sending(update, *prompt))
    for personal in PERSONAL_FIELDS:
        flow.pop(personal, None)
    _end_flow(context)
    return ConversationHandler.END


def _full_text(appeal) -> str:
    return f"{appeal.subject}\n\n{appeal.body}" if appeal.subject else appeal.body


def _sending(update: Update, text: str, markup=None):
    return lambda: update.effective_chat.send_message(text, reply_markup=markup)


# An appeal's messages, each (HTML, keyboard or None); a text over Telegram's 4,096
# characters goes in pieces (delivery.queue_long).
Part = tuple[Html, InlineKeyboardMarkup | None]


def _with_translation(parts: list[Part], translation: Html) -> list[Part]:
    """The translation joins the appeal's last message when both fit in one, else follows it."""
    *before, (last, markup) = parts
    joined = Html(last.rstrip() + "\n\n" + translation)
    if len(joined) <= MAX_TEXT:
        return [*before, (joined, markup)]
    return [*parts, (translation, None)]


def _queue_pdf(update, context, official, appeal, prompt: tuple[Html, InlineKeyboardMarkup]) -> None:
    """The letter's PDF, carrying the report prompt as its caption when it fits
    (Telegram's 1,024 characters), else followed by the prompt on its own."""
    user = update.effective_user
    paper = letter_paper.paper_for_language(user.language_code if user else None)
    letter = letter_paper.DeliveredLetter(appeal.body, official.name, official.id, appeal.lang,
                                          update.effective_chat.id)
    carried = prompt if fits_caption(letter_paper.caption(update, context, paper, prompt[0])) else None
    rendering = letter_paper.start_rendering(letter, paper)  # while the messages before it are sent
    send_later(update, context, lambda: letter_paper.send_pdf(
        update, context, letter, paper, offer_other=True, prompt=carried, rendering=rendering))
    if carried is None:
        send_later(update, context, _sending(update, *prompt))


def _letter_parts(update, context, official, appeal, language_name) -> list[Part]:
    """The letter's text (the PDF, which follows, carries the report prompt)."""
    return [(Html(context.t(update, "act.letter_intro", name=official.name, language=language_name)
                  + "\n\n" + escape(appeal.body)), None)]


def _email_parts(update, context, official, appeal, language_name) -> list[Part]:
    """The address, the subject and the text in one message, each tap-to-copy
    (the text in a block, copied whole), with the link that opens it ready to
    send; the text in its own message when all of it would not fit in one."""
    link = email_compose_url(official.email, appeal.subject, appeal.body)
    markup = keyboard([[(_label(context, update, "act.open_gmail"), link)]])
    values = {"email": official.email, "subject": appeal.subject, "language": language_name}
    whole = Html(context.t(update, "act.email_whole", **values) + "\n<pre>" + escape(appeal.body.strip())
                 + "</pre>")
    if len(whole) <= MAX_TEXT:
        return [(whole, markup)]
    return [(context.t(update, "act.email_to", **values), None), (Html(escape(appeal.body)), markup)]


def _call_parts(update, context, official, appeal, language_name) -> list[Part]:
    seconds = round(speaking_seconds(appeal.body) / 5) * 5 or 5
    # The number is the office's (an embassy's switchboard), not the official's own line.
    intro = context.t(update, "act.call_intro", name=official.name, phone=official.phone,
                      organisation=official.organisation.get(context.lang(update)),
                      seconds=seconds, language=language_name)
    return [(Html(intro + "\n\n" + escape(appeal.body)), None)]


def _tweet_parts(update, context, official, appeal, language_name) -> list[Part]:
    text = appeal.body.strip()
    intro = context.t(update, "act.tweet_intro", length=tweet_length(text), limit=TWEET_LIMIT)
    markup = keyboard([[(_label(context, update, "act.post_tweet"), tweet_intent_url(text))]])
    return [(Html(intro + "\n\n" + escape(text)), markup)]


SENDERS = {"letter": _letter_parts, "email": _email_parts, "call": _call_parts, "tweet": _tweet_parts}


# -- leaving -----------------------------------------------------------------

async def back(update: Update, context: BotContext) -> int:
    """One step back from wherever the supporter is."""
    flow = _flow(context)
    if "lang" in flow:  # at the sentence: back to the language choice, or before it if none was offered
        flow.pop("lang")
        if len(_appeal_languages(context, update)) > 1:
            return await ask_language(update, context)
    if flow.get("channel") == "tweet" and "city" in flow:  # the tweet skipped name and city
        for key in ("city", "name", "channel"):
            flow.pop(key)
        return await ask_channel(update, context)
    if "city" in flow:
        flow.pop("city")
        return await ask_city(update, context)
    if "name" in flow:
        flow.pop("name")
        return await ask_name(update, context)
    if "channel" in flow:
        flow.pop("channel")
        return await ask_channel(update, context)
    if "official" in flow:
        flow.pop("official")
        return await ask_official(update, context)
    if "campaign" in flow and len(actionable_cases(context.services.catalog, context.services.today())) > 1:
        flow.pop("campaign")
        return await ask_campaign(update, context)
    return await cancel(update, context)


async def cancel(update: Update, context: BotContext) -> int:
    _end_flow(context)
    await reply(update, context.t(update, "act.cancelled"), main_menu(context, update), edit=True)
    return ConversationHandler.END


async def use_the_buttons(update: Update, context: BotContext) -> None:
    """Text typed where a button is expected: say so, keep the step."""
    await update.effective_message.reply_text(context.t(update, "act.use_buttons"))


def conversation(persistent: bool) -> ConversationHandler:
    """The flow; it expires after silence through `flows.py`, not a timeout job."""
    typed = filters.TEXT & ~filters.COMMAND
    back_button = CallbackQueryHandler(back, pattern=f"^{BACK}$")
    return routing.QuickConversation(
        entry_points=[CallbackQueryHandler(start, pattern=f"^{ACT}$"), CommandHandler("act", start)],
        states={
            CAMPAIGN: [CallbackQueryHandler(pick_campaign, pattern=f"^{PICK_CAMPAIGN}")],
            OFFICIAL: [CallbackQueryHandler(pick_official, pattern=f"^{PICK_OFFICIAL}"), back_button],
            CHANNEL: [CallbackQueryHandler(pick_channel, pattern=f"^{PICK_CHANNEL}"), back_button],
            NAME: [MessageHandler(typed, got_name), CallbackQueryHandler(skip_name, pattern=f"^{SKIP}$"),
                   back_button],
            CITY: [MessageHandler(typed, got_city), CallbackQueryHandler(skip_city, pattern=f"^{SKIP}$"),
                   back_button],
            SENTENCE: [MessageHandler(typed, got_sentence),
                       CallbackQueryHandler(skip_sentence, pattern=f"^{SKIP}$"), back_button],
            LANGUAGE: [CallbackQueryHandler(pick_language, pattern=f"^{PICK_LANGUAGE}"), back_button],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(cancel, pattern=f"^{CANCEL}$"),
            MessageHandler(typed, use_the_buttons),
        ],
        allow_reentry=True,
        name="take_action",
        persistent=persistent,
    )
