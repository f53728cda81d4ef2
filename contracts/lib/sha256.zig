//! SHA-256 (FIPS 180-4) for the contracts, with the part of `std.crypto.hash.sha2.Sha256`'s
//! interface they use. The VM charges every wasm operation, and the hashing of headers,
//! validator sets and proofs is most of what a client update computes besides its signatures:
//! this block function keeps the eight working variables and the sixteen-word message schedule
//! in wasm locals through 64 unrolled rounds, where std's (built for ReleaseSmall) spends about
//! twice the operations per block.

const std = @import("std");

pub const Sha256 = struct {
    pub const digest_length = 32;
    pub const block_length = 64;
    pub const Options = struct {};

    state: [8]u32 = initial,
    /// The bytes of a block not yet complete.
    buffer: [64]u8 = undefined,
    buffered: usize = 0,
    /// Every byte hashed so far.
    total: u64 = 0,

    pub fn init(options: Options) Sha256 {
        _ = options;
        return .{};
    }

    pub fn hash(data: []const u8, out: *[digest_length]u8, options: Options) void {
        var h = init(options);
        h.update(data);
        h.final(out);
    }

    pub fn update(h: *Sha256, data: []const u8) void {
        h.total +%= data.len;
        var rest = data;
        if (h.buffered != 0) {
            const n = @min(64 - h.buffered, rest.len);
            @memcpy(h.buffer[h.buffered..][0..n], rest[0..n]);
            h.buffered += n;
            rest = rest[n..];
            if (h.buffered < 64) return;
            compress(&h.state, &h.buffer);
            h.buffered = 0;
        }
        while (rest.len >= 64) : (rest = rest[64..]) compress(&h.state, rest[0..64]);
        @memcpy(h.buffer[0..rest.len], rest);
        h.buffered = rest.len;
    }

    pub fn final(h: *Sha256, out: *[digest_length]u8) void {
        const bits = h.total *% 8;
        // 0x80, zeros to 56 bytes into a block, then the length in bits (big-endian).
        @memset(h.buffer[h.buffered..], 0);
        h.buffer[h.buffered] = 0x80;
        if (h.buffered >= 56) {
            compress(&h.state, &h.buffer);
            @memset(&h.buffer, 0);
        }
        std.mem.writeInt(u64, h.buffer[56..64], bits, .big);
        compress(&h.state, &h.buffer);
        for (h.state, 0..) |word, i| std.mem.writeInt(u32, out[4 * i ..][0..4], word, .big);
    }

    pub fn finalResult(h: *Sha256) [digest_length]u8 {
        var out: [digest_length]u8 = undefined;
        h.final(&out);
        return out;
    }
};

const initial = [8]u32{
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

const k = [64]u32{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

fn rotr(x: u32, comptime n: u5) u32 {
    return std.math.rotr(u32, x, n);
}

/// One 64-byte block into `state`. The rounds are unrolled at compile time so that every index
/// is a constant: the compiler then keeps all of `v` and `w` in locals.
fn compress(state: *[8]u32, block: *const [64]u8) void {
    var w: [16]u32 = undefined;
    inline for (0..16) |i| w[i] = std.mem.readInt(u32, block[4 * i ..][0..4], .big);
    var v = state.*;
    inline for (0..64) |i| {
        if (i >= 16) {
            const w15 = w[(i - 15) % 16];
            const w2 = w[(i - 2) % 16];
            w[i % 16] +%= (rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)) +% w[(i - 7) % 16] +%
                (rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10));
        }
        // v rotates by one place a round: round i's `a` is v[(8 - i) % 8], its `b` the next, ….
        const a = (64 - i) % 8;
        const e = (a + 4) % 8;
        const f = (a + 5) % 8;
        const g = (a + 6) % 8;
        const h = (a + 7) % 8;
        const b = (a + 1) % 8;
        const c = (a + 2) % 8;
        const d = (a + 3) % 8;
        const t1 = v[h] +% (rotr(v[e], 6) ^ rotr(v[e], 11) ^ rotr(v[e], 25)) +%
            (v[g] ^ (v[e] & (v[f] ^ v[g]))) +% k[i] +% w[i % 16];
        const t2 = (rotr(v[a], 2) ^ rotr(v[a], 13) ^ rotr(v[a], 22)) +%
            ((v[a] & v[b]) | (v[c] & (v[a] | v[b])));
        v[d] +%= t1;
        v[h] = t1 +% t2;
    }
    inline for (state, v) |*s, x| s.* +%= x;
}

const testing = std.testing;

test "agrees with std for every length and split up to three blocks" {
    var data: [200]u8 = undefined;
    for (&data, 0..) |*byte, i| byte.* = @truncate(i *% 89 +% 13);
    for (0..data.len) |len| {
        var expected: [32]u8 = undefined;
        std.crypto.hash.sha2.Sha256.hash(data[0..len], &expected, .{});
        var whole: [32]u8 = undefined;
        Sha256.hash(data[0..len], &whole, .{});
        try testing.expectEqualSlices(u8, &expected, &whole);
        for ([_]usize{ 1, 7, 63, 64, 65 }) |split| {
            if (split > len) continue;
            var h = Sha256.init(.{});
            h.update(data[0..split]);
            h.update(data[split..len]);
            try testing.expectEqualSlices(u8, &expected, &h.finalResult());
        }
    }
}

test "FIPS 180-2 vectors" {
    var out: [32]u8 = undefined;
    Sha256.hash("abc", &out, .{});
    try testing.expectEqualSlices(u8, &.{ 0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad }, &out);
    var h = Sha256.init(.{});
    for (0..1000) |_| h.update("a" ** 1000);
    try testing.expectEqualSlices(u8, &.{ 0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0 }, &h.finalResult());
}
