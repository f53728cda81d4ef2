//! The client store layout of contracts/sim-tendermint.md (the same as ibc-go's Tendermint
//! client, and as `relayer_sim/lightclient/store.py`):
//!
//!   clientState                                    Any{wasm ClientState{data, checksum, latest}}
//!   consensusStates/{rev}-{h}                      Any{wasm ConsensusState{data}}
//!   consensusStates/{rev}-{h}/processedTime        host time (ns), u64 big-endian
//!   consensusStates/{rev}-{h}/processedHeight      host height, ASCII "{rev}-{h}"
//!   iterateConsensusStates ‖ u64be(rev) ‖ u64be(h) the consensus key: an index ordered by height
//!
//! Pruning and neighbour lookups walk the ordered index with `db_scan` instead of parsing
//! decimal keys. A `Store` may carry a key prefix: the recovery store of `migrate_client_store`
//! reaches the two clients through `subject/` and `substitute/`.

const std = @import("std");
const cw = @import("cw");
const failure = @import("failure.zig");
const formats = @import("formats.zig");

const Allocator = std.mem.Allocator;
const imports = cw.imports;
const proto = cw.proto;
const Ctx = failure.Ctx;
const Error = failure.Error;
const Height = formats.Height;
const ClientState = formats.ClientState;
const ConsensusState = formats.ConsensusState;

pub const client_state_key = "clientState";
pub const consensus_prefix = "consensusStates/";
pub const iteration_prefix = "iterateConsensusStates";
pub const processed_time_suffix = "/processedTime";
pub const processed_height_suffix = "/processedHeight";

/// The host's limits (a longer key or value traps the call instead of failing it).
const max_key = 64 * 1024;
const max_value = 128 * 1024;

/// `{rev}-{h}` in decimal.
pub fn heightText(buf: *[41]u8, h: Height) []const u8 {
    return std.fmt.bufPrint(buf, "{d}-{d}", .{ h.revision_number, h.revision_height }) catch unreachable;
}

/// The revision of a chain id, as ibc-go's `ParseChainID`: `^.*[^\n-]-[1-9][0-9]*$` gives the
/// number after the last `-` (0 when it does not fit a u64); any other chain id has revision 0.
pub fn revisionFromChainId(chain_id: []const u8) u64 {
    if (std.mem.indexOfScalar(u8, chain_id, '\n') != null) return 0;
    const dash = std.mem.lastIndexOfScalar(u8, chain_id, '-') orelse return 0;
    if (dash == 0 or chain_id[dash - 1] == '-') return 0;
    const digits = chain_id[dash + 1 ..];
    if (digits.len == 0 or digits[0] == '0') return 0;
    return parseDecimal(digits) orelse 0;
}

/// Parses `{rev}-{h}` (the processed-height value).
pub fn parseHeightText(text: []const u8) ?Height {
    const dash = std.mem.indexOfScalar(u8, text, '-') orelse return null;
    return .{
        .revision_number = parseDecimal(text[0..dash]) orelse return null,
        .revision_height = parseDecimal(text[dash + 1 ..]) orelse return null,
    };
}

/// Decimal digits only, fitting a u64.
const parseDecimal = cw.json.parseUnsigned;

pub fn iterationKey(h: Height) [iteration_prefix.len + 16]u8 {
    var key: [iteration_prefix.len + 16]u8 = undefined;
    @memcpy(key[0..iteration_prefix.len], iteration_prefix);
    std.mem.writeInt(u64, key[iteration_prefix.len..][0..8], h.revision_number, .big);
    std.mem.writeInt(u64, key[iteration_prefix.len + 8 ..][0..8], h.revision_height, .big);
    return key;
}

fn heightOfIterationKey(key: []const u8) ?Height {
    if (key.len != iteration_prefix.len + 16 or !std.mem.startsWith(u8, key, iteration_prefix)) return null;
    return .{
        .revision_number = std.mem.readInt(u64, key[iteration_prefix.len..][0..8], .big),
        .revision_height = std.mem.readInt(u64, key[iteration_prefix.len + 8 ..][0..8], .big),
    };
}

/// When the host stored a consensus state: the base of the membership delay periods.
pub const Processed = struct {
    time_ns: u64,
    height: Height,
};

/// A client state as stored: the decoded data and the wasm wrapper's checksum.
pub const StoredClient = struct {
    state: ClientState,
    checksum: []const u8,
};

