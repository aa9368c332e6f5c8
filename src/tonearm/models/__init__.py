"""Tables, one module per aggregate. Imports nothing above itself."""

from tonearm.models.account import ApiToken, Invite, Role, Scope, Session, Throttle, User
from tonearm.models.base import Base, utcnow
from tonearm.models.blob import Blob, BlobStatus, Rendition, Segment
from tonearm.models.job import Job, JobState
from tonearm.models.track import Track, Visibility
from tonearm.models.upload import Upload

__all__ = [
    "ApiToken",
    "Base",
    "Blob",
    "BlobStatus",
    "Invite",
    "Job",
    "JobState",
    "Rendition",
    "Role",
    "Scope",
    "Segment",
    "Session",
    "Throttle",
    "Track",
    "Upload",
    "User",
    "Visibility",
    "utcnow",
]
