"""The host chain: stores, 02-client, the 08-wasm proxy, governance, packets and blocks.

So far it holds the proxy's side of the 08-wasm contract API (``contract_api``).
"""
