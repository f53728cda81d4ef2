//! MessagePack, the subset our light clients use: nil, bool, integers, str, bin, arrays and maps.
//!
//! The writer always picks the shortest encoding, exactly as Python's
//! `msgpack.packb(obj, use_bin_type=True)` does (non-negative integers as positive fixint or
//! uint8..64, negative ones as negative fixint or int8..64), so both sides produce the same
//! canonical bytes. The reader accepts any width; floats and extension types are refused
//! (but `skip` steps over them without decoding).

const std = @import("std");

const Allocator = std.mem.Allocator;

pub const Error = error{ EndOfInput, WrongType, Overflow, Unsupported, TooDeep, TrailingBytes };

// -- writing ----------------------------------------------------------------------------------

pub const Writer = struct {
    out: std.ArrayList(u8),

    pub fn init(alloc: Allocator) Writer {
        return .{ .out = std.ArrayList(u8).init(alloc) };
    }

    pub fn bytes(w: *const Writer) []const u8 {
        return w.out.items;
    }

    fn byte(w: *Writer, b: u8) Allocator.Error!void {
        try w.out.append(b);
    }

    fn be(w: *Writer, comptime T: type, value: T) Allocator.Error!void {
        var buf: [@sizeOf(T)]u8 = undefined;
        std.mem.writeInt(T, &buf, value, .big);
        try w.out.appendSlice(&buf);
    }

    pub fn writeNil(w: *Writer) Allocator.Error!void {
        try w.byte(0xc0);
    }

    pub fn writeBool(w: *Writer, value: bool) Allocator.Error!void {
        try w.byte(if (value) 0xc3 else 0xc2);
    }

    pub fn writeUint(w: *Writer, value: u64) Allocator.Error!void {
        if (value <= 0x7f) {
            try w.byte(@intCast(value));
        } else if (value <= 0xff) {
            try w.byte(0xcc);
            try w.byte(@intCast(value));
        } else if (value <= 0xffff) {
            try w.byte(0xcd);
            try w.be(u16, @intCast(value));
        } else if (value <= 0xffff_ffff) {
            try w.byte(0xce);
            try w.be(u32, @intCast(value));
        } else {
            try w.byte(0xcf);
            try w.be(u64, value);
        }
    }

    pub fn writeInt(w: *Writer, value: i64) Allocator.Error!void {
        if (value >= 0) return w.writeUint(@intCast(value));
        if (value >= -32) {
            try w.byte(@bitCast(@as(i8, @intCast(value))));
        } else if (value >= std.math.minInt(i8)) {
            try w.byte(0xd0);
            try w.be(i8, @intCast(value));
        } else if (value >= std.math.minInt(i16)) {
            try w.byte(0xd1);
            try w.be(i16, @intCast(value));
        } else if (value >= std.math.minInt(i32)) {
            try w.byte(0xd2);
            try w.be(i32, @intCast(value));
        } else {
            try w.byte(0xd3);
            try w.be(i64, value);
        }
    }

    pub fn writeStr(w: *Writer, s: []const u8) Allocator.Error!void {
        try w.header(s.len, 0xa0, 31, 0xd9);
        try w.out.appendSlice(s);
    }

    pub fn writeBin(w: *Writer, data: []const u8) Allocator.Error!void {
        try w.header(data.len, null, 0, 0xc4);
        try w.out.appendSlice(data);
    }

    pub fn writeArrayHeader(w: *Writer, len: usize) Allocator.Error!void {
        try w.header(len, 0x90, 15, 0xdc);
    }

    pub fn writeMapHeader(w: *Writer, len: usize) Allocator.Error!void {
        try w.header(len, 0x80, 15, 0xde);
    }

    /// A length header: the fix form (`fix` | len) up to `fix_max`, then the family starting at
    /// `first` (str8/bin8 = first, 16 = first+1, 32 = first+2; arrays and maps have no 8-bit form
    /// and pass their 16-bit code as `first`).
    fn header(w: *Writer, len: usize, fix: ?u8, fix_max: usize, first: u8) Allocator.Error!void {
        const has8 = first != 0xdc and first != 0xde;
        if (fix != null and len <= fix_max) return w.byte(fix.? | @as(u8, @intCast(len)));
        if (has8 and len <= 0xff) {
            try w.byte(first);
            return w.byte(@intCast(len));
        }
        const base = if (has8) first + 1 else first;
        if (len <= 0xffff) {
            try w.byte(base);
            return w.be(u16, @intCast(len));
        }
        try w.byte(base + 1);
        try w.be(u32, @intCast(len));
    }

    pub fn writeValue(w: *Writer, value: Value) Allocator.Error!void {
        switch (value) {
            .nil => try w.writeNil(),
            .bool => |b| try w.writeBool(b),
            .uint => |u| try w.writeUint(u),
            .int => |i| try w.writeInt(i),
            .str => |s| try w.writeStr(s),
            .bin => |b| try w.writeBin(b),
            .array => |items| {
                try w.writeArrayHeader(items.len);
                for (items) |item| try w.writeValue(item);
            },
            .map => |entries| {
                try w.writeMapHeader(entries.len);
                for (entries) |entry| {
                    try w.writeValue(entry.key);
                    try w.writeValue(entry.value);
                }
            },
        }
    }
};

