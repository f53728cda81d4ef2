//! cw — the shared support library of our CosmWasm / 08-wasm contracts.
//!
//! A contract's main.zig:
//!
//!     const cw = @import("cw");
//!     pub const panic = cw.panic;          // panics become host aborts
//!     comptime { _ = cw.exports; }          // allocate, deallocate, interface_version_8
//!     export fn sudo(env: u32, msg: u32) u32 { return cw.entry.sudo(env, msg, handle); }
//!
//! Nothing in here uses floating point: the VM rejects any float instruction.

const std = @import("std");

pub const region = @import("region.zig");
pub const imports = @import("imports.zig");
pub const entry = @import("entry.zig");
pub const json = @import("json.zig");
pub const base64 = @import("base64.zig");
pub const msgpack = @import("msgpack.zig");
pub const proto = @import("proto.zig");
pub const sha256 = @import("sha256.zig");

/// The ABI exports; reference it from a contract to export them.
pub const exports = @import("exports.zig");

pub const Region = region.Region;
pub const Call = entry.Call;
pub const Outcome = entry.Outcome;

/// A panic handler namespace (`pub const panic = cw.panic;` in a contract's root file): every
/// panic ends the call through the host's `abort` import, carrying the panic message.
pub const panic = std.debug.FullPanic(abortPanic);

fn abortPanic(message: []const u8, first_trace_address: ?usize) noreturn {
    _ = first_trace_address;
    imports.abort(message);
}

test {
    // Only the host-independent parts run natively.
    _ = json;
    _ = base64;
    _ = msgpack;
    _ = proto;
    _ = entry;
    _ = @import("mem.zig");
    _ = sha256;
    _ = @import("imports_test.zig");
}
