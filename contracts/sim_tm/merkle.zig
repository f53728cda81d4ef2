//! Membership and non-membership proofs against a counterparty app hash: the binary Merkle tree
//! of `relayer_sim/lightclient/merkle.py` (RFC 9162 shape), with its proof format, its root
//! algorithm and its `ProofError` texts, which are the contract's error texts.
//!
//!   leaf hash  = sha256(0x00 ‖ u32be(len(key)) ‖ key ‖ sha256(value))
//!   inner hash = sha256(0x01 ‖ left ‖ right)
//!   root       = sha256(0x02 ‖ u64be(leaf count) ‖ tree hash)   (the count is proven too)
//!   proof      = [0, leaf] | [1, total, left | nil, right | nil]
//!   leaf       = [key, value_hash, index, total, [sibling, …]]

const std = @import("std");
const cw = @import("cw");
const failure = @import("failure.zig");
const canonical = @import("canonical.zig");

const Reader = cw.msgpack.Reader;
const Sha256 = cw.sha256.Sha256;
const Ctx = failure.Ctx;
const Error = failure.Error;

pub const Hash = [32]u8;

/// The root of a tree of `count` leaves whose tree hash is `tree_hash`.
pub fn sizedRoot(count: u64, tree_hash: *const Hash) Hash {
    var out: Hash = undefined;
    var count_bytes: [8]u8 = undefined;
    std.mem.writeInt(u64, &count_bytes, count, .big);
    var h = Sha256.init(.{});
    h.update("\x02");
    h.update(&count_bytes);
    h.update(tree_hash);
    h.final(&out);
    return out;
}

/// The root of the empty tree, whose tree hash is sha256("").
pub fn emptyRoot() Hash {
    var empty_tree: Hash = undefined;
    Sha256.hash("", &empty_tree, .{});
    return sizedRoot(0, &empty_tree);
}

pub const LeafProof = struct {
    key: []const u8,
    value_hash: *const Hash,
    index: u64,
    total: u64,
    /// Sibling hashes from the leaf upwards, as 32-byte slices of the proof bytes.
    path: []const *const Hash,

    /// `LeafProof.root()`: recompute the root (RFC 9162 §2.1.3.2), refusing impossible shapes.
    pub fn root(leaf: *const LeafProof, ctx: *Ctx) Error!Hash {
        if (leaf.index >= leaf.total) {
            return ctx.fail("leaf index {d} is outside a tree of {d} leaves", .{ leaf.index, leaf.total });
        }
        var node: Hash = undefined;
        var h = Sha256.init(.{});
        var len: [4]u8 = undefined;
        std.mem.writeInt(u32, &len, @truncate(leaf.key.len), .big);
        h.update("\x00");
        h.update(&len);
        h.update(leaf.key);
        h.update(leaf.value_hash);
        h.final(&node);
        var index = leaf.index;
        var last = leaf.total - 1;
        for (leaf.path) |sibling| {
            if (last == 0) return ctx.failText("proof path is longer than the tree is deep");
            if (index % 2 == 1 or index == last) {
                node = innerHash(sibling, &node);
                if (index % 2 == 0) {
                    while (index % 2 == 0 and index != 0) {
                        index >>= 1;
                        last >>= 1;
                    }
                }
            } else {
                node = innerHash(&node, sibling);
            }
            index >>= 1;
            last >>= 1;
        }
        if (last != 0) return ctx.failText("proof path is shorter than the tree is deep");
        return sizedRoot(leaf.total, &node);
    }
};

pub const Proof = union(enum) {
    exist: LeafProof,
    absent: struct { total: u64, left: ?LeafProof, right: ?LeafProof },
};

pub fn innerHash(left: *const Hash, right: *const Hash) Hash {
    var out: Hash = undefined;
    var h = Sha256.init(.{});
    h.update("\x01");
    h.update(left);
    h.update(right);
    h.final(&out);
    return out;
}

// -- decoding ---------------------------------------------------------------------------------

