"""Every setting in one place: environment variables (``TONEARM_*``) and CLI flags.

``Settings`` is built once by the edge (CLI, tests) and passed down; domain code
never imports it as a global.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TONEARM_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where everything lives.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite file in the data directory. "
        "postgresql+psycopg://... runs the same code on PostgreSQL.",
    )
    queue_url: str | None = Field(
        default=None,
        description="Job queue: default an embedded SQLite store in the data directory; "
        "redis://host:port/db for several workers on several machines.",
    )
    storage_url: str | None = Field(
        default=None,
        description="Blob store: default file://<data_dir>/blobs; memory:// for tests.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = Field(default=None, description="Base URL printed and used in links.")
    secret_key: str | None = Field(
        default=None, description="Signs media URLs; generated once into the data directory."
    )

    max_upload_bytes: int = 2048 * MiB
    max_multipart_bytes: int = 200 * MiB
    min_duration_s: float = 1.0
    max_duration_s: float = 4 * 3600.0
    upload_expiry_s: int = 24 * 3600

    embedded_workers: int = Field(default=1, description="Processing threads inside `serve`.")
    job_lease_s: float = 30.0
    job_max_attempts: int = 3
    reaper_interval_s: float = 5.0
    job_timeout_s: float = 3 * 3600.0

    segment_seconds: float = 6.0
    ladder_kbps: tuple[int, ...] = (64, 128, 256)
    mp3_kbps: int = 192
    signed_url_ttl_s: int = 6 * 3600
    segment_cache_bytes: int = 256 * MiB

    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    fpcalc: str = "fpcalc"
    log_json: bool = True
    log_level: str = "INFO"

    # --- added by s3 ---
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

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'tonearm.db').resolve()}"

    def resolved_queue_url(self) -> str:
        return self.queue_url or f"sqlite:///{(self.data_dir / 'queue.db').resolve()}"

    def resolved_storage_url(self) -> str:
        return self.storage_url or f"file://{(self.data_dir / 'blobs').resolve()}"

    def resolved_secret_key(self) -> bytes:
        """The configured key, else one generated on first start and kept in the data dir.

        Every process sharing a data directory must sign with the same key, so the
        file is created exclusively and re-read by the losers of a start-up race.
        """
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir / "secret.key"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x") as fh:
                fh.write(secrets.token_hex(32))
        except FileExistsError:
            pass
        return path.read_text().strip().encode()
