"""Reading request bodies: in batches, with an idle timeout, keeping what arrived."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio

from tonearm.errors import TimedOut

BATCH_BYTES = 1024 * 1024


async def batched(body: AsyncIterator[bytes], size: int = BATCH_BYTES) -> AsyncIterator[bytes]:
    """Join small network chunks into batches of about ``size`` bytes (one disk write each)."""
    buf = bytearray()
    try:
        async for chunk in body:
            buf += chunk
            if len(buf) >= size:
                yield bytes(buf)
                buf.clear()
    except Exception:
        # A dropped or stalled client: hand over what did arrive, then say why it ended.
        if buf:
            yield bytes(buf)
        raise
    if buf:
        yield bytes(buf)


async def with_idle_timeout(body: AsyncIterator[bytes], idle_s: float) -> AsyncIterator[bytes]:
    """Raise ``TimedOut`` when no byte arrives for ``idle_s`` seconds.

    A body shorter than its Content-Length would otherwise hold the request (and the
    upload's lock) for as long as the client keeps the connection open.
    """
    iterator = body.__aiter__()
    while True:
        try:
            with anyio.fail_after(idle_s):
                chunk = await iterator.__anext__()
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise TimedOut(
                f"No data arrived for {idle_s:.0f} s; what did arrive is kept: "
                "ask for the offset with HEAD and resume."
            ) from None
        yield chunk
