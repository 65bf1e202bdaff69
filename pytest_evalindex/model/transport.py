"""HTTP guards under the ``openai`` client: credentials only to the configured origin, bounded bodies.

They are httpx event hooks on the client the SDK is given (the SDK itself is not touched):

* a request to another origin (a redirect) loses every header and query parameter that holds a
  credential, and is refused if its body holds one (a secret ``extra_body`` field);
* a response body is decompressed here, in bounded steps, and cut at :data:`MAX_RESPONSE_BYTES`
  (decompressed), so a gzip bomb or an endless body costs a bounded amount of memory.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from pytest_evalindex.core.secrets import is_secret_query_name

MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""Largest response body accepted (after decompression)."""
ACCEPT_ENCODING = "gzip, deflate"
"""The encodings this module can decompress in bounded steps (others are refused)."""
_CHUNK = 64 * 1024
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "api-key", "x-api-key"})


class UnreadableBody(Exception):
    """A response body that is not read: beyond :data:`MAX_RESPONSE_BYTES` once decompressed, in an
    encoding that cannot be bounded, or corrupt; ``str()`` is the one-line cause."""


class CredentialsToOtherOrigin(Exception):
    """A redirect to another origin whose request body holds a credential: it is not sent."""


def split_query(url: str) -> tuple[str, dict[str, str]]:
    """``url`` without its query string, and the query as parameters (the SDK appends paths to the base
    URL, so a query left in it would end up inside the path)."""
    parts = urlsplit(url)
    if not parts.query:
        return url, {}
    return urlunsplit(parts._replace(query="")), dict(parse_qsl(parts.query, keep_blank_values=True))


def _origin(url: Any) -> tuple[str, str, int | None]:
    scheme = str(url.scheme).lower()
    port = url.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, str(url.host).lower(), port


def origin_guard(base_url: str, secrets: Callable[[], Iterable[str]]) -> Callable[[Any], Awaitable[None]]:
    """A request hook keeping every credential (any header, query value or body holding one of
    ``secrets()``, and the standard credential headers) to the origin of ``base_url``."""
    import httpx2

    home = _origin(httpx2.URL(base_url))

    async def guard(request: Any) -> None:
        here = _origin(request.url)
        if here == home or (home[0] == "http" and here == ("https", home[1], 443)):  # an upgrade to https
            return
        values = [s for s in secrets() if s]
        for name, value in list(request.headers.items()):
            if name.lower() in _CREDENTIAL_HEADERS or any(secret in value for secret in values):
                del request.headers[name]
        params = request.url.params
        kept = [(k, v) for k, v in params.multi_items()
                if not is_secret_query_name(k) and not any(secret in v for secret in values)]
        if len(kept) != len(params.multi_items()):
            request.url = request.url.copy_with(params=kept)
        try:
            body = bytes(await request.aread())  # a redirect carries the body as a (re-readable) stream
        except Exception:
            body = b""
        if any(secret.encode() in body for secret in values):
            raise CredentialsToOtherOrigin(
                f"the model server redirected to another origin ({request.url.scheme}://{request.url.host}"
                f"{':' + str(request.url.port) if request.url.port else ''}) and the request body holds a "
                "credential, so it was not sent; point --eval-api-url at the final server")

    return guard


def body_limit(limit: int = MAX_RESPONSE_BYTES) -> Callable[[Any], Awaitable[None]]:
    """A response hook that decodes the body itself, in bounded steps, and stops it at ``limit`` bytes."""

    stream_type = _limited_stream_type()

    async def limit_body(response: Any) -> None:
        encoding = response.headers.get("content-encoding", "").strip().lower()
        response.stream = stream_type(response.stream, encoding, limit)
        if "content-encoding" in response.headers:
            del response.headers["content-encoding"]  # decoded here: httpx must not decode again

    return limit_body


def _limited_stream_type() -> type:
    """:class:`_LimitedStream` as a subclass of httpx's async byte stream (imported on first use, as the SDK).

    Built per client, not cached: a cached class would keep the first ``httpx2`` module it saw as its base,
    and a process that imports the SDK afresh (a second session in one interpreter) would no longer
    recognise it as an async stream."""
    import httpx2

    return type("LimitedStream", (_LimitedStream, httpx2.AsyncByteStream), {})


class _LimitedStream:
    """An httpx async byte stream: ``inner`` decompressed (gzip/deflate) and cut at ``limit`` bytes."""

    def __init__(self, inner: Any, encoding: str, limit: int) -> None:
        self.inner = inner
        self.encoding = encoding
        self.limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise UnreadableBody(f"the model server sent a body in Content-Encoding {self.encoding!r}, which "
                                   f"cannot be read in bounded memory (asked for {ACCEPT_ENCODING})")
        decoder = None
        if self.encoding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.encoding == "deflate":
            decoder = zlib.decompressobj(zlib.MAX_WBITS)
        total = 0
        first = True
        async for chunk in self.inner:
            if decoder is None:
                pieces: Iterable[bytes] = (chunk,)
            else:
                if first and self.encoding == "deflate" and chunk and (chunk[0] & 0x0F) != 8:
                    decoder = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, without the zlib header
                pieces = _inflate(decoder, chunk)
            first = False
            for piece in pieces:
                total += len(piece)
                if total > self.limit:
                    raise UnreadableBody(f"the model server's response exceeded {self.limit // (1024 * 1024)} MiB"
                                           f"{' once decompressed' if decoder is not None else ''}; it was cut off")
                if piece:
                    yield piece
        if decoder is not None:
            tail = decoder.flush()
            if total + len(tail) > self.limit:
                raise UnreadableBody(f"the model server's response exceeded {self.limit // (1024 * 1024)} MiB")
            if tail:
                yield tail

    async def aclose(self) -> None:
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            await close()


def _inflate(decoder: Any, data: bytes) -> Iterable[bytes]:
    """``data`` decompressed at most :data:`_CHUNK` bytes at a time (a bomb never expands at once)."""
    try:
        while True:
            out = decoder.decompress(data, _CHUNK)
            data = decoder.unconsumed_tail
            if out:
                yield out
            if decoder.eof or (not data and len(out) < _CHUNK):
                return
    except zlib.error as exc:
        raise UnreadableBody(f"the model server sent a body that does not decompress ({exc})") from None
