"""The host chain: stores, 02-client with the 08-wasm proxy and the binary's native light client,
governance, software upgrades, packet receipts, and blocks."""
