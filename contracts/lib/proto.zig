//! Protobuf for the 08-wasm wrappers the proxy reads from the client store:
//!
//!   google.protobuf.Any               { string type_url = 1; bytes value = 2; }
//!   ibc.core.client.v1.Height         { uint64 revision_number = 1; uint64 revision_height = 2; }
//!   ibc.lightclients.wasm.v1.ClientState    { bytes data = 1; bytes checksum = 2;
//!                                             Height latest_height = 3 [(gogoproto.nullable) = false]; }
//!   ibc.lightclients.wasm.v1.ConsensusState { bytes data = 1; }
//!
//! Proto3 rules as Go encodes them: zero scalars and empty bytes/strings are omitted, fields in
//! number order, minimal varints. `latest_height` is non-nullable in ibc-go, so it is always
//! written (as `1a 00` when zero). Decoding skips unknown fields, lets a repeated scalar field
//! win last and merges a repeated `latest_height`. Decoded slices point into the input.
//!
//! For other messages it offers the generic pieces: the `Encoder` (unsigned, signed, sfixed64,
//! bool, packed and length-delimited fields, as Go writes them), the field `Decoder`, Go's
//! integer conversions and `Seen`, which refuses a non-repeated field that occurs twice.

const std = @import("std");

const Allocator = std.mem.Allocator;

pub const client_state_type_url = "/ibc.lightclients.wasm.v1.ClientState";
pub const consensus_state_type_url = "/ibc.lightclients.wasm.v1.ConsensusState";

pub const Error = error{ Truncated, VarintOverflow, InvalidWireType, InvalidFieldNumber, WrongWireType, WrongTypeUrl };

pub const WireType = enum(u3) {
    varint = 0,
    fixed64 = 1,
    len = 2,
    start_group = 3,
    end_group = 4,
    fixed32 = 5,
    _,
};

pub const Height = struct {
    revision_number: u64 = 0,
    revision_height: u64 = 0,
};

pub const ClientState = struct {
    data: []const u8 = "",
    checksum: []const u8 = "",
    latest_height: Height = .{},
};

pub const ConsensusState = struct {
    data: []const u8 = "",
};

pub const Any = struct {
    type_url: []const u8 = "",
    value: []const u8 = "",
};

// -- encoding ---------------------------------------------------------------------------------

pub const Encoder = struct {
    out: std.ArrayList(u8),

    pub fn init(alloc: Allocator) Encoder {
        return .{ .out = std.ArrayList(u8).init(alloc) };
    }

    pub fn varint(e: *Encoder, value: u64) Allocator.Error!void {
        var v = value;
        while (v >= 0x80) : (v >>= 7) try e.out.append(@as(u8, @truncate(v)) | 0x80);
        try e.out.append(@intCast(v));
    }

    pub fn tag(e: *Encoder, field: u32, wire_type: WireType) Allocator.Error!void {
        try e.varint((@as(u64, field) << 3) | @intFromEnum(wire_type));
    }

    /// A uint64 field; omitted when zero.
    pub fn uint64Field(e: *Encoder, field: u32, value: u64) Allocator.Error!void {
        if (value == 0) return;
        try e.tag(field, .varint);
        try e.varint(value);
    }

    /// A bytes or string field; omitted when empty.
    pub fn bytesField(e: *Encoder, field: u32, data: []const u8) Allocator.Error!void {
        if (data.len == 0) return;
        try e.lenField(field, data);
    }

    /// A length-delimited field, written even when empty (non-nullable embedded messages).
    pub fn lenField(e: *Encoder, field: u32, data: []const u8) Allocator.Error!void {
        try e.tag(field, .len);
        try e.varint(data.len);
        try e.out.appendSlice(data);
    }

    /// An int64 field (two's complement varint, ten bytes when negative); omitted when zero.
    pub fn int64Field(e: *Encoder, field: u32, value: i64) Allocator.Error!void {
        if (value == 0) return;
        try e.tag(field, .varint);
        try e.varint(@bitCast(value));
    }

    /// An int32 or enum field (sign-extended to 64 bits, as Go writes it); omitted when zero.
    pub fn int32Field(e: *Encoder, field: u32, value: i32) Allocator.Error!void {
        try e.int64Field(field, value);
    }

    /// An sfixed64 field; omitted when zero.
    pub fn sfixed64Field(e: *Encoder, field: u32, value: i64) Allocator.Error!void {
        if (value == 0) return;
        try e.tag(field, .fixed64);
        var buf: [8]u8 = undefined;
        std.mem.writeInt(i64, &buf, value, .little);
        try e.out.appendSlice(&buf);
    }

    /// A bool field; omitted when false.
    pub fn boolField(e: *Encoder, field: u32, value: bool) Allocator.Error!void {
        if (value) try e.uint64Field(field, 1);
    }

    /// A packed repeated int32 field; omitted when empty.
    pub fn packedInt32Field(e: *Encoder, alloc: Allocator, field: u32, values: []const i32) Allocator.Error!void {
        if (values.len == 0) return;
        var inner = Encoder.init(alloc);
        for (values) |v| try inner.varint(@bitCast(@as(i64, v)));
        try e.lenField(field, inner.out.items);
    }
};

