"""The wire formats a counterparty speaks: sim-tendermint's and CometBFT/ibc-go's.

``proto`` holds the protobuf message classes of the real formats, generated from our own schemas
of the upstream messages (DESIGN.md §6a).
"""
