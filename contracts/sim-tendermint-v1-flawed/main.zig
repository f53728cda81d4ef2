//! sim-tendermint-v1-flawed: `sim-tendermint-v1` with a known flaw built in on purpose, as the
//! test fixture of the security-fix scenario: it accepts whatever trusted validator set a
//! header message supplies, so a header signed by invented keys passes when the message calls
//! those keys trusted (contracts/sim-tendermint.md). Never a real light client.

const cw = @import("cw");
const sim_tm = @import("sim_tm");

pub const panic = cw.panic;

/// Read by sim_tm (as std reads `std_options`).
pub const sim_tm_flaws: sim_tm.Flaws = .{ .skips_trusted_validators_check = true };

comptime {
    _ = cw.exports;
    sim_tm.Contract(.{ .format = 1, .header_versions = &.{1} }).exportEntryPoints();
}