// -- reading ----------------------------------------------------------------------------------

pub const Kind = enum { nil, bool, int, str, bin, array, map, float, ext, never_used };

pub fn kindOf(b: u8) Kind {
    return switch (b) {
        0x00...0x7f, 0xe0...0xff, 0xcc...0xd3 => .int,
        0x80...0x8f, 0xde, 0xdf => .map,
        0x90...0x9f, 0xdc, 0xdd => .array,
        0xa0...0xbf, 0xd9...0xdb => .str,
        0xc0 => .nil,
        0xc2, 0xc3 => .bool,
        0xc4...0xc6 => .bin,
        0xca, 0xcb => .float,
        0xc7...0xc9, 0xd4...0xd8 => .ext,
        0xc1 => .never_used,
    };
}

/// A cursor over msgpack bytes. Returned slices point into the input.
pub const Reader = struct {
    data: []const u8,
    pos: usize = 0,

    pub fn init(data: []const u8) Reader {
        return .{ .data = data };
    }

    pub fn atEnd(r: *const Reader) bool {
        return r.pos >= r.data.len;
    }

    /// Fails unless every byte was consumed.
    pub fn finish(r: *const Reader) Error!void {
        if (!r.atEnd()) return error.TrailingBytes;
    }

    pub fn peekKind(r: *const Reader) Error!Kind {
        if (r.atEnd()) return error.EndOfInput;
        return kindOf(r.data[r.pos]);
    }

    // `take`, `byte` and `be` are `inline`: under ReleaseSmall they would stay calls, and a call
    // with an error-union result costs more wasm operations (and gas) than the read itself.
    inline fn take(r: *Reader, n: usize) Error![]const u8 {
        if (r.data.len - r.pos < n) return error.EndOfInput;
        const s = r.data[r.pos..][0..n];
        r.pos += n;
        return s;
    }

    inline fn byte(r: *Reader) Error!u8 {
        return (try r.take(1))[0];
    }

    inline fn be(r: *Reader, comptime T: type) Error!T {
        return std.mem.readInt(T, (try r.take(@sizeOf(T)))[0..@sizeOf(T)], .big);
    }

    pub fn readNil(r: *Reader) Error!void {
        if (try r.byte() != 0xc0) return r.wrong();
    }

    /// Consumes a nil and returns true, or leaves the input alone and returns false.
    pub fn tryNil(r: *Reader) Error!bool {
        if (try r.peekKind() != .nil) return false;
        r.pos += 1;
        return true;
    }

    pub fn readBool(r: *Reader) Error!bool {
        return switch (try r.byte()) {
            0xc2 => false,
            0xc3 => true,
            else => r.wrong(),
        };
    }

    fn wrong(r: *Reader) error{WrongType} {
        r.pos -= 1;
        return error.WrongType;
    }

    /// Any integer encoding; the value as i128 (wide enough for u64 and i64).
    fn readInteger(r: *Reader) Error!i128 {
        const b = try r.byte();
        return switch (b) {
            0x00...0x7f => b,
            0xe0...0xff => @as(i8, @bitCast(b)),
            0xcc => try r.be(u8),
            0xcd => try r.be(u16),
            0xce => try r.be(u32),
            0xcf => try r.be(u64),
            0xd0 => try r.be(i8),
            0xd1 => try r.be(i16),
            0xd2 => try r.be(i32),
            0xd3 => try r.be(i64),
            else => r.wrong(),
        };
    }

    pub fn readUint(r: *Reader) Error!u64 {
        const v = try r.readInteger();
        return std.math.cast(u64, v) orelse error.Overflow;
    }

    pub fn readInt(r: *Reader) Error!i64 {
        const v = try r.readInteger();
        return std.math.cast(i64, v) orelse error.Overflow;
    }

    pub fn readStr(r: *Reader) Error![]const u8 {
        const b = try r.byte();
        const len: usize = switch (b) {
            0xa0...0xbf => b & 0x1f,
            0xd9 => try r.be(u8),
            0xda => try r.be(u16),
            0xdb => try r.be(u32),
            else => return r.wrong(),
        };
        return r.take(len);
    }

    pub fn readBin(r: *Reader) Error![]const u8 {
        const b = try r.byte();
        const len: usize = switch (b) {
            0xc4 => try r.be(u8),
            0xc5 => try r.be(u16),
            0xc6 => try r.be(u32),
            else => return r.wrong(),
        };
        return r.take(len);
    }

    pub fn readArrayHeader(r: *Reader) Error!u32 {
        const b = try r.byte();
        return switch (b) {
            0x90...0x9f => b & 0x0f,
            0xdc => try r.be(u16),
            0xdd => try r.be(u32),
            else => r.wrong(),
        };
    }

    pub fn readMapHeader(r: *Reader) Error!u32 {
        const b = try r.byte();
        return switch (b) {
            0x80...0x8f => b & 0x0f,
            0xde => try r.be(u16),
            0xdf => try r.be(u32),
            else => r.wrong(),
        };
    }

    /// Reads a string key and fails with `WrongType` unless it equals `name` (for maps written
    /// in a fixed field order).
    pub fn expectKey(r: *Reader, name: []const u8) Error!void {
        const start = r.pos;
        const key = try r.readStr();
        if (!std.mem.eql(u8, key, name)) {
            r.pos = start;
            return error.WrongType;
        }
    }

    /// Steps over one complete value of any type (floats and extensions included).
    pub fn skip(r: *Reader) Error!void {
        try r.skipDepth(0);
    }

    fn skipDepth(r: *Reader, depth: usize) Error!void {
        if (depth > max_depth) return error.TooDeep;
        const b = (try r.take(1))[0];
        const n: usize = switch (b) {
            0x00...0x7f, 0xe0...0xff, 0xc0, 0xc2, 0xc3 => 0,
            0xcc, 0xd0 => 1,
            0xcd, 0xd1 => 2,
            0xce, 0xd2, 0xca => 4,
            0xcf, 0xd3, 0xcb => 8,
            0xd4 => 2,
            0xd5 => 3,
            0xd6 => 5,
            0xd7 => 9,
            0xd8 => 17,
            0xa0...0xbf => b & 0x1f,
            0xd9, 0xc4 => try r.be(u8),
            0xda, 0xc5 => try r.be(u16),
            0xdb, 0xc6 => try r.be(u32),
            0xc7 => @as(usize, try r.be(u8)) + 1,
            0xc8 => @as(usize, try r.be(u16)) + 1,
            0xc9 => @as(usize, try r.be(u32)) + 1,
            0x90...0x9f, 0xdc, 0xdd => {
                r.pos -= 1;
                var count = try r.readArrayHeader();
                while (count > 0) : (count -= 1) try r.skipDepth(depth + 1);
                return;
            },
            0x80...0x8f, 0xde, 0xdf => {
                r.pos -= 1;
                var count = try r.readMapHeader();
                while (count > 0) : (count -= 1) {
                    try r.skipDepth(depth + 1);
                    try r.skipDepth(depth + 1);
                }
                return;
            },
            0xc1 => return r.wrong(),
        };
        _ = try r.take(n);
    }

    /// Decodes one value into a tree allocated in `alloc` (strings and bins point into the input).
    pub fn readValue(r: *Reader, alloc: Allocator) (Error || Allocator.Error)!Value {
        return r.readValueDepth(alloc, 0);
    }

    fn readValueDepth(r: *Reader, alloc: Allocator, depth: usize) (Error || Allocator.Error)!Value {
        if (depth > max_depth) return error.TooDeep;
        switch (try r.peekKind()) {
            .nil => {
                r.pos += 1;
                return .nil;
            },
            .bool => return .{ .bool = try r.readBool() },
            .int => {
                const v = try r.readInteger();
                if (v >= 0) return .{ .uint = @intCast(v) };
                return .{ .int = @intCast(v) };
            },
            .str => return .{ .str = try r.readStr() },
            .bin => return .{ .bin = try r.readBin() },
            .array => {
                const count = try r.readArrayHeader();
                if (count > r.data.len - r.pos) return error.EndOfInput;
                const items = try alloc.alloc(Value, count);
                for (items) |*item| item.* = try r.readValueDepth(alloc, depth + 1);
                return .{ .array = items };
            },
            .map => {
                const count = try r.readMapHeader();
                if (count > (r.data.len - r.pos) / 2) return error.EndOfInput;
                const entries = try alloc.alloc(Entry, count);
                for (entries) |*entry| {
                    entry.key = try r.readValueDepth(alloc, depth + 1);
                    entry.value = try r.readValueDepth(alloc, depth + 1);
                }
                return .{ .map = entries };
            },
            .float, .ext, .never_used => return error.Unsupported,
        }
    }
};

