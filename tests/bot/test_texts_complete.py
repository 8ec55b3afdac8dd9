"""Every text the actions say exists in all five languages, with the same placeholders as the German one."""

from __future__ import annotations

import string

import pytest
import yaml

from bot.actions.language_detection import LANGUAGES
from bot.actions.texts import CASE_STATUS_LABELS, DEFECT_CATEGORY_LABELS, LOCALE_LANGUAGES, LOCALES_DIR, TEXTS, say

TABLES = {"texts": TEXTS, "case_status": CASE_STATUS_LABELS, "defect_categories": DEFECT_CATEGORY_LABELS}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_key_has_all_five_languages_and_the_german_placeholders(table: str) -> None:
    missing, wrong = [], []
    for key, variants in TABLES[table].items():
        for language in LANGUAGES:
            # German's "german_only" note is empty on purpose: German needs no note.
            if language not in variants or (not variants[language] and key != "german_only"):
                missing.append(f"{key}.{language}")
            elif placeholders(variants[language]) - placeholders(variants["de"] or variants.get("en", "")):
                wrong.append(f"{key}.{language}")
    assert missing == [], f"missing translations: {missing}"
    assert wrong == [], f"placeholders the German text does not have: {wrong}"


def test_the_resource_files_name_no_unknown_keys() -> None:
    for language in LOCALE_LANGUAGES:
        resource = yaml.safe_load((LOCALES_DIR / f"{language}.yml").read_text(encoding="utf-8"))
        for section, table in TABLES.items():
            assert set(resource[section]) - set(table) == set(), (language, section)


def test_say_fills_placeholders_in_the_citizens_language() -> None:
    assert say("see_also", "tr", title="Reisepass") == "Ayrıca bakınız: Reisepass"
    assert say("error_case_unknown", "uk", value="MS-2026-000999").startswith("Я не знайшов заяви")
    assert say("yes", "ar") == "نعم"
    assert say("german_only", "de") == ""
