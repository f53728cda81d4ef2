//! probe — a test contract that drives the VM through every import and every failure mode.
//!
//! All four entry points run one interpreter over their message: a JSON object with exactly one
//! key, the command, whose value holds the arguments (byte strings are standard base64). A
//! command's output is JSON returned as the response data; `{"seq":[cmd, …]}` runs several
//! commands in one call. Unknown commands and bad arguments are contract errors that name the
//! problem. The failure commands (`loop`, `memory_bomb`, `recurse`, `huge_result`, `bad_region`,
//! `divide_by_zero`, …) really do what they say, so the VM's defences are exercised for real.

const std = @import("std");
const cw = @import("cw");

const json = cw.json;
const imports = cw.imports;
const Allocator = std.mem.Allocator;
const Value = json.Value;
const Region = cw.Region;

pub const panic = cw.panic;

comptime {
    _ = cw.exports;
}

export fn instantiate(env: u32, info: u32, msg: u32) u32 {
    return cw.entry.instantiate(env, info, msg, handle);
}

export fn query(env: u32, msg: u32) u32 {
    return cw.entry.query(env, msg, handle);
}

export fn sudo(env: u32, msg: u32) u32 {
    return cw.entry.sudo(env, msg, handle);
}

export fn migrate(env: u32, msg: u32) u32 {
    return cw.entry.migrate(env, msg, handle);
}

fn handle(call: *const cw.Call) anyerror!cw.Outcome {
    var probe = Probe{ .call = call, .alloc = call.alloc };
    const message = json.parse(call.alloc, call.msg) catch |err| switch (err) {
        error.OutOfMemory => return err,
        error.InvalidJson => return .{ .fail = "the message is not valid JSON" },
        error.TooDeep => return .{ .fail = "the message nests too deeply" },
    };
    const result = probe.run(message) catch |err| switch (err) {
        error.BadArguments => return .{ .fail = probe.problem },
        else => return err,
    };
    return switch (result) {
        .out => |output| .{ .data = output },
        .end => |outcome| outcome,
    };
}

/// What one command produced.
const Result = union(enum) {
    /// Success: the command's JSON output.
    out: []const u8,
    /// Ends the whole call at once with this outcome (a contract error, a raw result, a region).
    end: cw.Outcome,
};

const Error = imports.Error || error{BadArguments};

const Command = enum {
    env,
    echo,
    fail,
    seq,
    db_read,
    db_write,
    db_remove,
    db_scan,
    db_next_raw,
    addr_validate,
    addr_canonicalize,
    addr_humanize,
    ed25519_verify,
    ed25519_batch_verify,
    secp256k1_verify,
    secp256k1_recover_pubkey,
    debug,
    query_chain,
    big_key,
    big_value,
    loop,
    memory_bomb,
    recurse,
    huge_result,
    bad_region,
    invalid_json_result,
    raw_result,
    abort,
    divide_by_zero,
    write_then_trap,
};

const ScanMode = enum { next, next_key, next_value };
const BadRegionKind = enum { null, length_over_capacity, out_of_bounds };