pub fn encodeHeight(alloc: Allocator, height: Height) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    try e.uint64Field(1, height.revision_number);
    try e.uint64Field(2, height.revision_height);
    return e.out.toOwnedSlice();
}

pub fn encodeClientState(alloc: Allocator, state: ClientState) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    try e.bytesField(1, state.data);
    try e.bytesField(2, state.checksum);
    const height = try encodeHeight(alloc, state.latest_height);
    defer alloc.free(height);
    try e.lenField(3, height);
    return e.out.toOwnedSlice();
}

pub fn encodeConsensusState(alloc: Allocator, state: ConsensusState) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    try e.bytesField(1, state.data);
    return e.out.toOwnedSlice();
}

pub fn encodeAny(alloc: Allocator, any: Any) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    try e.bytesField(1, any.type_url);
    try e.bytesField(2, any.value);
    return e.out.toOwnedSlice();
}

/// `Any{"/ibc.lightclients.wasm.v1.ClientState", ClientState}`: the store's `clientState`.
pub fn encodeClientStateAny(alloc: Allocator, state: ClientState) Allocator.Error![]u8 {
    const inner = try encodeClientState(alloc, state);
    defer alloc.free(inner);
    return encodeAny(alloc, .{ .type_url = client_state_type_url, .value = inner });
}

/// `Any{"/ibc.lightclients.wasm.v1.ConsensusState", ConsensusState}`: `consensusStates/{rev}-{h}`.
pub fn encodeConsensusStateAny(alloc: Allocator, state: ConsensusState) Allocator.Error![]u8 {
    const inner = try encodeConsensusState(alloc, state);
    defer alloc.free(inner);
    return encodeAny(alloc, .{ .type_url = consensus_state_type_url, .value = inner });
}

// -- decoding ---------------------------------------------------------------------------------

pub const Field = struct {
    number: u32,
    wire_type: WireType,
    /// The value of a varint field (or the raw little-endian value of a fixed field).
    int: u64 = 0,
    /// The payload of a length-delimited field.
    bytes: []const u8 = "",

    pub inline fn expectLen(f: Field) Error![]const u8 {
        if (f.wire_type != .len) return error.WrongWireType;
        return f.bytes;
    }

    pub inline fn expectVarint(f: Field) Error!u64 {
        if (f.wire_type != .varint) return error.WrongWireType;
        return f.int;
    }
};

