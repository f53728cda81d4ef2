//! CometBFT v0.38's hashes, sign bytes and addresses (`relayer_sim/formats/cometbft.py` is the
//! Python side; the tests here reproduce its published vectors):
//!
//! - `crypto/merkle`: the simple Merkle tree (RFC 6962 leaf 0x00 and inner 0x01 prefixes, split
//!   at the largest power of two below n, sha256 of nothing for no leaves);
//! - `types/block.go` `Header.Hash`: the tree over 14 field encodings (the well-known wrapper
//!   messages for chain id, height and the hashes; version, time and last block id as their own
//!   messages); a header without a validators hash has no hash;
//! - `types/vote.go` + `canonical.go`: the length-delimited `CanonicalVote` a commit signature
//!   signs (height and round sfixed64, no block id for a vote for nil, chain id last);
//! - `types/validator_set.go`: the tree over each validator's `SimpleValidator` encoding;
//! - addresses: sha256(key)[:20] for ed25519, ripemd160(sha256(key)) for secp256k1.

const std = @import("std");
const cw = @import("cw");
const pb = @import("pb.zig");

const Allocator = std.mem.Allocator;
const Encoder = cw.proto.Encoder;
const Sha256 = cw.sha256.Sha256;

pub const Hash = [32]u8;

pub fn sha256(data: []const u8) Hash {
    var out: Hash = undefined;
    Sha256.hash(data, &out, .{});
    return out;
}

// -- crypto/merkle ----------------------------------------------------------------------------

pub fn leafHash(leaf: []const u8) Hash {
    var h = Sha256.init(.{});
    h.update(&.{0});
    h.update(leaf);
    return h.finalResult();
}

pub fn innerHash(left: *const Hash, right: *const Hash) Hash {
    var h = Sha256.init(.{});
    h.update(&.{1});
    h.update(left);
    h.update(right);
    return h.finalResult();
}

/// `HashFromByteSlices`.
pub fn hashFromByteSlices(items: []const []const u8) Hash {
    switch (items.len) {
        0 => return sha256(""),
        1 => return leafHash(items[0]),
        else => {
            const k = splitPoint(items.len);
            const left = hashFromByteSlices(items[0..k]);
            const right = hashFromByteSlices(items[k..]);
            return innerHash(&left, &right);
        },
    }
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn splitPoint(n: usize) usize {
    var k: usize = 1;
    while (k * 2 < n) k *= 2;
    return k;
}

// -- types/block.go Header.Hash ----------------------------------------------------------------

fn wrapBytes(alloc: Allocator, value: []const u8) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    try e.bytesField(1, value);
    return e.out.items;
}

pub fn encodeBlockId(alloc: Allocator, id: pb.BlockId) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    try e.bytesField(1, id.hash);
    var psh = Encoder.init(alloc);
    try psh.uint64Field(1, id.part_set_header.total);
    try psh.bytesField(2, id.part_set_header.hash);
    try e.lenField(2, psh.out.items);
    return e.out.items;
}

/// The block hash a commit signs; null for a header without a validators hash.
pub fn headerHash(alloc: Allocator, h: *const pb.Header) Allocator.Error!?Hash {
    if (h.validators_hash.len == 0) return null;
    var version = Encoder.init(alloc);
    try version.uint64Field(1, h.version.block);
    try version.uint64Field(2, h.version.app);
    var chain = Encoder.init(alloc);
    try chain.bytesField(1, h.chain_id);
    var height = Encoder.init(alloc);
    try height.int64Field(1, h.height);
    var time = Encoder.init(alloc);
    try pb.encodeTime(&time, h.time);
    const leaves = [14][]const u8{
        version.out.items,
        chain.out.items,
        height.out.items,
        time.out.items,
        try encodeBlockId(alloc, h.last_block_id),
        try wrapBytes(alloc, h.last_commit_hash),
        try wrapBytes(alloc, h.data_hash),
        try wrapBytes(alloc, h.validators_hash),
        try wrapBytes(alloc, h.next_validators_hash),
        try wrapBytes(alloc, h.consensus_hash),
        try wrapBytes(alloc, h.app_hash),
        try wrapBytes(alloc, h.last_results_hash),
        try wrapBytes(alloc, h.evidence_hash),
        try wrapBytes(alloc, h.proposer_address),
    };
    return hashFromByteSlices(&leaves);
}

// -- types/vote.go VoteSignBytes ----------------------------------------------------------------

pub const precommit: u64 = 2;

