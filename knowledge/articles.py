"""Knowledge articles: Markdown files with YAML front matter, validated with pydantic.

Every problem becomes an `ArticleError` naming the file, the field, what is wrong (in German, for content
editors) and the line where it can be found. Parsing never raises for bad content; callers decide what to
keep serving.

Two kinds of entry share folder, validation and index: `service` articles describe what the city does;
`referral` entries name the body responsible instead (tax office, courts, district office, …) with an inline
`office:` that describes that body. `related:` names articles an editor links; an unknown id there is reported
but does not take the article offline.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge import limits as size
from knowledge.limits import DEFAULT_LIMITS, ArticleLimits

OFFICES_FILE = "_offices.yml"
MIN_QUESTIONS = 3
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_INTRO_HEADING = "Überblick"
ArticleKind = Literal["service", "referral"]
# Key of a referral's inline office: never one of _offices.yml's keys, so looking a city office up by key
# (bot/actions/offices.py) cannot land on an external body.
REFERRAL_OFFICE_PREFIX = "referral:"


class Section(BaseModel):
    heading: str
    text: str


class Translation(BaseModel):
    """An editor's translation of an article's title and summary (and optionally sections) into one language."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    sections: list[Section] = Field(default_factory=list)


# Languages an article can be translated into (the German text is the official one).
TRANSLATION_LANGUAGES = ("en", "tr", "uk", "ar")
TranslationLanguage = Literal["en", "tr", "uk", "ar"]


