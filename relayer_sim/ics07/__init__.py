"""The 07-tendermint light client in Python: the reference our Wasm contracts
``tendermint-v1`` / ``tendermint-v2`` are tested against (``contracts/tendermint.md``).

It follows ibc-go v8-v10's 07-tendermint and CometBFT v0.38's light verifier over the real
protobuf formats; ``client.TendermintClient`` offers the same entry points as the sim-tendermint
reference ``relayer_sim.lightclient.client.LightClient``.
"""