/// `merkle.decode_proof`: first "is it canonical msgpack", then the shape.
pub fn decodeProof(ctx: *Ctx, data: []const u8) Error!Proof {
    if (canonical.check(data)) |problem| {
        return ctx.fail("proof is not canonical msgpack: {s}", .{problem.text()});
    }
    const shape = "proof must be [0, leaf] or [1, total, left, right]";
    var r = Reader.init(data);
    // The document is canonical msgpack: reader errors below can only mean "another type".
    const n = r.readArrayHeader() catch return ctx.failText(shape);
    if (n == 2 and isUint(&r, 0)) {
        _ = r.readUint() catch unreachable;
        const leaf = try decodeLeaf(ctx, &r) orelse
            return ctx.failText("an existence proof needs its leaf");
        return .{ .exist = leaf };
    }
    if (n == 4 and isUint(&r, 1)) {
        _ = r.readUint() catch unreachable;
        const total = r.readUint() catch
            return ctx.failText("a non-existence proof needs a non-negative tree size");
        const left = try decodeLeaf(ctx, &r);
        const right = try decodeLeaf(ctx, &r);
        return .{ .absent = .{ .total = total, .left = left, .right = right } };
    }
    return ctx.failText(shape);
}

fn isUint(r: *Reader, value: u64) bool {
    const start = r.pos;
    defer r.pos = start;
    return (r.readUint() catch return false) == value;
}

fn decodeLeaf(ctx: *Ctx, r: *Reader) Error!?LeafProof {
    if (r.tryNil() catch false) return null;
    const n = r.readArrayHeader() catch 0;
    if (n != 5) return ctx.failText("a leaf proof must be [key, value hash, index, total, path]");
    const bad_hashes = "a leaf proof needs a byte key and a 32-byte value hash";
    const key = r.readBin() catch return ctx.failText(bad_hashes);
    const value_hash = r.readBin() catch return ctx.failText(bad_hashes);
    if (value_hash.len != 32) return ctx.failText(bad_hashes);
    const bad_position = "a leaf proof needs a non-negative index and a positive total";
    const index = r.readUint() catch return ctx.failText(bad_position);
    const total = r.readUint() catch return ctx.failText(bad_position);
    if (total == 0) return ctx.failText(bad_position);
    const bad_path = "a leaf proof's path must be a list of 32-byte hashes";
    const count = r.readArrayHeader() catch return ctx.failText(bad_path);
    const path = try ctx.alloc.alloc(*const Hash, count);
    for (path) |*sibling| {
        const bytes = r.readBin() catch return ctx.failText(bad_path);
        if (bytes.len != 32) return ctx.failText(bad_path);
        sibling.* = bytes[0..32];
    }
    return .{ .key = key, .value_hash = value_hash[0..32], .index = index, .total = total, .path = path };
}

// -- verification -----------------------------------------------------------------------------

/// `merkle.verify_membership`: `proof` shows `key` = `value` under `root`.
pub fn verifyMembership(ctx: *Ctx, root: *const Hash, key: []const u8, value: []const u8, proof: *const Proof) Error!void {
    const leaf = switch (proof.*) {
        .exist => |*leaf| leaf,
        .absent => return ctx.failText("a membership proof must be an existence proof"),
    };
    if (!std.mem.eql(u8, leaf.key, key)) return ctx.failText("the proof is for another key");
    var value_hash: Hash = undefined;
    Sha256.hash(value, &value_hash, .{});
    if (!std.mem.eql(u8, leaf.value_hash, &value_hash)) {
        return ctx.failText("the proven value differs from the expected value");
    }
    const computed = try leaf.root(ctx);
    if (!std.mem.eql(u8, &computed, root)) return ctx.failText("the proof does not lead to the trusted root");
}

