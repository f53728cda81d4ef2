//! A small JSON reader and writer with no floating point anywhere.
//!
//! `parse` builds a `Value` tree in an allocator (an arena, typically). Numbers keep their text;
//! `asU64`/`asI64` convert integers and refuse anything with a fraction or an exponent. The
//! `Writer` streams JSON into a growing buffer and escapes strings (invalid UTF-8 becomes U+FFFD).

const std = @import("std");
const base64 = @import("base64.zig");

const Allocator = std.mem.Allocator;

pub const Member = struct { key: []const u8, value: Value };

pub const Value = union(enum) {
    null,
    bool: bool,
    /// The number's text, validated against the JSON grammar.
    number: []const u8,
    /// The unescaped string (UTF-8).
    string: []const u8,
    array: []const Value,
    object: []const Member,

    /// The value of `key` in an object (the last one if repeated); null if absent or not an object.
    pub fn get(self: Value, key: []const u8) ?Value {
        const members = self.asObject() orelse return null;
        var i = members.len;
        while (i > 0) {
            i -= 1;
            if (std.mem.eql(u8, members[i].key, key)) return members[i].value;
        }
        return null;
    }

    pub fn isNull(self: Value) bool {
        return self == .null;
    }

    pub fn asBool(self: Value) ?bool {
        return if (self == .bool) self.bool else null;
    }

    pub fn asString(self: Value) ?[]const u8 {
        return if (self == .string) self.string else null;
    }

    pub fn asArray(self: Value) ?[]const Value {
        return if (self == .array) self.array else null;
    }

    pub fn asObject(self: Value) ?[]const Member {
        return if (self == .object) self.object else null;
    }

    /// A non-negative integer that fits u64 (no fraction, no exponent).
    pub fn asU64(self: Value) ?u64 {
        if (self != .number) return null;
        return parseUnsigned(self.number);
    }

    /// An integer that fits i64 (no fraction, no exponent).
    pub fn asI64(self: Value) ?i64 {
        if (self != .number) return null;
        const text = self.number;
        if (text.len > 0 and text[0] == '-') {
            const magnitude = parseUnsigned(text[1..]) orelse return null;
            if (magnitude > @as(u64, std.math.maxInt(i64)) + 1) return null;
            return @intCast(-@as(i128, magnitude));
        }
        const value = parseUnsigned(text) orelse return null;
        if (value > std.math.maxInt(i64)) return null;
        return @intCast(value);
    }
};

/// Decimal digits only (no sign, no fraction), fitting a u64.
pub fn parseUnsigned(text: []const u8) ?u64 {
    if (text.len == 0) return null;
    var value: u64 = 0;
    for (text) |c| {
        if (c < '0' or c > '9') return null;
        value = std.math.mul(u64, value, 10) catch return null;
        value = std.math.add(u64, value, c - '0') catch return null;
    }
    return value;
}

pub const ParseError = Allocator.Error || error{ InvalidJson, TooDeep };

/// Nesting deeper than this is refused (keeps the parser's recursion bounded).
pub const max_depth = 64;

/// Parses one JSON document (surrounding whitespace allowed). Strings without escapes are
/// slices of `text`, so `text` must outlive the result.
pub fn parse(alloc: Allocator, text: []const u8) ParseError!Value {
    var parser = Parser{ .alloc = alloc, .text = text };
    parser.skipSpace();
    const value = try parser.value(0);
    parser.skipSpace();
    if (parser.pos != text.len) return error.InvalidJson;
    return value;
}

