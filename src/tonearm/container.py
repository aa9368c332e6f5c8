"""The composition root: everything built from ``Settings``, top to bottom.

Shared infrastructure first (database, queue, store, media tools, signing), then one
part per domain in layer order, each built by name from what is below it. The HTTP
app, the worker and the CLI all start here; nothing below reads settings or builds
its own dependencies.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from sqlalchemy import Engine

from tonearm.accounts.app_passwords import AppPasswordService, Sealer
from tonearm.accounts.auth import Authenticator, Deps
from tonearm.accounts.passwords import Passwords
from tonearm.accounts.service import AccountPolicy, AccountService
from tonearm.blobs.images import ImageService
from tonearm.blobs.jobs import CollectBlob
from tonearm.blobs.service import COLLECT_TASK, PROCESS_KIND, BlobService
from tonearm.db import migrate
from tonearm.db.engine import WriteCounter, make_engine, make_session_factory
from tonearm.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tonearm.events import ChangeFeed, open_feed
from tonearm.ingest.jobs import EXPIRE_TASK, ExpireUploads
from tonearm.ingest.service import IngestService, Limits
from tonearm.ingest.staging import StagingArea
from tonearm.ingest.uploads import UploadService
from tonearm.jobs.runner import RUN_TASK, JobRunner, RunnerConfig
from tonearm.library.access import TrackAccess
from tonearm.library.browse import CatalogService
from tonearm.library.likes import LikeService
from tonearm.library.lyrics import LyricsService
from tonearm.library.service import LibraryService
from tonearm.listening.charts import ChartService
from tonearm.listening.flush import CountWriter, Flusher
from tonearm.listening.history import HistoryService
from tonearm.listening.live import LiveListeners, TrackFacts
from tonearm.listening.reports import ReportService
from tonearm.listening.service import PlayRules, PlayService
from tonearm.listening.stats import StatsService
from tonearm.listening.tokens import PlayTokens
from tonearm.livestate.base import PlaySessions, Presence, Tally
from tonearm.livestate.memory import MemoryPlaySessions, MemoryPresence, MemoryTally
from tonearm.livestate.redis_presence import RedisPresence
from tonearm.livestate.redis_state import RedisPlaySessions, RedisTally
from tonearm.media import MediaTools, Rung
from tonearm.playlists.items import ItemService
from tonearm.playlists.jobs import BuildCollage
from tonearm.playlists.service import COLLAGE_KIND, PlaylistService
from tonearm.playlists.sharing import SharingService
from tonearm.playlists.transfer import TransferService
from tonearm.processing.jobs import PipelineConfig, ProcessBlob
from tonearm.processing.service import ProcessingService
from tonearm.queue import TaskQueue, open_queue
from tonearm.radio.jobs import DESCRIBE_KIND, DescribeBlobs
from tonearm.radio.mixes import MixService
from tonearm.radio.neighbours import SoundIndex
from tonearm.radio.service import RadioService
from tonearm.search.index import SearchIndexer
from tonearm.search.service import SearchService
from tonearm.settings import Settings
from tonearm.social.bookmarks import BookmarkService
from tonearm.social.embeds import EmbedService
from tonearm.social.live import LiveFilter
from tonearm.social.queue import QueueService
from tonearm.social.service import CommentService
from tonearm.social.shares import ShareService
from tonearm.storage import BlobStore, open_store
from tonearm.streaming.fastpath import SegmentCache
from tonearm.streaming.service import StreamingService
from tonearm.streaming.signing import UrlSigner
from tonearm.streaming.urls import Delivery, MediaUrls
from tonearm.types import Kbps, Seconds, UserId


@dataclass(frozen=True)
class Infrastructure:
    settings: Settings
    engine: Engine
    read_engine: Engine
    uows: UnitOfWorkFactory
    store: BlobStore
    queue: TaskQueue
    tools: MediaTools
    signer: UrlSigner
    events: ChangeFeed
    """Change notices for open pages (``events/``)."""
    presence: Presence
    """Who listens now (``livestate/``): beside the feed, on the same Redis when scaled out."""
    worker_name: str


@dataclass(frozen=True)
class BlobsPart:
    service: BlobService
    collect: CollectBlob
    images: ImageService


@dataclass(frozen=True)
class AccountsPart:
    service: AccountService
    auth: Authenticator
    deps: Deps
    """The dependencies routes declare (viewer, member, scoped, admin)."""
    app_passwords: AppPasswordService
    """Subsonic app passwords, sealed with the server's key."""