pub const Store = struct {
    ctx: *Ctx,
    /// "" for the client's own store; "subject/" or "substitute/" in the recovery store.
    prefix: []const u8 = "",

    pub fn key(s: Store, parts: []const []const u8) Error![]u8 {
        var total = s.prefix.len;
        for (parts) |p| total += p.len;
        const out = try s.ctx.alloc.alloc(u8, total);
        @memcpy(out[0..s.prefix.len], s.prefix);
        var at = s.prefix.len;
        for (parts) |p| {
            @memcpy(out[at..][0..p.len], p);
            at += p.len;
        }
        return out;
    }

    pub fn consensusKey(s: Store, h: Height, suffix: []const u8) Error![]u8 {
        var buf: [41]u8 = undefined;
        return s.key(&.{ consensus_prefix, heightText(&buf, h), suffix });
    }

    pub fn read(s: Store, k: []const u8) Error!?[]u8 {
        return imports.dbRead(s.ctx.alloc, k);
    }

    pub fn write(s: Store, k: []const u8, value: []const u8) Error!void {
        if (k.len > max_key or value.len > max_value) {
            return s.ctx.fail("cannot store {d} bytes under a {d}-byte key: beyond the host's limits", .{ value.len, k.len });
        }
        imports.dbWrite(k, value);
    }

    /// The client state, or null when there is none; `what` names it in errors ("client",
    /// "subject client", …).
    pub fn readClientState(s: Store, what: []const u8) Error!?StoredClient {
        const raw = try s.read(try s.key(&.{client_state_key})) orelse return null;
        const wrapped = proto.decodeClientStateAny(raw) catch |err|
            return s.ctx.fail("malformed {s} state: stored wrapper: {s}", .{ what, @errorName(err) });
        const state = formats.decodeClientState(s.ctx, wrapped.data) catch |err|
            return s.ctx.prefix(err, try std.fmt.allocPrint(s.ctx.alloc, "malformed {s} state: ", .{what}));
        return .{ .state = state, .checksum = wrapped.checksum };
    }

    /// Writes `state` in `format`, wrapped with `checksum` and its latest height.
    pub fn writeClientState(s: Store, state: *const ClientState, checksum: []const u8, format: u64) Error!void {
        const data = try formats.encodeClientState(s.ctx.alloc, state, format);
        const any = try proto.encodeClientStateAny(s.ctx.alloc, .{
            .data = data,
            .checksum = checksum,
            .latest_height = .{
                .revision_number = state.latest_height.revision_number,
                .revision_height = state.latest_height.revision_height,
            },
        });
        try s.write(try s.key(&.{client_state_key}), any);
    }

    /// The consensus state at `h`, or null when there is none.
    pub fn readConsensusState(s: Store, h: Height) Error!?ConsensusState {
        const raw = try s.read(try s.consensusKey(h, "")) orelse return null;
        var buf: [41]u8 = undefined;
        const at = heightText(&buf, h);
        const wrapped = proto.decodeConsensusStateAny(raw) catch |err|
            return s.ctx.fail("malformed consensus state at {s}: stored wrapper: {s}", .{ at, @errorName(err) });
        return formats.decodeConsensusState(s.ctx, wrapped.data) catch |err|
            s.ctx.prefix(err, try std.fmt.allocPrint(s.ctx.alloc, "malformed consensus state at {s}: ", .{at}));
    }

    /// Writes the four consensus keys: the state (in `format`), its processed time and height,
    /// and its index entry.
    pub fn writeConsensusState(s: Store, h: Height, state: *const ConsensusState, format: u64, processed: Processed) Error!void {
        try s.writeConsensusOnly(h, state, format);
        var time: [8]u8 = undefined;
        std.mem.writeInt(u64, &time, processed.time_ns, .big);
        try s.write(try s.consensusKey(h, processed_time_suffix), &time);
        var buf: [41]u8 = undefined;
        try s.write(try s.consensusKey(h, processed_height_suffix), heightText(&buf, processed.height));
        // The index names the consensus key as the client sees it (without the store's prefix).
        const index = iterationKey(h);
        const target = try std.mem.concat(s.ctx.alloc, u8, &.{ consensus_prefix, heightText(&buf, h) });
        try s.write(try s.key(&.{&index}), target);
    }

    /// Rewrites only the consensus state itself (the metadata stays).
    pub fn writeConsensusOnly(s: Store, h: Height, state: *const ConsensusState, format: u64) Error!void {
        const data = try formats.encodeConsensusState(s.ctx.alloc, state, format);
        const any = try proto.encodeConsensusStateAny(s.ctx.alloc, .{ .data = data });
        try s.write(try s.consensusKey(h, ""), any);
    }

    /// Deletes the four consensus keys of `h`.
    pub fn deleteConsensusState(s: Store, h: Height) Error!void {
        imports.dbRemove(try s.consensusKey(h, ""));
        imports.dbRemove(try s.consensusKey(h, processed_time_suffix));
        imports.dbRemove(try s.consensusKey(h, processed_height_suffix));
        const index = iterationKey(h);
        imports.dbRemove(try s.key(&.{&index}));
    }

    /// The processed time and height of `h`; null if either is missing or unreadable.
    pub fn readProcessed(s: Store, h: Height) Error!?Processed {
        const time = try s.read(try s.consensusKey(h, processed_time_suffix)) orelse return null;
        const text = try s.read(try s.consensusKey(h, processed_height_suffix)) orelse return null;
        if (time.len != 8) return null;
        return .{
            .time_ns = std.mem.readInt(u64, time[0..8], .big),
            .height = parseHeightText(text) orelse return null,
        };
    }

    // -- the ordered index (own store only: the recovery store cannot be scanned) -------------

    fn firstIndexed(s: Store, start: []const u8, end: []const u8, order: imports.Order) Error!?Height {
        const record = try s.next(imports.dbScan(start, end, order)) orelse return null;
        return heightOfIterationKey(record.key);
    }

    /// The next record of a host iterator, or null at its end.
    fn next(s: Store, iterator: u32) Error!?imports.Record {
        return imports.dbNext(s.ctx.alloc, iterator) catch |err| switch (err) {
            error.OutOfMemory => error.OutOfMemory,
            error.MalformedHostRegion => s.ctx.failText("malformed iterator record from the host"),
        };
    }

    pub const index_end = iteration_prefix[0 .. iteration_prefix.len - 1] ++ [_]u8{iteration_prefix[iteration_prefix.len - 1] + 1};

    /// The lowest stored height.
    pub fn oldestHeight(s: Store) Error!?Height {
        return s.firstIndexed(iteration_prefix, index_end, .ascending);
    }

    /// The highest stored height below `h`.
    pub fn previousHeight(s: Store, h: Height) Error!?Height {
        const end = iterationKey(h);
        return s.firstIndexed(iteration_prefix, &end, .descending);
    }

    /// The lowest stored height above `h`.
    pub fn followingHeight(s: Store, h: Height) Error!?Height {
        const at = iterationKey(h);
        const start = at ++ [_]u8{0};
        return s.firstIndexed(&start, index_end, .ascending);
    }

    /// Every stored height, in order.
    pub fn allHeights(s: Store) Error![]const Height {
        var heights = std.ArrayList(Height).init(s.ctx.alloc);
        const iterator = imports.dbScan(iteration_prefix, index_end, .ascending);
        while (true) {
            const record = try s.next(iterator) orelse break;
            if (heightOfIterationKey(record.key)) |h| try heights.append(h);
        }
        return heights.items;
    }

    pub const Metadata = struct { key: []const u8, value: []const u8 };

    /// ibc-go's `IterateConsensusMetadata`: every processedTime and processedHeight entry,
    /// then every iteration key, each in key order: what a genesis export carries of the
    /// store besides the client and consensus states.
    pub fn metadata(s: Store) Error![]const Metadata {
        var out = std.ArrayList(Metadata).init(s.ctx.alloc);
        const end = consensus_prefix[0 .. consensus_prefix.len - 1] ++ "0"; // '/' + 1
        const processed = imports.dbScan(consensus_prefix, end, .ascending);
        while (true) {
            const record = try s.next(processed) orelse break;
            if (std.mem.endsWith(u8, record.key, processed_time_suffix) or
                std.mem.endsWith(u8, record.key, processed_height_suffix))
            {
                try out.append(.{ .key = record.key, .value = record.value });
            }
        }
        const index = imports.dbScan(iteration_prefix, index_end, .ascending);
        while (true) {
            const record = try s.next(index) orelse break;
            try out.append(.{ .key = record.key, .value = record.value });
        }
        return out.items;
    }
};