const Parser = struct {
    alloc: Allocator,
    text: []const u8,
    pos: usize = 0,

    fn skipSpace(p: *Parser) void {
        while (p.pos < p.text.len) : (p.pos += 1) {
            switch (p.text[p.pos]) {
                ' ', '\t', '\n', '\r' => {},
                else => return,
            }
        }
    }

    fn peek(p: *Parser) ParseError!u8 {
        if (p.pos >= p.text.len) return error.InvalidJson;
        return p.text[p.pos];
    }

    fn literal(p: *Parser, word: []const u8) ParseError!void {
        if (!std.mem.startsWith(u8, p.text[p.pos..], word)) return error.InvalidJson;
        p.pos += word.len;
    }

    fn value(p: *Parser, depth: usize) ParseError!Value {
        switch (try p.peek()) {
            'n' => {
                try p.literal("null");
                return .null;
            },
            't' => {
                try p.literal("true");
                return .{ .bool = true };
            },
            'f' => {
                try p.literal("false");
                return .{ .bool = false };
            },
            '"' => return .{ .string = try p.string() },
            '[' => return p.array(depth + 1),
            '{' => return p.object(depth + 1),
            '-', '0'...'9' => return .{ .number = try p.number() },
            else => return error.InvalidJson,
        }
    }

    fn array(p: *Parser, depth: usize) ParseError!Value {
        if (depth > max_depth) return error.TooDeep;
        p.pos += 1; // '['
        var items = std.ArrayList(Value).init(p.alloc);
        p.skipSpace();
        if (try p.peek() == ']') {
            p.pos += 1;
            return .{ .array = &.{} };
        }
        while (true) {
            p.skipSpace();
            try items.append(try p.value(depth));
            p.skipSpace();
            switch (try p.peek()) {
                ',' => p.pos += 1,
                ']' => {
                    p.pos += 1;
                    return .{ .array = items.items }; // the arena frees the spare capacity
                },
                else => return error.InvalidJson,
            }
        }
    }

    fn object(p: *Parser, depth: usize) ParseError!Value {
        if (depth > max_depth) return error.TooDeep;
        p.pos += 1; // '{'
        var members = std.ArrayList(Member).init(p.alloc);
        p.skipSpace();
        if (try p.peek() == '}') {
            p.pos += 1;
            return .{ .object = &.{} };
        }
        while (true) {
            p.skipSpace();
            if (try p.peek() != '"') return error.InvalidJson;
            const key = try p.string();
            p.skipSpace();
            if (try p.peek() != ':') return error.InvalidJson;
            p.pos += 1;
            p.skipSpace();
            try members.append(.{ .key = key, .value = try p.value(depth) });
            p.skipSpace();
            switch (try p.peek()) {
                ',' => p.pos += 1,
                '}' => {
                    p.pos += 1;
                    return .{ .object = members.items }; // the arena frees the spare capacity
                },
                else => return error.InvalidJson,
            }
        }
    }

    fn number(p: *Parser) ParseError![]const u8 {
        const start = p.pos;
        if (p.text[p.pos] == '-') p.pos += 1;
        if (try p.peek() == '0') {
            p.pos += 1;
        } else {
            if (p.digits() == 0) return error.InvalidJson;
        }
        if (p.pos < p.text.len and p.text[p.pos] == '.') {
            p.pos += 1;
            if (p.digits() == 0) return error.InvalidJson;
        }
        if (p.pos < p.text.len and (p.text[p.pos] == 'e' or p.text[p.pos] == 'E')) {
            p.pos += 1;
            if (p.pos < p.text.len and (p.text[p.pos] == '+' or p.text[p.pos] == '-')) p.pos += 1;
            if (p.digits() == 0) return error.InvalidJson;
        }
        return p.text[start..p.pos];
    }

    fn digits(p: *Parser) usize {
        const start = p.pos;
        while (p.pos < p.text.len and p.text[p.pos] >= '0' and p.text[p.pos] <= '9') p.pos += 1;
        return p.pos - start;
    }

    fn string(p: *Parser) ParseError![]const u8 {
        p.pos += 1; // opening quote
        const start = p.pos;
        // Fast path: no escapes, the string is a slice of the input. Runs of plain ASCII (the
        // whole of a base64 string) are skipped eight bytes at a time; only the word holding a
        // quote, backslash, control or non-ASCII byte (or the last few bytes of the input) is
        // looked at byte by byte.
        var ascii = true;
        scan: while (true) {
            p.pos += plainAsciiRun(p.text[p.pos..]);
            const end = @min(p.pos + 8, p.text.len);
            if (p.pos == end) break :scan; // no closing quote
            while (p.pos < end) : (p.pos += 1) {
                const c = p.text[p.pos];
                if (c == '"') {
                    const s = p.text[start..p.pos];
                    p.pos += 1;
                    if (!ascii and !std.unicode.utf8ValidateSlice(s)) return error.InvalidJson;
                    return s;
                }
                if (c == '\\') break :scan;
                if (c < 0x20) return error.InvalidJson;
                if (c >= 0x80) ascii = false;
            }
        }
        var out = std.ArrayList(u8).init(p.alloc);
        try out.appendSlice(p.text[start..p.pos]);
        while (true) {
            const c = try p.peek();
            p.pos += 1;
            switch (c) {
                '"' => break,
                '\\' => try p.escape(&out),
                0...0x1f => return error.InvalidJson,
                else => try out.append(c),
            }
        }
        if (!std.unicode.utf8ValidateSlice(out.items)) return error.InvalidJson;
        return out.toOwnedSlice();
    }

    fn escape(p: *Parser, out: *std.ArrayList(u8)) ParseError!void {
        const c = try p.peek();
        p.pos += 1;
        switch (c) {
            '"', '\\', '/' => try out.append(c),
            'b' => try out.append(0x08),
            'f' => try out.append(0x0c),
            'n' => try out.append('\n'),
            'r' => try out.append('\r'),
            't' => try out.append('\t'),
            'u' => {
                var code: u21 = try p.hex4();
                if (code >= 0xd800 and code <= 0xdbff) {
                    try p.literal("\\u");
                    const low = try p.hex4();
                    if (low < 0xdc00 or low > 0xdfff) return error.InvalidJson;
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                } else if (code >= 0xdc00 and code <= 0xdfff) {
                    return error.InvalidJson;
                }
                var buf: [4]u8 = undefined;
                const n = std.unicode.utf8Encode(code, &buf) catch return error.InvalidJson;
                try out.appendSlice(buf[0..n]);
            },
            else => return error.InvalidJson,
        }
    }

    fn hex4(p: *Parser) ParseError!u21 {
        if (p.text.len - p.pos < 4) return error.InvalidJson;
        var code: u21 = 0;
        for (p.text[p.pos..][0..4]) |h| {
            const digit: u21 = switch (h) {
                '0'...'9' => h - '0',
                'a'...'f' => h - 'a' + 10,
                'A'...'F' => h - 'A' + 10,
                else => return error.InvalidJson,
            };
            code = code * 16 + digit;
        }
        p.pos += 4;
        return code;
    }
};

