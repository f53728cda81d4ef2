//! sim-tendermint-v1: the light client of the simulated counterparty for `tm-ed25519` headers
//! (header version 1), keeping its state in format 1 (contracts/sim-tendermint.md).

const cw = @import("cw");
const sim_tm = @import("sim_tm");

pub const panic = cw.panic;

comptime {
    _ = cw.exports;
    sim_tm.Contract(.{ .format = 1, .header_versions = &.{1} }).exportEntryPoints();
}
