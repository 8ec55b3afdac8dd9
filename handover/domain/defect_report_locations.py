"""Where a defect is: a place the city knows. The citizen's text is checked against the street directory
(handover/config/streets.yml: streets with their house-number ranges, named places); "hier", "da", "bei mir" and
the like are not a place and are asked again; coordinates shared from the browser must lie in the city's
bounding box. For the bot's defect report form (its location step) and anything else that takes a place.

Matching is forgiving where citizens are ("Hauptstr. 12", "hauptstrasse 12a", "Lindenweg, Höhe Nr. 4") and
strict where it matters (a street that does not exist, a house number the street does not have); a near miss
gets a suggestion ("Meinten Sie „Lindenallee“?")."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Words that point at the speaker, not at a place: the citizen is asked again.
VAGUE = {
    "hier", "da", "dort", "drüben", "bei mir", "bei uns", "vor meinem haus", "vor unserem haus", "vor der tür",
    "um die ecke", "in der nähe", "nebenan", "gegenüber", "zuhause", "zu hause", "daheim", "draußen", "unten",
    "oben", "weiß nicht", "keine ahnung", "irgendwo", "überall", "here", "there", "near me", "at my place",
    "in front of my house", "nearby", "somewhere",
}
HOUSE_NUMBER = re.compile(r"\b(\d{1,4})\s?([a-zA-Z])?\b")


def normalize(text: str) -> str:
    text = text.lower().strip()
    text = text.replace("ß", "ss")
    text = re.sub(r"str\.(?=\s|$|\d|,)", "strasse", text)
    text = re.sub(r"\bpl\.(?=\s|$|\d|,)", "platz", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Street:
    name: str
    first: int
    last: int

    @property
    def key(self) -> str:
        return normalize(self.name)


@dataclass(frozen=True)
class LocationCheck:
    ok: bool
    location: str | None = None  # the place as stored ("Hauptstraße 12, 12345 Musterstadt")
    street: str | None = None
    number: str | None = None
    problem: str | None = None  # vague | unknown | number | empty | outside
    suggestion: str | None = None

    def as_dict(self) -> dict:
        return {"ok": self.ok, "location": self.location, "street": self.street, "number": self.number,
                "problem": self.problem, "suggestion": self.suggestion}


@dataclass
class StreetDirectory:
    city: str
    postcode: str
    south: float
    west: float
    north: float
    east: float
    streets: list[Street] = field(default_factory=list)
    places: list[str] = field(default_factory=list)

    @classmethod
    def from_file(cls, path: Path) -> "StreetDirectory":
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        box = data.get("bounding_box") or {}
        streets = [Street(str(s["name"]), int(s["numbers"][0]), int(s["numbers"][1])) for s in data.get("streets", [])]
        return cls(city=str(data.get("city", "")), postcode=str(data.get("postcode", "")),
                   south=float(box["south"]), west=float(box["west"]), north=float(box["north"]),
                   east=float(box["east"]), streets=streets, places=[str(p) for p in data.get("places", [])])

    # --- coordinates ------------------------------------------------------------------------------
    def within(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east

    def check_coordinates(self, latitude: float, longitude: float) -> LocationCheck:
        if not self.within(latitude, longitude):
            return LocationCheck(False, problem="outside")
        return LocationCheck(True, location=f"Standort {latitude:.5f}, {longitude:.5f} ({self.city})")

    # --- text -------------------------------------------------------------------------------------
    def _suffix(self) -> str:
        return f", {self.postcode} {self.city}".rstrip() if self.city else ""

    def check(self, text: str) -> LocationCheck:
        raw = (text or "").strip()
        plain = normalize(raw)
        if not plain:
            return LocationCheck(False, problem="empty")
        if plain in {normalize(v) for v in VAGUE} or len(re.sub(r"[\W\d_]", "", plain)) < 3:
            return LocationCheck(False, problem="vague")
        for place in self.places:  # the longest named place contained in the text
            if normalize(place) in plain:
                return LocationCheck(True, location=f"{raw}{'' if self.city.lower() in raw.lower() else self._suffix()}",
                                     street=place)
        found = self._street_in(plain)
        if found is None:
            return LocationCheck(False, problem="unknown", suggestion=self._suggest(plain))
        street, rest = found
        number_match = HOUSE_NUMBER.search(rest)
        if number_match is None:  # a street without a number ("Hauptstraße, Höhe Bäckerei") is a place too
            return LocationCheck(True, location=f"{raw}{'' if self.city.lower() in raw.lower() else self._suffix()}",
                                 street=street.name)
        number = int(number_match.group(1))
        if not street.first <= number <= street.last:
            return LocationCheck(False, street=street.name, number=str(number), problem="number",
                                 suggestion=f"{street.name} {street.first}–{street.last}")
        house = f"{number}{(number_match.group(2) or '').lower()}"
        return LocationCheck(True, location=f"{street.name} {house}{self._suffix()}", street=street.name, number=house)

    def _street_in(self, plain: str) -> tuple[Street, str] | None:
        best: tuple[Street, str] | None = None
        for street in self.streets:
            key = street.key
            for variant in {key, key.replace("strasse", " strasse"), key.replace(" ", "")}:
                position = plain.find(variant)
                if position >= 0 and (best is None or len(key) > len(best[0].key)):
                    best = (street, plain[position + len(variant):])
        return best

    def _suggest(self, plain: str) -> str | None:
        words = re.sub(r"\d+\s?[a-z]?\b", "", plain).strip()
        names = {street.key: street.name for street in self.streets}
        names.update({normalize(place): place for place in self.places})
        close = difflib.get_close_matches(words, list(names), n=1, cutoff=0.75)
        return names[close[0]] if close else None