/// Nesting deeper than this is refused by `skip` and `readValue`.
pub const max_depth = 64;

pub const Entry = struct { key: Value, value: Value };

/// A decoded value. Non-negative integers are `uint`, negative ones `int`.
pub const Value = union(enum) {
    nil,
    bool: bool,
    uint: u64,
    int: i64,
    str: []const u8,
    bin: []const u8,
    array: []const Value,
    map: []const Entry,

    /// The value under a string key of a map (first match), or null.
    pub fn get(self: Value, key: []const u8) ?Value {
        if (self != .map) return null;
        for (self.map) |entry| {
            if (entry.key == .str and std.mem.eql(u8, entry.key.str, key)) return entry.value;
        }
        return null;
    }

    pub fn eql(a: Value, b: Value) bool {
        if (std.meta.activeTag(a) != std.meta.activeTag(b)) return false;
        return switch (a) {
            .nil => true,
            .bool => |x| x == b.bool,
            .uint => |x| x == b.uint,
            .int => |x| x == b.int,
            .str => |x| std.mem.eql(u8, x, b.str),
            .bin => |x| std.mem.eql(u8, x, b.bin),
            .array => |x| {
                if (x.len != b.array.len) return false;
                for (x, b.array) |p, q| if (!p.eql(q)) return false;
                return true;
            },
            .map => |x| {
                if (x.len != b.map.len) return false;
                for (x, b.map) |p, q| if (!p.key.eql(q.key) or !p.value.eql(q.value)) return false;
                return true;
            },
        };
    }
};