/// The length of the longest prefix of `text`, in whole 8-byte words, holding only printable
/// ASCII other than `"` and `\\` (the bytes a JSON string may hold unescaped and unchecked).
/// Wasm charges per operation and a branch fourteen times over, so one word test per eight
/// bytes costs a fraction of a test per byte.
fn plainAsciiRun(text: []const u8) usize {
    const ones: u64 = 0x0101010101010101;
    const highs: u64 = 0x8080808080808080;
    var n: usize = 0;
    while (text.len - n >= 8) : (n += 8) {
        const x = std.mem.readInt(u64, text[n..][0..8], .little);
        // Exact as a whole-word test ("determine if a word has a byte less than n"): a byte
        // below 0x20, a byte equal to '"' or '\\' (zero after the xor), or a byte >= 0x80.
        const below_space = (x -% ones * 0x20) & ~x;
        const quote = x ^ (ones * '"');
        const backslash = x ^ (ones * '\\');
        const special = below_space | ((quote -% ones) & ~quote) | ((backslash -% ones) & ~backslash) | x;
        if (special & highs != 0) break;
    }
    return n;
}

// -- writing ----------------------------------------------------------------------------------

/// Appends `s` as a JSON string literal. Control characters, `"` and `\` are escaped; bytes that
/// are not valid UTF-8 are written as U+FFFD so the output is always valid JSON.
pub fn writeString(out: *std.ArrayList(u8), s: []const u8) Allocator.Error!void {
    try out.append('"');
    var i: usize = 0;
    while (i < s.len) {
        const c = s[i];
        switch (c) {
            '"' => try out.appendSlice("\\\""),
            '\\' => try out.appendSlice("\\\\"),
            '\n' => try out.appendSlice("\\n"),
            '\r' => try out.appendSlice("\\r"),
            '\t' => try out.appendSlice("\\t"),
            0x08 => try out.appendSlice("\\b"),
            0x0c => try out.appendSlice("\\f"),
            0...0x07, 0x0b, 0x0e...0x1f, 0x7f => {
                const hex = "0123456789abcdef";
                try out.appendSlice(&.{ '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] });
            },
            0x20...0x21, 0x23...0x5b, 0x5d...0x7e => try out.append(c),
            0x80...0xff => {
                const n = std.unicode.utf8ByteSequenceLength(c) catch 0;
                if (n != 0 and i + n <= s.len and std.unicode.utf8ValidateSlice(s[i..][0..n])) {
                    try out.appendSlice(s[i..][0..n]);
                    i += n;
                    continue;
                }
                try out.appendSlice("\\ufffd");
            },
        }
        i += 1;
    }
    try out.append('"');
}

/// Appends the decimal digits of an integer.
pub fn writeInt(out: *std.ArrayList(u8), value: anytype) Allocator.Error!void {
    const v: i128 = value;
    var magnitude: u128 = @abs(v);
    var buf: [40]u8 = undefined;
    var i: usize = buf.len;
    while (true) {
        i -= 1;
        buf[i] = @intCast('0' + magnitude % 10);
        magnitude /= 10;
        if (magnitude == 0) break;
    }
    if (v < 0) try out.append('-');
    try out.appendSlice(buf[i..]);
}

/// Streams JSON with automatic commas. Use it in document order: `beginObject`, then
/// `key`+value pairs, `endObject`; arrays alike.
pub const Writer = struct {
    out: std.ArrayList(u8),
    comma: bool = false,

    pub fn init(alloc: Allocator) Writer {
        return .{ .out = std.ArrayList(u8).init(alloc) };
    }

    /// The JSON written so far.
    pub fn bytes(w: *const Writer) []const u8 {
        return w.out.items;
    }

    fn separate(w: *Writer) Allocator.Error!void {
        if (w.comma) try w.out.append(',');
    }

    fn open(w: *Writer, c: u8) Allocator.Error!void {
        try w.separate();
        try w.out.append(c);
        w.comma = false;
    }

    fn close(w: *Writer, c: u8) Allocator.Error!void {
        try w.out.append(c);
        w.comma = true;
    }

    pub fn beginObject(w: *Writer) Allocator.Error!void {
        try w.open('{');
    }

    pub fn endObject(w: *Writer) Allocator.Error!void {
        try w.close('}');
    }

    pub fn beginArray(w: *Writer) Allocator.Error!void {
        try w.open('[');
    }

    pub fn endArray(w: *Writer) Allocator.Error!void {
        try w.close(']');
    }

    pub fn key(w: *Writer, name: []const u8) Allocator.Error!void {
        try w.separate();
        try writeString(&w.out, name);
        try w.out.append(':');
        w.comma = false;
    }

    pub fn string(w: *Writer, s: []const u8) Allocator.Error!void {
        try w.separate();
        try writeString(&w.out, s);
        w.comma = true;
    }

    /// A JSON string holding the standard base64 of `data`.
    pub fn base64String(w: *Writer, data: []const u8) Allocator.Error!void {
        try w.separate();
        try w.out.append('"');
        try base64.appendEncoded(&w.out, data);
        try w.out.append('"');
        w.comma = true;
    }

    pub fn int(w: *Writer, value: anytype) Allocator.Error!void {
        try w.separate();
        try writeInt(&w.out, value);
        w.comma = true;
    }

    pub fn boolean(w: *Writer, value: bool) Allocator.Error!void {
        try w.raw(if (value) "true" else "false");
    }

    pub fn nul(w: *Writer) Allocator.Error!void {
        try w.raw("null");
    }

    /// Inserts already-encoded JSON as one value (not checked).
    pub fn raw(w: *Writer, json_text: []const u8) Allocator.Error!void {
        try w.separate();
        try w.out.appendSlice(json_text);
        w.comma = true;
    }
};

// -- tests ------------------------------------------------------------------------------------

const testing = std.testing;

fn expectWritten(expected: []const u8, input: []const u8) !void {
    var out = std.ArrayList(u8).init(testing.allocator);
    defer out.deinit();
    try writeString(&out, input);
    try testing.expectEqualStrings(expected, out.items);
}

test "string escaping" {
    try expectWritten("\"plain\"", "plain");
    try expectWritten("\"q\\\"b\\\\s/\"", "q\"b\\s/");
    try expectWritten("\"\\n\\r\\t\\b\\f\"", "\n\r\t\x08\x0c");
    try expectWritten("\"\\u0000\\u001f\\u007f\"", "\x00\x1f\x7f");
    try expectWritten("\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    try expectWritten("\"a\\ufffdb\\ufffd\"", "a\xffb\xc3");
}

test "writer commas and nesting" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var w = Writer.init(arena.allocator());
    try w.beginObject();
    try w.key("a");
    try w.int(@as(i64, -12));
    try w.key("b");
    try w.beginArray();
    try w.int(@as(u64, std.math.maxInt(u64)));
    try w.string("x");
    try w.beginObject();
    try w.endObject();
    try w.nul();
    try w.boolean(true);
    try w.base64String("hi");
    try w.endArray();
    try w.key("c");
    try w.raw("{\"r\":1}");
    try w.endObject();
    try testing.expectEqualStrings(
        "{\"a\":-12,\"b\":[18446744073709551615,\"x\",{},null,true,\"aGk=\"],\"c\":{\"r\":1}}",
        w.bytes(),
    );
}

test "parse values" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const v = try parse(alloc, " {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\", \"a\": {}} ");
    try testing.expect(v.get("a").?.asObject().?.len == 0); // last duplicate wins
    const first = v.object[0].value.asArray().?;
    try testing.expectEqual(@as(?u64, 1), first[0].asU64());
    try testing.expectEqual(@as(?i64, -2), first[1].asI64());
    try testing.expectEqual(@as(?u64, null), first[1].asU64());
    try testing.expectEqual(@as(?u64, null), first[2].asU64());
    try testing.expectEqual(@as(?u64, null), first[3].asU64());
    try testing.expectEqualStrings("3.5", first[2].number);
    try testing.expectEqual(@as(?bool, true), first[4].asBool());
    try testing.expect(first[6].isNull());
    try testing.expectEqualStrings("x\xc3\xa9\xf0\x9f\x98\x80\n", v.get("s").?.asString().?);
    try testing.expect(v.get("missing") == null);
}

