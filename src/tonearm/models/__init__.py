"""Tables, one module per aggregate. Imports nothing above itself."""

from tonearm.models.base import Base, utcnow
from tonearm.models.blob import Blob, BlobStatus, Rendition, Segment
from tonearm.models.job import Job, JobState
from tonearm.models.track import Track
from tonearm.models.upload import Upload

__all__ = [
    "Base",
    "Blob",
    "BlobStatus",
    "Job",
    "JobState",
    "Rendition",
    "Segment",
    "Track",
    "Upload",
    "utcnow",
]
