"""Parsing and validation of article files: every error names file, field, message and line."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from knowledge.articles import ArticleError, article_files, heading_of, parse_article, scan_folder
from knowledge.limits import DEFAULT_LIMITS, ArticleLimits

from .conftest import OFFICES, write_article

def test_valid_article_is_parsed_with_sections_and_shared_office(small_kb: Path) -> None:
    scan = scan_folder(small_kb)
    assert scan.errors == []
    assert sorted(scan.articles) == ["hundesteuer", "personalausweis", "sperrmuell"]
    article = scan.articles["hundesteuer"]
    assert article.title == "Hundesteuer anmelden"
    assert article.updated == date(2026, 1, 15)
    assert article.language == "de"
    assert article.office.name == "Steueramt Teststadt" and article.office.department == "steuern"
    assert [s.heading for s in article.sections] == ["Kosten", "Ablauf"]
    assert article.sections[0].text.startswith("96 Euro")
    assert article.path == "hundesteuer.md"


def test_inline_office_mapping(tmp_path: Path) -> None:
    text = (
        "---\nid: inline-amt\ntitle: Test\nsummary: Kurz.\noffice:\n  name: Familienkasse\n  department: familienkasse\n"
        "  phone: '0800 4 5555 30'\n  opening_hours: ['Mo–Fr 8–18']\nupdated: 2026-03-01\n"
        "questions: [a, b, c]\n---\n## Ablauf\nText.\n"
    )
    parsed = parse_article("inline.md", text.encode(), {})
    assert parsed.errors == []
    assert parsed.article.office.key == "familienkasse"
    assert parsed.article.office.opening_hours == ["Mo–Fr 8–18"]


def test_folders_readme_and_underscore_files_are_not_articles(small_kb: Path) -> None:
    (small_kb / "README.md").write_text("# Hinweise für Redakteure\n", encoding="utf-8")
    (small_kb / "_vorlage.md").write_text("---\n---\n", encoding="utf-8")
    nested = small_kb / "familie" / "kita.md"
    write_article(small_kb, "kita-platz", name="familie/kita.md", title="Kita-Platz finden")
    names = [p.relative_to(small_kb).as_posix() for p in article_files(small_kb)]
    assert names == ["familie/kita.md", "hundesteuer.md", "personalausweis.md", "sperrmuell.md"]
    assert nested.exists()
    assert "kita-platz" in scan_folder(small_kb).articles


def _errors(small_kb: Path, name: str, content: bytes | str) -> list[ArticleError]:
    data = content.encode("utf-8") if isinstance(content, str) else content
    (small_kb / name).write_bytes(data)
    scan = scan_folder(small_kb)
    return [e for e in scan.errors if e.path == name]


def test_bad_yaml_names_file_field_line(small_kb: Path) -> None:
    errors = _errors(small_kb, "kaputt.md", "---\nid: kaputt\ntitle: [nicht geschlossen\nsummary: x\n---\n## A\nB\n")
    assert len(errors) == 1
    error = errors[0]
    assert error.field == "front_matter"
    assert error.message.startswith("ungültiges YAML: ")
    assert error.line == 4
    assert str(error).startswith("kaputt.md:4: front_matter: ungültiges YAML")


def test_missing_fields_are_each_reported_with_exact_text(small_kb: Path) -> None:
    errors = _errors(small_kb, "ohne-felder.md", "---\nid: ohne-felder\ntitle: Nur ein Titel\n---\n## Ablauf\nText.\n")
    assert {(e.field, e.message) for e in errors} == {
        ("summary", "Pflichtfeld fehlt"),
        ("office", "Pflichtfeld fehlt"),
        ("updated", "Pflichtfeld fehlt"),
        ("questions", "Pflichtfeld fehlt"),
    }
    assert all(e.path == "ohne-felder.md" for e in errors)


def test_wrong_values_report_field_and_line(small_kb: Path) -> None:
    text = (
        "---\nid: Falsche ID\ntitle: T\nsummary: S\noffice: gibtsnicht\nupdated: gestern\n"
        "questions:\n  - nur eine?\nfrage: Tippfehler\n---\n## Ablauf\nText.\n"
    )
    errors = {e.field: e for e in _errors(small_kb, "falsch.md", text)}
    assert errors["id"].message == "muss ein Slug sein (nur Kleinbuchstaben a–z, Ziffern und Bindestriche)"
    assert errors["id"].line == 2
    assert errors["updated"].message == "ist kein gültiges Datum (Format JJJJ-MM-TT)"
    assert errors["updated"].line == 6
    assert errors["frage"].line == 9
    assert errors["questions"].message == "mindestens 3 Beispielfragen nötig (gefunden: 1)"
    assert errors["frage"].message == "unbekanntes Feld (Tippfehler?)"
    assert errors["office"].message == "unbekanntes Amt 'gibtsnicht' (nicht in _offices.yml)"
    assert errors["office"].line == 5


def test_duplicate_id_is_rejected_in_the_second_file(small_kb: Path) -> None:
    write_article(small_kb, "hundesteuer", name="zz-kopie.md", title="Kopie")
    scan = scan_folder(small_kb)
    assert [str(e) for e in scan.errors] == [
        "zz-kopie.md:2: id: 'hundesteuer' ist doppelt vergeben (schon in hundesteuer.md)"
    ]
    assert scan.articles["hundesteuer"].title == "Hundesteuer anmelden"


def test_empty_body(small_kb: Path) -> None:
    text = "---\nid: leer\ntitle: T\nsummary: S\noffice: buergerbuero\nupdated: 2026-01-01\nquestions: [a, b, c]\n---\n\n"
    errors = _errors(small_kb, "leer.md", text)
    assert [(e.field, e.message, e.line) for e in errors] == [
        ("body", "Text fehlt: Nach dem Front Matter muss mindestens ein Abschnitt '## Überschrift' mit Text folgen", 9)
    ]


def test_empty_section(small_kb: Path) -> None:
    text = (
        "---\nid: halb\ntitle: T\nsummary: S\noffice: buergerbuero\nupdated: 2026-01-01\nquestions: [a, b, c]\n---\n"
        "## Kosten\n\n## Ablauf\nText.\n"
    )
    errors = _errors(small_kb, "halb.md", text)
    assert [str(e) for e in errors] == ["halb.md:9: body: Abschnitt 'Kosten' ist leer"]


def test_binary_junk(small_kb: Path) -> None:
    errors = _errors(small_kb, "bild.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    assert [str(e) for e in errors] == ["bild.md: file: ist keine Textdatei (enthält Binärdaten)"]
    errors = _errors(small_kb, "latin1.md", "---\nid: x\n---\nGrüße".encode("latin-1"))
    assert [(e.field, e.message, e.line) for e in errors] == [
        ("file", "ist keine gültige UTF-8-Textdatei (Binärdaten?)", 4)
    ]


def test_missing_or_unclosed_front_matter(small_kb: Path) -> None:
    assert [str(e) for e in _errors(small_kb, "ohne.md", "# Nur Text\n")] == [
        "ohne.md:1: front_matter: fehlt: Die Datei muss mit einer Zeile '---' beginnen"
    ]
    assert [str(e) for e in _errors(small_kb, "offen.md", "---\nid: offen\ntitle: T\n")] == [
        "offen.md:1: front_matter: nicht abgeschlossen: Die schließende Zeile '---' fehlt"
    ]


def test_broken_offices_file_is_reported(small_kb: Path) -> None:
    (small_kb / "_offices.yml").write_text(OFFICES + "kaputt:\n  name: Amt: mit Doppelpunkt\n", encoding="utf-8")
    scan = scan_folder(small_kb)
    assert scan.errors[0].path == "_offices.yml"
    assert scan.errors[0].message.startswith("ungültiges YAML: mapping values are not allowed here")
    assert scan.errors[0].field == "file"
    assert scan.errors[0].line == 14


# --- size limits --------------------------------------------------------------------------------------------

def _long_article(article_id: str, body: str, summary: str = "Kurz.", questions: int = 3) -> str:
    asked = "\n".join(f"  - Frage {n}?" for n in range(questions))
    return (
        f"---\nid: {article_id}\ntitle: Lang\nsummary: {summary}\noffice: buergerbuero\nupdated: 2026-01-01\n"
        f"questions:\n{asked}\n---\n{body}\n"
    )


def test_a_5_mb_file_is_refused_by_its_size_naming_file_and_limit(small_kb: Path) -> None:
    (small_kb / "satzung.md").write_bytes(_long_article("satzung", "## Text\n" + "Paragraf. " * 500_000).encode())
    scan = scan_folder(small_kb)
    assert [str(e) for e in scan.errors] == [
        "satzung.md: file: ist zu groß: 4,8 MB (höchstens 64 KB je Artikel); bitte auf mehrere Artikel aufteilen"
    ]
    assert "satzung.md" in scan.failed_paths and sorted(scan.articles) == ["hundesteuer", "personalausweis", "sperrmuell"]


def test_body_section_count_summary_and_question_limits_name_the_limit(small_kb: Path) -> None:
    limits = DEFAULT_LIMITS
    body = "## Text\n" + "x" * (limits.max_body_chars + 1)
    assert [str(e) for e in _errors(small_kb, "lang.md", _long_article("lang", body))] == [
        "lang.md:12: body: Text ist zu lang: 20.009 Zeichen (höchstens 20.000 Zeichen); bitte auf mehrere Artikel aufteilen"
    ]
    section = "## Kosten\n" + "Gebühr. " * 700  # 5 599 characters
    assert [str(e) for e in _errors(small_kb, "abschnitt.md", _long_article("abschnitt", section))] == [
        "abschnitt.md:12: body: Abschnitt 'Kosten' ist zu lang: 5.599 Zeichen (höchstens 5.000 Zeichen); "
        "bitte mit '## Überschrift' unterteilen"
    ]
    many = "\n".join(f"## Teil {n}\nText {n}." for n in range(limits.max_sections + 1))
    assert [str(e) for e in _errors(small_kb, "viele.md", _long_article("viele", many))] == [
        "viele.md:12: body: zu viele Abschnitte: 31 (höchstens 30); bitte auf mehrere Artikel aufteilen"
    ]
    wordy = _long_article("wortreich", "## A\nB.", summary="Satz. " * 200, questions=limits.max_questions + 1)
    assert [str(e) for e in _errors(small_kb, "wortreich.md", wordy)] == [
        "wortreich.md:4: summary: ist zu lang: 1.199 Zeichen (höchstens 1.000 Zeichen); "
        "die Zusammenfassung ist die kurze Antwort in 2–3 Sätzen",
        "wortreich.md:7: questions: zu viele Beispielfragen: 31 (höchstens 30)",
    ]


def test_limits_can_be_set_per_scan(small_kb: Path) -> None:
    strict = ArticleLimits(max_section_chars=20)
    scan = scan_folder(small_kb, limits=strict)
    assert {e.path for e in scan.errors} == {"hundesteuer.md", "personalausweis.md", "sperrmuell.md"}
    assert all("höchstens 20 Zeichen" in e.message for e in scan.errors)


def test_heading_lines_of_any_length_are_parsed_in_one_pass() -> None:
    assert heading_of("## Kosten ##") == "Kosten"
    assert heading_of("### Unterpunkt") is None and heading_of("##Kosten") is None and heading_of("## ") is None
    # Lines that made the old regular expression backtrack quadratically (20 000 characters: 7 s).
    assert heading_of("## " + "#" * 20_000 + " x") == "#" * 20_000 + " x"
    assert heading_of("## a" + " " * 20_000 + "b") == "a" + " " * 20_000 + "b"


# --- duplicate ids and symlinks -----------------------------------------------------------------------------

def test_duplicate_id_keeps_the_live_file_even_if_the_newcomer_sorts_first(small_kb: Path) -> None:
    write_article(small_kb, "hundesteuer", name="aa-kopie.md", title="Kopie")
    scan = scan_folder(small_kb, live_paths={"hundesteuer": "hundesteuer.md"})
    assert [str(e) for e in scan.errors] == [
        "aa-kopie.md:2: id: 'hundesteuer' ist doppelt vergeben (schon in hundesteuer.md)"
    ]
    assert scan.articles["hundesteuer"].title == "Hundesteuer anmelden"
    assert scan.failed_paths == {"aa-kopie.md"}


def test_duplicate_id_without_a_live_file_keeps_the_older_file(small_kb: Path) -> None:
    copy = write_article(small_kb, "hundesteuer", name="aa-kopie.md", title="Kopie")
    original = small_kb / "hundesteuer.md"
    os.utime(original, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    os.utime(copy, ns=(1_800_000_000_000_000_000, 1_800_000_000_000_000_000))
    scan = scan_folder(small_kb)
    assert [str(e) for e in scan.errors] == [
        "aa-kopie.md:2: id: 'hundesteuer' ist doppelt vergeben (schon in hundesteuer.md)"
    ]
    assert scan.articles["hundesteuer"].title == "Hundesteuer anmelden"


def test_duplicate_of_a_live_file_that_is_broken_now_is_still_the_newcomer(small_kb: Path) -> None:
    (small_kb / "hundesteuer.md").write_text("---\nid: hundesteuer\n", encoding="utf-8")  # half-saved
    write_article(small_kb, "hundesteuer", name="neu.md", title="Neu")
    scan = scan_folder(small_kb, live_paths={"hundesteuer": "hundesteuer.md"})
    assert "hundesteuer" not in scan.articles  # the service keeps serving the last good version instead
    assert [str(e) for e in scan.errors if e.path == "neu.md"] == [
        "neu.md:2: id: 'hundesteuer' ist doppelt vergeben (schon in hundesteuer.md)"
    ]


def test_symlinks_out_of_the_folder_are_refused_links_inside_are_fine(small_kb: Path, tmp_path: Path) -> None:
    outside = tmp_path / "anderswo"
    write_article(outside, "briefwahl", title="Briefwahl")
    write_article(outside, "kita", name="familie/kita.md", title="Kita")
    (small_kb / "briefwahl.md").symlink_to(outside / "briefwahl.md")
    (small_kb / "familie").symlink_to(outside / "familie", target_is_directory=True)
    (small_kb / "intern").mkdir()
    (small_kb / "intern" / "hund.md").symlink_to(small_kb / "hundesteuer.md")
    os.utime(small_kb / "hundesteuer.md", ns=(1, 1))
    scan = scan_folder(small_kb)
    assert [str(e) for e in scan.errors] == [
        f"briefwahl.md: file: ist eine Verknüpfung aus dem Artikelordner hinaus (nach {outside / 'briefwahl.md'}) "
        "und wird nicht geladen",
        f"familie: file: ist eine Verknüpfung aus dem Artikelordner hinaus (nach {outside / 'familie'}) "
        "und wird nicht geladen",
        "intern/hund.md:2: id: 'hundesteuer' ist doppelt vergeben (schon in hundesteuer.md)",
    ]
    assert "briefwahl" not in scan.articles and "kita" not in scan.articles
