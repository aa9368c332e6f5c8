"""A transcode's output over HTTP: no length, no ranges, and ffmpeg ends with the client.

The bytes do not exist before they are encoded, so there is no Content-Length and
``Accept-Ranges: none`` tells players not to try; a player that seeks asks again
with a start offset. The transcode is closed (process killed, slot released) when
the body ends, when the client goes away, and for HEAD, which sends no body.
"""

from __future__ import annotations

import anyio
import anyio.to_thread
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from tonearm.streaming.file_response import content_disposition, send_chunks
from tonearm.streaming.transcode import Transcode


class PipedResponse(Response):
    def __init__(self, transcode: Transcode, *, method: str, download_name: str) -> None:
        self.transcode = transcode
        self.background = None
        self.status_code = 200
        self._head = method == "HEAD"
        headers = {
            "content-type": transcode.media_type,
            "accept-ranges": "none",
            "cache-control": "no-store",
            "content-disposition": content_disposition("inline", download_name),
        }
        self.raw_headers = [(k.encode(), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            if self._head:
                await send({"type": "http.response.body", "body": b""})
                return
            await send_chunks(receive, send, self.transcode.chunks())
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.transcode.close)