test "integer limits" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    try testing.expectEqual(@as(?u64, std.math.maxInt(u64)), (try parse(alloc, "18446744073709551615")).asU64());
    try testing.expectEqual(@as(?u64, null), (try parse(alloc, "18446744073709551616")).asU64());
    try testing.expectEqual(@as(?i64, std.math.minInt(i64)), (try parse(alloc, "-9223372036854775808")).asI64());
    try testing.expectEqual(@as(?i64, null), (try parse(alloc, "-9223372036854775809")).asI64());
    try testing.expectEqual(@as(?i64, null), (try parse(alloc, "9223372036854775808")).asI64());
}

test "round trip of a string through writer and parser" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const original = "tab\there \"quoted\" back\\slash \x01 \xe2\x82\xac";
    var out = std.ArrayList(u8).init(alloc);
    try writeString(&out, original);
    try testing.expectEqualStrings(original, (try parse(alloc, out.items)).asString().?);
}

test "invalid documents" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const bad = [_][]const u8{
        "",        "{",          "{\"a\"}",   "{\"a\":1,}", "[1,]",   "01",     "1.",  "-",
        "1e",      "tru",        "\"\x01\"",  "\"\\x\"",    "\"\\ud800\"", "\"\\udc00\"", "{} x",
        "not json{", "\"\xff\"", "{a:1}",
    };
    for (bad) |text| {
        try testing.expectError(error.InvalidJson, parse(alloc, text));
    }
    try testing.expectError(error.TooDeep, parse(alloc, "[" ** 65 ++ "]" ** 65));
    _ = try parse(alloc, "[" ** 64 ++ "]" ** 64);
}

