//! Entry-point plumbing: read the argument regions, run a handler with a per-call arena, and
//! answer with the 08-wasm JSON envelope (DESIGN §3):
//!
//!   instantiate / sudo / migrate: {"ok":{"messages":[],"attributes":[],"events":[],"data":b64|null}}
//!   query:                        {"ok":"<b64>"}
//!   any entry point on error:     {"error":"<message>"}

const std = @import("std");
const region = @import("region.zig");
const json = @import("json.zig");
const imports = @import("imports.zig");

const Allocator = std.mem.Allocator;

pub const Kind = enum { instantiate, query, sudo, migrate };

pub const Call = struct {
    kind: Kind,
    /// Freed when the call returns; everything the handler allocates belongs here.
    alloc: Allocator,
    /// The raw JSON bytes the host sent.
    env: []const u8,
    /// Only for instantiate.
    info: ?[]const u8,
    msg: []const u8,
};

pub const Outcome = union(enum) {
    /// Success: the response data (query: the bytes whose base64 is the answer).
    data: ?[]const u8,
    /// A contract error with this message.
    fail: []const u8,
    /// These exact bytes are the result (no envelope).
    raw: []const u8,
    /// This region pointer is the result, unchecked (for testing the host's region checks).
    region: u32,
};

/// A handler gets the call and answers with an outcome; a returned Zig error becomes a contract
/// error carrying the error's name.
pub const Handler = fn (call: *const Call) anyerror!Outcome;

pub fn instantiate(env: u32, info: u32, msg: u32, comptime handler: Handler) u32 {
    return run(.instantiate, env, info, msg, handler);
}

pub fn query(env: u32, msg: u32, comptime handler: Handler) u32 {
    return run(.query, env, 0, msg, handler);
}

pub fn sudo(env: u32, msg: u32, comptime handler: Handler) u32 {
    return run(.sudo, env, 0, msg, handler);
}

pub fn migrate(env: u32, msg: u32, comptime handler: Handler) u32 {
    return run(.migrate, env, 0, msg, handler);
}

fn run(kind: Kind, env: u32, info: u32, msg: u32, comptime handler: Handler) u32 {
    var arena = std.heap.ArenaAllocator.init(region.gpa);
    defer arena.deinit();
    const call = Call{
        .kind = kind,
        .alloc = arena.allocator(),
        .env = region.read(env),
        .info = if (info == 0) null else region.read(info),
        .msg = region.read(msg),
    };
    const outcome = handler(&call) catch |err| Outcome{ .fail = @errorName(err) };
    const result = switch (outcome) {
        .region => |ptr| ptr,
        .raw => |bytes| region.fromBytes(bytes),
        .data => |data| region.fromBytes(okEnvelope(call.alloc, kind, data) catch outOfMemory()),
        .fail => |message| region.fromBytes(errorEnvelope(call.alloc, message) catch outOfMemory()),
    };
    // The argument regions are ours to free (the result no longer refers to them).
    region.deallocate(env);
    region.deallocate(info);
    region.deallocate(msg);
    return result;
}

fn outOfMemory() noreturn {
    imports.abort("out of memory");
}

pub fn okEnvelope(alloc: Allocator, kind: Kind, data: ?[]const u8) Allocator.Error![]const u8 {
    var w = json.Writer.init(alloc);
    try w.beginObject();
    try w.key("ok");
    if (kind == .query) {
        try w.base64String(data orelse "");
    } else {
        try w.beginObject();
        try w.key("messages");
        try w.raw("[]");
        try w.key("attributes");
        try w.raw("[]");
        try w.key("events");
        try w.raw("[]");
        try w.key("data");
        if (data) |bytes| try w.base64String(bytes) else try w.nul();
        try w.endObject();
    }
    try w.endObject();
    return w.bytes();
}

pub fn errorEnvelope(alloc: Allocator, message: []const u8) Allocator.Error![]const u8 {
    var w = json.Writer.init(alloc);
    try w.beginObject();
    try w.key("error");
    try w.string(message);
    try w.endObject();
    return w.bytes();
}

test "envelopes" {
    var arena = std.heap.ArenaAllocator.init(std.testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    try std.testing.expectEqualStrings(
        "{\"ok\":{\"messages\":[],\"attributes\":[],\"events\":[],\"data\":\"e30=\"}}",
        try okEnvelope(alloc, .sudo, "{}"),
    );
    try std.testing.expectEqualStrings(
        "{\"ok\":{\"messages\":[],\"attributes\":[],\"events\":[],\"data\":null}}",
        try okEnvelope(alloc, .instantiate, null),
    );
    try std.testing.expectEqualStrings("{\"ok\":\"e30=\"}", try okEnvelope(alloc, .query, "{}"));
    try std.testing.expectEqualStrings("{\"ok\":\"\"}", try okEnvelope(alloc, .query, null));
    try std.testing.expectEqualStrings(
        "{\"error\":\"bad \\\"thing\\\"\\n\"}",
        try errorEnvelope(alloc, "bad \"thing\"\n"),
    );
}
