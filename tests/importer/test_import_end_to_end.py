"""The organizer's whole path with a case sheet, through the real command
line and the real Application: import the sheet, fill what `check` names,
preview the case on a date inside it, send a letter through the chat, import
its "Further information" sheet, and see the case closed on its date."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import yaml

from bot.bot_api.simulator import Simulator
from bot.catalog import load_catalog
from bot.catalog.cases import visible
from bot.runtime import build_matcher
from tests.chat.test_take_action import channel_button
from tests.conftest import Clock, make_services, start_bot, stop_bot, texts_of
from tests.importer.helpers import SHEETS, copy_tree, run

CASE = "ua-95-19"
OFFICIAL = "adriana-solis-ferrer"


def at(year: int, month: int, day: int) -> float:
    return datetime(year, month, day, 12, tzinfo=UTC).timestamp()


def warnings_of(out: str) -> list[str]:
    return re.findall(r"^\d+\. (\S+:\d+): warning: (.*)$", out, re.MULTILINE)


def edit_yaml(path, change) -> None:
    """Fill fields as an organizer would (the test re-dumps; an organizer types)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def fill_case(data: dict) -> None:
    data["topics"] = ["safe-third-country"]
    data["title"]["es"] = "PERSONAS SOLICITANTES DE ASILO RETENIDAS EN UNA ESTACIÓN MIGRATORIA"
    data["summary"]["es"] = (
        "Cuarenta personas solicitantes de asilo de Guatemala y Honduras, entre ellas 12 "
        "niños y niñas, llevan más de seis semanas retenidas en la ficticia estación "
        "migratoria de Río Claro, en el sur de México."
    )
    for ask in data["asks"]:
        ask["es"] = "Le insto a garantizar que cada una de ellas pueda presentar su solicitud de asilo."
    for target in data["targets"]:
        for ask in target["asks"]:
            ask["es"] = "Le insto a garantizar que cada una de ellas pueda presentar su solicitud de asilo."


def fill_official(officials: list) -> None:
    (official,) = [o for o in officials if o["id"] == OFFICIAL]
    official["title"]["es"] = "comisionada del Instituto Nacional de Migración"
    official["organisation"]["es"] = "Instituto Nacional de Migración"
    official["salutation"]["es"] = "Estimada Señora Comisionada"