@dataclass(frozen=True)
class CatalogPart:
    """Artists, albums, genres, covers, likes and lyrics (the library's other services)."""

    images: ImageService
    service: CatalogService
    likes: LikeService
    lyrics: LyricsService


@dataclass(frozen=True)
class StreamingPart:
    urls: MediaUrls
    service: StreamingService
    segment_cache: SegmentCache


@dataclass(frozen=True)
class IngestPart:
    staging: StagingArea
    uploads: UploadService
    service: IngestService
    expire: ExpireUploads


@dataclass(frozen=True)
class ProcessingPart:
    service: ProcessingService
    job: ProcessBlob


@dataclass(frozen=True)
class SocialPart:
    comments: CommentService
    queue: QueueService
    embeds: EmbedService
    live: LiveFilter
    """Which change notices each viewer's page is sent."""
    bookmarks: BookmarkService
    shares: ShareService


@dataclass(frozen=True)
class PlaylistsPart:
    service: PlaylistService
    items: ItemService
    sharing: SharingService
    transfer: TransferService
    images: ImageService
    collage: BuildCollage


@dataclass(frozen=True)
class RadioPart:
    index: SoundIndex
    """Every descriptor in memory, shared by similar tracks, radios and mixes."""
    service: RadioService
    mixes: MixService
    describe: DescribeBlobs
    """The descriptor backfill (``radio.describe``)."""


@dataclass(frozen=True)
class SearchPart:
    index: SearchIndexer
    """Kept current by the library and playlists in each change's transaction."""
    service: SearchService


@dataclass(frozen=True)
class ListeningPart:
    live: LiveListeners
    sessions: PlaySessions
    """Open play sessions (memory, or Redis when the events URL is Redis)."""
    tally: Tally
    counts: CountWriter
    """Counted plays, committed in groups before they are answered."""
    flusher: Flusher
    """Heard seconds, written every ``flush_interval_s`` (started by ``serve``)."""
    plays: PlayService
    writes: WriteCounter
    """Database write statements so far (benchmarks read it from the flush log)."""

    def close(self) -> None:
        self.flusher.stop()
        self.counts.stop()


@dataclass(frozen=True)
class ChartsPart:
    """The read side of listening: charts, history, statistics, the royalty report."""

    charts: ChartService
    history: HistoryService
    stats: StatsService
    reports: ReportService


@dataclass(frozen=True)
class Container:
    infra: Infrastructure
    jobs: JobRunner
    accounts: AccountsPart
    blobs: BlobsPart
    library: LibraryService
    catalog: CatalogPart
    streaming: StreamingPart
    ingest: IngestPart
    processing: ProcessingPart
    social: SocialPart
    listening: ListeningPart
    playlists: PlaylistsPart
    radio: RadioPart
    search: SearchPart
    charts: ChartsPart

    @property
    def settings(self) -> Settings:
        return self.infra.settings

    def migrate(self) -> None:
        migrate.upgrade(self.infra.engine)
        migrate.refresh_statistics(self.infra.engine)

    def refresh_statistics(self) -> None:
        """After many rows arrived at once (an import)."""
        migrate.refresh_statistics(self.infra.engine)

    def release_owned(self, uow: UnitOfWork, user_id: UserId) -> int:
        """Everything an account owns, before it goes: tracks (shared audio stays for
        others) and unfinished uploads. Returns how many tracks went."""
        tracks = self.library.delete_all_of(uow, user_id)
        self.ingest.uploads.discard_all_of(uow, user_id)
        return tracks

    def close(self) -> None:
        self.infra.presence.close()  # first: an expiry noticed now would publish on the feed
        self.listening.close()
        self.infra.events.close()
        self.infra.engine.dispose()
        self.infra.read_engine.dispose()


def build_presence(settings: Settings) -> Presence:
    """In memory for one process; on Redis (the change feed's) for several."""
    url = settings.resolved_events_url()
    ttl = settings.listening.presence_ttl_s
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisPresence(url, ttl, prefix=settings.listening.redis_prefix)
    return MemoryPresence(ttl)


