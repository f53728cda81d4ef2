"""08-wasm's querier: what a contract's ``query_chain`` reaches on the host.

As ibc-go's 08-wasm (``keeper/querier.go``, wasmvm's querier contract):

- a stargate query runs only if its path is on the accept list (08-wasm's default, plus what
  the host adds: ``HostConfig.stargate_accept_list``) and the host has a route for it; custom
  queries are refused; any other kind of request is unsupported. Those refusals, and a request
  that is not a query at all, are system errors, which the contract sees as they are;
- a query runs on a gas meter of its own, limited to what the calling contract has left; the
  transaction pays what it used, even when it failed, and the contract is charged the same
  (wasmvm's externally used gas). Running that meter out ends the contract call out of gas;
- a route's own error reaches the contract redacted to its codespace and code, for
  determinism (an error that is not an ABCI error has codespace ``undefined``, code 1).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Set
from typing import Final

from relayer_sim.host.contract_api import Dialect
from relayer_sim.host.errors import OutOfGas
from relayer_sim.host.store import GasMeter
from relayer_sim.host.wasm_proxy import GAS_MULTIPLIER
from relayer_sim.lightclient.store import HostEnv
from relayer_sim.vm import OutOfGas as VMOutOfGas
from relayer_sim.vm import QueryAnswer
from relayer_sim.vm.bounded_json import JSONLimitError, decode_base64, loads_bounded
from relayer_sim.vm.imports import MAX_QUERY_REQUEST_LENGTH

#: 02-client's proof verification, the one query ibc-go's 08-wasm accepts by default (from
#: ibc-go v8.1; 08-wasm v0.1 accepted nothing by default).
VERIFY_MEMBERSHIP_PATH: Final = "/ibc.core.client.v1.Query/VerifyMembership"
DEFAULT_ACCEPT_LIST: Final[Mapping[Dialect, tuple[str, ...]]] = {
    Dialect.V10: (VERIFY_MEMBERSHIP_PATH,),
    Dialect.V0_1: (),
}

#: A stargate route: the request's protobuf bytes and the query's gas meter in, the response's
#: protobuf bytes out; ``QueryFailure`` when the request is refused.
Route = Callable[[bytes, GasMeter], bytes]


class QueryFailure(Exception):
    """A route refused the request (a gRPC status error in ibc-go); the contract sees only
    ``codespace`` and ``code``."""

    def __init__(self, message: str, codespace: str = "undefined", code: int = 1) -> None:
        super().__init__(message)
        self.codespace, self.code = codespace, code


class ChainQuerier:
    """Answers the chain queries of one contract call, charging ``gas`` (the transaction's)."""

    def __init__(self, routes: Mapping[str, Route], accepted: Set[str], gas: GasMeter):
        self.routes, self.accepted, self.gas = routes, accepted, gas
        #: How many queries the call made: an answer that asked the chain depends on more than
        #: the client's own store (the status cache keeps only answers that did not).
        self.asked = 0

    def __call__(self, request: bytes, gas_limit: int) -> QueryAnswer:
        self.asked += 1
        limit = MAX_QUERY_REQUEST_LENGTH
        try:
            parsed = loads_bounded(request, "query_chain request", max_size=limit)
        except JSONLimitError as error:
            return _invalid_request(str(error), request)
        if not isinstance(parsed, dict):
            return _invalid_request("a query request must be a JSON object", request)
        stargate = parsed.get("stargate")
        if stargate is not None:
            return self._stargate(stargate, request, gas_limit)
        if parsed.get("custom") is not None:
            return _unsupported("Custom queries are not allowed")
        return _unsupported("Unsupported query request")

    def _stargate(self, query: object, request: bytes, gas_limit: int) -> QueryAnswer:
        if not isinstance(query, dict):
            return _invalid_request("stargate: must be an object", request)
        path, data = query.get("path", ""), query.get("data")
        if not isinstance(path, str):
            return _invalid_request("stargate.path: must be a string", request)
        try:
            payload = b"" if data is None else decode_base64(data)
        except ValueError as error:
            return _invalid_request(f"stargate.data: {error}", request)
        if path not in self.accepted:
            return _unsupported(f"'{path}' path is not allowed from the contract")
        route = self.routes.get(path)
        if route is None:
            return _unsupported(f"No route to query '{path}'")
        meter = GasMeter(gas_limit // GAS_MULTIPLIER)
        try:
            result = _ok(route(payload, meter))
        except QueryFailure as failure:
            result = _contract_error(f"codespace: {failure.codespace}, code: {failure.code}")
        except OutOfGas as error:
            raise VMOutOfGas(f"out of gas in the chain query {path}: {error}") from None
        finally:
            self.gas.consume(meter.consumed, "contract sub-query")
        return QueryAnswer(result, meter.consumed * GAS_MULTIPLIER)


def _encode(result: object) -> bytes:
    return json.dumps(result, separators=(",", ":")).encode()


def _ok(response: bytes) -> bytes:
    return _encode({"ok": {"ok": base64.b64encode(response).decode()}})


def _contract_error(message: str) -> bytes:
    return _encode({"ok": {"error": message}})


def _unsupported(kind: str) -> QueryAnswer:
    return QueryAnswer(_encode({"error": {"unsupported_request": {"kind": kind}}}))


def _invalid_request(error: str, request: bytes) -> QueryAnswer:
    body = {"error": error, "request": base64.b64encode(request).decode()}
    return QueryAnswer(_encode({"error": {"invalid_request": body}}))


#: The querier of one contract call made at an env and paid by a transaction's gas meter.
QuerierFactory = Callable[[HostEnv, GasMeter], ChainQuerier]
