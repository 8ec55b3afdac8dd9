"""Referral entries (`kind: referral`), `related:` links and the general office: validation, the shipped entries,
and that each referral is found by citizens' questions it does not list itself (real index, real model)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from knowledge.articles import (
    REFERRAL_OFFICE_PREFIX,
    ArticleError,
    general_office,
    load_offices,
    scan_folder,
)

from .conftest import DEMO_ARTICLES, OFFICES, write_article

GENERAL_OFFICES = OFFICES.replace(
    "  department: buergerbuero\n", '  department: buergerbuero\n  general: true\n  service_number: 115\n', 1
)


def _referral(office: str, *, url: str | None = "https://www.finanzamt.example", extra: str = "") -> str:
    lines = [
        "---",
        "id: finanzamt",
        'title: "Steuerfragen: Finanzamt"',
        "summary: Dafür ist das Finanzamt zuständig, nicht die Stadtverwaltung.",
        "kind: referral",
        "office:",
        textwrap.indent(textwrap.dedent(office).strip(), "  "),
        *([f"url: {url}"] if url else []),
        "updated: 2026-11-30",
        "questions: [Steuererklärung abgeben, Steuerklasse wechseln, Einkommensteuer Frage]",
        *([extra] if extra else []),
        "---",
        "## Wofür das Finanzamt zuständig ist",
        "Einkommensteuer und Lohnsteuer.",
        "",
    ]
    return "\n".join(lines)


def _folder(tmp_path: Path, offices: str = GENERAL_OFFICES) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir(parents=True)
    (folder / "_offices.yml").write_text(offices, encoding="utf-8")
    write_article(folder, "personalausweis")
    write_article(folder, "hundesteuer")
    return folder


def _errors_of(scan, path: str) -> list[ArticleError]:
    return [e for e in scan.errors if e.path == path]


# --- validation ---------------------------------------------------------------------------------------------


def test_referral_with_inline_office_gets_the_general_offices_queue(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "finanzamt.md").write_text(_referral('name: Finanzamt Teststadt\nphone: "01234 4060-0"'), "utf-8")
    scan = scan_folder(folder)
    assert scan.errors == []
    article = scan.articles["finanzamt"]
    assert article.kind == "referral"
    assert article.office.name == "Finanzamt Teststadt" and article.office.phone == "01234 4060-0"
    # No department written: hand-overs go to the general contact's queue, and the office key can never be
    # mistaken for a city office's key.
    assert article.office.department == "buergerbuero"
    assert article.office.key == f"{REFERRAL_OFFICE_PREFIX}finanzamt" and article.office.key not in scan.offices
    assert scan.articles["hundesteuer"].kind == "service"


def test_referral_department_written_by_the_editor_wins(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "finanzamt.md").write_text(_referral("name: Finanzamt\ndepartment: steuern", url="https://x.example"), "utf-8")
    scan = scan_folder(folder)
    assert scan.errors == [] and scan.articles["finanzamt"].office.department == "steuern"


def test_referral_without_any_contact_is_an_error_naming_file_and_field(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "finanzamt.md").write_text(_referral("name: Finanzamt\naddress: Schillerstraße 20", url=None), "utf-8")
    scan = scan_folder(folder)
    [error] = _errors_of(scan, "finanzamt.md")
    assert error.field == "office" and error.line == 6
    assert "Kontakt fehlt" in error.message and "phone" in error.message and "url" in error.message
    assert "finanzamt" not in scan.articles and "finanzamt.md" in scan.failed_paths
    assert str(error).startswith("finanzamt.md:6: office: Kontakt fehlt")


def test_referral_office_needs_a_name_and_a_general_office_or_department(tmp_path: Path) -> None:
    folder = _folder(tmp_path, offices=OFFICES)  # no office marked general
    (folder / "ohne-name.md").write_text(_referral('phone: "01234 1"\ndepartment: steuern').replace(
        "id: finanzamt", "id: ohne-name"), "utf-8")
    (folder / "ohne-queue.md").write_text(_referral('name: Finanzamt\nphone: "01234 1"').replace(
        "id: finanzamt", "id: ohne-queue"), "utf-8")
    scan = scan_folder(folder)
    assert [(e.field, e.message) for e in _errors_of(scan, "ohne-name.md")] == [("office.name", "Pflichtfeld fehlt")]
    [queue] = _errors_of(scan, "ohne-queue.md")
    assert queue.field == "office.department" and "general: true" in queue.message


def test_general_is_refused_inside_an_article_and_kind_must_be_known(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "finanzamt.md").write_text(
        _referral('name: Finanzamt\nphone: "01234 1"\ngeneral: true').replace("kind: referral", "kind: referal"),
        "utf-8",
    )
    scan = scan_folder(folder)
    errors = {e.field: e for e in _errors_of(scan, "finanzamt.md")}
    assert set(errors) == {"kind", "office.general"}
    assert errors["kind"].message == "muss 'service' oder 'referral' sein" and errors["kind"].line == 5
    assert "_offices.yml" in errors["office.general"].message and errors["office.general"].line == 9


def test_unknown_or_own_related_id_is_reported_and_the_article_keeps_serving(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    write_article(folder, "sperrmuell")
    text = (folder / "hundesteuer.md").read_text("utf-8").replace(
        "keywords:", "related: [personalausweis, hundestuer, hundesteuer, sperrmuell]\nkeywords:")
    (folder / "hundesteuer.md").write_text(text, "utf-8")
    scan = scan_folder(folder)
    errors = _errors_of(scan, "hundesteuer.md")
    assert [(e.field, e.line) for e in errors] == [("related", 12), ("related", 12)]
    assert "unbekannte Artikel-id 'hundestuer'" in errors[0].message
    assert "verweist auf den Artikel selbst ('hundesteuer')" in errors[1].message
    # Still online, without the broken links; not counted as a broken file.
    assert scan.articles["hundesteuer"].related == ["personalausweis", "sperrmuell"]
    assert "hundesteuer.md" not in scan.failed_paths

    # The link target disappears: the link is reported and dropped, and comes back with the target.
    (folder / "sperrmuell.md").unlink()
    scan = scan_folder(folder)
    assert scan.articles["hundesteuer"].related == ["personalausweis"]
    assert any("'sperrmuell'" in e.message for e in _errors_of(scan, "hundesteuer.md"))


def test_related_may_point_at_an_article_whose_file_is_broken_but_still_serves(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = (folder / "hundesteuer.md").read_text("utf-8").replace("keywords:", "related: personalausweis\nkeywords:")
    (folder / "hundesteuer.md").write_text(text, "utf-8")
    (folder / "personalausweis.md").write_text("---\nid: personalausweis\ntitle: [kaputt\n---\n", "utf-8")
    scan = scan_folder(folder, live_paths={"personalausweis": "personalausweis.md"})
    assert _errors_of(scan, "hundesteuer.md") == []
    assert scan.articles["hundesteuer"].related == ["personalausweis"]


def test_only_one_office_may_be_general(tmp_path: Path) -> None:
    offices = GENERAL_OFFICES.replace("  department: steuern\n", "  department: steuern\n  general: true\n")
    folder = _folder(tmp_path, offices=offices)
    result = load_offices(folder)
    [error] = result.errors
    assert error.path == "_offices.yml" and error.field == "steueramt.general"
    assert error.message == "nur ein Amt darf 'general: true' haben (schon bei 'buergerbuero')"
    assert error.line == offices.splitlines().index("  general: true", 5) + 1
    # Both offices stay usable; the first keeps the mark.
    assert set(result.offices) == {"buergerbuero", "steueramt"} and not result.offices["steueramt"].general
    assert general_office(result.offices).key == "buergerbuero"
    assert scan_folder(folder).articles["hundesteuer"].office.name == "Steueramt Teststadt"


def test_general_office_and_service_number_are_read_as_written(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    office = general_office(load_offices(folder).offices)
    assert office.key == "buergerbuero" and office.service_number == "115"  # YAML number, kept as text
    assert general_office(load_offices(_folder(tmp_path / "plain", offices=OFFICES)).offices) is None


def test_index_persisted_before_these_fields_still_loads(small_kb, make_service, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    make_service(small_kb, index_dir).load()
    # What an index written by the previous version holds: articles and offices without the new fields.
    for stored in (index_dir / "articles").glob("*.json"):
        data = json.loads(stored.read_text("utf-8"))
        for key in ("kind", "related"):
            data.pop(key)
        for key in ("general", "service_number"):
            data["office"].pop(key)
        stored.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    # hundesteuer.md is broken now, so its stored version has to serve.
    (small_kb / "hundesteuer.md").write_text("---\nid: hundesteuer\ntitle: [kaputt\n---\n", "utf-8")
    restarted = make_service(small_kb, index_dir)
    stats = restarted.load()
    article = restarted.get_article("hundesteuer")
    assert article is not None and article.kind == "service" and article.related == []
    assert article.office.general is False and article.office.service_number is None
    assert stats.chunks_embedded == 0  # the stored vectors were trusted, not re-embedded


# --- the shipped referral entries ---------------------------------------------------------------------------


def _demo_referrals():
    scan = scan_folder(DEMO_ARTICLES)
    return scan, sorted((a for a in scan.articles.values() if a.kind == "referral"), key=lambda a: a.id)


def test_every_shipped_referral_parses_and_follows_the_editorial_rules() -> None:
    scan, referrals = _demo_referrals()
    assert scan.errors == [], [str(e) for e in scan.errors]
    assert len(referrals) >= 28
    life_events = {p.name for p in DEMO_ARTICLES.iterdir() if p.is_dir() and p.name != "zustaendigkeiten"}
    general = general_office(scan.offices)
    assert general is not None and general.key == "buergerbuero" and general.service_number == "115"
    problems = []
    for article in referrals:
        where = article.path
        if not article.path.startswith("zustaendigkeiten/"):
            problems.append((where, "not in zustaendigkeiten/"))
        if not (article.summary.startswith("Dafür ") and "zuständig, nicht die Stadtverwaltung" in article.summary):
            problems.append((where, "summary does not start with 'Dafür ist … zuständig, nicht die Stadtverwaltung'"))
        if len(article.questions) < 5:
            problems.append((where, "fewer than 5 questions"))
        if not article.office.key.startswith(REFERRAL_OFFICE_PREFIX):
            problems.append((where, "office is not the external body written inline"))
        if not (set(article.lebenslagen) <= life_events and article.lebenslagen):
            problems.append((where, f"lebenslagen {article.lebenslagen}"))
        if not article.keywords or not article.url:
            problems.append((where, "keywords or url missing"))
        if not any(s.heading.startswith("So ") for s in article.sections):
            problems.append((where, "no 'So erreichen Sie …' section"))
        if article.related and not set(article.related) <= set(scan.articles):
            problems.append((where, f"related {article.related}"))
    assert problems == []


# Two phrasings per referral, written for this test (not the entries' own `questions:`).
OWN_PHRASINGS = {
    "arbeitslos-melden": ["Wo melde ich mich arbeitslos?", "Arbeitslosengeld beantragen nach Kündigung"],
    "bafoeg": ["BAföG-Antrag für mein Studium stellen", "Wer ist für Schüler-BAföG zuständig?"],
    "betreuung-vorsorge": [
        "Meine Oma kann ihre Angelegenheiten nicht mehr regeln, wie bekommt sie einen Betreuer?",
        "Wo kann ich eine Vorsorgevollmacht registrieren lassen?",
    ],
    "bus-und-bahn": ["Deutschlandticket kaufen", "Busfahrplan Musterstadt"],
    "erbschein": ["Wie bekomme ich nach dem Tod meines Vaters einen Erbschein?", "Erbe ausschlagen wegen Schulden, wo?"],
    "finanzamt": [
        "Wer bearbeitet meine Einkommensteuererklärung?",
        "Ich habe einen Steuerbescheid mit Nachzahlung bekommen, wen kann ich anrufen?",
    ],
    "fischereischein": ["Ich möchte angeln gehen, brauche ich einen Fischereischein?", "Fischereischein nach der Prüfung beantragen"],
    "gesundheitsamt": ["Wo mache ich die Belehrung nach dem Infektionsschutzgesetz?", "Ich brauche ein amtsärztliches Gutachten"],
    "grundbuch": ["Ich brauche einen Auszug aus dem Grundbuch für mein Haus", "Wer trägt mich als neuen Eigentümer ins Grundbuch ein?"],
    "hauptuntersuchung": ["Wo kann ich die Hauptuntersuchung machen lassen?", "TÜV-Plakette abgelaufen was tun"],
    "jagdschein": ["Ich habe die Jägerprüfung bestanden, wo bekomme ich den Jagdschein?", "Jahresjagdschein beantragen"],
    "kfz-steuer": ["An wen zahle ich die Kraftfahrzeugsteuer für mein Motorrad?", "Bankverbindung für die Kfz-Steuer ändern"],
    "kirchenaustritt": ["Ich möchte aus der katholischen Kirche austreten", "Wo erkläre ich meinen Kirchenaustritt?"],
    "krankenkasse": [
        "Meine Gesundheitskarte ist kaputt, wo bekomme ich eine neue?",
        "Wer zahlt mir Geld, wenn ich länger als sechs Wochen krank bin?",
    ],
    "mieterberatung": ["Mein Vermieter hat mir gekündigt, wo bekomme ich Beratung?", "Nebenkostenabrechnung prüfen lassen"],
    "nachsendeauftrag": ["Nachsendeauftrag für meine Post einrichten", "Wie leite ich meine Briefe an die neue Adresse um?"],
    "notar": ["Wer beurkundet einen Grundstückskaufvertrag?", "Ich suche einen Notar für meinen Hauskauf"],
    "polizei-anzeige": ["Bei mir wurde eingebrochen, wo erstatte ich Anzeige?", "Strafanzeige wegen Betrug stellen"],
    "punkte-flensburg": ["Wie kann ich meinen Punktestand in Flensburg abfragen?", "Auskunft aus dem Fahreignungsregister"],
    "rente": ["Wo kann ich meine Altersrente beantragen?", "Rentenauskunft anfordern wer ist zuständig"],
    "rundfunkbeitrag": ["Befreiung von der GEZ beantragen", "Wohnung beim Beitragsservice abmelden"],
    "schornsteinfeger": ["Wer ist für die Feuerstättenschau zuständig?", "Kaminofen abnehmen lassen"],
    "schuldnerberatung": ["Kostenlose Schuldnerberatung in Musterstadt", "Ich bin überschuldet und brauche Hilfe"],
    "schulamt": ["Beschwerde über einen Lehrer, wer ist zuständig?", "Wer hat die Schulaufsicht?"],
    "steuer-id": ["Wo finde ich meine steuerliche Identifikationsnummer?", "Steuer-ID neu anfordern"],
    "strom-gas-wasser": ["Strom anmelden nach dem Umzug", "Zählerstand für Strom und Wasser melden"],
    "telefon-internet-beschwerde": ["Beschwerde über meinen Internetanbieter", "Schlichtung mit dem Telefonanbieter"],
    "unterhaltsvorschuss-beistandschaft": [
        "Der Vater zahlt keinen Unterhalt, wer springt ein?",
        "Beistandschaft beim Jugendamt für den Kindesunterhalt",
    ],
    "verbraucherzentrale": ["Ich bin in eine Abofalle getappt, wo bekomme ich Hilfe?", "Verbraucherberatung zu einem Vertrag"],
    "veterinaeramt": ["Ich möchte Tierquälerei auf einem Bauernhof melden", "Wer kontrolliert die Hygiene in Restaurants?"],
    "waffenschein": ["Wo beantrage ich eine Waffenbesitzkarte?", "Kleinen Waffenschein für eine Schreckschusspistole beantragen"],
}


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def test_each_referral_is_the_top_hit_for_phrasings_it_does_not_list(demo_service) -> None:
    referrals = {a.id: a for a in demo_service.articles() if a.kind == "referral"}
    assert set(OWN_PHRASINGS) == set(referrals), "every referral needs two test phrasings"
    misses = []
    for article_id, phrasings in OWN_PHRASINGS.items():
        own = {_norm(q) for q in referrals[article_id].questions}
        for phrasing in phrasings:
            assert _norm(phrasing) not in own, f"{phrasing!r} is one of {article_id}'s own questions"
            result = demo_service.search(phrasing, top_k=3)
            top = result.hits[0]
            if top.article.id != article_id:
                misses.append((article_id, phrasing, top.article.id, top.score))
    assert misses == []


def test_a_referral_hit_carries_kind_and_the_external_office(demo_service) -> None:
    hit = demo_service.search("Wo melde ich mich arbeitslos?").hits[0]
    assert hit.article.kind == "referral"
    assert hit.article.office.name == "Agentur für Arbeit Musterstadt"
    assert hit.article.office.department == "buergerbuero"
    assert demo_service.get_article("reisepass").related == ["personalausweis", "ausweis-verloren", "kinderreisepass"]