class Office(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    name: str = Field(min_length=1)
    department: str = Field(min_length=1)
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    opening_hours: list[str] = Field(default_factory=list)
    general: bool = Field(
        False, description="The city's general contact (at most one office in _offices.yml), offered when the bot "
        "has no answer."
    )
    service_number: str | None = Field(None, description="Public service number such as 115, where the city takes part.")

    @field_validator("service_number", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        # `service_number: 115` is what an editor types; YAML reads it as a number.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def general_office(offices: Mapping[str, Office]) -> Office | None:
    """The office marked `general: true` in _offices.yml (the city's general contact), if any."""
    return next((office for office in offices.values() if office.general), None)


class ArticleError(BaseModel):
    path: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


class FrontMatter(BaseModel):
    """What an editor writes between the `---` lines."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    lebenslagen: list[str] = Field(default_factory=list)
    office: str | dict[str, Any]
    url: str | None = None
    online_service: str | None = None
    updated: date
    questions: list[str] = Field(min_length=MIN_QUESTIONS)
    keywords: list[str] = Field(default_factory=list)
    language: str = "de"
    kind: ArticleKind = "service"
    related: list[str] = Field(default_factory=list)
    translations: dict[TranslationLanguage, Translation] = Field(default_factory=dict)
    leichte_sprache: str | None = None

    @field_validator("translations", mode="before")
    @classmethod
    def _no_translations(cls, value: Any) -> Any:
        # `translations:` with nothing below it is an empty mapping, not an error.
        return {} if value is None else value

    @field_validator("related", mode="before")
    @classmethod
    def _single_related(cls, value: Any) -> Any:
        # `related: reisepass` (one id without brackets) means the list with that id.
        return [value] if isinstance(value, str) else value

    @field_validator("related")
    @classmethod
    def _related_once(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("muss ein Slug sein (nur Kleinbuchstaben a–z, Ziffern und Bindestriche)")
        return value

    @field_validator("questions")
    @classmethod
    def _questions_not_blank(cls, value: list[str]) -> list[str]:
        if any(not q.strip() for q in value):
            raise ValueError("enthält eine leere Frage")
        return value


class Article(BaseModel):
    id: str
    title: str
    summary: str
    lebenslagen: list[str] = Field(default_factory=list)
    office: Office
    url: str | None = None
    online_service: str | None = None
    updated: date
    questions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    language: str = "de"
    kind: ArticleKind = Field("service", description="service: the city does it; referral: another body is responsible.")
    related: list[str] = Field(default_factory=list, description="Ids of articles an editor links to this one.")
    translations: dict[str, Translation] = Field(
        default_factory=dict, description="Editors' translations by language (en, tr, uk, ar); German is official."
    )
    leichte_sprache: str | None = Field(None, description="The article in Leichte Sprache (plain German), if written.")
    sections: list[Section] = Field(default_factory=list)
    path: str = Field("", description="Source file, relative to the articles folder.")

    def section(self, heading: str) -> Section | None:
        wanted = heading.casefold()
        return next((s for s in self.sections if s.heading.casefold() == wanted), None)

    def translation(self, language: str) -> Translation | None:
        """The editors' translation into `language`, or None (German, or not translated)."""
        return self.translations.get(language)

    @classmethod
    def from_plain(cls, id: str, title: str, text: str) -> "Article":
        """An article from a plain (id, title, text) record, e.g. a benchmark JSONL file."""
        return cls(
            id=id,
            title=title,
            summary=text,
            office=Office(key="unknown", name="unbekannt", department="general"),
            updated=date(1970, 1, 1),
            sections=[Section(heading=DEFAULT_INTRO_HEADING, text=text)] if text else [],
        )


@dataclass
class ParsedArticle:
    article: Article | None
    errors: list[ArticleError]
    content_hash: str


@dataclass
class OfficesFile:
    offices: dict[str, Office] = field(default_factory=dict)
    errors: list[ArticleError] = field(default_factory=list)
    content_hash: str = ""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(path: str, data: bytes) -> tuple[str | None, ArticleError | None]:
    if b"\x00" in data:
        return None, ArticleError(path=path, field="file", message="ist keine Textdatei (enthält Binärdaten)", line=None)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, ArticleError(
            path=path, field="file", message="ist keine gültige UTF-8-Textdatei (Binärdaten?)", line=line
        )


def _yaml_error(path: str, exc: yaml.YAMLError, line_offset: int, field_name: str = "front_matter") -> ArticleError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    line = mark.line + 1 + line_offset if mark is not None else None
    return ArticleError(path=path, field=field_name, message=f"ungültiges YAML: {problem}", line=line)


def _field_lines(front_matter: str, first_line: int) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, text in enumerate(front_matter.splitlines(), start=first_line):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", text)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = number
    return lines


_PYDANTIC_MESSAGES = {
    "missing": "Pflichtfeld fehlt",
    "extra_forbidden": "unbekanntes Feld (Tippfehler?)",
    "string_type": "muss ein Text sein",
    "list_type": "muss eine Liste sein",
    "dict_type": "muss eine Zuordnung sein (Zeilen 'feld: wert')",
    "date_from_datetime_parsing": "ist kein gültiges Datum (Format JJJJ-MM-TT)",
    "date_parsing": "ist kein gültiges Datum (Format JJJJ-MM-TT)",
    "date_type": "ist kein gültiges Datum (Format JJJJ-MM-TT)",
    "bool_type": "muss true oder false sein",
    "bool_parsing": "muss true oder false sein",
}


def _translate(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "too_short" and error["loc"][:1] == ("questions",):
        found = error.get("ctx", {}).get("actual_length", "?")
        return f"mindestens {MIN_QUESTIONS} Beispielfragen nötig (gefunden: {found})"
    if kind == "too_short" or kind == "string_too_short":
        return "darf nicht leer sein"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", " oder ")
        return f"muss {expected} sein"
    return _PYDANTIC_MESSAGES.get(kind, error["msg"])


def heading_of(line: str) -> str | None:
    """The text of a `## Überschrift` line (closing `#`s dropped), else None.

    Plain string operations: the regular expression used before backtracked quadratically on long runs of `#`
    or spaces (a 20 000-character line took 7 s).
    """
    if not line.startswith("##") or len(line) < 3 or not line[2].isspace():
        return None
    text = line[3:].strip()
    if not text:
        return None
    closed = text.rstrip("#").rstrip()
    return closed or text


def _split_sections(body: str, first_line: int, path: str) -> tuple[list[Section], list[ArticleError], list[int]]:
    """Sections, their errors, and the line of each section's heading."""
    sections: list[Section] = []
    lines_of: list[int] = []
    errors: list[ArticleError] = []
    heading: str | None = None
    heading_line = first_line
    buffer: list[str] = []

    def flush() -> None:
        text = "\n".join(buffer).strip()
        if heading is None:
            if text:
                sections.append(Section(heading=DEFAULT_INTRO_HEADING, text=text))
                lines_of.append(first_line)
            return
        if not text:
            errors.append(ArticleError(path=path, field="body", message=f"Abschnitt '{heading}' ist leer", line=heading_line))
            return
        sections.append(Section(heading=heading, text=text))
        lines_of.append(heading_line)

    for number, line in enumerate(body.splitlines(), start=first_line):
        found = heading_of(line)
        if found is not None:
            flush()
            heading, heading_line, buffer = found, number, []
        else:
            buffer.append(line)
    flush()
    return sections, errors, lines_of


def _limit_error(path: str, exceeded: size.LimitExceeded | None) -> ArticleError | None:
    if exceeded is None:
        return None
    return ArticleError(path=path, field=exceeded.field, message=exceeded.message, line=exceeded.line)


def _nested_line(text: str, key: str, field_name: str) -> int | None:
    """Line of `field_name:` inside the top-level block `key:` of a YAML mapping (for error messages)."""
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            inside = True
        elif inside and line[:1] not in ("", " ", "\t", "#"):
            return None
        elif inside and re.match(rf"^\s+{re.escape(field_name)}\s*:", line):
            return number
    return None


def load_offices(folder: Path) -> OfficesFile:
    path = folder / OFFICES_FILE
    if not path.exists():
        return OfficesFile()
    rel = OFFICES_FILE
    data = path.read_bytes()
    result = OfficesFile(content_hash=content_hash(data))
    text, error = _decode(rel, data)
    if error:
        result.errors.append(error)
        return result
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        result.errors.append(_yaml_error(rel, exc, 0, "file"))
        return result
    if not isinstance(raw, dict):
        result.errors.append(ArticleError(path=rel, field="file", message="muss eine Zuordnung 'schlüssel: Amt' sein", line=1))
        return result
    lines = _field_lines(text, 1)
    general_key: str | None = None
    for key, value in raw.items():
        try:
            if not isinstance(value, dict):
                raise ValueError("muss eine Zuordnung mit name, department, phone, … sein")
            office = Office(key=str(key), **value)
            if office.general and general_key is not None:
                # The office itself still serves its articles; only the general-contact mark is refused.
                result.errors.append(
                    ArticleError(
                        path=rel,
                        field=f"{key}.general",
                        message=f"nur ein Amt darf 'general: true' haben (schon bei '{general_key}')",
                        line=_nested_line(text, str(key), "general") or lines.get(str(key)),
                    )
                )
                office = office.model_copy(update={"general": False})
            elif office.general:
                general_key = str(key)
            result.offices[str(key)] = office
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                result.errors.append(
                    ArticleError(path=rel, field=f"{key}.{where}", message=_translate(err), line=lines.get(str(key)))
                )
        except (ValueError, TypeError) as exc:
            result.errors.append(ArticleError(path=rel, field=str(key), message=str(exc), line=lines.get(str(key))))
    return result


def _front_line(front_text: str, key: str, field_name: str) -> int | None:
    """File line of a nested front-matter field (the front matter starts on line 2)."""
    found = _nested_line(front_text, key, field_name)
    return found + 1 if found else None


def _inline_office(
    rel_path: str,
    office_raw: dict[str, Any],
    raw: dict[str, Any],
    offices: Mapping[str, Office],
    referral: bool,
    field_lines: dict[str, int],
    front_text: str,
    errors: list[ArticleError],
) -> Office | None:
    """The office written into the article itself; for a referral the external responsible body."""
    line = field_lines.get("office")
    values = {k: v for k, v in office_raw.items() if k != "key"}
    if "general" in values:
        errors.append(
            ArticleError(
                path=rel_path,
                field="office.general",
                message=f"ist nur in {OFFICES_FILE} erlaubt (das allgemeine Kontaktamt der Stadt)",
                line=_front_line(front_text, "office", "general") or line,
            )
        )
        return None
    if referral:
        key = str(office_raw.get("key") or f"{REFERRAL_OFFICE_PREFIX}{raw.get('id', 'inline')}")
        if not values.get("department"):
            # Handing a referral over to a person goes to the city's general contact unless the editor names a queue.
            general = general_office(offices)
            if general is None:
                errors.append(
                    ArticleError(
                        path=rel_path,
                        field="office.department",
                        message="fehlt: Ohne department gilt die Warteschlange des Amts mit 'general: true' in "
                        f"{OFFICES_FILE}, dort ist aber keins markiert",
                        line=line,
                    )
                )
                return None
            values["department"] = general.department
    else:
        key = str(office_raw.get("key") or office_raw.get("department") or "inline")
    try:
        return Office(key=key, **values)
    except ValidationError as exc:
        for err in exc.errors():
            name = "office." + ".".join(str(p) for p in err["loc"])
            errors.append(ArticleError(path=rel_path, field=name, message=_translate(err), line=line))
    except TypeError as exc:
        errors.append(ArticleError(path=rel_path, field="office", message=str(exc), line=line))
    return None


def parse_article(
    rel_path: str, data: bytes, offices: dict[str, Office], limits: ArticleLimits = DEFAULT_LIMITS
) -> ParsedArticle:
    """Parse and validate one article file; never raises for bad content."""
    digest = content_hash(data)
    errors: list[ArticleError] = []

    def fail(field_name: str, message: str, line: int | None) -> ParsedArticle:
        errors.append(ArticleError(path=rel_path, field=field_name, message=message, line=line))
        return ParsedArticle(None, errors, digest)

    too_big = _limit_error(rel_path, size.file_too_big(len(data), limits))
    if too_big:
        return ParsedArticle(None, [too_big], digest)
    text, decode_error = _decode(rel_path, data)
    if decode_error:
        return ParsedArticle(None, [decode_error], digest)
    if not text.strip():
        return fail("file", "Datei ist leer", 1)
    lines = text.splitlines()
    if lines[0].strip() != "---":
        return fail("front_matter", "fehlt: Die Datei muss mit einer Zeile '---' beginnen", 1)
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if closing is None:
        return fail("front_matter", "nicht abgeschlossen: Die schließende Zeile '---' fehlt", 1)

    front_text = "\n".join(lines[1:closing])
    try:
        raw = yaml.safe_load(front_text)
    except yaml.YAMLError as exc:
        errors.append(_yaml_error(rel_path, exc, 1))
        return ParsedArticle(None, errors, digest)
    if not isinstance(raw, dict):
        return fail("front_matter", "muss aus Zeilen 'feld: wert' bestehen", 2)
    field_lines = _field_lines(front_text, 2)

    front: FrontMatter | None = None
    try:
        front = FrontMatter.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            top = str(err["loc"][0]) if err["loc"] else "front_matter"
            name = ".".join(str(p) for p in err["loc"]) or "front_matter"
            errors.append(
                ArticleError(path=rel_path, field=name, message=_translate(err), line=field_lines.get(top))
            )

    office: Office | None = None
    office_raw = raw.get("office")
    referral = raw.get("kind") == "referral"
    if isinstance(office_raw, str):
        office = offices.get(office_raw.strip())
        if office is None:
            errors.append(
                ArticleError(
                    path=rel_path,
                    field="office",
                    message=f"unbekanntes Amt '{office_raw}' (nicht in {OFFICES_FILE})",
                    line=field_lines.get("office"),
                )
            )
    elif isinstance(office_raw, dict):
        office = _inline_office(rel_path, office_raw, raw, offices, referral, field_lines, front_text, errors)
    if referral and office is not None and not (office.phone or office.email or raw.get("url")):
        errors.append(
            ArticleError(
                path=rel_path,
                field="office",
                message="Kontakt fehlt: Ein Verweis (kind: referral) braucht bei office mindestens phone oder email, "
                "oder der Eintrag eine url",
                line=field_lines.get("office"),
            )
        )

    if front is not None:
        for exceeded in (
            size.summary_too_long(len(front.summary), limits, field_lines.get("summary")),
            size.too_many_questions(len(front.questions), limits, field_lines.get("questions")),
        ):
            if exceeded:
                errors.append(_limit_error(rel_path, exceeded))

    body_first_line = closing + 2
    body = "\n".join(lines[closing + 1 :])
    # Checked before splitting: an oversized body costs nothing more than this count.
    body_error = _limit_error(rel_path, size.body_too_long(len(body.strip()), limits, body_first_line))
    if body_error:
        errors.append(body_error)
        return ParsedArticle(None, errors, digest)
    sections, section_errors, section_lines = _split_sections(body, body_first_line, rel_path)
    errors.extend(section_errors)
    count_error = _limit_error(rel_path, size.too_many_sections(len(sections), limits, body_first_line))
    if count_error:
        errors.append(count_error)
    for section, line in zip(sections, section_lines):
        long_error = _limit_error(rel_path, size.section_too_long(section.heading, len(section.text), limits, line))
        if long_error:
            errors.append(long_error)
    if not sections and not section_errors:
        errors.append(
            ArticleError(
                path=rel_path,
                field="body",
                message="Text fehlt: Nach dem Front Matter muss mindestens ein Abschnitt '## Überschrift' mit Text folgen",
                line=body_first_line,
            )
        )

    if errors or front is None or office is None:
        return ParsedArticle(None, errors, digest)
    article = Article(
        **front.model_dump(exclude={"office"}), office=office, sections=sections, path=rel_path
    )
    return ParsedArticle(article, [], digest)


def _is_article_name(name: str) -> bool:
    return name.endswith(".md") and name.lower() != "readme.md" and not name.startswith(("_", "."))


def _walk(folder: Path) -> tuple[list[Path], list[Path]]:
    """Article files (file symlinks included) and symlinked folders below `folder`, neither followed."""
    files: list[Path] = []
    linked_folders: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        kept = []
        for name in dirnames:
            if name.startswith(("_", ".")):
                continue
            if (here / name).is_symlink():
                linked_folders.append(here / name)
            else:
                kept.append(name)
        dirnames[:] = kept
        files.extend(here / name for name in filenames if _is_article_name(name))
    return sorted(files), sorted(linked_folders)


def article_files(folder: Path) -> list[Path]:
    """Article files below `folder`: `*.md`, except README.md and files or folders starting with `_` or `.`."""
    if not folder.exists():
        return []
    return _walk(folder)[0]


def _leaves_folder(path: Path, root: Path) -> Path | None:
    """Where a symlink below `root` points if that is outside `root` (resolved), else None."""
    target = path.resolve()
    return None if target == root or target.is_relative_to(root) else target


def _outside_error(rel: str, target: Path) -> ArticleError:
    return ArticleError(
        path=rel,
        field="file",
        message=f"ist eine Verknüpfung aus dem Artikelordner hinaus (nach {target}) und wird nicht geladen",
        line=None,
    )


@dataclass
class FolderScan:
    """A whole articles folder, validated. `articles` holds only valid ones with unique ids."""

    articles: dict[str, Article]
    hashes: dict[str, str]  # article id -> content hash of its file
    errors: list[ArticleError]
    failed_paths: set[str]  # relative paths whose current content is invalid
    offices: dict[str, Office]


class ParseCache:
    """Parsed files by (path, content hash): a reload after one edit parses one file, not the whole folder.

    Valid only for one set of offices (an article's office is resolved while parsing), so it empties itself
    when `_offices.yml` changes.
    """

    def __init__(self) -> None:
        self._offices_hash: str | None = None
        self._parsed: dict[tuple[str, str], ParsedArticle] = {}

    def parse(
        self, rel: str, data: bytes, offices: dict[str, Office], offices_hash: str, limits: ArticleLimits
    ) -> ParsedArticle:
        if offices_hash != self._offices_hash:
            self._parsed, self._offices_hash = {}, offices_hash
        key = (rel, content_hash(data))
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = parse_article(rel, data, offices, limits)
            self._parsed[key] = parsed
        return parsed

    def keep_only(self, keys: set[tuple[str, str]]) -> None:
        self._parsed = {k: v for k, v in self._parsed.items() if k in keys}


@dataclass
class _Claim:
    rel: str
    parsed: ParsedArticle
    data: bytes
    modified_ns: int


def _check_related(article: Article, known: set[str], claim: _Claim) -> tuple[list[str], list[ArticleError]]:
    """The article's `related` ids that exist, and an error for each that does not (or is the article itself).

    Not fatal: the article keeps serving, without the broken link.
    """
    linked: list[str] = []
    errors: list[ArticleError] = []
    line = None
    for other in article.related:
        if other != article.id and other in known:
            linked.append(other)
            continue
        if line is None:
            line = _field_lines(claim.data.decode("utf-8", "replace"), 1).get("related")
        message = (
            f"verweist auf den Artikel selbst ('{other}')"
            if other == article.id
            else f"unbekannte Artikel-id '{other}' (kein gültiger Artikel mit dieser id)"
        )
        errors.append(ArticleError(path=claim.rel, field="related", message=message, line=line))
    return linked, errors


def _offices_fingerprint(offices: dict[str, Office]) -> str:
    return content_hash("\n".join(o.model_dump_json() for _, o in sorted(offices.items())).encode("utf-8"))


def scan_folder(
    folder: Path,
    previous_offices: dict[str, Office] | None = None,
    live_paths: Mapping[str, str] | None = None,
    limits: ArticleLimits = DEFAULT_LIMITS,
    cache: ParseCache | None = None,
) -> FolderScan:
    """Validate the folder. `live_paths` (article id -> file it is served from) decides duplicate ids.

    Two files with one id: the file the id is served from keeps it and the other one (the newcomer) gets the
    error. If neither is live (first index), the file that exists longer (older modification time, then path)
    keeps it. Symlinks pointing out of the folder are refused: the folder is what editors review.
    """
    root = folder.resolve()
    live_paths = live_paths or {}
    cache = cache or ParseCache()
    errors_of: dict[str, list[ArticleError]] = {}
    failed: set[str] = set()

    offices_path = folder / OFFICES_FILE
    outside = _leaves_folder(offices_path, root) if offices_path.is_symlink() else None
    offices_file = OfficesFile(errors=[_outside_error(OFFICES_FILE, outside)]) if outside else load_offices(folder)
    errors = list(offices_file.errors)
    # A broken offices file must not orphan every article: keep the offices known before.
    offices = offices_file.offices if not offices_file.errors or not previous_offices else previous_offices
    if offices_file.errors and previous_offices:
        offices = {**previous_offices, **offices_file.offices}
    offices_hash = _offices_fingerprint(offices)

    files, linked_folders = _walk(folder) if folder.exists() else ([], [])
    for link in linked_folders:
        target = _leaves_folder(link, root)
        if target is not None:
            rel = link.relative_to(folder).as_posix()
            errors_of.setdefault(rel, []).append(_outside_error(rel, target))
    claims: dict[str, list[_Claim]] = {}
    seen: set[tuple[str, str]] = set()
    for path in files:
        rel = path.relative_to(folder).as_posix()
        target = _leaves_folder(path, root) if path.is_symlink() else None
        if target is not None:
            errors_of.setdefault(rel, []).append(_outside_error(rel, target))
            failed.add(rel)
            continue
        try:
            stat = path.stat()
            # Refused before reading: a 5 MB file costs one stat call, not a parse.
            too_big = size.file_too_big(stat.st_size, limits)
            if too_big:
                errors_of.setdefault(rel, []).append(_limit_error(rel, too_big))
                failed.add(rel)
                continue
            data = path.read_bytes()
        except OSError as exc:
            errors_of.setdefault(rel, []).append(
                ArticleError(path=rel, field="file", message=f"nicht lesbar: {exc.strerror}", line=None)
            )
            failed.add(rel)
            continue
        parsed = cache.parse(rel, data, offices, offices_hash, limits)
        seen.add((rel, parsed.content_hash))
        if parsed.article is None:
            errors_of.setdefault(rel, []).extend(parsed.errors)
            failed.add(rel)
            continue
        claims.setdefault(parsed.article.id, []).append(_Claim(rel, parsed, data, stat.st_mtime_ns))
    cache.keep_only(seen)

    articles: dict[str, Article] = {}
    hashes: dict[str, str] = {}
    kept: dict[str, _Claim] = {}
    for article_id, claimants in claims.items():
        live = live_paths.get(article_id)
        keeper = next((c for c in claimants if c.rel == live), None)
        if keeper is None and live in failed:
            keeper_path = live  # the live file is broken now; its last good version keeps serving
        else:
            keeper = keeper or min(claimants, key=lambda c: (c.modified_ns, c.rel))
            keeper_path = keeper.rel
            articles[article_id] = keeper.parsed.article
            hashes[article_id] = keeper.parsed.content_hash
            kept[article_id] = keeper
        for newcomer in claimants:
            if newcomer is keeper:
                continue
            errors_of.setdefault(newcomer.rel, []).append(
                ArticleError(
                    path=newcomer.rel,
                    field="id",
                    message=f"'{article_id}' ist doppelt vergeben (schon in {keeper_path})",
                    line=_field_lines(newcomer.data.decode("utf-8", "replace"), 1).get("id"),
                )
            )
            failed.add(newcomer.rel)
    # An id served from a file that is broken now still serves (its last good version): a link to it is fine.
    known = set(articles) | {i for i, path in live_paths.items() if path in failed}
    for article_id, claim in kept.items():
        article = articles[article_id]
        linked, link_errors = _check_related(article, known, claim)
        if link_errors:
            errors_of.setdefault(claim.rel, []).extend(link_errors)
            articles[article_id] = article.model_copy(update={"related": linked})
    for rel in sorted(errors_of):
        errors.extend(errors_of[rel])
    return FolderScan(articles=articles, hashes=hashes, errors=errors, failed_paths=failed, offices=offices)
