//! sim-tendermint-v2: the light client of the simulated counterparty for `tm-ed25519` and
//! `tm-secp256k1` headers (versions 1 and 2), so that one client follows the chain across its
//! consensus switch. It reads state formats 1 and 2 and writes 2; `migrate` converts a v1
//! client in place (contracts/sim-tendermint.md).

const cw = @import("cw");
const sim_tm = @import("sim_tm");

pub const panic = cw.panic;

comptime {
    _ = cw.exports;
    sim_tm.Contract(.{ .format = 2, .header_versions = &.{ 1, 2 } }).exportEntryPoints();
}
