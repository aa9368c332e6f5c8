"""Rendering HLS playlists (RFC 8216) from the rendition and segment rows.

Playlists are generated, not stored: segment URLs are signed per window, and a
rendition still being encoded is served as an EVENT playlist that grows until
the worker marks it complete, so playback can start before processing ends.

Players treat a playlist without ``#EXT-X-ENDLIST`` as live and join it near its
end (hls.js: three target durations back, about 40 s into a track still being
encoded). ``#EXT-X-START:TIME-OFFSET=0`` (RFC 8216 4.3.5.2) asks them to start at
the beginning instead. The tag may stand in the master and in media playlists;
both carry it, with the same value, so a player that opens a variant directly
(or reads the tag from only one of them) starts at 0 too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from tonearm.models import Rendition, Segment

START_AT_ZERO = "#EXT-X-START:TIME-OFFSET=0"


def master(renditions: Sequence[Rendition], variant_uri: Callable[[Rendition], str]) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS", START_AT_ZERO]
    # Highest first: players that ignore BANDWIDTH start with the first entry.
    for r in sorted(renditions, key=lambda r: r.bitrate_kbps, reverse=True):
        peak = r.peak_bandwidth or _nominal(r)
        attrs = [f"BANDWIDTH={peak}"]
        if r.average_bandwidth:
            attrs.append(f"AVERAGE-BANDWIDTH={r.average_bandwidth}")
        attrs.append(f'CODECS="{r.codecs}"')
        lines.append(f"#EXT-X-STREAM-INF:{','.join(attrs)}")
        lines.append(variant_uri(r))
    return "\n".join(lines) + "\n"


def _nominal(r: Rendition) -> int:
    # Before the encode ends the real peak is unknown: container overhead ~10 %.
    return int(r.bitrate_kbps * 1000 * 1.1)


def variant(
    rendition: Rendition,
    segments: Sequence[Segment],
    *,
    init_uri: str,
    segment_uri: Callable[[Segment], str],
    segment_seconds: float,
) -> str:
    longest = max((s.duration for s in segments), default=segment_seconds)
    target = max(1, math.ceil(max(longest, segment_seconds) - 1e-6))
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        f"#EXT-X-PLAYLIST-TYPE:{'VOD' if rendition.complete else 'EVENT'}",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        START_AT_ZERO,
        f'#EXT-X-MAP:URI="{init_uri}"',
    ]
    for seg in segments:
        lines.append(f"#EXTINF:{seg.duration:.6f},")
        lines.append(segment_uri(seg))
    if rendition.complete:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"
