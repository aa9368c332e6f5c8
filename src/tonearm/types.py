"""Named ids and units, so a signature says what a value means."""

from __future__ import annotations

from typing import NewType

TrackId = NewType("TrackId", str)
UploadId = NewType("UploadId", str)
JobId = NewType("JobId", int)
BlobHash = NewType("BlobHash", str)
"""Lower-case hex SHA-256 of a stored file's bytes."""
StoreKey = NewType("StoreKey", str)
"""A '/'-separated key in the blob store, never starting with '/' and never holding '..'."""
Seconds = NewType("Seconds", float)
Kbps = NewType("Kbps", int)
FencingToken = NewType("FencingToken", int)
UserId = NewType("UserId", str)
TokenId = NewType("TokenId", str)
InviteId = NewType("InviteId", str)
ArtistId = NewType("ArtistId", str)
AlbumId = NewType("AlbumId", str)
PlaylistId = NewType("PlaylistId", str)
PlaylistItemId = NewType("PlaylistItemId", str)
CommentId = NewType("CommentId", str)
RadioId = NewType("RadioId", str)
ImageHash = NewType("ImageHash", str)
"""Lower-case hex SHA-256 of a stored picture's original bytes (covers, collages)."""
ShareId = NewType("ShareId", str)