def build_infrastructure(settings: Settings) -> Infrastructure:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    engine = make_engine(url)
    read_engine = make_engine(url, readonly=True)
    queue = open_queue(settings.resolved_queue_url())
    s3 = settings.storage
    return Infrastructure(
        settings=settings,
        engine=engine,
        read_engine=read_engine,
        uows=UnitOfWorkFactory(
            make_session_factory(engine), make_session_factory(read_engine), queue
        ),
        store=open_store(
            settings.resolved_storage_url(),
            s3_endpoint_url=s3.s3_endpoint_url,
            s3_region=s3.s3_region,
            s3_access_key_id=s3.s3_access_key_id,
            s3_secret_access_key=s3.s3_secret_access_key,
            s3_path_style=s3.s3_path_style,
            s3_multipart_threshold_bytes=s3.s3_multipart_threshold_bytes,
            s3_part_size_bytes=s3.s3_part_size_bytes,
        ),
        queue=queue,
        tools=MediaTools(
            ffmpeg=settings.media.ffmpeg,
            ffprobe=settings.media.ffprobe,
            fpcalc=settings.media.fpcalc,
        ),
        signer=UrlSigner(settings.resolved_secret_key(), settings.streaming.signed_url_ttl_s),
        events=open_feed(settings.resolved_events_url()),
        presence=build_presence(settings),
        worker_name=f"{socket.gethostname()}:{os.getpid()}",
    )


def build_media_urls(infra: Infrastructure) -> MediaUrls:
    s = infra.settings.streaming
    return MediaUrls(
        infra.signer,
        infra.store,
        Delivery(
            media_base_url=s.media_base_url,
            segments=s.segment_delivery,
            files=s.file_delivery,
            presign_ttl_s=s.presign_ttl_s,
            # As long as an app-signed link can live: players keep a finished playlist.
            segment_ttl_s=2 * s.signed_url_ttl_s,
        ),
    )


def build_accounts(infra: Infrastructure) -> AccountsPart:
    a = infra.settings.accounts
    service = AccountService(
        Passwords(
            time_cost=a.argon2_time_cost, memory_kib=a.argon2_memory_kib, lanes=a.argon2_lanes
        ),
        AccountPolicy(
            session_idle_s=a.session_idle_s,
            session_absolute_s=a.session_absolute_s,
            open_registration=a.open_registration,
            failures_per_account=a.failures_per_account,
            failures_per_address=a.failures_per_address,
            failure_window_s=a.failure_window_s,
            block_s=a.block_s,
        ),
    )
    auth = Authenticator(
        infra.uows,
        service,
        bind_to_address=a.bind_urls_to_address,
        anonymous_listening=a.anonymous_listening,
    )
    return AccountsPart(
        service=service,
        auth=auth,
        deps=auth.bind(),
        app_passwords=AppPasswordService(Sealer(infra.settings.resolved_secret_key())),
    )


def build_ingest(
    infra: Infrastructure, blobs: BlobsPart, library: LibraryService, accounts: AccountService
) -> IngestPart:
    s = infra.settings
    staging = StagingArea(s.tmp_dir / "uploads")
    uploads = UploadService(staging, s.uploads.max_bytes, s.uploads.expiry_s)
    service = IngestService(
        uows=infra.uows,
        blobs=blobs.service,
        library=library,
        uploads=uploads,
        accounts=accounts,
        images=blobs.images,
        tools=infra.tools,
        limits=Limits(Seconds(s.media.min_duration_s), Seconds(s.media.max_duration_s)),
    )
    expire = ExpireUploads(infra.uows, staging, grace_s=s.uploads.expiry_s)
    return IngestPart(staging=staging, uploads=uploads, service=service, expire=expire)


def build_processing(infra: Infrastructure, library: LibraryService) -> ProcessingPart:
    m = infra.settings.media
    service = ProcessingService(infra.store, library)
    job = ProcessBlob(
        infra.uows,
        infra.store,
        infra.tools,
        service,
        PipelineConfig(
            work_root=infra.settings.tmp_dir / "work",
            rungs=tuple(Rung(f"{k}k", Kbps(k)) for k in sorted(m.ladder_kbps)),
            segment_seconds=m.segment_seconds,
            mp3_kbps=Kbps(m.mp3_kbps),
            timeout_s=infra.settings.jobs.timeout_s,
        ),
    )
    return ProcessingPart(service=service, job=job)


def build_playlists(
    infra: Infrastructure, library: LibraryService, images: ImageService, index: SearchIndexer
) -> PlaylistsPart:
    service = PlaylistService(library.access, infra.events, index)
    items = ItemService(service, library)
    return PlaylistsPart(
        service=service,
        items=items,
        sharing=SharingService(service),
        transfer=TransferService(service, items),
        images=images,
        collage=BuildCollage(infra.uows, infra.store, images),
    )


