"""The wire formats of real chains: what a CometBFT chain with the Cosmos SDK and ibc-go produce.

``proto`` holds the protobuf message classes, generated from our own schemas of the upstream
messages (DESIGN.md §6a).
"""
