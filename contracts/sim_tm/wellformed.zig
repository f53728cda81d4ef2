//! What Python's `msgpack.unpackb(data, raw=False, strict_map_key=True)` accepts, checked
//! without building anything.
//!
//! The reference decodes a proof in two steps, "is it msgpack at all" (`proof is not valid
//! msgpack: …`) and then "is it the documented shape", and the contract must give the same
//! first words for the same bytes. So proofs are checked here first, with msgpack-python's own
//! limits: strings must be UTF-8, map keys must be str or bin, at most 1024 containers may be
//! open at once, a timestamp extension (type -1) must have a valid length and nanoseconds, and
//! nothing may follow the value. Floats and other extensions are valid msgpack (the shape check
//! refuses them later).

const std = @import("std");

/// msgpack-python's unpacker stack: a container opened at a deeper level fails.
pub const max_open_containers = 1024;

/// Why bytes are not valid msgpack (the reference's message differs; only the fact matters).
pub const Problem = enum {
    truncated,
    reserved_byte,
    invalid_utf8,
    map_key_type,
    too_deep,
    timestamp,
    extra_data,

    pub fn text(p: Problem) []const u8 {
        return switch (p) {
            .truncated => "truncated input",
            .reserved_byte => "reserved byte 0xc1",
            .invalid_utf8 => "a string is not valid UTF-8",
            .map_key_type => "a map key is neither str nor bin",
            .too_deep => "nested too deeply",
            .timestamp => "invalid timestamp extension",
            .extra_data => "extra data after the value",
        };
    }
};

const Frame = struct { left: u64, map: bool };

/// null when `data` is exactly one valid msgpack value, else the problem.
pub fn check(data: []const u8) ?Problem {
    var stack: [max_open_containers]Frame = undefined;
    var depth: usize = 0;
    var pos: usize = 0;
    var top_done = false;
    while (true) {
        while (depth > 0 and stack[depth - 1].left == 0) depth -= 1;
        var is_key = false;
        if (depth == 0) {
            if (top_done) break;
            top_done = true;
        } else {
            const frame = &stack[depth - 1];
            is_key = frame.map and frame.left % 2 == 0;
            frame.left -= 1;
        }
        if (pos >= data.len) return .truncated;
        const b = data[pos];
        pos += 1;
        if (is_key and !isStrOrBin(b)) {
            // The reference decodes the key before refusing its type; a broken key is still
            // invalid, so the answer is the same.
            return .map_key_type;
        }
        var container: ?Frame = null;
        var skip: u64 = 0;
        switch (b) {
            0x00...0x7f, 0xe0...0xff, 0xc0, 0xc2, 0xc3 => {},
            0xc1 => return .reserved_byte,
            0xcc, 0xd0 => skip = 1,
            0xcd, 0xd1 => skip = 2,
            0xce, 0xd2, 0xca => skip = 4,
            0xcf, 0xd3, 0xcb => skip = 8,
            0xc4, 0xc5, 0xc6 => skip = readLen(data, &pos, b - 0xc4) orelse return .truncated,
            0xa0...0xbf, 0xd9, 0xda, 0xdb => {
                const len: u64 = switch (b) {
                    0xa0...0xbf => b & 0x1f,
                    else => readLen(data, &pos, b - 0xd9) orelse return .truncated,
                };
                if (len > data.len - pos) return .truncated;
                const s = data[pos..][0..@intCast(len)];
                if (!std.unicode.utf8ValidateSlice(s)) return .invalid_utf8;
                skip = len;
            },
            0xd4, 0xd5, 0xd6, 0xd7, 0xd8 => {
                const len: u64 = @as(u64, 1) << @intCast(b - 0xd4);
                if (extension(data, &pos, len)) |problem| return problem;
            },
            0xc7, 0xc8, 0xc9 => {
                const len = readLen(data, &pos, b - 0xc7) orelse return .truncated;
                if (extension(data, &pos, len)) |problem| return problem;
            },
            0x90...0x9f => container = .{ .left = b & 0x0f, .map = false },
            0xdc, 0xdd => container = .{
                .left = readLen(data, &pos, b - 0xdc + 1) orelse return .truncated,
                .map = false,
            },
            0x80...0x8f => container = .{ .left = 2 * @as(u64, b & 0x0f), .map = true },
            0xde, 0xdf => container = .{
                .left = 2 * (readLen(data, &pos, b - 0xde + 1) orelse return .truncated),
                .map = true,
            },
        }
        if (container) |frame| {
            if (depth == max_open_containers) return .too_deep;
            // Every item takes at least one byte: a count beyond the input is truncated.
            if (frame.left > data.len - pos) return .truncated;
            stack[depth] = frame;
            depth += 1;
        }
        if (skip > data.len - pos) return .truncated;
        pos += @intCast(skip);
    }
    if (pos != data.len) return .extra_data;
    return null;
}

