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
/// left over in the last character) is `error.InvalidBase64`.
pub fn decode(alloc: Allocator, text: []const u8) DecodeError![]u8 {
    if (text.len % 4 != 0) return error.InvalidBase64;
    const len = codec.Decoder.calcSizeForSlice(text) catch return error.InvalidBase64;
    const out = try alloc.alloc(u8, len);
    errdefer alloc.free(out);
    codec.Decoder.decode(out, text) catch return error.InvalidBase64;
    return out;
}

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
    const bad = [_][]const u8{ "Zg", "Zg=", "Zm9v YmFy", "Zm9-", "Zm9_", "Z===", "Zh==", "====" };
    for (bad) |text| {
        try testing.expectError(error.InvalidBase64, decode(testing.allocator, text));
    }
}
