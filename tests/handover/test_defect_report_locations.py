"""The street directory the defect report's location is checked against (handover/config/streets.yml as shipped):
real streets with their house numbers, named places, vague words asked again, near misses with a suggestion,
coordinates only inside the city."""

from __future__ import annotations

import pytest

from handover.domain.defect_report_locations import StreetDirectory
from handover.shell.settings import Settings


@pytest.fixture(scope="module")
def directory() -> StreetDirectory:
    return StreetDirectory.from_file(Settings(_env_file=None).streets_file)


@pytest.mark.parametrize("text, location", [
    ("Hauptstraße 12", "Hauptstraße 12, 12345 Musterstadt"),
    ("hauptstr. 12a", "Hauptstraße 12a, 12345 Musterstadt"),
    ("Lindenweg, Höhe Nr. 4", "Lindenweg 4, 12345 Musterstadt"),
    ("Schlossplatz 2, 12345 Musterstadt", "Schlossplatz 2, 12345 Musterstadt"),
    ("Hauptstraße, 12345 Musterstadt", "Hauptstraße, 12345 Musterstadt"),  # the postcode is no house number
    ("Kreuzung Hauptstraße / Bahnhofstraße", "Kreuzung Hauptstraße / Bahnhofstraße, 12345 Musterstadt"),
    ("Spielplatz im Lindenpark", "Spielplatz im Lindenpark, 12345 Musterstadt"),
])
def test_known_places_are_taken(directory, text, location):
    check = directory.check(text)
    assert check.ok and check.location == location and check.problem is None


@pytest.mark.parametrize("text", ["hier", "Da", "bei mir", "vor meinem Haus", "um die Ecke", "here", "  ", "12"])
def test_vague_answers_are_asked_again(directory, text):
    check = directory.check(text)
    assert not check.ok and check.problem in ("vague", "empty") and check.location is None


def test_unknown_streets_and_numbers(directory):
    typo = directory.check("Lindenalle 5")
    assert not typo.ok and typo.problem == "unknown" and typo.suggestion == "Lindenallee"
    invented = directory.check("Musterweg 3")
    assert not invented.ok and invented.problem == "unknown" and invented.suggestion is None
    too_far = directory.check("Hauptstraße 500")
    assert not too_far.ok and too_far.problem == "number" and too_far.suggestion == "Hauptstraße 1–148"


def test_coordinates_only_inside_the_city(directory):
    inside = directory.check_coordinates(52.52, 13.40)
    assert inside.ok and "52.52000, 13.40000" in inside.location
    assert directory.check_coordinates(48.137, 11.575).problem == "outside"  # München is not Musterstadt
