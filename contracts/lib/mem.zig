//! `memcpy` and `memset` for the contracts, replacing compiler_rt's. With `-O ReleaseSmall`
//! compiler_rt links versions that move one byte per loop iteration, and the VM charges every
//! wasm operation (a branch fourteen times over), so every struct copy, `dupe` and `@memset`
//! cost ~25 operations per byte. These move eight bytes per iteration (wasm loads and stores
//! need no alignment), then the tail byte by byte. compiler_rt's symbols are weak: a strong
//! definition here wins at link time.
//!
//! The stores are volatile so that LLVM cannot recognise the loops as a copy or a fill and
//! compile them into a call to `memcpy` / `memset`, that is, into themselves. In wasm a
//! volatile access is the same instruction as a plain one.

const builtin = @import("builtin");

comptime {
    if (builtin.cpu.arch.isWasm()) {
        @export(&memcpy, .{ .name = "memcpy", .linkage = .strong, .visibility = .hidden });
        @export(&memset, .{ .name = "memset", .linkage = .strong, .visibility = .hidden });
    }
}

pub fn memcpy(noalias dest: ?[*]u8, noalias src: ?[*]const u8, len: usize) callconv(.c) ?[*]u8 {
    @setRuntimeSafety(false);
    const d = dest.?;
    const s = src.?;
    var i: usize = 0;
    while (len - i >= 8) : (i += 8) {
        const word = @as(*align(1) const u64, @ptrCast(s + i)).*;
        @as(*align(1) volatile u64, @ptrCast(d + i)).* = word;
    }
    while (i < len) : (i += 1) @as(*volatile u8, &d[i]).* = s[i];
    return dest;
}

pub fn memset(dest: ?[*]u8, c: u8, len: usize) callconv(.c) ?[*]u8 {
    @setRuntimeSafety(false);
    const d = dest.?;
    const word = @as(u64, c) * 0x0101010101010101;
    var i: usize = 0;
    while (len - i >= 8) : (i += 8) @as(*align(1) volatile u64, @ptrCast(d + i)).* = word;
    while (i < len) : (i += 1) @as(*volatile u8, &d[i]).* = c;
    return dest;
}

const testing = @import("std").testing;

test "copies and fills every length and offset" {
    var source: [40]u8 = undefined;
    for (&source, 0..) |*b, i| b.* = @truncate(i * 7 + 1);
    for (0..8) |offset| {
        for (0..source.len - offset) |len| {
            var target = [_]u8{0xaa} ** 48;
            _ = memcpy(target[offset..].ptr, &source, len);
            try testing.expectEqualSlices(u8, source[0..len], target[offset..][0..len]);
            for (target[0..offset]) |b| try testing.expectEqual(@as(u8, 0xaa), b);
            for (target[offset + len ..]) |b| try testing.expectEqual(@as(u8, 0xaa), b);
            var filled = [_]u8{0xaa} ** 48;
            _ = memset(filled[offset..].ptr, 0x3c, len);
            for (filled[offset..][0..len]) |b| try testing.expectEqual(@as(u8, 0x3c), b);
            for (filled[offset + len ..]) |b| try testing.expectEqual(@as(u8, 0xaa), b);
        }
    }
}
