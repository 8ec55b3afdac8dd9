"""Knowledge articles: Markdown files with YAML front matter, validated with pydantic.

Every problem becomes an `ArticleError` naming the file, the field, what is wrong (in German, for content
editors) and the line where it can be found. Parsing never raises for bad content; callers decide what to
keep serving.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

OFFICES_FILE = "_offices.yml"
MIN_QUESTIONS = 3
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")
DEFAULT_INTRO_HEADING = "Überblick"


class Section(BaseModel):
    heading: str
    text: str


class Office(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    name: str = Field(min_length=1)
    department: str = Field(min_length=1)
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    opening_hours: list[str] = Field(default_factory=list)


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
    sections: list[Section] = Field(default_factory=list)
    path: str = Field("", description="Source file, relative to the articles folder.")

    def section(self, heading: str) -> Section | None:
        wanted = heading.casefold()
        return next((s for s in self.sections if s.heading.casefold() == wanted), None)

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
    "date_from_datetime_parsing": "ist kein gültiges Datum (Format JJJJ-MM-TT)",
    "date_parsing": "ist kein gültiges Datum (Format JJJJ-MM-TT)",
    "date_type": "ist kein gültiges Datum (Format JJJJ-MM-TT)",
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
    return _PYDANTIC_MESSAGES.get(kind, error["msg"])


def _split_sections(body: str, first_line: int, path: str) -> tuple[list[Section], list[ArticleError]]:
    sections: list[Section] = []
    errors: list[ArticleError] = []
    heading: str | None = None
    heading_line = first_line
    buffer: list[str] = []

    def flush() -> None:
        text = "\n".join(buffer).strip()
        if heading is None:
            if text:
                sections.append(Section(heading=DEFAULT_INTRO_HEADING, text=text))
            return
        if not text:
            errors.append(ArticleError(path=path, field="body", message=f"Abschnitt '{heading}' ist leer", line=heading_line))
            return
        sections.append(Section(heading=heading, text=text))

    for number, line in enumerate(body.splitlines(), start=first_line):
        match = HEADING.match(line)
        if match:
            flush()
            heading, heading_line, buffer = match.group(1).strip(), number, []
        else:
            buffer.append(line)
    flush()
    return sections, errors


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
    for key, value in raw.items():
        try:
            if not isinstance(value, dict):
                raise ValueError("muss eine Zuordnung mit name, department, phone, … sein")
            result.offices[str(key)] = Office(key=str(key), **value)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                result.errors.append(
                    ArticleError(path=rel, field=f"{key}.{where}", message=_translate(err), line=lines.get(str(key)))
                )
        except (ValueError, TypeError) as exc:
            result.errors.append(ArticleError(path=rel, field=str(key), message=str(exc), line=lines.get(str(key))))
    return result


def parse_article(rel_path: str, data: bytes, offices: dict[str, Office]) -> ParsedArticle:
    """Parse and validate one article file; never raises for bad content."""
    digest = content_hash(data)
    errors: list[ArticleError] = []

    def fail(field_name: str, message: str, line: int | None) -> ParsedArticle:
        errors.append(ArticleError(path=rel_path, field=field_name, message=message, line=line))
        return ParsedArticle(None, errors, digest)

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
        try:
            key = str(office_raw.get("key") or office_raw.get("department") or "inline")
            office = Office(**{"key": key, **{k: v for k, v in office_raw.items() if k != "key"}})
        except ValidationError as exc:
            for err in exc.errors():
                name = "office." + ".".join(str(p) for p in err["loc"])
                errors.append(
                    ArticleError(path=rel_path, field=name, message=_translate(err), line=field_lines.get("office"))
                )

    body_first_line = closing + 2
    body = "\n".join(lines[closing + 1 :])
    sections, section_errors = _split_sections(body, body_first_line, rel_path)
    errors.extend(section_errors)
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


def article_files(folder: Path) -> list[Path]:
    """Article files below `folder`: `*.md`, except README.md and files or folders starting with `_` or `.`."""
    if not folder.exists():
        return []
    found = []
    for path in folder.rglob("*.md"):
        rel = path.relative_to(folder)
        if path.name.lower() == "readme.md":
            continue
        if any(part.startswith(("_", ".")) for part in rel.parts):
            continue
        if path.is_file():
            found.append(path)
    return sorted(found)


@dataclass
class FolderScan:
    """A whole articles folder, validated. `articles` holds only valid ones with unique ids."""

    articles: dict[str, Article]
    hashes: dict[str, str]  # article id -> content hash of its file
    errors: list[ArticleError]
    failed_paths: set[str]  # relative paths whose current content is invalid
    offices: dict[str, Office]


def scan_folder(folder: Path, previous_offices: dict[str, Office] | None = None) -> FolderScan:
    offices_file = load_offices(folder)
    errors = list(offices_file.errors)
    # A broken offices file must not orphan every article: keep the offices known before.
    offices = offices_file.offices if not offices_file.errors or not previous_offices else previous_offices
    if offices_file.errors and previous_offices:
        offices = {**previous_offices, **offices_file.offices}
    articles: dict[str, Article] = {}
    hashes: dict[str, str] = {}
    failed: set[str] = set()
    for path in article_files(folder):
        rel = path.relative_to(folder).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            errors.append(ArticleError(path=rel, field="file", message=f"nicht lesbar: {exc.strerror}", line=None))
            failed.add(rel)
            continue
        parsed = parse_article(rel, data, offices)
        if parsed.article is None:
            errors.extend(parsed.errors)
            failed.add(rel)
            continue
        existing = articles.get(parsed.article.id)
        if existing is not None:
            errors.append(
                ArticleError(
                    path=rel,
                    field="id",
                    message=f"'{parsed.article.id}' ist doppelt vergeben (schon in {existing.path})",
                    line=_field_lines(data.decode("utf-8", "replace"), 1).get("id"),
                )
            )
            failed.add(rel)
            continue
        articles[parsed.article.id] = parsed.article
        hashes[parsed.article.id] = parsed.content_hash
    return FolderScan(articles=articles, hashes=hashes, errors=errors, failed_paths=failed, offices=offices)
