"""Every setting in one place, grouped by concern: environment variables and CLI flags.

A setting ``x`` of section ``s`` is read from ``TONEARM_S_X`` (``TONEARM_HTTP_PORT``,
``TONEARM_STORAGE_URL``, ``TONEARM_UPLOADS_MAX_BYTES``); top-level ones from
``TONEARM_X`` (``TONEARM_DATA_DIR``). ``Settings`` is built once by the edge (CLI,
tests) and passed to the composition root; domain code never imports it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024
MIN_SECRET_BYTES = 32


class DatabaseSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite file in the data directory. "
        "postgresql+psycopg://... runs the same code on PostgreSQL.",
    )


class QueueSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="Job queue: default an embedded SQLite store in the data directory; "
        "redis://host:port/db for several workers on several machines.",
    )


class EventSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="Change notices pushed to open pages: memory:// (one process) or "
        "redis://host:port/db (several API processes or separate workers). Default: the "
        "queue's Redis when the queue is on Redis, else memory://.",
    )


class StorageSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="Blob store: default file://<data_dir>/blobs; s3://bucket/prefix for an "
        "S3-compatible object store; memory:// for tests.",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="S3-compatible endpoint for s3:// storage URLs (MinIO, R2, Ceph); "
        "default: AWS S3.",
    )
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = Field(
        default=None, description="Default: boto3's chain (AWS_* environment, instance role)."
    )
    s3_secret_access_key: str | None = None
    s3_path_style: bool = Field(
        default=False, description="Bucket in the URL path (most self-hosted servers need it)."
    )
    s3_multipart_threshold_bytes: int = 16 * MiB
    s3_part_size_bytes: int = Field(default=16 * MiB, ge=5 * MiB)


class HttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = Field(default=None, description="Base URL printed and used in links.")
    allowed_hosts: tuple[str, ...] = Field(
        default=(),
        description="Host header values accepted besides the listening host, localhost and "
        "the public URL's host; '*' accepts any (behind a proxy that checks it).",
    )
    trusted_proxies: tuple[str, ...] = Field(
        default=(),
        description="Addresses of reverse proxies whose X-Forwarded-For/-Proto headers are "
        "believed (the client address and https for cookies); none by default.",
    )
    body_idle_timeout_s: float = Field(
        default=60.0, description="An upload body that sends nothing for this long is cut off."
    )


class UploadSettings(BaseModel):
    max_bytes: int = Field(default=2048 * MiB, description="Resumable (tus) uploads.")
    max_multipart_bytes: int = Field(default=200 * MiB, description="One-request uploads.")
    expiry_s: int = 24 * 3600


class MediaSettings(BaseModel):
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    fpcalc: str = "fpcalc"
    min_duration_s: float = 1.0
    max_duration_s: float = 4 * 3600.0
    segment_seconds: float = 6.0
    ladder_kbps: tuple[int, ...] = (64, 128, 256)
    mp3_kbps: int = 192


class JobSettings(BaseModel):
    embedded_workers: int = Field(default=1, description="Processing threads inside `serve`.")
    lease_s: float = Field(
        default=30.0, description="A worker that stops heart-beating loses its job after this."
    )
    max_attempts: int = 3
    reaper_interval_s: float = 5.0
    timeout_s: float = 3 * 3600.0


class StreamingSettings(BaseModel):
    signed_url_ttl_s: int = Field(
        default=3600,
        description="Segment links last 1-2x this; revoking access takes effect within it.",
    )
    segment_cache_bytes: int = 256 * MiB
    media_base_url: str = Field(
        default="", description="Serve segment URLs under this base (a CDN in front of /s/)."
    )
    segment_delivery: Literal["app", "store"] = Field(
        default="app",
        description="'app': signed /s/ URLs served by tonearm (cached in memory); "
        "'store': presigned object-store URLs (S3).",
    )
    file_delivery: Literal["proxy", "redirect"] = Field(
        default="proxy",
        description="MP3 and originals: 'proxy' streams them with Range through tonearm; "
        "'redirect' sends a short-lived presigned object-store URL after the access check.",
    )
    presign_ttl_s: int = 900


class AccountSettings(BaseModel):
    open_registration: bool = Field(
        default=False, description="Anyone may sign up; otherwise by admin or invite only."
    )
    anonymous_listening: bool = Field(
        default=False, description="Visitors who are not signed in may play public tracks."
    )
    session_idle_s: int = Field(default=14 * 86400, description="A session unused this long ends.")
    session_absolute_s: int = Field(default=90 * 86400, description="No session lives longer.")
    cookie_secure: bool | None = Field(
        default=None, description="Secure cookie flag; default: when the request was HTTPS."
    )
    bind_urls_to_address: bool = Field(
        default=False,
        description="Signed media links also work only from the address they were made for.",
    )
    failures_per_account: int = 5
    failures_per_address: int = 30
    failure_window_s: int = 900
    block_s: int = 300
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_lanes: int = 4


class ListeningSettings(BaseModel):
    count_after_s: float = Field(
        default=30.0,
        description="A play counts once this much has been heard (or the whole track, if "
        "shorter): the rule royalty reports use.",
    )
    presence_ttl_s: float = Field(
        default=30.0,
        description="A listener leaves the live count this long after their last "
        "heartbeat (at once when the page closes).",
    )
    heartbeat_s: float = Field(default=10.0, description="How often players report progress.")
    flush_interval_s: float = Field(
        default=5.0, description="Heard seconds are written to the database in batches this often."
    )
    chart_refresh_s: float = Field(
        default=60.0, description="Charts older than this are recomputed when next read."
    )
    max_sessions_per_listener_per_minute: int = Field(
        default=60, description="Play sessions one listener may start per minute."
    )
    min_heartbeat_gap_s: float = Field(
        default=1.0, description="Heartbeats of one session closer than this are refused."
    )
    redis_prefix: str = Field(
        default="tonearm:live",
        description="Names the live listener keys when the change feed is on Redis: "
        "every API process of one deployment uses the same; deployments sharing a Redis "
        "database use different ones.",
    )


class SubsonicSettings(BaseModel):
    enabled: bool = Field(
        default=True, description="Answer the Subsonic / OpenSubsonic API at /rest/."
    )
    max_transcodes: int = Field(
        default=2,
        description="On-the-fly transcodes running at once (only formats tonearm does not "
        "store are transcoded; stored renditions are served as they are).",
    )
    max_list_size: int = Field(
        default=500, description="The most entries one list call (size, count) answers."
    )
    share_days: int = Field(
        default=30, description="How long a share lasts when the app sets no expiry."
    )


class LogSettings(BaseModel):
    json_lines: bool = True
    level: str = "INFO"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TONEARM_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
    )

    data_dir: Path = Field(default=Path("data"), description="Where everything lives.")
    secret_key: str | None = Field(
        default=None,
        description="Signs media URLs; at least 32 bytes. Default: generated once into "
        "the data directory.",
    )
    database: DatabaseSettings = DatabaseSettings()
    queue: QueueSettings = QueueSettings()
    events: EventSettings = EventSettings()
    storage: StorageSettings = StorageSettings()
    http: HttpSettings = HttpSettings()
    uploads: UploadSettings = UploadSettings()
    media: MediaSettings = MediaSettings()
    jobs: JobSettings = JobSettings()
    streaming: StreamingSettings = StreamingSettings()
    accounts: AccountSettings = AccountSettings()
    listening: ListeningSettings = ListeningSettings()
    subsonic: SubsonicSettings = SubsonicSettings()
    log: LogSettings = LogSettings()

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"TONEARM_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes "
                "(e.g. `openssl rand -hex 32`)."
            )
        return value

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    def resolved_database_url(self) -> str:
        return self.database.url or f"sqlite:///{(self.data_dir / 'tonearm.db').resolve()}"

    def resolved_queue_url(self) -> str:
        return self.queue.url or f"sqlite:///{(self.data_dir / 'queue.db').resolve()}"

    def resolved_events_url(self) -> str:
        if self.events.url:
            return self.events.url
        queue = self.queue.url or ""
        return queue if queue.startswith(("redis://", "rediss://")) else "memory://"

    def resolved_storage_url(self) -> str:
        return self.storage.url or f"file://{(self.data_dir / 'blobs').resolve()}"

    def resolved_secret_key(self) -> bytes:
        """The configured key, else one generated on first start and kept in the data dir.

        Every process sharing a data directory must sign with the same key. The file is
        written whole to a temp file and linked into place, so a reader never sees it
        empty or half-written, and exactly one of several processes starting at once
        wins; the others read the winner's key.
        """
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir / "secret.key"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix=".secret-")
            try:
                with os.fdopen(fd, "w") as fh:  # mkstemp: mode 0600
                    fh.write(secrets.token_hex(32))
                    fh.flush()
                    os.fsync(fh.fileno())
                # link() fails if the name exists: never replaces a key others already use.
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
        key = path.read_text().strip().encode()
        if len(key) < MIN_SECRET_BYTES:
            raise RuntimeError(
                f"{path} holds a key shorter than {MIN_SECRET_BYTES} bytes; "
                "delete it to have a new one made, or set TONEARM_SECRET_KEY."
            )
        return key