/// Decodes exactly one value spanning all of `data`.
pub fn decode(alloc: Allocator, data: []const u8) (Error || Allocator.Error)!Value {
    var r = Reader.init(data);
    const value = try r.readValue(alloc);
    try r.finish();
    return value;
}

pub fn encode(alloc: Allocator, value: Value) Allocator.Error![]u8 {
    var w = Writer.init(alloc);
    try w.writeValue(value);
    return w.out.toOwnedSlice();
}

// -- tests ------------------------------------------------------------------------------------

const testing = std.testing;

fn expectUint(expected: []const u8, value: u64) !void {
    var w = Writer.init(testing.allocator);
    defer w.out.deinit();
    try w.writeUint(value);
    try testing.expectEqualSlices(u8, expected, w.bytes());
    var r = Reader.init(w.bytes());
    try testing.expectEqual(value, try r.readUint());
    try r.finish();
}

fn expectInt(expected: []const u8, value: i64) !void {
    var w = Writer.init(testing.allocator);
    defer w.out.deinit();
    try w.writeInt(value);
    try testing.expectEqualSlices(u8, expected, w.bytes());
    var r = Reader.init(w.bytes());
    try testing.expectEqual(value, try r.readInt());
    try r.finish();
}

test "integers use the shortest form (as Python msgpack)" {
    try expectUint("\x00", 0);
    try expectUint("\x7f", 127);
    try expectUint("\xcc\x80", 128);
    try expectUint("\xcc\xff", 255);
    try expectUint("\xcd\x01\x00", 256);
    try expectUint("\xcd\xff\xff", 65535);
    try expectUint("\xce\x00\x01\x00\x00", 65536);
    try expectUint("\xce\xff\xff\xff\xff", 0xffff_ffff);
    try expectUint("\xcf\x00\x00\x00\x01\x00\x00\x00\x00", 0x1_0000_0000);
    try expectUint("\xcf\xff\xff\xff\xff\xff\xff\xff\xff", std.math.maxInt(u64));
    try expectInt("\x05", 5);
    try expectInt("\xff", -1);
    try expectInt("\xe0", -32);
    try expectInt("\xd0\xdf", -33);
    try expectInt("\xd0\x80", -128);
    try expectInt("\xd1\xff\x7f", -129);
    try expectInt("\xd1\x80\x00", -32768);
    try expectInt("\xd2\xff\xff\x7f\xff", -32769);
    try expectInt("\xd3\x80\x00\x00\x00\x00\x00\x00\x00", std.math.minInt(i64));
    try expectInt("\xcf\x7f\xff\xff\xff\xff\xff\xff\xff", std.math.maxInt(i64));
}

