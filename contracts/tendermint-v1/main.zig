//! tendermint-v1: our 07-tendermint light client for chains whose validators sign with ed25519
//! (contracts/tendermint.md); a secp256k1 validator key is an unsupported public key.

const cw = @import("cw");
const tendermint = @import("tendermint");

pub const panic = cw.panic;

comptime {
    _ = cw.exports;
    tendermint.Contract(.{ .secp256k1 = false }).exportEntryPoints();
}
