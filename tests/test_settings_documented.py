"""Every setting is documented in `.env.example` as `# description` + `BUERGERBOT_<NAME>=default`."""

from __future__ import annotations

import re

from handover.shell.settings import PROJECT_ROOT, Settings


def test_every_setting_is_in_env_example() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    lines = text.splitlines()
    documented = {}
    for number, line in enumerate(lines):
        match = re.match(r"^#?\s*BUERGERBOT_([A-Z0-9_]+)=", line)
        if match:
            documented[match.group(1).lower()] = number
    missing = sorted(set(Settings.model_fields) - set(documented))
    assert missing == [], f"not in .env.example: {missing}"
    undocumented = [name for name, number in documented.items() if number == 0 or not lines[number - 1].startswith("#")]
    assert undocumented == [], f"no '# description' line above: {undocumented}"
    unknown = sorted(set(documented) - set(Settings.model_fields))
    assert unknown == [], f".env.example names settings that do not exist: {unknown}"


def test_every_setting_has_a_description() -> None:
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []
