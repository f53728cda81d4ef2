//! The 08-wasm entry points shared by every light-client contract here (sim-tendermint's
//! `api.zig` and tendermint's `contracts/tendermint/api.zig`): the four `callconv(.c)` exports,
//! the call's failure context, and the dispatch of a `query` / `sudo` message by its name onto
//! the client's methods. What a contract supplies is its `Client` type, which parses the env and
//! implements the calls, and its `Request` type, which reads a message's fields.
//!
//! `Request` must declare `name: []const u8` and
//!
//!     fn of(ctx: *Ctx, body: json.Value, name: []const u8) Error!Request  // instantiate's body
//!     fn command(ctx: *Ctx, msg: json.Value) Error!Request                // `{"<name>": {…}}`
//!
//! and `Client`:
//!
//!     pub fn init(ctx: *Ctx, config, env: []const u8) Error!Client
//!     pub fn instantiate(*Client, Request), migrate(*Client),
//!         status(*Client), timestampAtHeight(*Client, Request),
//!         verifyClientMessage(*Client, Request), checkForMisbehaviour(*Client, Request),
//!         exportMetadata(*Client), updateState(*Client, Request),
//!         updateStateOnMisbehaviour(*Client, Request), verifyMembership(*Client, Request, bool),
//!         verifyUpgrade(*Client, Request), migrateClientStore(*Client)
//!     // each returning Error!?[]const u8: the call's data (null: none)
//!
//! and `unknown_prefix` is what an unknown query or sudo name's error starts with (the two
//! contract families word their errors differently).

const std = @import("std");
const cw = @import("cw");
const failure = @import("failure.zig");
const api = @import("api.zig");

const Ctx = failure.Ctx;
const Error = failure.Error;

/// The entry points of a contract whose calls `Client` (configured with `config`) implements,
/// reading each message with `Request`.
pub fn EntryPoints(
    comptime Client: type,
    comptime Request: type,
    comptime config: anytype,
    comptime unknown_prefix: []const u8,
) type {
    return struct {
        fn instantiate(env: u32, info: u32, msg: u32) callconv(.c) u32 {
            return cw.entry.instantiate(env, info, msg, handle);
        }

        fn query(env: u32, msg: u32) callconv(.c) u32 {
            return cw.entry.query(env, msg, handle);
        }

        fn sudo(env: u32, msg: u32) callconv(.c) u32 {
            return cw.entry.sudo(env, msg, handle);
        }

        fn migrate(env: u32, msg: u32) callconv(.c) u32 {
            return cw.entry.migrate(env, msg, handle);
        }

        /// Exports the four entry points (call it in a `comptime` block of the root file).
        pub fn exportEntryPoints() void {
            @export(&instantiate, .{ .name = "instantiate" });
            @export(&query, .{ .name = "query" });
            @export(&sudo, .{ .name = "sudo" });
            @export(&migrate, .{ .name = "migrate" });
        }

        /// A refusal (`error.Fail`) ends the call with the context's message.
        fn handle(call: *const cw.Call) anyerror!cw.Outcome {
            var ctx = Ctx{ .alloc = call.alloc };
            const data = run(&ctx, call) catch |err| switch (err) {
                error.Fail => return .{ .fail = ctx.message },
                error.OutOfMemory => return error.OutOfMemory,
            };
            return .{ .data = data };
        }

        fn run(ctx: *Ctx, call: *const cw.Call) Error!?[]const u8 {
            var client = try Client.init(ctx, config, call.env);
            const msg = try api.parseMessage(ctx, call.msg);
            switch (call.kind) {
                .instantiate => return client.instantiate(try Request.of(ctx, msg, "instantiate")),
                .migrate => return client.migrate(),
                .query => {
                    const request = try Request.command(ctx, msg);
                    const name = request.name;
                    if (eql(name, "status")) return client.status();
                    if (eql(name, "timestamp_at_height")) return client.timestampAtHeight(request);
                    if (eql(name, "verify_client_message")) return client.verifyClientMessage(request);
                    if (eql(name, "check_for_misbehaviour")) return client.checkForMisbehaviour(request);
                    if (eql(name, "export_metadata")) return client.exportMetadata();
                    return ctx.fail(unknown_prefix ++ "unknown query {s}", .{name});
                },
                .sudo => {
                    const request = try Request.command(ctx, msg);
                    const name = request.name;
                    if (eql(name, "update_state")) return client.updateState(request);
                    if (eql(name, "update_state_on_misbehaviour")) return client.updateStateOnMisbehaviour(request);
                    if (eql(name, "verify_membership")) return client.verifyMembership(request, true);
                    if (eql(name, "verify_non_membership")) return client.verifyMembership(request, false);
                    if (eql(name, "verify_upgrade_and_update_state")) return client.verifyUpgrade(request);
                    if (eql(name, "migrate_client_store")) return client.migrateClientStore();
                    return ctx.fail(unknown_prefix ++ "unknown sudo message {s}", .{name});
                },
            }
        }
    };
}

fn eql(a: []const u8, b: []const u8) bool {
    return std.mem.eql(u8, a, b);
}