async def test_import_fill_preview_send_further_information_closes(tmp_path, monkeypatch, capsys, settings):
    content, seeds = copy_tree(tmp_path)
    case_dir = content / "campaigns" / CASE

    # 1. Import: a draft case, and what the sheet gave.
    code, out, err = run(monkeypatch, capsys, tmp_path, "import", str(SHEETS / "2019-ua-95-19-mexico.txt"))
    assert (code, err) == (0, "")
    assert out.startswith(f"Imported UA 95.19 as draft case {CASE} ")
    assert f"New officials added to officials.yaml: {OFFICIAL}" in out

    # 2. check: OK (the bot would start), with what is left as warnings, in working order.
    code, out, err = run(monkeypatch, capsys, tmp_path, "check")
    assert (code, err) == (0, "")
    # The unfinished draft and its new official are left out of the catalog until finished.
    assert out.startswith("content OK: 1 topic, 1 case, 2 officials")
    left = warnings_of(out)
    assert [m for _, m in left[:3]] == [
        "topics is empty: name the case's topics (see content/topics/)",
        "title.es is empty: the sheet does not print it; fill it in",
        "summary.es is empty: the sheet does not print it; fill it in",
    ]
    kinds = [
        0
        if "campaign.yaml" in w and "is a draft" not in m
        else 1
        if "officials.yaml" in w
        else 2
        if "templates" in w
        else 3
        for w, m in left
    ]
    assert kinds == sorted(kinds) and kinds[-1] == 3  # case, officials, templates, then the last step
    assert "official adriana-solis-ferrer: salutation.es is empty" in out
    assert left[-1][1].startswith(
        f"{CASE} is a draft, invisible to supporters; {len(left) - 1} thing(s) above are left."
    )

    # 3. Fill what check names: the case, the new official, the templates' DRAFT lines, the mark.
    edit_yaml(case_dir / "campaign.yaml", fill_case)
    edit_yaml(content / "officials.yaml", fill_official)
    for template in (case_dir / "templates").glob("*.j2"):
        text = template.read_text(encoding="utf-8")
        template.write_text(text.split("\n", 1)[1], encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, tmp_path, "check")
    assert code == 0 and [m for _, m in warnings_of(out)] == [
        f"{CASE} is a draft, invisible to supporters. Last step: preview its appeals (advocacy-bot letter "
        f"--campaign {CASE} …), remove `status: draft` (write `status: open`), run check, and preview the "
        "chat on a date inside the case (advocacy-bot console --as-of YYYY-MM-DD)"
    ]
    finished_draft = load_catalog(content, seeds).campaigns[CASE]  # loads now, and stays invisible
    assert not visible(finished_draft, datetime(2019, 7, 1).date())
    edit_yaml(case_dir / "campaign.yaml", lambda data: data.update(status="open"))
    code, out, _ = run(monkeypatch, capsys, tmp_path, "check")
    assert code == 0 and "warning" not in out
    assert out.startswith("content OK: 1 topic, 2 cases, 3 officials, ")

    # 4. Preview on a date inside the case, and send a letter through the chat.
    catalog = load_catalog(content, seeds)
    clock = Clock(at(2019, 7, 1))
    services = make_services(catalog, settings, clock, build_matcher(catalog), await _store(settings))
    application, api = await start_bot(services)
    try:
        user = Simulator(application, api, clock=clock).user()
        await user.send("/start")
        calls = await user.press("menu:act")  # the one open case (UA 150.18 closed in 2018): straight in
        screen = calls[-1]
        assert screen.text.startswith("<b>UA 95.19: ASYLUM SEEKERS HELD IN MIGRATION STATION</b>")
        assert "<b>Deadline:</b> 26 July 2019 (25 days left)." in screen.text
        await user.press(f"act:off:{OFFICIAL}")
        await user.press(channel_button(user, "en", "letter"))
        for _ in range(2):  # name, city
            await user.press("act:skip")
        await user.press("act:lang:en")
        calls = await user.press("act:skip")  # the sentence, asked after the language
        letter = "\n".join(texts_of(calls) + texts_of(calls, "sendDocument"))
        assert "Dear Commissioner," in letter
        assert (
            "I am writing to you about the forty asylum seekers held in the Río Claro migration station "
            "for more than six weeks. They include 12 children."
        ) in letter
        assert "I urge you to ensure that every one of them can file an asylum claim without delay" in letter
        calls = await user.press("✅ I posted the letter")
        assert calls[-1].text.startswith("🙏 Thank you! Your action is counted.")
        assert (await services.store.campaign_stats(CASE)).actions == 1
    finally:
        await stop_bot(application)

    # 5. The "Further information" sheet: an update, not a new case. The case is live, so what the
    # sheet does not print is an error until filled (check refuses; a running bot keeps its content).
    code, out, err = run(
        monkeypatch, capsys, tmp_path, "import", str(SHEETS / "2019-ua-95-19-mexico-further.txt")
    )
    assert code == 0, err
    assert out.startswith(f"Imported further information on UA 95.19, as an update to case {CASE} ")
    code, _, err = run(monkeypatch, capsys, tmp_path, "check")
    assert code == 1 and "updates[1].title.es' is empty" in err.replace("'updates", "updates")

    def fill_update(data: dict) -> None:
        (update,) = data["updates"]
        assert (str(update["date"]), update["status"]) == ("2019-07-30", "closed")
        update["title"]["es"] = "LAS PERSONAS SOLICITANTES DE ASILO PUDIERON PRESENTAR SUS SOLICITUDES"
        update["text"]["es"] = (
            "Las cuarenta personas pudieron presentar sus solicitudes de asilo, y los 12 "
            "niños y niñas y sus familias quedaron en libertad el 22 de julio de 2019. No "
            "se necesitan más acciones."
        )

    edit_yaml(case_dir / "campaign.yaml", fill_update)
    assert run(monkeypatch, capsys, tmp_path, "check")[0] == 0

    # 6. Closed on its date: open the day before, an archive from 30 July 2019.
    catalog = load_catalog(content, seeds)
    for day, closed in ((29, False), (30, True)):
        clock = Clock(at(2019, 7, day))
        services = make_services(catalog, settings, clock, build_matcher(catalog), await _store(settings))
        application, api = await start_bot(services)
        try:
            user = Simulator(application, api, clock=clock).user(5000 + day)
            await user.send("/start")
            calls = await user.press("menu:past" if closed else "menu:act")
            if closed:
                assert calls[-1].button_texts()[0] == (
                    "UA 95.19: ASYLUM SEEKERS HELD IN MIGRATION STATION"
                )  # most recently closed first
                calls = await user.press("UA 95.19: ASYLUM SEEKERS HELD IN MIGRATION STATION")
                assert "🗄 <b>This case closed on 30 July 2019.</b>" in calls[-1].text
                assert "1 action was reported through this bot, by 1 supporter." in calls[-1].text
            else:
                assert calls[-1].text.startswith("<b>UA 95.19: ASYLUM SEEKERS HELD IN MIGRATION STATION</b>")
        finally:
            await stop_bot(application)
            await services.store.close()


async def _store(settings):
    from bot.store import open_store

    return await open_store(settings.database_path)