/// Iterates over the fields of one message.
pub const Decoder = struct {
    data: []const u8,
    pos: usize = 0,

    pub fn init(data: []const u8) Decoder {
        return .{ .data = data };
    }

    // `varint`, `take`, `Seen.once` and `Field.expect*` are `inline`: under ReleaseSmall they
    // would stay calls, and a call with an error-union result costs more wasm operations (and
    // gas) than the read itself.
    pub inline fn varint(d: *Decoder) Error!u64 {
        var value: u64 = 0;
        var shift: u7 = 0;
        while (true) {
            if (d.pos >= d.data.len) return error.Truncated;
            const b = d.data[d.pos];
            d.pos += 1;
            if (shift == 63 and b > 1) return error.VarintOverflow;
            value |= @as(u64, b & 0x7f) << @intCast(shift);
            if (b < 0x80) return value;
            shift += 7;
            if (shift > 63) return error.VarintOverflow;
        }
    }

    inline fn take(d: *Decoder, n: u64) Error![]const u8 {
        if (n > d.data.len - d.pos) return error.Truncated;
        const s = d.data[d.pos..][0..@intCast(n)];
        d.pos += @intCast(n);
        return s;
    }

    /// The next field, or null at the end of the message.
    pub fn next(d: *Decoder) Error!?Field {
        if (d.pos >= d.data.len) return null;
        const key = try d.varint();
        const number = std.math.cast(u32, key >> 3) orelse return error.InvalidFieldNumber;
        if (number == 0 or number > 536_870_911) return error.InvalidFieldNumber;
        var field = Field{ .number = number, .wire_type = @enumFromInt(@as(u3, @truncate(key))) };
        switch (field.wire_type) {
            .varint => field.int = try d.varint(),
            .fixed64 => field.int = std.mem.readInt(u64, (try d.take(8))[0..8], .little),
            .fixed32 => field.int = std.mem.readInt(u32, (try d.take(4))[0..4], .little),
            .len => field.bytes = try d.take(try d.varint()),
            else => return error.InvalidWireType,
        }
        return field;
    }
};

/// `Error` with the one rule stricter than protobuf's merging: a non-repeated field that occurs
/// twice in one message.
pub const StrictError = Error || error{DuplicateField};

/// The non-repeated fields (numbers 1 to 63) already seen in one message.
pub const Seen = struct {
    mask: u64 = 0,

    /// Refuses the second occurrence of field `number`.
    pub inline fn once(s: *Seen, number: u32) StrictError!void {
        if (number == 0 or number > 63) return error.InvalidFieldNumber;
        const bit = @as(u64, 1) << @intCast(number);
        if (s.mask & bit != 0) return error.DuplicateField;
        s.mask |= bit;
    }
};

/// Go's int64 from a varint: the 64 bits as two's complement.
pub fn asInt64(value: u64) i64 {
    return @bitCast(value);
}

/// Go's int32 (and enum) from a varint: the low 32 bits as two's complement.
pub fn asInt32(value: u64) i32 {
    return @bitCast(@as(u32, @truncate(value)));
}

/// The elements of a repeated int32 field occurrence: one varint, or a packed run of them.
pub fn appendInt32s(list: *std.ArrayList(i32), f: Field) (Error || Allocator.Error)!void {
    switch (f.wire_type) {
        .varint => try list.append(asInt32(f.int)),
        .len => {
            var d = Decoder.init(f.bytes);
            while (d.pos < d.data.len) try list.append(asInt32(try d.varint()));
        },
        else => return error.WrongWireType,
    }
}

fn mergeHeight(height: *Height, data: []const u8) Error!void {
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => height.revision_number = try f.expectVarint(),
        2 => height.revision_height = try f.expectVarint(),
        else => {},
    };
}

pub fn decodeHeight(data: []const u8) Error!Height {
    var height = Height{};
    try mergeHeight(&height, data);
    return height;
}

pub fn decodeClientState(data: []const u8) Error!ClientState {
    var state = ClientState{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => state.data = try f.expectLen(),
        2 => state.checksum = try f.expectLen(),
        3 => try mergeHeight(&state.latest_height, try f.expectLen()),
        else => {},
    };
    return state;
}

