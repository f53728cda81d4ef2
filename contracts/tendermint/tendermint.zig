//! tendermint — our 07-tendermint light client (contracts/tendermint.md), shared by the
//! `tendermint-v1` (ed25519) and `tendermint-v2` (ed25519 + secp256k1) contracts.

pub const pb = @import("pb.zig");
pub const cometbft = @import("cometbft.zig");
pub const ics23 = @import("ics23.zig");

test {
    _ = pb;
    _ = cometbft;
    _ = ics23;
}