test "integer reading across widths and signs" {
    var r = Reader.init("\xd0\x05\xcc\xff\xff\xcf\xff\xff\xff\xff\xff\xff\xff\xff");
    try testing.expectEqual(@as(u64, 5), try r.readUint());
    try testing.expectEqual(@as(i64, 255), try r.readInt());
    try testing.expectError(error.Overflow, r.readUint());
    var big = Reader.init("\xcf\xff\xff\xff\xff\xff\xff\xff\xff");
    try testing.expectError(error.Overflow, big.readInt());
    var wrong = Reader.init("\xa1x");
    try testing.expectError(error.WrongType, wrong.readUint());
    try testing.expectEqual(@as(usize, 0), wrong.pos);
}

test "str, bin, array and map headers" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    var w = Writer.init(alloc);
    try w.writeStr("");
    try w.writeStr("abc");
    try w.writeStr("x" ** 31);
    try w.writeStr("y" ** 32);
    try w.writeStr("z" ** 256);
    try w.writeBin("");
    try w.writeBin("\x01\x02");
    try w.writeBin("b" ** 256);
    try w.writeArrayHeader(15);
    try w.writeArrayHeader(16);
    try w.writeMapHeader(15);
    try w.writeMapHeader(65536);
    const expected = "\xa0" ++ "\xa3abc" ++ "\xbf" ++ "x" ** 31 ++ "\xd9\x20" ++ "y" ** 32 ++
        "\xda\x01\x00" ++ "z" ** 256 ++ "\xc4\x00" ++ "\xc4\x02\x01\x02" ++ "\xc5\x01\x00" ++
        "b" ** 256 ++ "\x9f" ++ "\xdc\x00\x10" ++ "\x8f" ++ "\xdf\x00\x01\x00\x00";
    try testing.expectEqualSlices(u8, expected, w.bytes());

    var r = Reader.init(w.bytes());
    try testing.expectEqualStrings("", try r.readStr());
    try testing.expectEqualStrings("abc", try r.readStr());
    try testing.expectEqualStrings("x" ** 31, try r.readStr());
    try testing.expectEqualStrings("y" ** 32, try r.readStr());
    try testing.expectEqualStrings("z" ** 256, try r.readStr());
    try testing.expectEqualSlices(u8, "", try r.readBin());
    try testing.expectEqualSlices(u8, "\x01\x02", try r.readBin());
    try testing.expectError(error.WrongType, r.readStr()); // bin is not str
    try testing.expectEqualSlices(u8, "b" ** 256, try r.readBin());
    try testing.expectEqual(@as(u32, 15), try r.readArrayHeader());
    try testing.expectEqual(@as(u32, 16), try r.readArrayHeader());
    try testing.expectEqual(@as(u32, 15), try r.readMapHeader());
    try testing.expectEqual(@as(u32, 65536), try r.readMapHeader());
    try r.finish();
}