/// The length-delimited `CanonicalVote` of a vote; `block_id` null or zero is a vote for nil.
pub fn voteSignBytes(
    alloc: Allocator,
    chain_id: []const u8,
    msg_type: u64,
    height: i64,
    round: i64,
    block_id: ?pb.BlockId,
    timestamp: pb.Time,
) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    try e.uint64Field(1, msg_type);
    try e.sfixed64Field(2, height);
    try e.sfixed64Field(3, round);
    if (block_id) |id| if (!id.isZero()) try e.lenField(4, try encodeBlockId(alloc, id));
    var time = Encoder.init(alloc);
    try pb.encodeTime(&time, timestamp);
    try e.lenField(5, time.out.items);
    try e.bytesField(6, chain_id);
    var out = Encoder.init(alloc);
    try out.varint(e.out.items.len);
    try out.out.appendSlice(e.out.items);
    return out.out.items;
}

/// `Commit.VoteSignBytes`: what the `index`-th signature of `commit` signs. A commit signature
/// votes for the commit's block id, a nil or absent one for nil.
pub fn commitSignBytes(alloc: Allocator, chain_id: []const u8, commit: *const pb.Commit, index: usize) Allocator.Error![]u8 {
    const sig = commit.signatures[index];
    const block_id: ?pb.BlockId = if (sig.block_id_flag == pb.flag_commit) commit.block_id else null;
    return voteSignBytes(alloc, chain_id, precommit, commit.height, commit.round, block_id, sig.timestamp);
}

// -- types/validator_set.go Hash ----------------------------------------------------------------

/// `Validator.Bytes`: `SimpleValidator{pub_key, voting_power}`.
pub fn simpleValidatorBytes(alloc: Allocator, v: *const pb.Validator) Allocator.Error![]u8 {
    var key = Encoder.init(alloc);
    switch (v.pub_key.kind) {
        .ed25519 => try key.lenField(1, v.pub_key.bytes),
        .secp256k1 => try key.lenField(2, v.pub_key.bytes),
        .none => {},
    }
    var e = Encoder.init(alloc);
    try e.lenField(1, key.out.items);
    try e.int64Field(2, v.voting_power);
    return e.out.items;
}

pub fn validatorSetHash(alloc: Allocator, validators: []const pb.Validator) Allocator.Error!Hash {
    const leaves = try alloc.alloc([]const u8, validators.len);
    for (validators, leaves) |*v, *leaf| leaf.* = try simpleValidatorBytes(alloc, v);
    return hashFromByteSlices(leaves);
}

// -- addresses ----------------------------------------------------------------------------------

pub const address_size = 20;

pub fn address(key: pb.PublicKey) [address_size]u8 {
    const digest = sha256(key.bytes);
    return switch (key.kind) {
        .secp256k1 => ripemd160(&digest),
        else => digest[0..address_size].*,
    };
}

/// RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996).
pub fn ripemd160(data: []const u8) [20]u8 {
    var state = [5]u32{ 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
    var block: [64]u8 = undefined;
    var offset: usize = 0;
    while (data.len - offset >= 64) : (offset += 64) ripemdBlock(&state, data[offset..][0..64]);
    const rest = data.len - offset;
    @memset(&block, 0);
    @memcpy(block[0..rest], data[offset..]);
    block[rest] = 0x80;
    if (rest >= 56) {
        ripemdBlock(&state, &block);
        @memset(&block, 0);
    }
    std.mem.writeInt(u64, block[56..64], @as(u64, data.len) *% 8, .little);
    ripemdBlock(&state, &block);
    var out: [20]u8 = undefined;
    for (state, 0..) |word, i| std.mem.writeInt(u32, out[i * 4 ..][0..4], word, .little);
    return out;
}

const ripemd_r = [80]u8{
    0, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
    7, 4,  13, 1,  10, 6,  15, 3,  12, 0,  9,  5,  2,  14, 11, 8,
    3, 10, 14, 4,  9,  15, 8,  1,  2,  7,  0,  6,  13, 11, 5,  12,
    1, 9,  11, 10, 0,  8,  12, 4,  13, 3,  7,  15, 14, 5,  6,  2,
    4, 0,  5,  9,  7,  12, 2,  10, 14, 1,  3,  8,  11, 6,  15, 13,
};
const ripemd_rp = [80]u8{
    5,  14, 7,  0,  9, 2,  11, 4,  13, 6,  15, 8,  1,  10, 3,  12,
    6,  11, 3,  7,  0, 13, 5,  10, 14, 15, 8,  12, 4,  9,  1,  2,
    15, 5,  1,  3,  7, 14, 6,  9,  11, 8,  12, 2,  10, 0,  4,  13,
    8,  6,  4,  1,  3, 11, 15, 0,  5,  12, 2,  13, 9,  7,  10, 14,
    12, 15, 10, 4,  1, 5,  8,  7,  6,  2,  13, 14, 0,  3,  9,  11,
};
const ripemd_s = [80]u5{
    11, 14, 15, 12, 5,  8,  7,  9,  11, 13, 14, 15, 6,  7,  9,  8,
    7,  6,  8,  13, 11, 9,  7,  15, 7,  12, 15, 9,  11, 7,  13, 12,
    11, 13, 6,  7,  14, 9,  13, 15, 14, 8,  13, 6,  5,  12, 7,  5,
    11, 12, 14, 15, 14, 15, 9,  8,  9,  14, 5,  6,  8,  6,  5,  12,
    9,  15, 5,  11, 6,  8,  13, 12, 5,  12, 13, 14, 11, 8,  5,  6,
};
const ripemd_sp = [80]u5{
    8,  9,  9,  11, 13, 15, 15, 5,  7,  7,  8,  11, 14, 14, 12, 6,
    9,  13, 15, 7,  12, 8,  9,  11, 7,  7,  12, 7,  6,  15, 13, 11,
    9,  7,  15, 11, 8,  6,  6,  14, 12, 13, 5,  14, 13, 13, 7,  5,
    15, 5,  8,  11, 14, 14, 6,  14, 6,  9,  12, 9,  12, 5,  15, 8,
    8,  5,  12, 9,  12, 5,  14, 6,  8,  13, 6,  5,  15, 13, 11, 11,
};
const ripemd_k = [5]u32{ 0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E };
const ripemd_kp = [5]u32{ 0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000 };

fn ripemdF(round: usize, x: u32, y: u32, z: u32) u32 {
    return switch (round) {
        0 => x ^ y ^ z,
        1 => (x & y) | (~x & z),
        2 => (x | ~y) ^ z,
        3 => (x & z) | (y & ~z),
        else => x ^ (y | ~z),
    };
}

fn ripemdBlock(state: *[5]u32, block: *const [64]u8) void {
    var x: [16]u32 = undefined;
    for (&x, 0..) |*word, i| word.* = std.mem.readInt(u32, block[i * 4 ..][0..4], .little);
    var al = state[0];
    var bl = state[1];
    var cl = state[2];
    var dl = state[3];
    var el = state[4];
    var ar = al;
    var br = bl;
    var cr = cl;
    var dr = dl;
    var er = el;
    for (0..80) |j| {
        const round = j / 16;
        var t = std.math.rotl(u32, al +% ripemdF(round, bl, cl, dl) +% x[ripemd_r[j]] +% ripemd_k[round], ripemd_s[j]) +% el;
        al = el;
        el = dl;
        dl = std.math.rotl(u32, cl, 10);
        cl = bl;
        bl = t;
        t = std.math.rotl(u32, ar +% ripemdF(4 - round, br, cr, dr) +% x[ripemd_rp[j]] +% ripemd_kp[round], ripemd_sp[j]) +% er;
        ar = er;
        er = dr;
        dr = std.math.rotl(u32, cr, 10);
        cr = br;
        br = t;
    }
    const t = state[1] +% cl +% dr;
    state[1] = state[2] +% dl +% er;
    state[2] = state[3] +% el +% ar;
    state[3] = state[4] +% al +% br;
    state[4] = state[0] +% bl +% cr;
    state[0] = t;
}

// -- tests: the vectors of tests/formats/test_cometbft.py --------------------------------------

const testing = std.testing;

fn unhex(comptime text: []const u8) [text.len / 2]u8 {
    var out: [text.len / 2]u8 = undefined;
    _ = std.fmt.hexToBytes(&out, text) catch unreachable;
    return out;
}

test "ripemd160 known answers" {
    try testing.expectEqualSlices(u8, &unhex("9c1185a5c5e9fc54612808977ee8f548b2258d31"), &ripemd160(""));
    try testing.expectEqualSlices(u8, &unhex("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"), &ripemd160("abc"));
    try testing.expectEqualSlices(u8, &unhex("12a053384a9c0c88e405a06c27dcf49ada62eb2b"), &ripemd160("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
    try testing.expectEqualSlices(u8, &unhex("b0e20b6e3116640286ed3a87a5713079b21f5189"), &ripemd160("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"));
}

test "addresses: tendermint-rs and CometBFT vectors" {
    const ed = unhex("14253D61EF42D166D02E68D540D07FDF8D65A9AF0ACAA46302688E788A8521E2");
    try testing.expectEqualSlices(u8, &unhex("0CDA3F47EF3C4906693B170EF650EB968C5F4B2C"), &address(.{ .kind = .ed25519, .bytes = &ed }));
    const secp = unhex("02950E1CDFCB133D6024109FD489F734EEB4502418E538C28481F22BCE276F248C");
    try testing.expectEqualSlices(u8, &unhex("7C2BB42A8BE69791EC763E51F5A49BCD41E82237"), &address(.{ .kind = .secp256k1, .bytes = &secp }));
}

test "header hash: CometBFT TestHeaderHash" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const zero = [_]u8{0} ** 32;
    var h = pb.Header{
        .version = .{ .block = 1, .app = 2 },
        .chain_id = "chainId",
        .height = 3,
        .time = .{ .seconds = 1570983284, .nanos = 0 },
        .last_block_id = .{ .hash = &zero, .part_set_header = .{ .total = 6, .hash = &zero } },
        .last_commit_hash = &sha256("last_commit_hash"),
        .data_hash = &sha256("data_hash"),
        .validators_hash = &sha256("validators_hash"),
        .next_validators_hash = &sha256("next_validators_hash"),
        .consensus_hash = &sha256("consensus_hash"),
        .app_hash = &sha256("app_hash"),
        .last_results_hash = &sha256("last_results_hash"),
        .evidence_hash = &sha256("evidence_hash"),
        .proposer_address = sha256("proposer_address")[0..20],
    };
    const expected = unhex("F740121F553B5418C3EFBD343C2DBFE9E007BB67B0D020A0741374BAB65242A4");
    try testing.expectEqualSlices(u8, &expected, &(try headerHash(alloc, &h)).?);
    h.validators_hash = "";
    try testing.expect(try headerHash(alloc, &h) == null);
}

test "vote sign bytes: CometBFT TestVoteSignBytesTestVectors" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const ts = "\x2a\x0b\x08\x80\x92\xb8\xc3\x98\xfe\xff\xff\xff\x01";
    const h1 = "\x11\x01" ++ "\x00" ** 7;
    const r1 = "\x19\x01" ++ "\x00" ** 7;
    try testing.expectEqualSlices(u8, "\x0d" ++ ts, try voteSignBytes(alloc, "", 0, 0, 0, null, pb.go_zero_time));
    try testing.expectEqualSlices(u8, "\x21\x08\x02" ++ h1 ++ r1 ++ ts, try voteSignBytes(alloc, "", 2, 1, 1, .{}, pb.go_zero_time));
    try testing.expectEqualSlices(u8, "\x21\x08\x01" ++ h1 ++ r1 ++ ts, try voteSignBytes(alloc, "", 1, 1, 1, null, pb.go_zero_time));
    try testing.expectEqualSlices(u8, "\x1f" ++ h1 ++ r1 ++ ts, try voteSignBytes(alloc, "", 0, 1, 1, null, pb.go_zero_time));
    try testing.expectEqualSlices(u8, "\x2e" ++ h1 ++ r1 ++ ts ++ "\x32\x0dtest_chain_id", try voteSignBytes(alloc, "test_chain_id", 0, 1, 1, null, pb.go_zero_time));
    // A vote for a block carries the canonical block id (field 4); the part-set header and the
    // timestamp are written even when empty.
    const id = pb.BlockId{ .hash = &([_]u8{1} ** 32) };
    const body = "\x08\x02\x22\x24\x0a\x20" ++ "\x01" ** 32 ++ "\x12\x00\x2a\x00";
    try testing.expectEqualSlices(u8, "\x2a" ++ body, try voteSignBytes(alloc, "", 2, 0, 0, id, .{ .seconds = 0, .nanos = 0 }));
}

test "validator set hash: tendermint-rs Go-generated vector, empty set" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const keys = [3][32]u8{
        unhex("b6cd0d56931b4131a0760bb47523ce2344131bad455ccce0c833f951698070f4"),
        unhex("36fdae99794a91b46f10d630c16d688637a29710b6727d8720c3ecf840704a65"),
        unhex("30a33784e793e6a3389e7fdab38bd467da597a7ee55854302000b9ae3f48cb34"),
    };
    const powers = [3]i64{ 770_561_664_770_006_272, 158_095_448_483_785_107, 148_151_478_422_287_875 };
    var validators: [3]pb.Validator = undefined;
    for (&validators, &keys, powers) |*v, *key, power| v.* = .{ .pub_key = .{ .kind = .ed25519, .bytes = key }, .voting_power = power };
    const expected = unhex("0b406b04ea51e84bccc7a072e561f35f76d511163954477ac8a9c0fc2994dfb4");
    try testing.expectEqualSlices(u8, &expected, &try validatorSetHash(alloc, &validators));
    try testing.expectEqualSlices(u8, &sha256(""), &try validatorSetHash(alloc, &.{}));
}

test "merkle: RFC 6962 shapes" {
    const a = leafHash("a");
    const b = leafHash("b");
    const c = leafHash("c");
    try testing.expectEqualSlices(u8, &innerHash(&innerHash(&a, &b), &c), &hashFromByteSlices(&.{ "a", "b", "c" }));
    try testing.expectEqual(@as(usize, 4), splitPoint(5));
    try testing.expectEqual(@as(usize, 1), splitPoint(2));
}