/// `merkle.verify_non_membership`: `proof` shows `key` is absent under `root`.
pub fn verifyNonMembership(ctx: *Ctx, root: *const Hash, key: []const u8, proof: *const Proof) Error!void {
    const absent = switch (proof.*) {
        .exist => return ctx.failText("a non-membership proof must be a non-existence proof"),
        .absent => |*absent| absent,
    };
    const total = absent.total;
    if (absent.left == null and absent.right == null) {
        if (total != 0 or !std.mem.eql(u8, root, &emptyRoot())) {
            return ctx.failText("a proof without neighbours only holds for the empty tree");
        }
        return;
    }
    for ([_]?LeafProof{ absent.left, absent.right }) |maybe| {
        const neighbour = maybe orelse continue;
        if (neighbour.total != total) return ctx.failText("the neighbours disagree on the size of the tree");
        const computed = try neighbour.root(ctx);
        if (!std.mem.eql(u8, &computed, root)) {
            return ctx.failText("a neighbour's proof does not lead to the trusted root");
        }
    }
    if (absent.left) |left| {
        if (std.mem.order(u8, left.key, key) != .lt) return ctx.failText("the left neighbour is not below the key");
    }
    if (absent.right) |right| {
        if (std.mem.order(u8, key, right.key) != .lt) return ctx.failText("the right neighbour is not above the key");
    }
    if (absent.left == null) {
        if (absent.right.?.index != 0) {
            return ctx.failText("without a left neighbour the right one must be the first leaf");
        }
    }
    if (absent.right == null) {
        if (absent.left.?.index != total -% 1) {
            return ctx.failText("without a right neighbour the left one must be the last leaf");
        }
    }
    if (absent.left != null and absent.right != null) {
        if (absent.right.?.index != absent.left.?.index +% 1 or absent.left.?.index == std.math.maxInt(u64)) {
            return ctx.failText("the neighbours are not adjacent leaves");
        }
    }
}

// -- tests (vectors from relayer_sim/lightclient/merkle.py) -----------------------------------

const testing = std.testing;

// MerkleTree({b"a": b"1", b"c": b"3", b"e": b"5", b"g": b"7", b"i": b"9"})
const tree_root_hex = "7d15fc104cc23b44f0823cea631b02441b2bad77babc47b97f65d145a5ebc8ef";
const proof_a_hex = "920095c40161c4206b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b000593c42052a889c61be4ca10c3469a5ac26136e79717be64ded90ac79e32aaafbaa2de17c420e22cdd8d181681d21db9c7dc00895305afe22c7a9c85a4e128b624a7ec85ac32c420774cfe2072cc20ec98b7d71e730e39b35bf0f739382781e0b3798fdc6ec4bc2c";
const proof_e_hex = "920095c40165c420ef2d127de37b942baad06145e54b0c619a1f22327b2ebbcfbec78f5564afe39d020593c4208384307eae66635dd6dd8ff8409f6b9898db64cdc511de9c00b524ae221cbb54c42024aea3bbfe8b9848385c2adbe98a29841129c070e7b14ef8c9b6e6bd8ca88250c420774cfe2072cc20ec98b7d71e730e39b35bf0f739382781e0b3798fdc6ec4bc2c";
const proof_i_hex = "920095c40169c42019581e27de7ced00ff1ce50b2047e7a567c76b1cbaebabe5ef03f7c3017bb5b7040591c420a9ccb2abfc35b568f83dde5c3bc1343b1e3de63139566d431b7328f54117d2a7";
const proof_b_hex = "94010595c40161c4206b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b000593c42052a889c61be4ca10c3469a5ac26136e79717be64ded90ac79e32aaafbaa2de17c420e22cdd8d181681d21db9c7dc00895305afe22c7a9c85a4e128b624a7ec85ac32c420774cfe2072cc20ec98b7d71e730e39b35bf0f739382781e0b3798fdc6ec4bc2c95c40163c4204e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce010593c4207f375c73cfbe4ed7f6f8b81deefe95fff7a4a9081a9fcaad8c7d3c8aeb3b3f11c420e22cdd8d181681d21db9c7dc00895305afe22c7a9c85a4e128b624a7ec85ac32c420774cfe2072cc20ec98b7d71e730e39b35bf0f739382781e0b3798fdc6ec4bc2c";
const proof_0_hex = "940105c095c40161c4206b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b000593c42052a889c61be4ca10c3469a5ac26136e79717be64ded90ac79e32aaafbaa2de17c420e22cdd8d181681d21db9c7dc00895305afe22c7a9c85a4e128b624a7ec85ac32c420774cfe2072cc20ec98b7d71e730e39b35bf0f739382781e0b3798fdc6ec4bc2c";
const proof_z_hex = "94010595c40169c42019581e27de7ced00ff1ce50b2047e7a567c76b1cbaebabe5ef03f7c3017bb5b7040591c420a9ccb2abfc35b568f83dde5c3bc1343b1e3de63139566d431b7328f54117d2a7c0";

