//! Standard base64 (RFC 4648 alphabet, with padding), the encoding of every `[]byte` in the
//! 08-wasm JSON API.

const std = @import("std");

const Allocator = std.mem.Allocator;
const codec = std.base64.standard;

pub const DecodeError = Allocator.Error || error{InvalidBase64};

pub fn encodedLen(len: usize) usize {
    return codec.Encoder.calcSize(len);
}

pub fn encode(alloc: Allocator, data: []const u8) Allocator.Error![]u8 {
    const out = try alloc.alloc(u8, encodedLen(data.len));
    _ = codec.Encoder.encode(out, data);
    return out;
}

/// Appends the encoding of `data` to `out`.
pub fn appendEncoded(out: *std.ArrayList(u8), data: []const u8) Allocator.Error!void {
    const dest = try out.addManyAsSlice(encodedLen(data.len));
    _ = codec.Encoder.encode(dest, data);
}

/// Decodes padded standard base64; anything else (no padding, URL alphabet, whitespace, bits
/// left over in the last character) is `error.InvalidBase64`. Accepts exactly what
/// `std.base64.standard.Decoder` accepts, at a fraction of its operations per character (wasm
/// pays per operation, and a branch fourteen times over): one table lookup per character, one
/// store per four, and a single validity test for the whole input.
pub fn decode(alloc: Allocator, text: []const u8) DecodeError![]u8 {
    if (text.len % 4 != 0) return error.InvalidBase64;
    if (text.len == 0) return alloc.alloc(u8, 0);
    const last = text[text.len - 4 ..][0..4];
    const padding: u5 = if (last[3] != '=') 0 else if (last[2] != '=') 1 else 2;
    const out = try alloc.alloc(u8, text.len / 4 * 3 - padding);
    errdefer alloc.free(out);
    // Every quad but the last: four alphabet characters, three bytes, stored as one
    // little-endian word whose fourth byte the next quad overwrites (the last quad always
    // yields at least one byte, so the word fits). The words are or-ed together and tested
    // once at the end: a bad input leaves garbage in `out`, which is then freed.
    // Four quads per iteration while they last, so that the loop's own bookkeeping is paid
    // once per sixteen characters.
    var seen: u32 = 0;
    var i: usize = 0;
    var o: usize = 0;
    const body = text.len - 4;
    while (body - i >= 16) : ({
        i += 16;
        o += 12;
    }) {
        inline for (0..4) |k| {
            const word = quad(text[i + 4 * k ..][0..4]);
            seen |= word;
            std.mem.writeInt(u32, out[o + 3 * k ..][0..4], word, .little);
        }
    }
    while (i < body) : ({
        i += 4;
        o += 3;
    }) {
        const word = quad(text[i..][0..4]);
        seen |= word;
        std.mem.writeInt(u32, out[o..][0..4], word, .little);
    }
    // The last quad: its padding stands in for zero characters whose bits must all be zero.
    var chars = last.*;
    for (chars[4 - padding ..]) |*c| c.* = 'A';
    const word = quad(&chars);
    seen |= word;
    if (seen & invalid != 0) return error.InvalidBase64;
    const bytes: [4]u8 = @bitCast(std.mem.nativeToLittle(u32, word));
    if (!std.mem.allEqual(u8, bytes[3 - padding .. 3], 0)) return error.InvalidBase64;
    @memcpy(out[o..], bytes[0 .. 3 - padding]);
    return out;
}

/// The three bytes four characters encode, in a little-endian word (first byte lowest), with
/// `invalid` set if any character is outside the alphabet (`=` included).
inline fn quad(chars: *const [4]u8) u32 {
    return tables[0][chars[0]] | tables[1][chars[1]] | tables[2][chars[2]] | tables[3][chars[3]];
}

/// The top byte of a decoded word, which no character's bits reach.
const invalid: u32 = 0xff000000;