test "strings around the word-at-a-time scan" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    // Each special byte at every offset of a long plain string.
    const plain = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (0..plain.len) |at| {
        var text: [plain.len + 2]u8 = undefined;
        text[0] = '"';
        @memcpy(text[1 .. plain.len + 1], plain);
        text[plain.len + 1] = '"';
        try testing.expectEqualStrings(plain, (try parse(alloc, &text)).asString().?);
        for ([_]u8{ 0x00, 0x1f, 0x7f, 0x80, 0xff, '"' }) |special| {
            var bad = text;
            bad[1 + at] = special;
            const outcome = parse(alloc, &bad);
            if (special == 0x7f) {
                try testing.expectEqual(@as(u8, 0x7f), (try outcome).asString().?[at]);
            } else {
                try testing.expectError(error.InvalidJson, outcome);
            }
        }
        if (at + 1 < plain.len) {
            var escaped = text;
            escaped[1 + at] = '\\';
            escaped[2 + at] = 'n';
            const unescaped = (try parse(alloc, &escaped)).asString().?;
            try testing.expectEqualStrings(plain[0..at], unescaped[0..at]);
            try testing.expectEqualStrings("\n", unescaped[at..][0..1]);
            try testing.expectEqualStrings(plain[at + 2 ..], unescaped[at + 1 ..]);
        }
        var accented = text;
        accented[1 + at] = 0xc3;
        if (at + 1 < plain.len) {
            accented[2 + at] = 0xa9;
            try testing.expectEqualStrings("\xc3\xa9", (try parse(alloc, &accented)).asString().?[at..][0..2]);
        }
    }
}