fn hex(alloc: std.mem.Allocator, text: []const u8) ![]u8 {
    const out = try alloc.alloc(u8, text.len / 2);
    return std.fmt.hexToBytes(out, text);
}

fn expectFailure(ctx: *Ctx, expected: []const u8, result: anytype) !void {
    try testing.expectError(error.Fail, result);
    try testing.expectEqualStrings(expected, ctx.message);
}

test "membership proofs from the reference tree" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .alloc = arena.allocator() };
    const alloc = ctx.alloc;
    var root: Hash = undefined;
    _ = try std.fmt.hexToBytes(&root, tree_root_hex);
    const cases = [_]struct { []const u8, []const u8, []const u8 }{
        .{ proof_a_hex, "a", "1" }, .{ proof_e_hex, "e", "5" }, .{ proof_i_hex, "i", "9" },
    };
    for (cases) |case| {
        const proof = try decodeProof(&ctx, try hex(alloc, case[0]));
        try verifyMembership(&ctx, &root, case[1], case[2], &proof);
        try expectFailure(&ctx, "the proven value differs from the expected value", verifyMembership(&ctx, &root, case[1], "x", &proof));
        try expectFailure(&ctx, "the proof is for another key", verifyMembership(&ctx, &root, "q", case[2], &proof));
        try expectFailure(&ctx, "a non-membership proof must be a non-existence proof", verifyNonMembership(&ctx, &root, case[1], &proof));
    }
    var other = root;
    other[0] ^= 1;
    const proof = try decodeProof(&ctx, try hex(alloc, proof_e_hex));
    try expectFailure(&ctx, "the proof does not lead to the trusted root", verifyMembership(&ctx, &other, "e", "5", &proof));
    // A tampered index: e is leaf 2 of 5.
    var moved = proof;
    moved.exist.index = 3;
    try expectFailure(&ctx, "the proof does not lead to the trusted root", verifyMembership(&ctx, &root, "e", "5", &moved));
    moved.exist.index = 5;
    try expectFailure(&ctx, "leaf index 5 is outside a tree of 5 leaves", verifyMembership(&ctx, &root, "e", "5", &moved));
    moved.exist.index = 2;
    moved.exist.path = proof.exist.path[0..2];
    try expectFailure(&ctx, "proof path is shorter than the tree is deep", verifyMembership(&ctx, &root, "e", "5", &moved));
    const long = try alloc.alloc(*const Hash, 4);
    @memcpy(long[0..3], proof.exist.path);
    long[3] = &root;
    moved.exist.path = long;
    try expectFailure(&ctx, "proof path is longer than the tree is deep", verifyMembership(&ctx, &root, "e", "5", &moved));
}

