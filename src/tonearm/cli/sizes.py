"""Byte sizes as people write them on a command line (``10G``, ``500M``) and read them back.

Units are binary, as ``df -h``, nginx and Docker count them: ``1K`` is 1024 bytes and
``10G`` (or ``10GB``, ``10GiB``) is 10 x 1024^3. A bare number is bytes.
"""

from __future__ import annotations

import re

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in ``text``; ``ValueError`` with a readable reason for anything else."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size: write it like 500M, 10G or 1.5T")
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit.upper()])


def format_size(size: int) -> str:
    """``size`` in the largest unit that keeps it at least 1 (``1.5 GiB``, ``512 B``)."""
    for unit in ("T", "G", "M", "K"):
        scale = _UNITS[unit]
        if size >= scale:
            value = size / scale
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}iB"
    return f"{size} B"
