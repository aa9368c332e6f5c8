"""Blobs in an S3-compatible object store (AWS S3, MinIO, R2, Ceph, Garage).

Every key lives under the store's own key prefix, so several stores (or tonearm
installations) can share one bucket without seeing each other. Uploads stream from
disk through boto3's managed transfer: one PUT up to ``multipart_threshold`` bytes, a
multipart upload above it. Both are atomic on S3: a PUT replaces the object whole and
a multipart upload's object appears only when it is completed (the transfer manager
aborts it on failure), so readers never see part of an object.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import quote, urlsplit

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from tonearm.errors import Invalid, NotFound, TonearmError, Unavailable
from tonearm.storage.base import check_key, check_range

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client

MiB = 1024 * 1024
# S3 refuses multipart parts under 5 MiB (all but the last) and URLs signed for longer
# than 7 days (SigV4).
MIN_PART_BYTES = 5 * MiB
MAX_PRESIGN_TTL_S = 7 * 24 * 3600
# DeleteObjects takes at most 1000 keys per call.
_DELETE_BATCH = 1000
# Parts sent at once by one upload. Each is read from disk while it is sent (s3transfer
# opens the file per part), so memory does not grow with the part size.
_UPLOAD_THREADS = 4
_READ_BUFFER = 256 * 1024
# Connections kept open to the store. The HTTP edge reads from anyio's worker threads
# (40 by default), all at once under load (a cold segment cache, proxied files), and
# each processing job uploads with _UPLOAD_THREADS more. A pool smaller than that drops
# the surplus connections as they come back (and logs each), and later reads connect
# again: 32 dropped 8 of every 40 concurrent reads, 24 warnings in 4 s of bench/serve.py
# with the segment cache off.
_POOL_CONNECTIONS = 64
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_DENIED_CODES = frozenset(
    {"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"}
)


class S3Store:
    """A ``BlobStore`` over one bucket and key prefix.

    ``access_key_id``/``secret_access_key`` left None fall back to boto3's own chain
    (environment, shared config, instance role). ``path_style`` puts the bucket in the
    URL path (``http://host/bucket/key``), which MinIO and most self-hosted servers need;
    otherwise it is the host name (``bucket.host``), as AWS prefers.
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        path_style: bool = False,
        multipart_threshold_bytes: int = 16 * MiB,
        part_size_bytes: int = 16 * MiB,
        max_attempts: int = 3,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 60.0,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 store needs a bucket name")
        if part_size_bytes < MIN_PART_BYTES:
            raise ValueError(f"S3 multipart parts must be at least {MIN_PART_BYTES} bytes")
        if multipart_threshold_bytes < 1:
            raise ValueError("the multipart threshold must be a positive number of bytes")
        self.bucket = bucket
        self.prefix = f"{check_key(prefix.strip('/'))}/" if prefix.strip("/") else ""
        self._where = f"bucket {bucket!r} at {_public_endpoint(endpoint_url)}"
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if path_style else "virtual"},
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout_s,
            read_timeout=read_timeout_s,
            # The HTTP edge's worker threads and the upload threads share this client;
            # past botocore's default of 10, urllib3 opens and drops a connection per call.
            max_pool_connections=_POOL_CONNECTIONS,
            # Since botocore 1.36 every upload carries CRC checksum headers that many
            # S3-compatible servers reject (boto/boto3#4392); send them only where S3
            # requires them (DeleteObjects).
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        # A session of our own: boto3's default session is shared process state.
        session = boto3.session.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self._client: S3Client = session.client("s3", endpoint_url=endpoint_url, config=config)
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold_bytes,
            multipart_chunksize=part_size_bytes,
            max_concurrency=_UPLOAD_THREADS,
        )

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None:
        full = self._key(key)
        with self._errors(key):
            self._client.upload_file(str(source), self.bucket, full, Config=self._transfer)
        if move:
            source.unlink(missing_ok=True)

    def put_bytes(self, key: str, data: bytes) -> None:
        full = self._key(key)
        with self._errors(key):
            self._client.put_object(Bucket=self.bucket, Key=full, Body=data)

    def open(self, key: str) -> BinaryIO:
        """A buffered reader over the response body: bytes arrive as the caller reads."""
        full = self._key(key)
        with self._errors(key):
            body = self._client.get_object(Bucket=self.bucket, Key=full)["Body"]
        return io.BufferedReader(_BodyReader(body, self._where, key), buffer_size=_READ_BUFFER)

    def read_bytes(self, key: str) -> bytes:
        full = self._key(key)
        with self._errors(key):
            body = self._client.get_object(Bucket=self.bucket, Key=full)["Body"]
            with body:
                return body.read()

    def read_range(self, key: str, start: int, end: int) -> bytes:
        full = self._key(key)
        check_range(start, end)
        with self._errors(key):
            body = self._client.get_object(
                Bucket=self.bucket, Key=full, Range=f"bytes={start}-{end}"
            )["Body"]
            with body:
                return body.read()

    def size(self, key: str) -> int | None:
        full = self._key(key)
        try:
            with self._errors(key):
                return self._client.head_object(Bucket=self.bucket, Key=full)["ContentLength"]
        except NotFound:
            # HEAD answers have no body, so a missing bucket also lands here as 404.
            return None

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def delete(self, key: str) -> None:
        full = self._key(key)
        with self._errors(key):
            self._client.delete_object(Bucket=self.bucket, Key=full)

    def delete_prefix(self, prefix: str) -> int:
        check_key(prefix.rstrip("/"))
        deleted = 0
        batch: list[str] = []
        # Listing pages hold up to 1000 keys, as does one DeleteObjects call.
        for full in self._list_full(self.prefix + prefix):
            batch.append(full)
            if len(batch) == _DELETE_BATCH:
                deleted += self._delete_batch(batch)
                batch = []
        if batch:
            deleted += self._delete_batch(batch)
        return deleted

    def _delete_batch(self, keys: list[str]) -> int:
        with self._errors(None):
            answer = self._client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True},
            )
        errors = answer.get("Errors", [])
        if errors:
            first = errors[0]
            raise Unavailable(
                f"S3 did not delete {len(errors)} of {len(keys)} objects in {self._where}; "
                f"first: {first.get('Key', '?')} ({first.get('Code', '?')})"
            )
        return len(keys)

    def list_prefix(self, prefix: str) -> Iterator[str]:
        if prefix:
            check_key(prefix.rstrip("/"))
        cut = len(self.prefix)
        for full in self._list_full(self.prefix + prefix):
            yield full[cut:]

    def _list_full(self, full_prefix: str) -> Iterator[str]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=full_prefix
        )
        with self._errors(None):
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"]

    def local_path(self, key: str) -> Path | None:
        check_key(key)
        return None

    def presigned_url(
        self,
        key: str,
        *,
        ttl_s: int,
        filename: str | None = None,
        media_type: str | None = None,
    ) -> str | None:
        """A SigV4 query-signed GET URL; signing is local, no request is made."""
        full = self._key(key)
        if not 0 < ttl_s <= MAX_PRESIGN_TTL_S:
            raise Invalid(f"presigned URLs last 1 to {MAX_PRESIGN_TTL_S} seconds, not {ttl_s}")
        params = {"Bucket": self.bucket, "Key": full}
        if filename is not None:
            params["ResponseContentDisposition"] = inline_disposition(filename)
        if media_type is not None:
            params["ResponseContentType"] = media_type
        with self._errors(key):
            return self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl_s)

    def _errors(self, key: str | None) -> AbstractContextManager[None]:
        return translated_errors(self._where, key)