const testing = std.testing;

test "revision from chain id (ibc-go ParseChainID)" {
    const cases = [_]struct { []const u8, u64 }{
        .{ "host-1", 1 },                                    .{ "cosmoshub-4", 4 },            .{ "a-b-12", 12 },
        .{ "host", 0 },                                      .{ "host-01", 0 },                .{ "host-0", 0 },
        .{ "-1", 0 },                                        .{ "a--1", 0 },                   .{ "host-", 0 },
        .{ "host-1x", 0 },                                   .{ "host-1\n", 0 },               .{ "ho\nst-1", 0 },
        .{ "x-18446744073709551615", std.math.maxInt(u64) }, .{ "x-18446744073709551616", 0 }, .{ "", 0 },
    };
    for (cases) |case| try testing.expectEqual(case[1], revisionFromChainId(case[0]));
}

test "height text and index keys" {
    var buf: [41]u8 = undefined;
    const max = Height{ .revision_number = std.math.maxInt(u64), .revision_height = std.math.maxInt(u64) };
    try testing.expectEqualStrings("18446744073709551615-18446744073709551615", heightText(&buf, max));
    try testing.expectEqualStrings("1-7", heightText(&buf, .{ .revision_number = 1, .revision_height = 7 }));
    try testing.expectEqual(max, parseHeightText(heightText(&buf, max)).?);
    try testing.expectEqual(@as(?Height, null), parseHeightText("1-"));
    try testing.expectEqual(@as(?Height, null), parseHeightText("17"));
    const key = iterationKey(.{ .revision_number = 1, .revision_height = 258 });
    try testing.expectEqualSlices(u8, "iterateConsensusStates\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01\x02", &key);
    try testing.expectEqual(Height{ .revision_number = 1, .revision_height = 258 }, heightOfIterationKey(&key).?);
    try testing.expectEqualStrings("iterateConsensusStatet", Store.index_end);
}
