//! rogue — a light client that misbehaves on command, so that tests can prove the host's
//! defences against a contract that breaks 08-wasm's rules (DESIGN §3).
//!
//! It is a well-formed client until told otherwise: instantiate writes a proper client state
//! (height 0-1) and consensus state, the status is always Active, every client message verifies
//! and is never misbehaviour. The client message of `update_state` is itself a JSON instruction
//! (an object with one key) that the contract carries out before answering `{"heights":[]}`:
//!
//!   {"delete_client_state":{}}              removes `clientState`
//!   {"corrupt_client_state":{}}             overwrites `clientState` with bytes that are not protobuf
//!   {"change_checksum":{"checksum":b64}}    rewrites `clientState` on another checksum
//!   {"emit_event":{}}                       answers with an event, which a light client may not emit
//!   {"nothing":{}}                          behaves: a valid update that changes nothing
//!
//! Every other sudo answers `{}` and does nothing; migrate does nothing.

const std = @import("std");
const cw = @import("cw");

const json = cw.json;
const proto = cw.proto;
const imports = cw.imports;
const Allocator = std.mem.Allocator;
const Value = json.Value;

pub const panic = cw.panic;

comptime {
    _ = cw.exports;
}

export fn instantiate(env: u32, info: u32, msg: u32) u32 {
    return cw.entry.instantiate(env, info, msg, handleInstantiate);
}

export fn query(env: u32, msg: u32) u32 {
    return cw.entry.query(env, msg, handleQuery);
}

export fn sudo(env: u32, msg: u32) u32 {
    return cw.entry.sudo(env, msg, handleSudo);
}

export fn migrate(env: u32, msg: u32) u32 {
    return cw.entry.migrate(env, msg, handleMigrate);
}

const client_state_key = "clientState";
const consensus_state_key = "consensusStates/0-1";
const latest_height = proto.Height{ .revision_number = 0, .revision_height = 1 };

/// Not a protobuf message: a varint that never ends.
const corrupt_client_state = "\xff\xff";

/// A successful sudo response with an event in it, which 08-wasm must refuse.
const response_with_event =
    \\{"ok":{"messages":[],"attributes":[],"events":[{"type":"x","attributes":[]}],"data":null}}
;

fn handleInstantiate(call: *const cw.Call) anyerror!cw.Outcome {
    const msg = try json.parse(call.alloc, call.msg);
    const client_state = try bytesArgument(call.alloc, msg, "client_state");
    const consensus_state = try bytesArgument(call.alloc, msg, "consensus_state");
    const checksum = try bytesArgument(call.alloc, msg, "checksum");
    try writeClientState(call.alloc, .{
        .data = client_state,
        .checksum = checksum,
        .latest_height = latest_height,
    });
    const consensus = try proto.encodeConsensusStateAny(call.alloc, .{ .data = consensus_state });
    imports.dbWrite(consensus_state_key, consensus);
    return .{ .data = null };
}

const Query = enum { status, verify_client_message, check_for_misbehaviour, timestamp_at_height };

fn handleQuery(call: *const cw.Call) anyerror!cw.Outcome {
    const request = try command(call.alloc, call.msg);
    const kind = std.meta.stringToEnum(Query, request.name) orelse
        return .{ .fail = "rogue: unknown query" };
    return .{ .data = switch (kind) {
        .status => "{\"status\":\"Active\"}",
        .verify_client_message => "{}",
        .check_for_misbehaviour => "{\"found_misbehaviour\":false}",
        .timestamp_at_height => "{\"timestamp\":1}",
    } };
}

const Instruction = enum {
    delete_client_state,
    corrupt_client_state,
    change_checksum,
    emit_event,
    nothing,
};

fn handleSudo(call: *const cw.Call) anyerror!cw.Outcome {
    const request = try command(call.alloc, call.msg);
    if (!std.mem.eql(u8, request.name, "update_state")) return .{ .data = "{}" };
    const client_message = try bytesArgument(call.alloc, request.args, "client_message");
    const order = try command(call.alloc, client_message);
    const instruction = std.meta.stringToEnum(Instruction, order.name) orelse
        return .{ .fail = "rogue: unknown instruction" };
    switch (instruction) {
        .delete_client_state => imports.dbRemove(client_state_key),
        .corrupt_client_state => imports.dbWrite(client_state_key, corrupt_client_state),
        .change_checksum => try changeChecksum(
            call.alloc,
            try bytesArgument(call.alloc, order.args, "checksum"),
        ),
        .emit_event => return .{ .raw = response_with_event },
        .nothing => {},
    }
    return .{ .data = "{\"heights\":[]}" };
}

fn handleMigrate(call: *const cw.Call) anyerror!cw.Outcome {
    _ = call;
    return .{ .data = null };
}

/// Rewrites the stored client state with `checksum`, keeping its data and height.
fn changeChecksum(alloc: Allocator, checksum: []const u8) !void {
    const stored = try imports.dbRead(alloc, client_state_key) orelse
        return error.ClientStateMissing;
    var state = try proto.decodeClientStateAny(stored);
    state.checksum = checksum;
    try writeClientState(alloc, state);
}

fn writeClientState(alloc: Allocator, state: proto.ClientState) !void {
    imports.dbWrite(client_state_key, try proto.encodeClientStateAny(alloc, state));
}

/// A message or instruction: a JSON object with exactly one key, the command's name, whose
/// value holds its arguments.
const Command = struct { name: []const u8, args: Value };

fn command(alloc: Allocator, text: []const u8) !Command {
    const members = (try json.parse(alloc, text)).asObject() orelse return error.NotACommand;
    if (members.len != 1) return error.NotACommand;
    return .{ .name = members[0].key, .args = members[0].value };
}

/// The bytes of a base64 string argument.
fn bytesArgument(alloc: Allocator, args: Value, name: []const u8) ![]u8 {
    const value = args.get(name) orelse return error.MissingArgument;
    const text = value.asString() orelse return error.ArgumentNotAString;
    return cw.base64.decode(alloc, text);
}
