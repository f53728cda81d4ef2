//! tendermint-v2: our 07-tendermint light client for chains whose validators sign with ed25519
//! or secp256k1, so that a client follows a chain across its re-keying (contracts/tendermint.md).
//! It reads and writes the same bytes as tendermint-v1: `migrate` from v1 changes nothing.

const cw = @import("cw");
const tendermint = @import("tendermint");

pub const panic = cw.panic;

comptime {
    _ = cw.exports;
    tendermint.Contract(.{ .secp256k1 = true }).exportEntryPoints();
}
