"""Tables, one module per aggregate. Imports nothing above itself."""

from tonearm.models.account import ApiToken, Invite, Role, Scope, Session, Throttle, User
from tonearm.models.base import Base, utcnow
from tonearm.models.blob import Blob, BlobStatus, Rendition, Segment
from tonearm.models.catalog import Album, Artist, Image, Like, LikeKind, TrackGenre
from tonearm.models.charts import ChartEntry, ChartWindow, PlayDay, PlayDayMark
from tonearm.models.imported import ImportedFile
from tonearm.models.job import Job, JobState
from tonearm.models.listening import ListenerTrack, Play, PlayHour, TrackPlays
from tonearm.models.playlist import (
    MemberRole,
    Playlist,
    PlaylistInvite,
    PlaylistItem,
    PlaylistKind,
    PlaylistMember,
)
from tonearm.models.search import SearchLine, SearchName, SearchTrack, SearchWord
from tonearm.models.social import Comment, PlayQueue
from tonearm.models.sound import (
    BlobFeatures,
    FeedbackAction,
    RadioSession,
    RadioTrack,
    SeedKind,
    TrackFeedback,
)
from tonearm.models.subsonic import AppPassword, Bookmark, Rating, Share
from tonearm.models.track import Track, Visibility
from tonearm.models.upload import Upload

__all__ = [
    "Album",
    "ApiToken",
    "AppPassword",
    "Artist",
    "Base",
    "Blob",
    "BlobFeatures",
    "BlobStatus",
    "Bookmark",
    "ChartEntry",
    "ChartWindow",
    "Comment",
    "FeedbackAction",
    "Image",
    "ImportedFile",
    "Invite",
    "Job",
    "JobState",
    "Like",
    "LikeKind",
    "ListenerTrack",
    "MemberRole",
    "Play",
    "PlayDay",
    "PlayDayMark",
    "PlayHour",
    "PlayQueue",
    "Playlist",
    "PlaylistInvite",
    "PlaylistItem",
    "PlaylistKind",
    "PlaylistMember",
    "RadioSession",
    "RadioTrack",
    "Rating",
    "Rendition",
    "Role",
    "Scope",
    "SearchLine",
    "SearchName",
    "SearchTrack",
    "SearchWord",
    "SeedKind",
    "Segment",
    "Session",
    "Share",
    "Throttle",
    "Track",
    "TrackFeedback",
    "TrackGenre",
    "TrackPlays",
    "Upload",
    "User",
    "Visibility",
    "utcnow",
]