/// `tables[k][c]`: the bits of character `c` at position `k` of a quad, already in place in
/// the little-endian word of the quad's three bytes; `invalid` for a byte outside the alphabet.
const tables: [4][256]u32 = init: {
    @setEvalBranchQuota(10_000);
    var t: [4][256]u32 = .{.{invalid} ** 256} ** 4;
    for (codec.alphabet_chars, 0..) |c, value| {
        for (0..4) |k| {
            const group: u32 = value << (18 - 6 * k); // big-endian: first byte in bits 16..23
            t[k][c] = (group >> 16) | (group & 0xff00) | ((group & 0xff) << 16);
        }
    }
    break :init t;
};

const testing = std.testing;

test "rfc 4648 vectors" {
    const vectors = [_][2][]const u8{
        .{ "", "" },             .{ "f", "Zg==" },         .{ "fo", "Zm8=" },
        .{ "foo", "Zm9v" },      .{ "foob", "Zm9vYg==" },  .{ "fooba", "Zm9vYmE=" },
        .{ "foobar", "Zm9vYmFy" }, .{ "\xff\xfe\x00", "//4A" },
    };
    for (vectors) |v| {
        const encoded = try encode(testing.allocator, v[0]);
        defer testing.allocator.free(encoded);
        try testing.expectEqualStrings(v[1], encoded);
        const decoded = try decode(testing.allocator, v[1]);
        defer testing.allocator.free(decoded);
        try testing.expectEqualSlices(u8, v[0], decoded);
    }
}

test "append" {
    var out = std.ArrayList(u8).init(testing.allocator);
    defer out.deinit();
    try out.appendSlice("x:");
    try appendEncoded(&out, "hello");
    try testing.expectEqualStrings("x:aGVsbG8=", out.items);
}

test "invalid inputs" {
    const bad = [_][]const u8{
        "Zg",   "Zg=",      "Zm9v YmFy", "Zm9-",     "Zm9_", "Z===", "Zh==", "====",
        "Zm9=", "Zg==Zg==", "Zg=a",      "=Zm9",     "Zm=v", "\x00AAA", "AA\xffA",
    };
    for (bad) |text| {
        try testing.expectError(error.InvalidBase64, decode(testing.allocator, text));
    }
}

test "accepts and decodes exactly what std's decoder does" {
    const chars = "AZgh89+/=-\x00";
    var text: [8]u8 = "Zm9vAAAA".*;
    for (0..2) |prefix| {
        const candidate = text[4 - 4 * prefix ..];
        var n: usize = 0;
        while (n < chars.len * chars.len * chars.len * chars.len) : (n += 1) {
            var k = n;
            for (candidate[candidate.len - 4 ..]) |*c| {
                c.* = chars[k % chars.len];
                k /= chars.len;
            }
            var expected: [6]u8 = undefined;
            const std_len = codec.Decoder.calcSizeForSlice(candidate) catch null;
            const std_ok = if (std_len) |len| if (codec.Decoder.decode(expected[0..len], candidate)) |_| true else |_| false else false;
            if (decode(testing.allocator, candidate)) |decoded| {
                defer testing.allocator.free(decoded);
                try testing.expect(std_ok);
                try testing.expectEqualSlices(u8, expected[0..std_len.?], decoded);
            } else |err| {
                try testing.expectEqual(error.InvalidBase64, err);
                try testing.expect(!std_ok);
            }
        }
    }
}

test "long inputs: every length round-trips, a bad character anywhere is refused" {
    var data: [100]u8 = undefined;
    for (&data, 0..) |*b, i| b.* = @truncate(i *% 151 +% 7);
    for (0..data.len) |len| {
        const encoded = try encode(testing.allocator, data[0..len]);
        defer testing.allocator.free(encoded);
        const decoded = try decode(testing.allocator, encoded);
        defer testing.allocator.free(decoded);
        try testing.expectEqualSlices(u8, data[0..len], decoded);
        for (0..encoded.len) |at| {
            const saved = encoded[at];
            encoded[at] = '-';
            try testing.expectError(error.InvalidBase64, decode(testing.allocator, encoded));
            encoded[at] = saved;
        }
    }
}
