"""Media: probing, tags, artwork, the HLS ladder and audio analysis.

Pure functions and classes over local paths and work directories; this package knows
nothing of the database or the blob store. Binaries come in through
:class:`MediaTools`. See ``pipeline.py`` for the parallel encode.
"""

from tonearm.media.artwork import Artwork, decode_picture, read_artwork
from tonearm.media.descriptors import DESCRIPTOR_VERSION, Descriptor, describe_file
from tonearm.media.fingerprint import Fingerprint
from tonearm.media.formats import SUPPORTED
from tonearm.media.ladder import (
    AAC_LC_CODECS,
    DEFAULT_LADDER,
    RenditionResult,
    Rung,
    SegmentFile,
    output_channels,
    output_sample_rate,
    shape_ladder,
)
from tonearm.media.loudness import Loudness
from tonearm.media.pipeline import MediaResult, PipelineObserver, process_audio
from tonearm.media.probe import AudioInfo, probe
from tonearm.media.tags import Tags, read_tags
from tonearm.media.tools import MediaTools
from tonearm.media.waveform import WAVEFORM_POINTS

__all__ = [
    "AAC_LC_CODECS",
    "DEFAULT_LADDER",
    "DESCRIPTOR_VERSION",
    "SUPPORTED",
    "WAVEFORM_POINTS",
    "Artwork",
    "AudioInfo",
    "Descriptor",
    "Fingerprint",
    "Loudness",
    "MediaResult",
    "MediaTools",
    "PipelineObserver",
    "RenditionResult",
    "Rung",
    "SegmentFile",
    "Tags",
    "decode_picture",
    "describe_file",
    "output_channels",
    "output_sample_rate",
    "probe",
    "process_audio",
    "read_artwork",
    "read_tags",
    "shape_ladder",
]
