"""One error tree for the whole product.

Domain code raises these; each edge translates them: the HTTP layer into RFC 9457
problem details, the CLI into exit codes, the worker into a failed job with the
message as its reason. No HTTP status codes live here: ``kind`` names the class of
failure and each edge maps it.
"""

from __future__ import annotations


class TonearmError(Exception):
    """Base of every error a person may be shown.

    ``message`` is written for a person (what went wrong and, where possible, what
    to do); ``code`` is a stable slug for machines (it becomes the problem type).
    """

    kind = "error"
    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(TonearmError):
    kind = "not_found"
    code = "not-found"


class Conflict(TonearmError):
    kind = "conflict"
    code = "conflict"


class Forbidden(TonearmError):
    kind = "forbidden"
    code = "forbidden"


class Invalid(TonearmError):
    """The input is well-formed for the protocol but its content cannot be used."""

    kind = "invalid"
    code = "invalid"


class BadRequest(TonearmError):
    """The request itself is malformed (missing header, unparsable value)."""

    kind = "bad_request"
    code = "bad-request"


class UnsupportedMedia(TonearmError):
    """The bytes are not audio we can read, whatever their name says."""

    kind = "unsupported_media"
    code = "unsupported-media"


class TooLarge(TonearmError):
    kind = "too_large"
    code = "too-large"


class ChecksumMismatch(TonearmError):
    kind = "checksum_mismatch"
    code = "checksum-mismatch"


class PreconditionFailed(TonearmError):
    """A protocol precondition is not met (e.g. an unsupported protocol version)."""

    kind = "precondition_failed"
    code = "precondition-failed"


class Gone(TonearmError):
    kind = "gone"
    code = "gone"


class Unavailable(TonearmError):
    """A dependency (database, store, tool) cannot serve the request right now."""

    kind = "unavailable"
    code = "unavailable"


class NotImplementedHere(TonearmError):
    """A valid request for something this server does not offer (an oEmbed format)."""

    kind = "not_implemented"
    code = "not-implemented"


class Locked(TonearmError):
    """Someone else is changing this right now; retrying shortly will work."""

    kind = "locked"
    code = "locked"


class TimedOut(TonearmError):
    """The client stopped sending in the middle of a request."""

    kind = "timed_out"
    code = "timed-out"


class Unauthenticated(TonearmError):
    """Nobody is signed in, or the credentials are wrong, expired or revoked."""

    kind = "unauthenticated"
    code = "unauthenticated"


class Throttled(TonearmError):
    """Too many attempts; ``retry_after_s`` says when the next one may work."""

    kind = "throttled"
    code = "throttled"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
