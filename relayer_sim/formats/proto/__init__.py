"""Protobuf message classes of CometBFT v0.38, ICS-23 and ibc-go v8 to v10, byte-exact on the wire.

``schema/`` states the upstream messages as facts (packages, names, field numbers and types), in
our own ``.proto`` files: upstream's files are not copied, and packages that ship generated
classes pin protobuf versions that conflict with ours. Upstream's gogoproto options are left out:
they change Go's types, not the wire, except that a non-nullable message field is always written
by Go, so builders must set such fields even when empty (each schema names its own).

The generated modules sit at the schema's path below this package, importable as e.g.
``relayer_sim.formats.proto.tendermint.types.types_pb2``; ``regenerate`` writes them and rewrites
protoc's absolute imports between them to this package. Do not edit them: change a schema and run
``python -m relayer_sim.formats.proto.regenerate`` (``make test`` checks they are in sync).
"""