const Probe = struct {
    call: *const cw.Call,
    alloc: Allocator,
    /// The command being run, for error messages.
    command: []const u8 = "",
    /// The message of the last `error.BadArguments`.
    problem: []const u8 = "",

    /// Records the command's name and `parts` (joined) as the problem, for the contract error.
    fn bad(p: *Probe, parts: []const []const u8) Error {
        var text = std.ArrayList(u8).init(p.alloc);
        text.appendSlice(p.command) catch |err| return err;
        text.appendSlice(": ") catch |err| return err;
        for (parts) |part| text.appendSlice(part) catch |err| return err;
        p.problem = text.items;
        return error.BadArguments;
    }

    fn run(p: *Probe, message: Value) Error!Result {
        const members = message.asObject() orelse &.{};
        if (members.len != 1) {
            p.command = "message";
            return p.bad(&.{"a command is a JSON object with exactly one key"});
        }
        const name = members[0].key;
        const args = members[0].value;
        const command = std.meta.stringToEnum(Command, name) orelse {
            p.command = name;
            return p.bad(&.{"unknown command"});
        };
        p.command = name;
        if (command != .seq and args.asObject() == null) {
            return p.bad(&.{"the arguments must be a JSON object"});
        }
        return switch (command) {
            .env => p.env(),
            .echo => p.echo(args),
            .fail => .{ .end = .{ .fail = try p.string(args, "message") } },
            .seq => p.seq(args),
            .db_read => p.dbRead(args),
            .db_write => p.dbWrite(args),
            .db_remove => p.dbRemove(args),
            .db_scan => p.dbScan(args),
            .db_next_raw => p.dbNextRaw(args),
            .addr_validate => p.addrValidate(args),
            .addr_canonicalize => p.addrCanonicalize(args),
            .addr_humanize => p.addrHumanize(args),
            .ed25519_verify => p.ed25519Verify(args),
            .ed25519_batch_verify => p.ed25519BatchVerify(args),
            .secp256k1_verify => p.secp256k1Verify(args),
            .secp256k1_recover_pubkey => p.secp256k1RecoverPubkey(args),
            .debug => p.debug(args),
            .query_chain => p.queryChain(args),
            .big_key => p.bigKey(args),
            .big_value => p.bigValue(args),
            .loop => loopForever(),
            .memory_bomb => memoryBomb(),
            .recurse => p.recurse(args),
            .huge_result => p.hugeResult(args),
            .bad_region => p.badRegion(args),
            .invalid_json_result => .{ .end = .{ .raw = "not json at all" } },
            .raw_result => .{ .end = .{ .raw = try p.string(args, "json") } },
            .abort => imports.abort(try p.string(args, "message")),
            .divide_by_zero => p.divideByZero(),
            .write_then_trap => p.writeThenTrap(args),
        };
    }

    // -- arguments ------------------------------------------------------------------------------

    fn field(p: *Probe, args: Value, name: []const u8) Error!Value {
        return args.get(name) orelse return p.bad(&.{ "missing argument \"", name, "\"" });
    }

    fn string(p: *Probe, args: Value, name: []const u8) Error![]const u8 {
        const value = try p.field(args, name);
        return value.asString() orelse return p.bad(&.{ "argument \"", name, "\" must be a string" });
    }

    fn decode(p: *Probe, value: Value, name: []const u8) Error![]u8 {
        const text = value.asString() orelse
            return p.bad(&.{ "argument \"", name, "\" must be a base64 string" });
        return cw.base64.decode(p.alloc, text) catch |err| switch (err) {
            error.OutOfMemory => return error.OutOfMemory,
            error.InvalidBase64 => return p.bad(&.{ "argument \"", name, "\" is not standard base64" }),
        };
    }

    fn bytes(p: *Probe, args: Value, name: []const u8) Error![]u8 {
        return p.decode(try p.field(args, name), name);
    }

    /// Base64 bytes, or null when the argument is null or absent.
    fn optionalBytes(p: *Probe, args: Value, name: []const u8) Error!?[]u8 {
        const value = args.get(name) orelse return null;
        if (value.isNull()) return null;
        return try p.decode(value, name);
    }

    fn bytesList(p: *Probe, args: Value, name: []const u8) Error![]const []const u8 {
        const items = (try p.field(args, name)).asArray() orelse
            return p.bad(&.{ "argument \"", name, "\" must be an array of base64 strings" });
        const out = try p.alloc.alloc([]const u8, items.len);
        for (items, out) |item, *slot| slot.* = try p.decode(item, name);
        return out;
    }

    fn int(p: *Probe, comptime T: type, args: Value, name: []const u8) Error!T {
        const value = try p.field(args, name);
        const wide = value.asI64() orelse
            return p.bad(&.{ "argument \"", name, "\" must be an integer" });
        return std.math.cast(T, wide) orelse
            return p.bad(&.{ "argument \"", name, "\" is out of range for ", @typeName(T) });
    }

    fn choice(p: *Probe, comptime E: type, args: Value, name: []const u8) Error!E {
        const text = try p.string(args, name);
        return std.meta.stringToEnum(E, text) orelse
            return p.bad(&.{ "argument \"", name, "\" has an unknown value \"", text, "\"" });
    }

    // -- output ---------------------------------------------------------------------------------

    fn writer(p: *Probe) json.Writer {
        return json.Writer.init(p.alloc);
    }

    fn done(w: *json.Writer) Result {
        return .{ .out = w.bytes() };
    }

    fn empty() Result {
        return .{ .out = "{}" };
    }

    /// `{"<name>": <code>}`.
    fn code(p: *Probe, name: []const u8, value: anytype) Error!Result {
        var w = p.writer();
        try w.beginObject();
        try w.key(name);
        try w.int(value);
        try w.endObject();
        return done(&w);
    }

    /// `{"<name>": "<base64 of data>"}`.
    fn base64Field(p: *Probe, name: []const u8, data: []const u8) Error!Result {
        var w = p.writer();
        try w.beginObject();
        try w.key(name);
        try w.base64String(data);
        try w.endObject();
        return done(&w);
    }

    /// `{"<name>": "<text>"}`.
    fn stringField(p: *Probe, name: []const u8, text: []const u8) Error!Result {
        var w = p.writer();
        try w.beginObject();
        try w.key(name);
        try w.string(text);
        try w.endObject();
        return done(&w);
    }

    // -- plain commands -------------------------------------------------------------------------

    fn env(p: *Probe) Error!Result {
        var w = p.writer();
        try w.beginObject();
        try w.key("env");
        try w.raw(p.call.env);
        try w.key("info");
        if (p.call.info) |info| try w.raw(info) else try w.nul();
        try w.endObject();
        return done(&w);
    }

    fn echo(p: *Probe, args: Value) Error!Result {
        return p.base64Field("data", try p.bytes(args, "data"));
    }

    fn seq(p: *Probe, args: Value) Error!Result {
        const commands = args.asArray() orelse
            return p.bad(&.{"the arguments must be an array of commands"});
        var w = p.writer();
        try w.beginObject();
        try w.key("outputs");
        try w.beginArray();
        for (commands) |command| {
            switch (try p.run(command)) {
                .out => |output| try w.raw(output),
                .end => |outcome| return .{ .end = outcome },
            }
        }
        try w.endArray();
        try w.endObject();
        return done(&w);
    }

    // -- storage --------------------------------------------------------------------------------

    fn dbRead(p: *Probe, args: Value) Error!Result {
        const value = try imports.dbRead(p.alloc, try p.bytes(args, "key"));
        var w = p.writer();
        try w.beginObject();
        try w.key("value");
        if (value) |data| try w.base64String(data) else try w.nul();
        try w.endObject();
        return done(&w);
    }

    fn dbWrite(p: *Probe, args: Value) Error!Result {
        imports.dbWrite(try p.bytes(args, "key"), try p.bytes(args, "value"));
        return empty();
    }

    fn dbRemove(p: *Probe, args: Value) Error!Result {
        imports.dbRemove(try p.bytes(args, "key"));
        return empty();
    }

    fn dbScan(p: *Probe, args: Value) Error!Result {
        const start = try p.optionalBytes(args, "start");
        const end = try p.optionalBytes(args, "end");
        const order = try p.int(i32, args, "order");
        const mode = try p.choice(ScanMode, args, "mode");
        const limit = try p.int(u32, args, "limit");
        const iterator = imports.dbScanRaw(start, end, order);
        var w = p.writer();
        try w.beginObject();
        try w.key(switch (mode) {
            .next => "items",
            .next_key => "keys",
            .next_value => "values",
        });
        try w.beginArray();
        var taken: u32 = 0;
        while (taken < limit) : (taken += 1) {
            switch (mode) {
                .next => {
                    const record = try imports.dbNext(p.alloc, iterator) orelse break;
                    try w.beginArray();
                    try w.base64String(record.key);
                    try w.base64String(record.value);
                    try w.endArray();
                },
                .next_key => {
                    const key = try imports.dbNextKey(p.alloc, iterator) orelse break;
                    try w.base64String(key);
                },
                .next_value => {
                    const value = try imports.dbNextValue(p.alloc, iterator) orelse break;
                    try w.base64String(value);
                },
            }
        }
        try w.endArray();
        try w.endObject();
        return done(&w);
    }

    fn dbNextRaw(p: *Probe, args: Value) Error!Result {
        const record = try imports.dbNext(p.alloc, try p.int(u32, args, "iterator"));
        var w = p.writer();
        try w.beginObject();
        try w.key("item");
        if (record) |r| {
            try w.beginArray();
            try w.base64String(r.key);
            try w.base64String(r.value);
            try w.endArray();
        } else try w.nul();
        try w.endObject();
        return done(&w);
    }

    fn bigKey(p: *Probe, args: Value) Error!Result {
        const key = try p.alloc.alloc(u8, try p.int(u32, args, "size"));
        @memset(key, 'k');
        imports.dbWrite(key, "v");
        return empty();
    }

    fn bigValue(p: *Probe, args: Value) Error!Result {
        const value = try p.alloc.alloc(u8, try p.int(u32, args, "size"));
        @memset(value, 'v');
        imports.dbWrite("v", value);
        return empty();
    }

    // -- addresses ------------------------------------------------------------------------------

    fn addrValidate(p: *Probe, args: Value) Error!Result {
        const failure = try imports.addrValidate(p.alloc, try p.string(args, "addr"));
        if (failure) |message| return p.stringField("error", message);
        return .{ .out = "{\"ok\":true}" };
    }

    fn addrCanonicalize(p: *Probe, args: Value) Error!Result {
        return switch (try imports.addrCanonicalize(p.alloc, try p.string(args, "addr"))) {
            .ok => |canonical| p.base64Field("canonical", canonical),
            .err => |message| p.stringField("error", message),
        };
    }

    fn addrHumanize(p: *Probe, args: Value) Error!Result {
        return switch (try imports.addrHumanize(p.alloc, try p.bytes(args, "canonical"))) {
            .ok => |human| p.stringField("human", human),
            .err => |message| p.stringField("error", message),
        };
    }

    // -- crypto ---------------------------------------------------------------------------------

    fn ed25519Verify(p: *Probe, args: Value) Error!Result {
        const message = try p.bytes(args, "message");
        const signature = try p.bytes(args, "signature");
        const pubkey = try p.bytes(args, "pubkey");
        return p.code("code", imports.ed25519Verify(message, signature, pubkey));
    }

    fn ed25519BatchVerify(p: *Probe, args: Value) Error!Result {
        const messages = try p.bytesList(args, "messages");
        const signatures = try p.bytesList(args, "signatures");
        const pubkeys = try p.bytesList(args, "pubkeys");
        return p.code("code", try imports.ed25519BatchVerify(p.alloc, messages, signatures, pubkeys));
    }

    fn secp256k1Verify(p: *Probe, args: Value) Error!Result {
        const hash = try p.bytes(args, "hash");
        const signature = try p.bytes(args, "signature");
        const pubkey = try p.bytes(args, "pubkey");
        return p.code("code", imports.secp256k1Verify(hash, signature, pubkey));
    }

    fn secp256k1RecoverPubkey(p: *Probe, args: Value) Error!Result {
        const hash = try p.bytes(args, "hash");
        const signature = try p.bytes(args, "signature");
        const param = try p.int(u32, args, "recovery_param");
        return switch (try imports.secp256k1RecoverPubkey(p.alloc, hash, signature, param)) {
            .pubkey => |pubkey| p.base64Field("pubkey", pubkey),
            .code => |failure| p.code("code", failure),
        };
    }

    // -- environment ----------------------------------------------------------------------------

    fn debug(p: *Probe, args: Value) Error!Result {
        imports.debug(try p.string(args, "message"));
        return empty();
    }

    fn queryChain(p: *Probe, args: Value) Error!Result {
        const response = try imports.queryChain(p.alloc, try p.bytes(args, "request"));
        return p.base64Field("response", response);
    }

    // -- failure modes --------------------------------------------------------------------------

    fn recurse(p: *Probe, args: Value) Error!Result {
        const depth = try p.int(u32, args, "depth");
        // `depth` frames deep; depth 0 wraps to 2^32 frames, far more than any wasm stack holds.
        _ = descend(depth -% 1, depth);
        return p.code("depth", depth);
    }

    fn hugeResult(p: *Probe, args: Value) Error!Result {
        const size = try p.int(u32, args, "size");
        // Outlives the call's arena: the host reads it after the entry point returns.
        const header = try cw.region.gpa.create(Region);
        header.* = .{ .offset = header.ptr(), .capacity = size, .length = size };
        return .{ .end = .{ .region = header.ptr() } };
    }

    fn badRegion(p: *Probe, args: Value) Error!Result {
        const kind = try p.choice(BadRegionKind, args, "kind");
        var key = "key".*;
        const valid_offset: u32 = @intCast(@intFromPtr(&key));
        var header: Region = switch (kind) {
            .null => .{ .offset = 0, .capacity = key.len, .length = key.len },
            .length_over_capacity => .{ .offset = valid_offset, .capacity = 1, .length = 2 },
            .out_of_bounds => .{ .offset = 0xFFFF_0000, .capacity = 16, .length = 16 },
        };
        const answer = imports.raw.db_read(header.ptr());
        return p.code("result", answer);
    }

    fn divideByZero(p: *Probe) Error!Result {
        const divisor: *volatile u32 = &zero;
        const sink: *volatile u32 = &quotient;
        // The divisor is only known at run time, so `i32.div_u` is really executed (and traps).
        sink.* = (sink.* +% 7) / divisor.*;
        return p.code("quotient", sink.*);
    }

    fn writeThenTrap(p: *Probe, args: Value) Error!Result {
        imports.dbWrite(try p.bytes(args, "key"), try p.bytes(args, "value"));
        @trap();
    }
};

var zero: u32 = 0;
var quotient: u32 = 0;
var spin_counter: u32 = 0;
var recursion_sink: u32 = 0;

noinline fn spin() void {
    const counter: *volatile u32 = &spin_counter;
    counter.* +%= 1;
}

/// Never returns: only the gas limit ends it.
fn loopForever() noreturn {
    while (true) spin();
}

/// Grows linear memory until the host refuses, then traps with memory at the cap. Whole MiBs
/// first, then single pages, so memory ends exactly at the limit whatever its starting size.
fn memoryBomb() noreturn {
    while (@wasmMemoryGrow(0, 16) != -1) {}
    while (@wasmMemoryGrow(0, 1) != -1) {}
    @trap();
}

/// Recurses until `remaining` reaches 0 (`remaining + 1` frames). The work after the call (a
/// volatile store, a non-commutative combination) keeps it a real recursion: no tail call, no loop.
noinline fn descend(remaining: u32, salt: u32) u32 {
    if (remaining == 0) return salt;
    const below = descend(remaining - 1, salt *% 31 +% remaining);
    const sink: *volatile u32 = &recursion_sink;
    sink.* = below ^ remaining;
    return below -% salt;
}