test "non-membership proofs from the reference tree" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .alloc = arena.allocator() };
    const alloc = ctx.alloc;
    var root: Hash = undefined;
    _ = try std.fmt.hexToBytes(&root, tree_root_hex);
    const b = try decodeProof(&ctx, try hex(alloc, proof_b_hex));
    try verifyNonMembership(&ctx, &root, "b", &b);
    try verifyNonMembership(&ctx, &root, "bb", &b);
    try expectFailure(&ctx, "the left neighbour is not below the key", verifyNonMembership(&ctx, &root, "a", &b));
    try expectFailure(&ctx, "the right neighbour is not above the key", verifyNonMembership(&ctx, &root, "c", &b));
    try expectFailure(&ctx, "a membership proof must be an existence proof", verifyMembership(&ctx, &root, "b", "", &b));
    const first = try decodeProof(&ctx, try hex(alloc, proof_0_hex));
    try verifyNonMembership(&ctx, &root, "0", &first);
    const last = try decodeProof(&ctx, try hex(alloc, proof_z_hex));
    try verifyNonMembership(&ctx, &root, "z", &last);
    // Neighbours that are not adjacent: a (0) and e (2) around "b".
    var gap = b;
    const e = try decodeProof(&ctx, try hex(alloc, proof_e_hex));
    gap.absent.right = e.exist;
    try expectFailure(&ctx, "the neighbours are not adjacent leaves", verifyNonMembership(&ctx, &root, "b", &gap));
    var one_sided = b;
    one_sided.absent.left = null;
    try expectFailure(&ctx, "without a left neighbour the right one must be the first leaf", verifyNonMembership(&ctx, &root, "b", &one_sided));
    one_sided = b;
    one_sided.absent.right = null;
    try expectFailure(&ctx, "without a right neighbour the left one must be the last leaf", verifyNonMembership(&ctx, &root, "b", &one_sided));
    var sized = b;
    sized.absent.total = 6;
    try expectFailure(&ctx, "the neighbours disagree on the size of the tree", verifyNonMembership(&ctx, &root, "b", &sized));
    // The empty tree: [1, 0, nil, nil] against EMPTY_ROOT (f0c1e0b4…).
    const empty = try decodeProof(&ctx, "\x94\x01\x00\xc0\xc0");
    try testing.expectEqualSlices(u8, &(try hex(alloc, "f0c1e0b4cd1983b9c92909f8145cc102993e4c797489c0ba98639fd93056b82f"))[0..32].*, &emptyRoot());
    try verifyNonMembership(&ctx, &emptyRoot(), "x", &empty);
    try expectFailure(&ctx, "a proof without neighbours only holds for the empty tree", verifyNonMembership(&ctx, &root, "x", &empty));
}

test "proof decoding errors use the reference texts" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .alloc = arena.allocator() };
    const cases = [_]struct { []const u8, []const u8 }{
        .{ "", "proof is not canonical msgpack: truncated input" },
        .{ "\x92\x00\xc0\xc0", "proof is not canonical msgpack: extra data after the value" },
        .{ "\x92\x00\x95\xc4\x00\xc4\x20" ++ "\x00" ** 32 ++ "\xcc\x00\x01\x90", "proof is not canonical msgpack: not the minimal encoding" },
        .{ "\x92\x00\xc0", "an existence proof needs its leaf" },
        .{ "\x92\x01\xc0", "proof must be [0, leaf] or [1, total, left, right]" },
        .{ "\x93\x00\xc0\xc0", "proof must be [0, leaf] or [1, total, left, right]" },
        .{ "\x80", "proof is not canonical msgpack: a value of a type the format never uses" },
        .{ "\x94\x01\xa0\xc0\xc0", "a non-existence proof needs a non-negative tree size" },
        .{ "\x92\x00\x94\xc4\x00\xc4\x00\x00\x01", "a leaf proof must be [key, value hash, index, total, path]" },
        .{ "\x92\x00\x95\xa0\xc4\x00\x00\x01\x90", "a leaf proof needs a byte key and a 32-byte value hash" },
        .{ "\x92\x00\x95\xc4\x00\xc4\x01\x00\x00\x01\x90", "a leaf proof needs a byte key and a 32-byte value hash" },
        .{ "\x92\x00\x95\xc4\x00\xc4\x20" ++ "\x00" ** 32 ++ "\x00\x00\x90", "a leaf proof needs a non-negative index and a positive total" },
        .{ "\x92\x00\x95\xc4\x00\xc4\x20" ++ "\x00" ** 32 ++ "\xc0\x01\x90", "a leaf proof needs a non-negative index and a positive total" },
        .{ "\x92\x00\x95\xc4\x00\xc4\x20" ++ "\x00" ** 32 ++ "\x00\x01\x91\xc4\x01\x00", "a leaf proof's path must be a list of 32-byte hashes" },
        .{ "\x92\x00\x95\xc4\x00\xc4\x20" ++ "\x00" ** 32 ++ "\x00\x01\xc0", "a leaf proof's path must be a list of 32-byte hashes" },
    };
    for (cases) |case| try expectFailure(&ctx, case[1], decodeProof(&ctx, case[0]));
}
