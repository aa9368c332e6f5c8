"""Which uploads tonearm opens, and how every tool is told to open them.

An upload is hostile until ffprobe, held to an allow-list, says it is audio. Without
the list libavformat picks a demuxer from the bytes, and some demuxers open other
files or URLs named inside the upload: a 100-byte HLS playlist (``hls``) or ffconcat
list (``concat``) naming an absolute path on the server was accepted, and that file's
audio was processed and served. So every ffmpeg, ffprobe and fpcalc run in this
package opens an upload only through :func:`input_args` / :func:`fpcalc_input_args`:

- ``-format_whitelist``: libavformat refuses any demuxer not in :data:`DEMUXERS`
  before it reads past the probe buffer (a playlist fails with "Format not on
  whitelist", naming itself; that name becomes the error message).
- ``-f <demuxer>`` after the probe: later runs use the demuxer the probe approved
  rather than guessing again, so they cannot decode the bytes as something else.
- ``-protocol_whitelist file`` and a ``file:`` URL: no network or other protocol, and
  a path is never read as a URL.
- fpcalc has no whitelist options; it gets ``-format <demuxer>``, and none of the
  approved demuxers opens a second file (``mov`` would follow external data
  references only with ``enable_drefs``, off by default).

Every demuxer here reads one self-contained file. The codec of the first audio stream
must be in :data:`AUDIO_CODECS` too: a WAV or Matroska file can carry almost anything.
"""

from __future__ import annotations

from pathlib import Path

from tonearm.errors import UnsupportedMedia

DEMUXERS: tuple[str, ...] = ("aac", "aiff", "flac", "matroska", "mov", "mp3", "ogg", "wav", "wv")
"""libavformat demuxer names (the first name of ffprobe's ``format_name``)."""

AUDIO_CODECS: frozenset[str] = frozenset(
    {
        "aac",
        "alac",
        "flac",
        "mp3",
        "opus",
        "vorbis",
        "wavpack",
        "pcm_u8",
        "pcm_s8",
        "pcm_s16le",
        "pcm_s16be",
        "pcm_s24le",
        "pcm_s24be",
        "pcm_s32le",
        "pcm_s32be",
        "pcm_f32le",
        "pcm_f32be",
        "pcm_f64le",
        "pcm_f64be",
    }
)
"""ffprobe ``codec_name`` values accepted for the audio stream."""

LOSSY_CODECS: frozenset[str] = frozenset({"aac", "mp3", "opus", "vorbis"})
"""Codecs whose bit rate bounds what a rendition can carry (see ``ladder.shape_ladder``)."""

SUPPORTED = (
    "MP3, FLAC, WAV, AIFF, Ogg Vorbis, Opus, M4A (AAC or ALAC), raw AAC, WavPack and Matroska audio"
)

# Demuxers that only point at other files or URLs, and image readers: said plainly.
_PLAYLISTS = {
    "hls": "an HLS playlist",
    "concat": "an ffmpeg concat list",
    "dash": "a DASH manifest",
    "webm_dash_manifest": "a DASH manifest",
    "imf": "an IMF composition",
}


def demuxer_of(format_name: str) -> str:
    """The demuxer to force for a file ffprobe described as ``format_name``.

    ``format_name`` is ffprobe's (e.g. ``"mov,mp4,m4a,3gp,3g2,mj2"``) or a value
    stored from it. Raises ``UnsupportedMedia`` unless it names an allowed demuxer:
    a row written before the allow-list existed must not be decoded by its old one.
    """
    demuxer = format_name.split(",", 1)[0].strip()
    if demuxer not in DEMUXERS:
        raise refused_container(demuxer)
    return demuxer


def check_codec(codec: str) -> None:
    if codec not in AUDIO_CODECS:
        raise UnsupportedMedia(
            f"The audio in this file is encoded as {codec or 'an unknown codec'}, which "
            f"tonearm does not accept. Supported: {SUPPORTED}.",
            code="unsupported-codec",
        )


def refused_container(demuxer: str) -> UnsupportedMedia:
    """The error for a file libavformat recognised as a container we do not open."""
    if demuxer in _PLAYLISTS:
        message = (
            f"This file is {_PLAYLISTS[demuxer]}: it only names other files and holds no "
            f"audio of its own. Upload the audio file itself ({SUPPORTED})."
        )
    else:
        what = (
            "an image"
            if demuxer.startswith("image") or demuxer.endswith("_pipe")
            else (f"in the {demuxer} format")
        )
        message = f"This file is {what}, not audio tonearm can read (supported: {SUPPORTED})."
    return UnsupportedMedia(message, code="unsupported-container")


def input_args(path: Path, demuxer: str | None) -> list[str]:
    """ffmpeg/ffprobe arguments opening ``path`` as an input, ending with ``-i``.

    ``demuxer`` is None only for the first probe; every later run passes the one
    :func:`demuxer_of` approved.
    """
    forced = ["-f", demuxer] if demuxer is not None else []
    return [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        ",".join(DEMUXERS),
        *forced,
        "-i",
        file_url(path),
    ]


def fpcalc_input_args(path: Path, demuxer: str) -> list[str]:
    """fpcalc arguments naming ``path`` with its approved demuxer (fpcalc takes no
    whitelist options: the forced demuxer is what keeps playlists out)."""
    return ["-format", demuxer, file_url(path)]


def file_url(path: Path) -> str:
    """``path`` as a ``file:`` URL, so a name like ``http:x`` is never a protocol."""
    return f"file:{path}"
