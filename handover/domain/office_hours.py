"""Departments with their office hours and holidays, read from the YAML file named by
`settings.departments_file`. Answers "is this queue staffed by schedule now, and when does it open next?"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Interval:
    start: time
    end: time  # 24:00 is stored as time.max

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class DepartmentSchedule:
    key: str
    name: str
    hours: dict[int, tuple[Interval, ...]]  # weekday (0 = Monday) → intervals
    closed_days: frozenset[date] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OfficeStatus:
    open: bool
    department: str
    next_open: datetime | None

    def as_dict(self) -> dict:
        return {
            "open": self.open,
            "department": self.department,
            "next_open": self.next_open.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
            if self.next_open
            else None,
        }


class ConfigError(ValueError):
    pass


def _parse_clock(text: str) -> time:
    if text.strip() == "24:00":
        return time.max
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def _parse_intervals(spec: list[str] | None, where: str) -> tuple[Interval, ...]:
    intervals = []
    for item in spec or []:
        try:
            start, end = str(item).split("-")
            interval = Interval(_parse_clock(start), _parse_clock(end))
        except ValueError as error:
            raise ConfigError(f"{where}: '{item}' is not 'HH:MM-HH:MM'") from error
        if interval.end <= interval.start:
            raise ConfigError(f"{where}: '{item}' ends before it starts")
        intervals.append(interval)
    return tuple(intervals)


class OfficeHours:
    def __init__(
        self, departments: dict[str, DepartmentSchedule], default_department: str, tz: ZoneInfo, holidays: frozenset[date]
    ) -> None:
        if default_department not in departments:
            raise ConfigError(f"default_department '{default_department}' is not among the departments")
        self.departments = departments
        self.default_department = default_department
        self.tz = tz
        self.holidays = holidays

    @classmethod
    def from_file(cls, path: Path) -> "OfficeHours":
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return cls.from_mapping(raw, source=str(path))

    @classmethod
    def from_mapping(cls, raw: dict, source: str = "departments") -> "OfficeHours":
        tz = ZoneInfo(raw.get("timezone", "Europe/Berlin"))
        holidays = frozenset(date.fromisoformat(str(day)) for day in raw.get("holidays") or [])
        departments: dict[str, DepartmentSchedule] = {}
        for key, spec in (raw.get("departments") or {}).items():
            spec = spec or {}
            hours: dict[int, tuple[Interval, ...]] = {}
            for day_name, intervals in (spec.get("hours") or {}).items():
                if day_name not in WEEKDAYS:
                    raise ConfigError(f"{source}: {key}: unknown weekday '{day_name}' (use {', '.join(WEEKDAYS)})")
                hours[WEEKDAYS.index(day_name)] = _parse_intervals(intervals, f"{source}: {key}.{day_name}")
            closed = frozenset(date.fromisoformat(str(day)) for day in spec.get("closed_days") or [])
            departments[str(key)] = DepartmentSchedule(str(key), str(spec.get("name", key)), hours, closed)
        return cls(departments, str(raw.get("default_department", "")), tz, holidays)

    def resolve(self, department: str | None) -> str:
        """Unknown or missing departments fall back to the default queue."""
        return department if department in self.departments else self.default_department

    def name(self, department: str | None) -> str:
        return self.departments[self.resolve(department)].name

    def _is_closed_day(self, schedule: DepartmentSchedule, day: date) -> bool:
        return day in self.holidays or day in schedule.closed_days

    def is_open(self, department: str | None, at: datetime) -> bool:
        schedule = self.departments[self.resolve(department)]
        local = at.astimezone(self.tz)
        if self._is_closed_day(schedule, local.date()):
            return False
        return any(interval.contains(local.time()) for interval in schedule.hours.get(local.weekday(), ()))

    def next_open(self, department: str | None, at: datetime, horizon_days: int = 21) -> datetime | None:
        schedule = self.departments[self.resolve(department)]
        local = at.astimezone(self.tz)
        for offset in range(horizon_days + 1):
            day = local.date() + timedelta(days=offset)
            if self._is_closed_day(schedule, day):
                continue
            for interval in sorted(schedule.hours.get(day.weekday(), ()), key=lambda i: i.start):
                start = datetime.combine(day, interval.start, tzinfo=self.tz)
                end = datetime.combine(day, interval.end, tzinfo=self.tz)
                if offset == 0 and local >= end:
                    continue
                return max(start, local) if offset else (start if local < start else local)
        return None

    def status(self, department: str | None, at: datetime) -> OfficeStatus:
        key = self.resolve(department)
        if self.is_open(key, at):
            return OfficeStatus(True, key, None)
        return OfficeStatus(False, key, self.next_open(key, at))

    def describe_hours(self, department: str | None) -> str:
        """German one-liner of the week's hours, for the message to citizens."""
        schedule = self.departments[self.resolve(department)]
        names = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
        parts = []
        for weekday in range(7):
            intervals = schedule.hours.get(weekday, ())
            if intervals:
                spans = ", ".join(
                    f"{i.start.strftime('%H:%M')}–{'24:00' if i.end == time.max else i.end.strftime('%H:%M')}"
                    for i in intervals
                )
                parts.append(f"{names[weekday]} {spans}")
        return "; ".join(parts) if parts else "derzeit keine Sprechzeiten"