test "a light-client-like state round-trips and matches Python's bytes" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    // msgpack.packb({"chain_id": "c-1", "height": 300, "frozen": False, "hash": b"\xaa\xbb",
    //                "vals": [1, -1], "next": None}, use_bin_type=True)
    const expected = "\x86\xa8chain_id\xa3c-1\xa6height\xcd\x01\x2c\xa6frozen\xc2" ++
        "\xa4hash\xc4\x02\xaa\xbb\xa4vals\x92\x01\xff\xa4next\xc0";
    var w = Writer.init(alloc);
    try w.writeMapHeader(6);
    try w.writeStr("chain_id");
    try w.writeStr("c-1");
    try w.writeStr("height");
    try w.writeUint(300);
    try w.writeStr("frozen");
    try w.writeBool(false);
    try w.writeStr("hash");
    try w.writeBin("\xaa\xbb");
    try w.writeStr("vals");
    try w.writeArrayHeader(2);
    try w.writeInt(1);
    try w.writeInt(-1);
    try w.writeStr("next");
    try w.writeNil();
    try testing.expectEqualSlices(u8, expected, w.bytes());

    // Field-order reading.
    var r = Reader.init(expected);
    try testing.expectEqual(@as(u32, 6), try r.readMapHeader());
    try r.expectKey("chain_id");
    try testing.expectEqualStrings("c-1", try r.readStr());
    try testing.expectError(error.WrongType, r.expectKey("wrong"));
    try r.expectKey("height");
    try testing.expectEqual(@as(u64, 300), try r.readUint());
    try r.expectKey("frozen");
    try testing.expect(!try r.readBool());
    try r.expectKey("hash");
    try testing.expectEqualSlices(u8, "\xaa\xbb", try r.readBin());
    try r.expectKey("vals");
    try r.skip();
    try r.expectKey("next");
    try testing.expect(try r.tryNil());
    try r.finish();

    // Dynamic round trip.
    const value = try decode(alloc, expected);
    try testing.expectEqual(@as(u64, 300), value.get("height").?.uint);
    try testing.expectEqual(@as(i64, -1), value.get("vals").?.array[1].int);
    try testing.expect(value.get("next").? == .nil);
    try testing.expectEqualSlices(u8, expected, try encode(alloc, value));
    try testing.expect(value.eql(try decode(alloc, try encode(alloc, value))));
}

test "skip steps over floats and extensions; readValue refuses them" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const data = "\x93\xca\x00\x00\x00\x00\xcb" ++ "\x00" ** 8 ++ "\xd4\x01\x02" ++ "\x07";
    var r = Reader.init(data);
    try r.skip();
    try testing.expectEqual(@as(u64, 7), try r.readUint());
    try r.finish();
    try testing.expectError(error.Unsupported, decode(alloc, data));
}

test "malformed input" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    try testing.expectError(error.EndOfInput, decode(alloc, ""));
    try testing.expectError(error.EndOfInput, decode(alloc, "\xa5ab"));
    try testing.expectError(error.EndOfInput, decode(alloc, "\xdd\xff\xff\xff\xff"));
    try testing.expectError(error.TrailingBytes, decode(alloc, "\xc0\xc0"));
    try testing.expectError(error.Unsupported, decode(alloc, "\xc1"));
    var never = Reader.init("\xc1");
    try testing.expectError(error.WrongType, never.skip());
    try testing.expectError(error.TooDeep, decode(alloc, "\x91" ** 66 ++ "\xc0"));
}
