from relayer_sim.formats.proto.ibc.core.client.v1 import client_pb2 as _client_pb2
from relayer_sim.formats.proto.ibc.core.commitment.v2 import commitment_pb2 as _commitment_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class QueryVerifyMembershipRequest(_message.Message):
    __slots__ = ("client_id", "proof", "proof_height", "merkle_path", "value", "time_delay", "block_delay")
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    PROOF_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    MERKLE_PATH_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TIME_DELAY_FIELD_NUMBER: _ClassVar[int]
    BLOCK_DELAY_FIELD_NUMBER: _ClassVar[int]
    client_id: str
    proof: bytes
    proof_height: _client_pb2.Height
    merkle_path: _commitment_pb2.MerklePath
    value: bytes
    time_delay: int
    block_delay: int
    def __init__(self, client_id: _Optional[str] = ..., proof: _Optional[bytes] = ..., proof_height: _Optional[_Union[_client_pb2.Height, _Mapping]] = ..., merkle_path: _Optional[_Union[_commitment_pb2.MerklePath, _Mapping]] = ..., value: _Optional[bytes] = ..., time_delay: _Optional[int] = ..., block_delay: _Optional[int] = ...) -> None: ...

class QueryVerifyMembershipResponse(_message.Message):
    __slots__ = ("success",)
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    success: bool
    def __init__(self, success: _Optional[bool] = ...) -> None: ...
