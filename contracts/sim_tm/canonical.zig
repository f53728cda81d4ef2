//! Canonical msgpack: the only byte strings sim_tm accepts (`relayer_sim/lightclient/encoding.py`).
//!
//! One value must have exactly one encoding, or a relayer could change the bytes of a signed
//! header or of a proof without changing what they mean, and the change would go unnoticed.
//! The canonical encoding is the one Python's `msgpack.packb` writes: the shortest form of every
//! integer, string, binary and array header. Our formats use only nil, unsigned integers,
//! strings (UTF-8), binaries and arrays; the reference refuses anything else in every field
//! (a bool or a float is never taken for an integer), so those types are refused here before
//! the shape is read. Either way the input is malformed, which is all the two must agree on.

const std = @import("std");

/// Deeper than any of our formats nests (a misbehaviour's validator set member is at depth 5).
pub const max_depth = 16;

/// Why bytes are not the canonical encoding of one value of our formats.
pub const Problem = enum {
    truncated,
    unsupported_type,
    not_minimal,
    invalid_utf8,
    too_deep,
    extra_data,

    pub fn text(p: Problem) []const u8 {
        return switch (p) {
            .truncated => "truncated input",
            .unsupported_type => "a value of a type the format never uses",
            .not_minimal => "not the minimal encoding",
            .invalid_utf8 => "a string is not valid UTF-8",
            .too_deep => "nested too deeply",
            .extra_data => "extra data after the value",
        };
    }
};

/// null when `data` is exactly one value in its canonical encoding, else the first problem.
pub fn check(data: []const u8) ?Problem {
    var c = Checker{ .data = data };
    c.value(0) catch |problem| return errorProblem(problem);
    if (c.pos != data.len) return .extra_data;
    return null;
}

const Failure = error{ Truncated, UnsupportedType, NotMinimal, InvalidUtf8, TooDeep };

fn errorProblem(err: Failure) Problem {
    return switch (err) {
        error.Truncated => .truncated,
        error.UnsupportedType => .unsupported_type,
        error.NotMinimal => .not_minimal,
        error.InvalidUtf8 => .invalid_utf8,
        error.TooDeep => .too_deep,
    };
}

const Checker = struct {
    data: []const u8,
    pos: usize = 0,

    fn value(c: *Checker, depth: usize) Failure!void {
        if (depth > max_depth) return error.TooDeep;
        const b = try c.byte();
        switch (b) {
            0x00...0x7f, 0xc0 => {},
            0xcc => _ = try c.sized(1, 0x80),
            0xcd => _ = try c.sized(2, 0x100),
            0xce => _ = try c.sized(4, 0x1_0000),
            0xcf => _ = try c.sized(8, 0x1_0000_0000),
            0xa0...0xbf => try c.text(b & 0x1f),
            0xd9 => try c.text(try c.sized(1, 32)),
            0xda => try c.text(try c.sized(2, 0x100)),
            0xdb => try c.text(try c.sized(4, 0x1_0000)),
            0xc4 => _ = try c.take(try c.sized(1, 0)),
            0xc5 => _ = try c.take(try c.sized(2, 0x100)),
            0xc6 => _ = try c.take(try c.sized(4, 0x1_0000)),
            0x90...0x9f => try c.items(b & 0x0f, depth),
            0xdc => try c.items(try c.sized(2, 16), depth),
            0xdd => try c.items(try c.sized(4, 0x1_0000), depth),
            else => return error.UnsupportedType,
        }
    }

    // The small readers are `inline`: under ReleaseSmall they would stay calls, and a call with
    // an error-union result costs more wasm operations (and gas) than the read itself.

    /// A big-endian number of `width` bytes that a shorter form could not have held.
    inline fn sized(c: *Checker, comptime width: usize, minimum: u64) Failure!u64 {
        const bytes = try c.take(width);
        const n = std.mem.readInt(std.meta.Int(.unsigned, width * 8), bytes[0..width], .big);
        if (n < minimum) return error.NotMinimal;
        return n;
    }

    fn text(c: *Checker, len: u64) Failure!void {
        if (!std.unicode.utf8ValidateSlice(try c.take(len))) return error.InvalidUtf8;
    }

    fn items(c: *Checker, count: u64, depth: usize) Failure!void {
        // Every item takes at least one byte: a longer count cannot be complete.
        if (count > c.data.len - c.pos) return error.Truncated;
        var left = count;
        while (left > 0) : (left -= 1) try c.value(depth + 1);
    }

    inline fn byte(c: *Checker) Failure!u8 {
        return (try c.take(1))[0];
    }

    inline fn take(c: *Checker, len: u64) Failure![]const u8 {
        if (len > c.data.len - c.pos) return error.Truncated;
        const s = c.data[c.pos..][0..@intCast(len)];
        c.pos += @intCast(len);
        return s;
    }
};

const testing = std.testing;

test "canonical documents" {
    const valid = [_][]const u8{
        "\xc0",                          "\x7f",                         "\xcc\x80",
        "\xcd\x01\x00",                  "\xce\x00\x01\x00\x00",         "\xcf\x00\x00\x00\x01\x00\x00\x00\x00",
        "\x92\x01\xa3abc",               "\xd9\x20" ++ "a" ** 32,        "\xc4\x00",
        "\xc5\x01\x00" ++ "\x00" ** 256, "\xdc\x00\x10" ++ "\x00" ** 16, "\x90",
        "\x91" ** 16 ++ "\xc0",
    };
    for (valid) |data| try testing.expectEqual(@as(?Problem, null), check(data));
}

test "refused documents" {
    const cases = [_]struct { []const u8, Problem }{
        .{ "", .truncated },
        .{ "\xcc\x05", .not_minimal },
        .{ "\xcd\x00\xff", .not_minimal },
        .{ "\xce\x00\x00\xff\xff", .not_minimal },
        .{ "\xcf\x00\x00\x00\x00\xff\xff\xff\xff", .not_minimal },
        .{ "\xd9\x1f" ++ "a" ** 31, .not_minimal },
        .{ "\xc5\x00\x01\x00", .not_minimal },
        .{ "\xdc\x00\x01\x00", .not_minimal },
        .{ "\xc2", .unsupported_type },
        .{ "\xc3", .unsupported_type },
        .{ "\xff", .unsupported_type },
        .{ "\xd0\x01", .unsupported_type },
        .{ "\xcb" ++ "\x00" ** 8, .unsupported_type },
        .{ "\x80", .unsupported_type },
        .{ "\xd4\x01\x00", .unsupported_type },
        .{ "\xc1", .unsupported_type },
        .{ "\xa1\xff", .invalid_utf8 },
        .{ "\xa3\xed\xa0\x80", .invalid_utf8 },
        .{ "\x91" ** 17 ++ "\xc0", .too_deep },
        .{ "\x90\x00", .extra_data },
        .{ "\x92\x01", .truncated },
        .{ "\xdd\xff\xff\xff\xff", .truncated },
        .{ "\xc4\x05ab", .truncated },
    };
    for (cases) |case| try testing.expectEqual(@as(?Problem, case[1]), check(case[0]));
}