pub fn decodeConsensusState(data: []const u8) Error!ConsensusState {
    var state = ConsensusState{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => state.data = try f.expectLen(),
        else => {},
    };
    return state;
}

pub fn decodeAny(data: []const u8) Error!Any {
    var any = Any{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => any.type_url = try f.expectLen(),
        2 => any.value = try f.expectLen(),
        else => {},
    };
    return any;
}

pub fn decodeClientStateAny(data: []const u8) Error!ClientState {
    const any = try decodeAny(data);
    if (!std.mem.eql(u8, any.type_url, client_state_type_url)) return error.WrongTypeUrl;
    return decodeClientState(any.value);
}

pub fn decodeConsensusStateAny(data: []const u8) Error!ConsensusState {
    const any = try decodeAny(data);
    if (!std.mem.eql(u8, any.type_url, consensus_state_type_url)) return error.WrongTypeUrl;
    return decodeConsensusState(any.value);
}

// -- tests (expected bytes worked out by hand from the wire format) ---------------------------

const testing = std.testing;

test "height" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    try testing.expectEqualSlices(u8, "\x08\x01\x10\x64", try encodeHeight(alloc, .{ .revision_number = 1, .revision_height = 100 }));
    try testing.expectEqualSlices(u8, "\x10\x05", try encodeHeight(alloc, .{ .revision_height = 5 }));
    try testing.expectEqualSlices(u8, "", try encodeHeight(alloc, .{}));
    // 300 = 0b10_0101100 -> ac 02; 2^64-1 -> nine ff then 01.
    const big = "\x08\xac\x02\x10" ++ "\xff" ** 9 ++ "\x01";
    const h = Height{ .revision_number = 300, .revision_height = std.math.maxInt(u64) };
    try testing.expectEqualSlices(u8, big, try encodeHeight(alloc, h));
    try testing.expectEqual(h, try decodeHeight(big));
    try testing.expectEqual(Height{}, try decodeHeight(""));
}

test "client state and its Any" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const state = ClientState{ .data = "ab", .checksum = "c", .latest_height = .{ .revision_number = 1, .revision_height = 100 } };
    const inner = "\x0a\x02ab\x12\x01c\x1a\x04\x08\x01\x10\x64";
    try testing.expectEqualSlices(u8, inner, try encodeClientState(alloc, state));
    // The type URL is 37 (0x25) bytes; the value 13 (0x0d).
    const any = "\x0a\x25/ibc.lightclients.wasm.v1.ClientState\x12\x0d" ++ inner;
    try testing.expectEqualSlices(u8, any, try encodeClientStateAny(alloc, state));
    const decoded = try decodeClientStateAny(any);
    try testing.expectEqualSlices(u8, "ab", decoded.data);
    try testing.expectEqualSlices(u8, "c", decoded.checksum);
    try testing.expectEqual(state.latest_height, decoded.latest_height);
    // An empty client state still carries its (non-nullable) height.
    try testing.expectEqualSlices(u8, "\x1a\x00", try encodeClientState(alloc, .{}));
    try testing.expectError(error.WrongTypeUrl, decodeConsensusStateAny(any));
}

test "client state with a 32-byte checksum and 200 bytes of data" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const state = ClientState{ .data = "d" ** 200, .checksum = "\x11" ** 32, .latest_height = .{ .revision_height = 7 } };
    const inner = "\x0a\xc8\x01" ++ "d" ** 200 ++ "\x12\x20" ++ "\x11" ** 32 ++ "\x1a\x02\x10\x07";
    try testing.expectEqualSlices(u8, inner, try encodeClientState(alloc, state));
    // value length 241 = f1 01
    const any = "\x0a\x25/ibc.lightclients.wasm.v1.ClientState\x12\xf1\x01" ++ inner;
    try testing.expectEqualSlices(u8, any, try encodeClientStateAny(alloc, state));
    const decoded = try decodeClientStateAny(any);
    try testing.expectEqual(@as(usize, 200), decoded.data.len);
    try testing.expectEqual(@as(u64, 7), decoded.latest_height.revision_height);
}

