"""08-wasm's gRPC queries, as ibc-go's query server answers them: ``Query/Checksums`` (the stored
checksums in hex, a page at a time, by the SDK's ``CollectionPaginate``) and ``Query/Code`` (the
code of a stored checksum). A contract reaches them through ``query_chain`` where the host puts
them on its stargate accept list (``HostConfig.stargate_accept_list``)."""

from __future__ import annotations

from typing import Final, TypeVar

from google.protobuf.message import DecodeError

from relayer_sim.formats.proto.cosmos.base.query.v1beta1 import pagination_pb2
from relayer_sim.formats.proto.ibc.lightclients.wasm.v1 import query_pb2
from relayer_sim.host.querier import QueryFailure
from relayer_sim.host.wasm_codes import WasmCodes

CHECKSUMS_PATH: Final = "/ibc.lightclients.wasm.v1.Query/Checksums"
CODE_PATH: Final = "/ibc.lightclients.wasm.v1.Query/Code"
#: The SDK's page length when a request names none (which also counts the total).
DEFAULT_LIMIT: Final = 100


def checksums(codes: WasmCodes, data: bytes) -> bytes:
    """Answer a ``QueryChecksumsRequest``: a page of checksums, in key order (or reversed)."""
    request = _parsed(query_pb2.QueryChecksumsRequest(), data)
    page = request.pagination
    if page.offset and page.key:
        raise QueryFailure("invalid request, either offset or key is expected, got both")
    limit, count_total = page.limit, page.count_total
    if limit == 0:
        limit, count_total = DEFAULT_LIMIT, True
    stored = sorted(codes.checksums(), reverse=page.reverse)
    if page.key:
        start = next(
            (i for i, c in enumerate(stored) if (c <= page.key if page.reverse else c >= page.key)),
            len(stored),
        )
        count_total = False  # a page by key counts nothing (the SDK's behaviour)
    else:
        start = page.offset
    chosen = stored[start : start + limit]
    following = stored[start + limit : start + limit + 1]
    response = query_pb2.QueryChecksumsResponse(
        checksums=[checksum.hex() for checksum in chosen],
        pagination=pagination_pb2.PageResponse(
            next_key=following[0] if following else b"",
            total=len(stored) if count_total else 0,
        ),
    )
    return response.SerializeToString(deterministic=True)


def code(codes: WasmCodes, data: bytes) -> bytes:
    """Answer a ``QueryCodeRequest``: the code stored under a checksum (hex)."""
    request = _parsed(query_pb2.QueryCodeRequest(), data)
    try:
        checksum = bytes.fromhex(request.checksum)
    except ValueError:
        raise QueryFailure("invalid checksum") from None
    stored = codes.code_store.get(checksum) if codes.has(checksum) else None
    if stored is None:
        raise QueryFailure(f"{request.checksum}: wasm code checksum not found")
    return query_pb2.QueryCodeResponse(data=stored).SerializeToString(deterministic=True)


_Request = TypeVar("_Request", query_pb2.QueryChecksumsRequest, query_pb2.QueryCodeRequest)


def _parsed(message: _Request, data: bytes) -> _Request:
    try:
        message.ParseFromString(data)
    except DecodeError as error:
        raise QueryFailure(f"cannot decode the request: {error}") from None
    return message
