//! tendermint — our 07-tendermint light client (contracts/tendermint.md), shared by the
//! `tendermint-v1` (ed25519) and `tendermint-v2` (ed25519 + secp256k1) contracts, which differ
//! only in their `Config`. The Python reference is `relayer_sim/ics07/`.

pub const pb = @import("pb.zig");
pub const cometbft = @import("cometbft.zig");
pub const ics23 = @import("ics23.zig");
pub const light = @import("light.zig");
pub const api = @import("api.zig");
pub const gofloat = @import("gofloat.zig");

pub const Config = api.Config;
pub const Contract = api.Contract;

test {
    _ = pb;
    _ = cometbft;
    _ = ics23;
    _ = light;
    _ = api;
    _ = gofloat;
}