test "consensus state and its Any" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    // The type URL is 40 (0x28) bytes.
    const any = "\x0a\x28/ibc.lightclients.wasm.v1.ConsensusState\x12\x05\x0a\x03xyz";
    try testing.expectEqualSlices(u8, any, try encodeConsensusStateAny(alloc, .{ .data = "xyz" }));
    try testing.expectEqualSlices(u8, "xyz", (try decodeConsensusStateAny(any)).data);
    // Empty data: the value is empty and omitted too.
    try testing.expectEqualSlices(u8, "\x0a\x28/ibc.lightclients.wasm.v1.ConsensusState", try encodeConsensusStateAny(alloc, .{}));
    try testing.expectEqualSlices(u8, "", (try decodeConsensusStateAny("\x0a\x28/ibc.lightclients.wasm.v1.ConsensusState")).data);
}

test "decoding rules: unknown fields, last wins, merged height, errors" {
    // unknown varint field 9, fixed32 field 10, fixed64 field 11; data twice (last wins);
    // latest_height twice (merged).
    const data = "\x48\x05\x55\x01\x02\x03\x04\x59" ++ "\x00" ** 8 ++ "\x0a\x01x\x0a\x01y" ++
        "\x1a\x02\x08\x02\x1a\x02\x10\x09";
    const state = try decodeClientState(data);
    try testing.expectEqualSlices(u8, "y", state.data);
    try testing.expectEqual(Height{ .revision_number = 2, .revision_height = 9 }, state.latest_height);
    try testing.expectError(error.Truncated, decodeClientState("\x0a\x05ab"));
    try testing.expectError(error.Truncated, decodeHeight("\x08\x80"));
    try testing.expectError(error.VarintOverflow, decodeHeight("\x08" ++ "\xff" ** 9 ++ "\x02"));
    try testing.expectError(error.WrongWireType, decodeClientState("\x08\x01"));
    try testing.expectError(error.InvalidWireType, decodeClientState("\x0b"));
    try testing.expectError(error.InvalidFieldNumber, decodeClientState("\x02\x00"));
    try testing.expectError(error.WrongTypeUrl, decodeClientStateAny("\x0a\x01x"));
}

test "signed, fixed, bool and packed fields; strict decoding helpers" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    var e = Encoder.init(alloc);
    try e.int64Field(1, -1);
    try e.int32Field(2, -2);
    try e.sfixed64Field(3, 1);
    try e.boolField(4, true);
    try e.boolField(5, false);
    try e.int64Field(6, 0);
    try e.packedInt32Field(alloc, 7, &.{ 0, 1 });
    const expected = "\x08" ++ "\xff" ** 9 ++ "\x01" ++ "\x10\xfe" ++ "\xff" ** 8 ++ "\x01" ++
        "\x19\x01" ++ "\x00" ** 7 ++ "\x20\x01" ++ "\x3a\x02\x00\x01";
    try testing.expectEqualSlices(u8, expected, e.out.items);
    var d = Decoder.init(expected);
    try testing.expectEqual(@as(i64, -1), asInt64((try d.next()).?.int));
    try testing.expectEqual(@as(i32, -2), asInt32((try d.next()).?.int));
    var list = std.ArrayList(i32).init(alloc);
    try appendInt32s(&list, .{ .number = 1, .wire_type = .varint, .int = 5 });
    try appendInt32s(&list, .{ .number = 1, .wire_type = .len, .bytes = "\x01\x02" });
    try testing.expectEqualSlices(i32, &.{ 5, 1, 2 }, list.items);
    try testing.expectError(error.Truncated, appendInt32s(&list, .{ .number = 1, .wire_type = .len, .bytes = "\x80" }));
    var seen = Seen{};
    try seen.once(1);
    try seen.once(63);
    try testing.expectError(error.DuplicateField, seen.once(1));
    try testing.expectError(error.InvalidFieldNumber, seen.once(64));
}
