""" "Further information" sheets: an update appended to the case (never a new
case), dated, closed when the sheet says no further action is needed, or
with the new deadline it sets; the organizers' comments in campaign.yaml kept."""

from __future__ import annotations

import yaml

from tests.importer.helpers import SHEETS, copy_tree, run


def test_a_spanish_closing_sheet_closes_the_case_on_its_date(tmp_path, monkeypatch, capsys):
    copy_tree(tmp_path)
    assert run(monkeypatch, capsys, tmp_path, "import", str(SHEETS / "es-au-60-13-guatemala.txt"))[0] == 0
    path = tmp_path / "content" / "campaigns" / "ua-60-13" / "campaign.yaml"
    path.write_text("# kept: an organizer's note\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, tmp_path, "import", str(SHEETS / "es-au-60-13-guatemala-mas.txt"))
    assert code == 0 and "  status: closed (no further action)" in out
    assert sorted(p.name for p in (tmp_path / "content" / "campaigns").iterdir()) == ["ua-150-18", "ua-60-13"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# kept: an organizer's note\n")
    (update,) = yaml.safe_load(text)["updates"]
    assert (str(update["date"]), update["status"], update["title"]) == (
        "2013-06-06",
        "closed",
        {"en": "", "es": "LA DEFENSORA RECIBE PROTECCIÓN"},
    )
    assert update["text"]["es"].endswith(
        "No se requieren más acciones de la red de Acción Urgente. Muchas "
        "gracias a todas las personas que enviaron llamamientos."
    )
    assert [s["quote"] for s in update["sources"]][0] == (
        "MÁS INFORMACIÓN SOBRE AU: 60/13 Índice: AMR 34/009/2013 Guatemala Fecha: 6 de junio de 2013"
    )
    # The same sheet twice is refused, with nothing written.
    code, _, err = run(monkeypatch, capsys, tmp_path, "import", str(SHEETS / "es-au-60-13-guatemala-mas.txt"))
    assert (code, err) == (2, "error: import: ua-60-13 already has an update dated 2013-06-06\n")


def test_a_sheet_asking_for_more_appeals_sets_a_new_deadline(tmp_path, monkeypatch, capsys):
    copy_tree(tmp_path)
    assert run(monkeypatch, capsys, tmp_path, "import", str(SHEETS / "2006-ua-219-06-mexico.txt"))[0] == 0
    code, out, _ = run(
        monkeypatch, capsys, tmp_path, "import", str(SHEETS / "2007-ua-219-06-mexico-further.txt")
    )
    assert code == 0 and "  new deadline: 2007-03-05" in out
    data = yaml.safe_load(
        (tmp_path / "content/campaigns/ua-219-06/campaign.yaml").read_text(encoding="utf-8")
    )
    (update,) = data["updates"]
    assert (str(update["date"]), str(update["deadline"]), "status" in update) == (
        "2007-01-22",
        "2007-03-05",
        False,
    )


def test_dry_run_writes_nothing(tmp_path, monkeypatch, capsys):
    from tests.importer.helpers import snapshot

    copy_tree(tmp_path)
    before = snapshot(tmp_path)
    code, out, _ = run(
        monkeypatch, capsys, tmp_path, "import", "--dry-run", str(SHEETS / "2014-ua-45-14-philippines.txt")
    )
    assert code == 0 and out.startswith("Would import UA 45.14 as draft case ua-45-14 ")
    assert "  official: Eduardo Salcedo Lim (Chief of the National Police; address, email, twitter)" in out
    assert snapshot(tmp_path) == before