@contextmanager
def translated_errors(where: str, key: str | None) -> Iterator[None]:
    """Translate botocore's failures into the error tree, naming no credentials.

    ``where`` names the bucket and endpoint; ``key`` the object, when there is one.
    """
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise _refusal(where, key, str(error.get("Code", "?")), error.get("Message", "")) from None
    except S3UploadFailedError as exc:
        # The transfer manager folds the ClientError into its text: "... (Code) when ...".
        found = re.search(r"\((\w+)\) when calling", str(exc))
        raise _refusal(where, key, found.group(1) if found else "?", "") from None
    except (NoCredentialsError, PartialCredentialsError):
        raise Unavailable(
            f"no complete S3 credentials for {where}: set the access key id and secret access key"
        ) from None
    except (BotoConnectionError, HTTPClientError) as exc:
        raise Unavailable(
            f"cannot reach the S3 {where} ({type(exc).__name__}); is it running?"
        ) from None
    except BotoCoreError as exc:
        raise Unavailable(f"S3 failed on {_what(where, key)}: {type(exc).__name__}") from None


def _refusal(where: str, key: str | None, code: str, message: str) -> TonearmError:
    if code in _NOT_FOUND_CODES:
        return NotFound(f"no stored object {key}")
    if code == "InvalidRange":
        return Invalid(f"the byte range starts past the end of {key}")
    if code == "NoSuchBucket":
        return Unavailable(f"the S3 {where} does not exist: create it or fix the storage URL")
    if code in _DENIED_CODES:
        return Unavailable(
            f"S3 refused access to {_what(where, key)} ({code}): check the access key, "
            "the secret and the bucket's policy"
        )
    return Unavailable(f"S3 failed on {_what(where, key)}: {code} {message}".rstrip())


def _what(where: str, key: str | None) -> str:
    return where if key is None else f"{key} in {where}"


class _BodyReader(io.RawIOBase):
    """A response body as a raw stream, so ``open`` can hand out a buffered file object."""

    def __init__(self, body: StreamingBody, where: str, key: str) -> None:
        super().__init__()
        self._body = body
        self._where = where
        self._key = key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        with translated_errors(self._where, self._key):
            data = self._body.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


def inline_disposition(filename: str) -> str:
    """``inline`` with the name as ASCII and as UTF-8 (RFC 6266), like the HTTP edge's."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("\\", "")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _public_endpoint(endpoint_url: str | None) -> str:
    """The endpoint as scheme://host:port, without any user:password it may carry."""
    if endpoint_url is None:
        return "AWS S3"
    parts = urlsplit(endpoint_url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"
