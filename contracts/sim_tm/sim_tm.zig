//! sim_tm — the light client of the simulated counterparty chain (contracts/sim-tendermint.md),
//! shared by the `sim-tendermint-v1` and `sim-tendermint-v2` contracts, which differ only in
//! their `api.Config`, and by `sim-tendermint-v1-flawed`, which also declares `Flaws`.
//!
//! The rules and byte formats are those of the Python reference in `relayer_sim/lightclient/`;
//! the tests drive both with the same inputs and compare results, errors and stored bytes.

pub const failure = @import("failure.zig");
pub const canonical = @import("canonical.zig");
pub const formats = @import("formats.zig");
pub const merkle = @import("merkle.zig");
pub const verify = @import("verify.zig");
pub const store = @import("store.zig");
pub const api = @import("api.zig");
pub const entry_points = @import("entry_points.zig");

pub const Config = api.Config;
pub const Contract = api.Contract;
pub const Flaws = verify.Flaws;

test {
    // The host-independent parts run natively.
    _ = failure;
    _ = canonical;
    _ = formats;
    _ = merkle;
    _ = verify;
    _ = store;
}
