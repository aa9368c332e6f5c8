"""MPEG audio Layer III frame headers: enough to cut a CBR MP3 at a frame, no decoding.

The stored MP3 fallback is constant bit rate (``ladder.mp3_output_args``), so the
frame holding second ``t`` sits near ``t * bitrate / 8`` bytes in; a frame header
found there (checked against the next one, since ``0xFFE`` also occurs inside audio
data) is a cut point. Frames after a cut play on their own except for the bit
reservoir: the first frame may borrow a few bytes from the one before it, a glitch
of at most one frame (26 ms at 44.1 kHz) that decoders conceal.
"""

from __future__ import annotations

from dataclasses import dataclass

_KBPS_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_KBPS_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES_V1 = (44100, 48000, 32000)


@dataclass(frozen=True)
class Frame:
    version: int
    """3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5 (the header's two bits)."""
    kbps: int
    sample_rate: int
    length: int
    """Bytes, header included."""

    @property
    def samples(self) -> int:
        return 1152 if self.version == 3 else 576

    def same_stream(self, other: Frame) -> bool:
        return self.version == other.version and self.sample_rate == other.sample_rate


def frame_at(data: bytes, pos: int) -> Frame | None:
    """The Layer III frame header at ``data[pos:]``, or None if there is none."""
    if pos < 0 or pos + 4 > len(data):
        return None
    b1, b2 = data[pos + 1], data[pos + 2]
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    rate_index, kbps_index = (b2 >> 2) & 3, b2 >> 4
    if data[pos] != 0xFF or b1 & 0xE0 != 0xE0 or version == 1 or layer != 1:
        return None
    if rate_index == 3 or kbps_index in (0, 15):
        return None
    kbps = (_KBPS_V1 if version == 3 else _KBPS_V2)[kbps_index]
    rate = _RATES_V1[rate_index] >> {3: 0, 2: 1, 0: 2}[version]
    padding = (b2 >> 1) & 1
    per_frame = 144 if version == 3 else 72
    return Frame(version, kbps, rate, per_frame * kbps * 1000 // rate + padding)


def audio_start(head: bytes) -> int:
    """Where the first frame starts: after an ID3v2 tag when there is one."""
    if len(head) >= 10 and head[:3] == b"ID3":
        size = 0
        for byte in head[6:10]:
            size = (size << 7) | (byte & 0x7F)
        return 10 + size + (10 if head[5] & 0x10 else 0)
    return 0


def estimate(first: Frame, first_pos: int, seconds: float) -> int:
    """About where the frame holding ``seconds`` starts, in a CBR file whose first
    frame (an Info header carrying no audio, as LAME writes it) is ``first``."""
    frames = int(max(0.0, seconds) * first.sample_rate / first.samples)
    frame_bytes = first.samples / 8 * first.kbps * 1000 / first.sample_rate
    return first_pos + first.length + int(frames * frame_bytes)


def sync(window: bytes, like: Frame) -> int | None:
    """The first position in ``window`` where a frame of ``like``'s stream starts and
    the next frame follows it (or the window ends first)."""
    for pos in range(len(window) - 3):
        frame = frame_at(window, pos)
        if frame is None or not frame.same_stream(like):
            continue
        following = pos + frame.length
        if following + 4 > len(window):
            return pos
        after = frame_at(window, following)
        if after is not None and after.same_stream(like):
            return pos
    return None