def build_listening(
    infra: Infrastructure, library: LibraryService, index: SearchIndexer
) -> ListeningPart:
    s = infra.settings.listening
    url = infra.settings.resolved_events_url()
    sessions: PlaySessions
    tally: Tally
    if url.startswith("memory:"):
        sessions, tally = MemoryPlaySessions(), MemoryTally()
    else:
        sessions, tally = RedisPlaySessions(url), RedisTally(url)
    live = LiveListeners(infra.presence, infra.events, TrackFacts(infra.uows))
    writes = WriteCounter(infra.engine)
    counts = CountWriter(infra.uows, observer=index)
    plays = PlayService(
        library,
        PlayTokens(infra.settings.resolved_secret_key()),
        sessions,
        tally,
        counts,
        live,
        PlayRules(
            count_after_ms=round(s.count_after_s * 1000),
            heartbeat_s=s.heartbeat_s,
            min_heartbeat_gap_s=s.min_heartbeat_gap_s,
            starts_per_minute=s.max_sessions_per_listener_per_minute,
        ),
    )
    return ListeningPart(
        live=live,
        sessions=sessions,
        tally=tally,
        counts=counts,
        flusher=Flusher(tally, infra.uows, s.flush_interval_s, writes=writes),
        plays=plays,
        writes=writes,
    )


def build(settings: Settings) -> Container:
    infra = build_infrastructure(settings)
    runner = JobRunner(
        infra.uows,
        RunnerConfig(
            worker_name=infra.worker_name,
            lease_s=settings.jobs.lease_s,
            max_attempts=settings.jobs.max_attempts,
        ),
    )
    accounts = build_accounts(infra)
    blob_service = BlobService(infra.store)
    blobs = BlobsPart(
        service=blob_service,
        collect=CollectBlob(infra.uows, blob_service),
        images=ImageService(infra.store),
    )
    urls = build_media_urls(infra)
    search_index = SearchIndexer()
    library = LibraryService(
        blob_service,
        urls,
        TrackAccess(anonymous_listening=settings.accounts.anonymous_listening),
        infra.events,
        search_index,
    )
    images = blobs.images  # one picture store for covers, folder pictures and collages
    browse = CatalogService(library, images, infra.store)
    catalog = CatalogPart(
        images=images,
        service=browse,
        likes=LikeService(browse, search_index),
        lyrics=LyricsService(library),
    )
    streaming = StreamingPart(
        urls=urls,
        service=StreamingService(urls, library, settings.media.segment_seconds),
        segment_cache=SegmentCache(settings.streaming.segment_cache_bytes),
    )
    ingest = build_ingest(infra, blobs, library, accounts.service)
    processing = build_processing(infra, library)
    social = SocialPart(
        comments=CommentService(library),
        queue=QueueService(library, infra.events),
        embeds=EmbedService(library),
        live=LiveFilter(),
        bookmarks=BookmarkService(library),
        shares=ShareService(library, settings.resolved_secret_key(), settings.subsonic.share_days),
    )
    playlists = build_playlists(infra, library, blobs.images, search_index)
    search = SearchPart(
        index=search_index, service=SearchService(library, browse, playlists.service)
    )

    sounds = SoundIndex()
    radio_service = RadioService(library, browse, sounds)
    radio = RadioPart(
        index=sounds,
        service=radio_service,
        mixes=MixService(radio_service),
        describe=DescribeBlobs(infra.uows, infra.store, infra.tools, settings.tmp_dir / "describe"),
    )

    charts = ChartsPart(
        charts=ChartService(
            infra.uows, browse, infra.events, refresh_s=settings.listening.chart_refresh_s
        ),
        history=HistoryService(library),
        stats=StatsService(library),
        reports=ReportService(),
    )

    runner.register(PROCESS_KIND, processing.job)
    runner.register(DESCRIBE_KIND, radio.describe)
    runner.register(COLLAGE_KIND, playlists.collage)
    infra.queue.register(RUN_TASK, runner)
    infra.queue.register(COLLECT_TASK, blobs.collect)
    infra.queue.register(EXPIRE_TASK, ingest.expire)

    return Container(
        infra=infra,
        jobs=runner,
        accounts=accounts,
        blobs=blobs,
        library=library,
        catalog=catalog,
        streaming=streaming,
        ingest=ingest,
        processing=processing,
        social=social,
        listening=build_listening(infra, library, search_index),
        playlists=playlists,
        radio=radio,
        search=search,
        charts=charts,
    )
