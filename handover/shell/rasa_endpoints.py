"""Rasa's runtime endpoints file, generated from `Settings` so Rasa and the app agree on one configuration.

`bot/endpoints.yml` is the template (and what a developer gets who runs `rasa shell` in `bot/`); the file Rasa
really runs with is written to `<data_dir>/runtime/endpoints.yml` by `make run` (handover/shell/run.py) and by the
tests' Rasa servers. It fills in what depends on the installation:

- the action endpoint: the app that serves the custom actions, on the port it really listens on (its internal
  port when one is set), with the action secret Rasa sends as `Authorization: Bearer …` on every call (Rasa's
  `EndpointConfig` sends its `headers` with each request; a `token` would travel in the query string and end up
  in access logs). The app refuses `/webhook` calls without it (handover/web/rasa_action_endpoint.py);
- the tracker store: Rasa's dialogue state (form slots, the step a citizen is at) in SQL, so a Rasa restart
  continues every conversation where it was — SQLite next to the app's database by default, PostgreSQL when
  several Rasa processes share the conversations;
- the lock store: Redis when several Rasa processes share the tracker store, so two of them never process
  messages of the same conversation at once.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from handover.shell.settings import PROJECT_ROOT, Settings, get_settings

TEMPLATE = PROJECT_ROOT / "bot" / "endpoints.yml"
IN_MEMORY = "memory://"
WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}


def connect_host(bind_host: str) -> str:
    """The address a local client uses to reach a server bound to `bind_host` (a wildcard means loopback)."""
    if bind_host in WILDCARD_HOSTS:
        return "127.0.0.1"
    if ":" in bind_host and not bind_host.startswith("["):
        return f"[{bind_host}]"
    return bind_host


def default_tracker_store_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'rasa-tracker.db').resolve()}"


def runtime_endpoints_path(settings: Settings) -> Path:
    return settings.data_dir.resolve() / "runtime" / "endpoints.yml"


def action_secret_path(settings: Settings) -> Path:
    return settings.data_dir.resolve() / "runtime" / "action-secret"


def action_secret(settings: Settings) -> str:
    """The secret Rasa must send to /webhook: `BUERGERBOT_ACTION_SECRET` (replicas share it), else the one generated
    at the first start into `<data_dir>/runtime/action-secret` (readable by the owner only). `make run` writes
    Rasa's endpoints file and starts the app with one data dir, so both read the same file."""
    configured = settings.action_secret.get_secret_value()
    if configured:
        return configured
    path = action_secret_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written completely to a file of its own, then linked into place: a second process starting at the same
        # moment (make run writes Rasa's endpoints while the app starts) reads either nothing or the whole secret.
        partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(partial, path)
        except FileExistsError:
            pass  # the other process was first: its secret counts
        finally:
            partial.unlink()
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < 24:
        raise ValueError(f"{path} is damaged (shorter than 24 characters); delete it to generate a new secret")
    return secret


def default_action_url(settings: Settings) -> str:
    if settings.internal_port is not None:
        return f"http://{connect_host(settings.internal_host)}:{settings.internal_port}/webhook"
    return f"http://{connect_host(settings.host)}:{settings.port}/webhook"


def tracker_store_config(url: str) -> dict[str, Any] | None:
    """Rasa's `SQLTrackerStore` takes a complete SQLAlchemy URL as its `url` (see `SQLTrackerStore.get_db_url`)."""
    if url == IN_MEMORY:
        return None
    scheme = urlsplit(url).scheme
    if scheme == "postgres":  # the Heroku-style spelling SQLAlchemy 1.4 (Rasa's) refuses
        url = "postgresql" + url[len("postgres"):]
    elif not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise ValueError(
            f"BUERGERBOT_RASA_TRACKER_STORE_URL must be a sqlite:// or postgresql:// URL (or {IN_MEMORY}), "
            f"not {scheme or url!r}"
        )
    return {"type": "SQL", "url": url}


def lock_store_config(url: str) -> dict[str, Any] | None:
    """Rasa's `RedisLockStore` takes host, port, db and credentials as separate keys."""
    if url == IN_MEMORY:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"BUERGERBOT_RASA_LOCK_STORE_URL must be redis://host:port/db, not {url!r}")
    db = parts.path.strip("/") or "0"
    if not db.isdigit():
        raise ValueError(f"BUERGERBOT_RASA_LOCK_STORE_URL: the database must be a number, not {db!r}")
    config: dict[str, Any] = {"type": "redis", "url": parts.hostname, "port": parts.port or 6379, "db": int(db)}
    if parts.username:
        config["username"] = unquote(parts.username)
    if parts.password:
        config["password"] = unquote(parts.password)
    if parts.scheme == "rediss":
        config["use_ssl"] = True
    return config


@dataclass(frozen=True)
class RasaEndpoints:
    action_url: str
    tracker_store_url: str
    lock_store_url: str
    action_secret: str = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "RasaEndpoints":
        return cls(
            action_url=settings.rasa_action_endpoint_url or default_action_url(settings),
            tracker_store_url=settings.rasa_tracker_store_url or default_tracker_store_url(settings.data_dir),
            lock_store_url=settings.rasa_lock_store_url or IN_MEMORY,
            action_secret=action_secret(settings),
        )

    def as_config(self) -> dict[str, Any]:
        config = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8")) or {}
        action_endpoint = {**(config.get("action_endpoint") or {}), "url": self.action_url}
        action_endpoint["headers"] = {**(action_endpoint.get("headers") or {}),
                                      "Authorization": f"Bearer {self.action_secret}"}
        config["action_endpoint"] = action_endpoint
        for key, store in (("tracker_store", tracker_store_config(self.tracker_store_url)),
                           ("lock_store", lock_store_config(self.lock_store_url))):
            config.pop(key, None)
            if store is not None:
                config[key] = store
        return config

    def write(self, path: Path) -> Path:
        """Atomically, readable by the owner only: it holds the action secret, and the store URLs may carry
        passwords."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "# Generated from the Bürgerbot settings by handover/shell/rasa_endpoints.py; edits are overwritten.\n"
        text += yaml.safe_dump(self.as_config(), sort_keys=False, allow_unicode=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        partial.replace(path)
        return path


def write_runtime_endpoints(settings: Settings, path: Path | None = None) -> Path:
    return RasaEndpoints.from_settings(settings).write(path or runtime_endpoints_path(settings))


def main(argv: list[str] | None = None) -> int:
    """For Rasa processes started without `make run` (replicas): `python -m handover.shell.rasa_endpoints [--out F]`."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", type=Path, help="file to write (default: <data_dir>/runtime/endpoints.yml)")
    args = parser.parse_args(argv)
    try:
        print(write_runtime_endpoints(get_settings(), args.out))
    except ValueError as error:
        print(f"Einstellung ungültig: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
