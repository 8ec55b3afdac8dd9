"""Everything the actions say, in German (polite "Sie") and English here, Turkish, Ukrainian and Arabic from
bot/locales/, looked up by key and language."""

from __future__ import annotations

from pathlib import Path

import yaml

TEXTS: dict[str, dict[str, str]] = {
    # knowledge answers
    "german_only": {
        "de": "",
        "en": "(Our information pages are in German; the office will gladly help you in English.)",
    },
    "did_it_help": {"de": "Hat Ihnen das geholfen?", "en": "Did this help you?"},
    "yes": {"de": "Ja", "en": "Yes"},
    "no": {"de": "Nein", "en": "No"},
    "see_also": {"de": "Siehe auch: {title}", "en": "See also: {title}"},
    "clarify": {"de": "Meinen Sie eines dieser Themen?", "en": "Do you mean one of these topics?"},
    "clarify_one": {"de": "Meinen Sie dieses Thema?", "en": "Do you mean this topic?"},
    "referral_lead": {
        "de": "Dafür ist nicht die Stadtverwaltung zuständig, sondern: {name}.",
        "en": "This is not handled by the city administration but by: {name}.",
    },
    "not_covered": {
        "de": "Dazu habe ich leider keine Informationen – und ich möchte Ihnen nichts Falsches sagen.",
        "en": "I'm sorry, I have no information on that – and I don't want to tell you anything wrong.",
    },
    "not_covered_offer": {
        "de": "Möchten Sie Ihre Frage an eine Mitarbeiterin oder einen Mitarbeiter weitergeben? Ist gerade niemand "
        "erreichbar, können Sie Ihr Anliegen hinterlassen und bekommen eine Antwort.",
        "en": "Would you like to pass your question on to a member of staff? If nobody is available right now, you "
        "can leave your request and will get an answer.",
    },
    "offtopic": {
        "de": "Dabei kann ich leider nicht helfen. Ich beantworte Fragen zu den Dienstleistungen der Stadt "
        "Musterstadt – zum Beispiel zu Ausweisen, Umzug, Abfall, Kita oder Steuern der Stadt.",
        "en": "I'm afraid I can't help with that. I answer questions about the services of the city of "
        "Musterstadt – for example ID cards, moving house, waste collection, childcare or local taxes.",
    },
    "support_crisis": {
        "de": "Es tut mir sehr leid, dass es Ihnen so schlecht geht. Sie müssen damit nicht allein bleiben: Bei der "
        "TelefonSeelsorge können Sie sofort mit einem Menschen sprechen – kostenlos, anonym und rund um die Uhr. "
        "Wenn Ihr Leben in Gefahr ist, rufen Sie bitte sofort die 112.",
        "en": "I am very sorry you are feeling this bad. You don't have to go through this alone: at the "
        "TelefonSeelsorge you can talk to someone right now – free, anonymous, day and night (in German). "
        "If your life is in danger, please call 112 now.",
    },
    "support_violence": {
        "de": "Das klingt sehr belastend – niemand muss Gewalt oder Bedrohung hinnehmen. Wenn Sie gerade in Gefahr "
        "sind, rufen Sie bitte die Polizei unter 110. Das Hilfetelefon „Gewalt gegen Frauen“ (116 016) berät "
        "kostenlos, anonym und in vielen Sprachen.",
        "en": "That sounds very hard – nobody has to put up with violence or threats. If you are in danger right "
        "now, please call the police on 110. The helpline “Violence against women” (116 016) advises free of "
        "charge, anonymously and in many languages.",
    },
    "support_money": {
        "de": "Das tut mir leid – Geldsorgen sind belastend, und es gibt Hilfe. Wenn das Geld für Miete oder "
        "Lebensunterhalt nicht reicht, unterstützt die Stadt Sie:",
        "en": "I'm sorry – money worries are hard, and there is help. If your money does not cover rent or living "
        "costs, the city supports you:",
    },
    "support_housing": {
        "de": "Das tut mir leid. Wenn Sie Ihre Wohnung zu verlieren drohen, warten Sie bitte nicht – je früher sich "
        "jemand darum kümmert, desto mehr lässt sich tun. Hier bekommen Sie Hilfe:",
        "en": "I'm sorry. If you are at risk of losing your home, please don't wait – the sooner someone takes "
        "care of it, the more can be done. This is where you get help:",
    },
    "support_person": {
        "de": "Möchten Sie gleich mit einer Mitarbeiterin oder einem Mitarbeiter der Stadt sprechen?",
        "en": "Would you like to talk to a member of the city's staff right away?",
    },
    "clarify_other": {"de": "Nichts davon – Mitarbeiter fragen", "en": "None of these – ask a person"},
    "no_answer": {
        "de": "Dazu habe ich leider keine passende Information gefunden.",
        "en": "I'm sorry, I could not find suitable information on that.",
    },
    "rephrase_or_person": {
        "de": "Sie können Ihre Frage anders formulieren. Oder möchten Sie mit einer Mitarbeiterin oder einem "
        "Mitarbeiter sprechen?",
        "en": "You can rephrase your question. Or would you like to talk to a member of staff?",
    },
    "offer_person": {
        "de": "Möchten Sie mit einer Mitarbeiterin oder einem Mitarbeiter sprechen?",
        "en": "Would you like to talk to a member of staff?",
    },
    "offer_yes": {"de": "Ja, bitte verbinden", "en": "Yes, connect me"},
    "offer_no": {"de": "Nein, danke", "en": "No, thanks"},
    "sorry_frustration": {
        "de": "Das tut mir leid. Ich möchte, dass Sie schnell eine gute Antwort bekommen.",
        "en": "I'm sorry about that. I want you to get a good answer quickly.",
    },
    "sorry_not_helpful": {
        "de": "Schade, dass Ihnen das nicht weitergeholfen hat.",
        "en": "I'm sorry that did not help you.",
    },
    "repeated_failure": {
        "de": "Ich konnte Ihnen jetzt mehrmals nicht weiterhelfen.",
        "en": "I have not been able to help you several times now.",
    },
    "declined": {
        "de": "In Ordnung. Stellen Sie mir gern eine andere Frage oder formulieren Sie Ihre Frage neu.",
        "en": "All right. Feel free to ask me something else or rephrase your question.",
    },
    "anything_else": {"de": "Kann ich sonst noch etwas für Sie tun?", "en": "Is there anything else I can do for you?"},
    "glad": {"de": "Das freut mich! Kann ich Ihnen sonst noch helfen?", "en": "I'm glad! Can I help with anything else?"},
    "leichte_sprache_on": {
        "de": "Gern. Ab jetzt antworte ich in Leichter Sprache, wenn es den Text in Leichter Sprache gibt. Fragen Sie "
        "einfach.",
        "en": "Gladly. From now on I answer in Leichte Sprache (easy German) where the text exists in it. Just ask.",
    },
    # defect report form
    "ask_defect_category": {"de": "Was möchten Sie melden? Bitte wählen Sie eine Kategorie.",
                            "en": "What would you like to report? Please choose a category."},
    "ask_defect_location": {
        "de": "Wo genau ist das? Bitte nennen Sie Straße und Hausnummer oder beschreiben Sie den Ort.",
        "en": "Where exactly is it? Please give the street and house number or describe the place.",
    },
    "ask_defect_description": {
        "de": "Bitte beschreiben Sie kurz, was Ihnen aufgefallen ist.",
        "en": "Please describe briefly what you noticed.",
    },
    "ask_defect_photo": {
        "de": "Möchten Sie ein Foto anhängen? Das hilft dem Team, den Mangel zu finden. Bevor wir das Foto "
        "speichern, entfernen wir Standortdaten und andere Metadaten (EXIF) daraus. Das ist freiwillig.",
        "en": "Would you like to attach a photo? It helps the team find the defect. Before we store the photo, we "
        "remove location data and other metadata (EXIF) from it. This is optional.",
    },
    "no_photo": {"de": "Ohne Foto weiter", "en": "Continue without a photo"},
    "error_photo": {
        "de": "Das Foto ist nicht angekommen. Bitte wählen Sie es noch einmal aus oder tippen Sie auf „Ohne Foto "
        "weiter“.",
        "en": "The photo did not arrive. Please choose it again or tap “Continue without a photo”.",
    },
    "defect_photo_saved": {
        "de": " Ihr Foto ist angehängt; Standortdaten und andere Metadaten (EXIF) haben wir vor dem Speichern "
        "entfernt.",
        "en": " Your photo is attached; we removed location data and other metadata (EXIF) before storing it.",
    },
    "ask_defect_contact": {
        "de": "Möchten Sie eine E-Mail-Adresse angeben? Dann schreiben wir Ihnen, sobald sich der Stand Ihrer "
        "Meldung ändert. Eine Telefonnummer für Rückfragen geht auch. Das ist freiwillig – wenn nicht, schreiben "
        "Sie „nein“.",
        "en": "Would you like to leave an e-mail address? Then we will write to you whenever the status of your "
        "report changes. A phone number for questions is fine too. This is optional – if not, type “no”.",
    },
    # leaving and interrupting a form (cancel button on every step; a question in between is answered)
    "cancel_form_button": {"de": "Abbrechen", "en": "Cancel"},
    "form_cancelled_defect_report": {
        "de": "In Ordnung, ich habe die Meldung abgebrochen. Es wurde nichts gespeichert. Was kann ich sonst für "
        "Sie tun?",
        "en": "All right, I have cancelled the report. Nothing has been saved. What else can I do for you?",
    },
    "form_cancelled_application_status": {
        "de": "In Ordnung, ich habe die Statusabfrage abgebrochen. Was kann ich sonst für Sie tun?",
        "en": "All right, I have cancelled the status query. What else can I do for you?",
    },
    "nothing_to_cancel": {
        "de": "Es ist gerade nichts offen, das ich abbrechen könnte. Was kann ich für Sie tun?",
        "en": "There is nothing open that I could cancel. What can I do for you?",
    },
    "form_resume_defect_report": {
        "de": "Möchten Sie mit Ihrer Meldung weitermachen? Sonst tippen Sie auf „Abbrechen“.",
        "en": "Would you like to continue with your report? Otherwise tap “Cancel”.",
    },
    "form_resume_application_status": {
        "de": "Möchten Sie mit der Statusabfrage weitermachen? Sonst tippen Sie auf „Abbrechen“.",
        "en": "Would you like to continue with the status query? Otherwise tap “Cancel”.",
    },
    # location step: checked against the street directory (handover/config/streets.yml)
    "error_location_vague": {
        "de": "Bitte geben Sie den Ort genauer an, damit das Team ihn findet: Straße und Hausnummer (zum Beispiel "
        "Lindenallee 7) oder einen Ort wie „Spielplatz im Lindenpark“.",
        "en": "Please give the place more precisely so the team can find it: street and house number (for example "
        "Lindenallee 7) or a place such as “Spielplatz im Lindenpark”.",
    },
    "error_location_unknown": {
        "de": "„{value}“ finde ich im Straßenverzeichnis von {city} nicht.{suggestion} Bitte prüfen Sie die Angabe.",
        "en": "I cannot find “{value}” in the street directory of {city}.{suggestion} Please check it.",
    },
    "location_suggestion": {"de": " Meinten Sie „{name}“?", "en": " Did you mean “{name}”?"},
    "error_location_number": {
        "de": "Diese Hausnummer gibt es in der {street} nicht (vorhanden: {range}). Bitte prüfen Sie die Nummer.",
        "en": "There is no such house number in {street} (numbers: {range}). Please check the number.",
    },
    "error_location_outside": {
        "de": "Dieser Standort liegt nicht in {city}. Bitte nennen Sie Straße und Hausnummer.",
        "en": "This location is not in {city}. Please give the street and house number.",
    },
    "no_contact": {"de": "Ohne Kontaktangabe", "en": "No contact details"},
    "error_category": {
        "de": "Diese Kategorie kenne ich nicht. Bitte wählen Sie eine der angebotenen Kategorien.",
        "en": "I don't know this category. Please choose one of the categories offered.",
    },
    "error_location": {
        "de": "Bitte geben Sie den Ort etwas genauer an (mindestens Straße oder eine Ortsbeschreibung).",
        "en": "Please describe the place more precisely (at least the street or a description of the place).",
    },
    "error_description": {
        "de": "Die Beschreibung ist zu kurz. Bitte schreiben Sie mindestens ein paar Worte dazu.",
        "en": "The description is too short. Please write at least a few words.",
    },
    "error_contact": {
        "de": "Das sieht nicht wie eine E-Mail-Adresse oder Telefonnummer aus. Bitte prüfen Sie die Angabe "
        "oder schreiben Sie „nein“.",
        "en": "That does not look like an e-mail address or phone number. Please check it or type “no”.",
    },
    "defect_saved": {
        "de": "Vielen Dank! Ihre Meldung ({category}, {location}) ist eingegangen. Ihre Vorgangsnummer lautet "
        "{reference}. Das {office} kümmert sich darum. Den Stand können Sie jederzeit hier im Chat mit der "
        "Vorgangsnummer abfragen.{updates}",
        "en": "Thank you! Your report ({category}, {location}) has been received. Your reference number is "
        "{reference}. The {office} will take care of it. You can check its status here in the chat at any time "
        "with the reference number.{updates}",
    },
    "defect_updates": {
        "de": " Bei jeder Änderung schreiben wir Ihnen eine E-Mail.",
        "en": " We will e-mail you whenever it changes.",
    },
    "defect_status": {
        "de": "Ihre Meldung {reference} ({category}) hat den Stand: {status}.{comment} Zuständig: {department}.",
        "en": "Your report {reference} ({category}) has the status: {status}.{comment} Responsible: {department}.",
    },
    "defect_status_comment": {"de": " Hinweis des Teams: {comment}", "en": " Note from the team: {comment}"},
    "error_report_unknown": {
        "de": "Zur Vorgangsnummer {value} habe ich keine Meldung gefunden. Bitte prüfen Sie die Nummer.",
        "en": "I could not find a report with the reference number {value}. Please check the number.",
    },
    # application status form
    "ask_case_number": {
        "de": "Bitte nennen Sie Ihr Aktenzeichen. Sie finden es auf Ihrer Eingangsbestätigung, "
        "zum Beispiel MS-2026-000123.",
        "en": "Please enter your case number. You will find it on your confirmation of receipt, "
        "for example MS-2026-000123.",
    },
    "error_case_format": {
        "de": "„{value}“ ist kein gültiges Aktenzeichen. Ein Aktenzeichen sieht so aus: MS-2026-000123.",
        "en": "“{value}” is not a valid case number. A case number looks like this: MS-2026-000123.",
    },
    "ask_case_pin": {
        "de": "Bitte geben Sie jetzt die sechsstellige PIN ein, die auf Ihrer Eingangsbestätigung steht. Zum Schutz "
        "Ihrer Daten zeige ich einen Antrag nur mit Aktenzeichen und PIN an.",
        "en": "Now please enter the six-digit PIN printed on your confirmation of receipt. To protect your data, I "
        "only show an application with its case number and PIN.",
    },
    "error_pin_format": {
        "de": "Die PIN besteht aus sechs Ziffern. Sie steht auf Ihrer Eingangsbestätigung beim Aktenzeichen.",
        "en": "The PIN has six digits. You will find it on your confirmation of receipt next to the case number.",
    },
    # The same answer for an unknown number and a wrong PIN: it must not tell which numbers exist.
    "error_case_unknown": {
        "de": "Zum Aktenzeichen {value} mit dieser PIN habe ich keinen Antrag gefunden. Bitte prüfen Sie beide "
        "Angaben auf Ihrer Eingangsbestätigung.",
        "en": "I could not find an application with the case number {value} and this PIN. Please check both on "
        "your confirmation of receipt.",
    },
    "case_lookup_locked": {
        "de": "Aktenzeichen und PIN haben mehrmals nicht zusammengepasst. Zum Schutz Ihrer Daten frage ich in diesem "
        "Gespräch nicht weiter nach. Eine Mitarbeiterin oder ein Mitarbeiter hilft Ihnen gern weiter. Möchten Sie "
        "verbunden werden? Ist gerade niemand erreichbar, können Sie eine Nachricht hinterlassen.",
        "en": "The case number and PIN did not match several times. To protect your data, I will not look up any "
        "more in this conversation. A member of staff will gladly help you. Would you like to be connected? If "
        "nobody is available right now, you can leave a message.",
    },
    "case_status": {
        "de": "Ihr Antrag {number} ({service}): {label}. {text} Zuständig: {office}.",
        "en": "Your application {number} ({service}): {label}. Responsible: {office}.",
    },
    "case_needs_person": {
        "de": "Für Ihren Antrag fehlen noch Unterlagen. Möchten Sie mit einer Mitarbeiterin oder einem "
        "Mitarbeiter darüber sprechen?",
        "en": "Some documents are still missing for your application. Would you like to talk to a member of "
        "staff about it?",
    },
}

CASE_STATUS_LABELS: dict[str, dict[str, str]] = {
    "received": {"de": "eingegangen", "en": "received"},
    "in_progress": {"de": "in Bearbeitung", "en": "in progress"},
    "documents_missing": {"de": "Unterlagen fehlen", "en": "documents missing"},
    "approved": {"de": "abgeschlossen", "en": "completed"},
    "ready_for_pickup": {"de": "abholbereit", "en": "ready for collection"},
    "rejected": {"de": "abgelehnt", "en": "rejected"},
}

DEFECT_CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "strassenschaden": {"de": "Straßen- oder Gehwegschaden", "en": "Road or pavement damage"},
    "beleuchtung": {"de": "Straßenbeleuchtung", "en": "Street lighting"},
    "muell": {"de": "Müll und illegale Ablagerung", "en": "Litter and illegal dumping"},
    "gruenflaeche": {"de": "Grünfläche und Bäume", "en": "Green spaces and trees"},
    "spielplatz": {"de": "Spielplatz", "en": "Playground"},
    "verkehrszeichen": {"de": "Verkehrszeichen und Ampeln", "en": "Traffic signs and lights"},
    "sonstiges": {"de": "Sonstiges", "en": "Other"},
}


# Turkish, Ukrainian and Arabic live in resource files, one per language (bot/locales/<language>.yml), written by
# translators without touching this module; tests/bot/test_texts_complete.py checks every key has all five languages.
LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
LOCALE_LANGUAGES = ("tr", "uk", "ar")


def _load_locales() -> None:
    tables = {"texts": TEXTS, "case_status": CASE_STATUS_LABELS, "defect_categories": DEFECT_CATEGORY_LABELS}
    for language in LOCALE_LANGUAGES:
        resource = yaml.safe_load((LOCALES_DIR / f"{language}.yml").read_text(encoding="utf-8")) or {}
        for section, table in tables.items():
            for key, text in (resource.get(section) or {}).items():
                if key in table:  # a key removed here but still translated there is ignored, not resurrected
                    table[key][language] = text


_load_locales()


def say(key: str, language: str, **values: object) -> str:
    variants = TEXTS[key]
    template = variants.get(language) or variants["de"]
    return template.format(**values) if values else template


def label(labels: dict[str, dict[str, str]], key: str, language: str) -> str:
    variants = labels.get(key, {})
    return variants.get(language) or variants.get("de") or key