fn isStrOrBin(b: u8) bool {
    return switch (b) {
        0xa0...0xbf, 0xd9, 0xda, 0xdb, 0xc4, 0xc5, 0xc6 => true,
        else => false,
    };
}

/// A big-endian length of 1, 2 or 4 bytes (`width_log2` 0, 1, 2).
fn readLen(data: []const u8, pos: *usize, width_log2: u8) ?u64 {
    const width: usize = @as(usize, 1) << @intCast(width_log2);
    if (data.len - pos.* < width) return null;
    var value: u64 = 0;
    for (data[pos.*..][0..width]) |byte| value = (value << 8) | byte;
    pos.* += width;
    return value;
}

/// An extension's type byte and `len` data bytes (not including the type byte); the cursor is
/// left on the data, which the caller does not skip: this function consumes it.
fn extension(data: []const u8, pos: *usize, len: u64) ?Problem {
    if (data.len - pos.* < 1) return .truncated;
    const ext_type: i8 = @bitCast(data[pos.*]);
    pos.* += 1;
    if (len > data.len - pos.*) return .truncated;
    const body = data[pos.*..][0..@intCast(len)];
    pos.* += @intCast(len);
    if (ext_type != -1) return null;
    // msgpack.Timestamp: 4, 8 or 12 bytes, nanoseconds at most 999_999_999.
    const max_nanos = 999_999_999;
    switch (body.len) {
        4 => return null,
        8 => {
            const data64 = std.mem.readInt(u64, body[0..8], .big);
            return if (data64 >> 34 > max_nanos) .timestamp else null;
        },
        12 => {
            const nanos = std.mem.readInt(u32, body[0..4], .big);
            return if (nanos > max_nanos) .timestamp else null;
        },
        else => return .timestamp,
    }
}

const testing = std.testing;

test "valid documents" {
    const valid = [_][]const u8{
        "\xc0",                                 "\x92\x01\xa3abc",
        "\x81\xa1k\xc4\x01v",                  "\x81\xc4\x00\x02",
        "\xcb" ++ "\x00" ** 8,                 "\xd4\x01\x00",
        "\xd6\xff\x00\x00\x00\x01",            "\xd7\xff\xee\x6b\x27\xfc\x00\x00\x00\x05",
        "\xc7\x00\x05",                        "\x91" ** 1024 ++ "\xc0",
        "\xdc\x00\x02\xc2\xc3",                "\x90",
    };
    for (valid) |data| try testing.expectEqual(@as(?Problem, null), check(data));
}

test "invalid documents (as msgpack-python refuses them)" {
    const cases = [_]struct { []const u8, Problem }{
        .{ "", .truncated },
        .{ "\xc1", .reserved_byte },
        .{ "\xa1\xff", .invalid_utf8 },
        .{ "\xa3\xed\xa0\x80", .invalid_utf8 },
        .{ "\x81\x01\x02", .map_key_type },
        .{ "\x81\x91\x00\x01", .map_key_type },
        .{ "\x91" ** 1025 ++ "\xc0", .too_deep },
        .{ "\x91" ** 1024 ++ "\x90", .too_deep },
        .{ "\xd4\xff\x00", .timestamp },
        .{ "\xd7\xff\xee\x6b\x28\x00\x00\x00\x00\x05", .timestamp },
        .{ "\xc7\x0c\xff\x3b\x9a\xca\x00" ++ "\x00" ** 8, .timestamp },
        .{ "\x90\x00", .extra_data },
        .{ "\x92\x01", .truncated },
        .{ "\xdd\xff\xff\xff\xff", .truncated },
        .{ "\xc4\x05ab", .truncated },
    };
    for (cases) |case| try testing.expectEqual(@as(?Problem, case[1]), check(case[0]));
}
