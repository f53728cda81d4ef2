//! ICS-23 proof verification as cosmos/ics23's Go code (v0.11 line) does it, and ibc-go's
//! chained `MerkleProof` membership and non-membership (23-commitment `merkle.go`). The Python
//! side is `relayer_sim/formats/ics23.py` and `formats/multistore.py`.
//!
//! Every failure is `error.Fail` with a message in the `Ctx`; the contract reports all of them
//! as `invalid proof`. Where Go panics on a decodable proof (an empty path in `IsLeftNeighbor`,
//! a padding that fits no branch, a child order without the branch looked up), this fails too,
//! which is what a chain sees: the transaction fails.

const std = @import("std");
const sim_tm = @import("sim_tm");
const pb = @import("pb.zig");
const cometbft = @import("cometbft.zig");

const Ctx = sim_tm.failure.Ctx;
const Error = sim_tm.failure.Error;
const Allocator = std.mem.Allocator;

const hash_no_hash: i32 = 0;
const hash_sha256: i32 = 1;
const hash_sha512: i32 = 2;
const hash_ripemd160: i32 = 4;
const hash_bitcoin: i32 = 5;
const hash_sha512_256: i32 = 6;
const hash_blake2b_512: i32 = 7;
const hash_blake2s_256: i32 = 8;

const length_no_prefix: i32 = 0;
const length_var_proto: i32 = 1;
const length_fixed32_big: i32 = 3;
const length_fixed32_little: i32 = 4;
const length_fixed64_big: i32 = 5;
const length_fixed64_little: i32 = 6;
const length_require_32: i32 = 7;
const length_require_64: i32 = 8;

/// A spec's `max_depth` of 0 means this (v0.11).
const default_max_depth = 128;

// -- the SDK's specs ----------------------------------------------------------------------------

const sdk_leaf = pb.LeafOp{ .hash = hash_sha256, .prehash_key = hash_no_hash, .prehash_value = hash_sha256, .length = length_var_proto, .prefix = "\x00" };

pub const iavl_spec = pb.ProofSpec{
    .leaf_spec = sdk_leaf,
    .inner_spec = .{ .child_order = &.{ 0, 1 }, .child_size = 33, .min_prefix_length = 4, .max_prefix_length = 12, .empty_child = "", .hash = hash_sha256 },
};

pub const tendermint_spec = pb.ProofSpec{
    .leaf_spec = sdk_leaf,
    .inner_spec = .{ .child_order = &.{ 0, 1 }, .child_size = 32, .min_prefix_length = 1, .max_prefix_length = 1, .empty_child = "", .hash = hash_sha256 },
};

// -- hashing and the ops ------------------------------------------------------------------------

fn doHash(ctx: *Ctx, op: i32, data: []const u8) Error![]const u8 {
    const alloc = ctx.alloc;
    switch (op) {
        hash_sha256 => return dupe(alloc, &cometbft.sha256(data)),
        hash_sha512 => {
            var out: [64]u8 = undefined;
            std.crypto.hash.sha2.Sha512.hash(data, &out, .{});
            return dupe(alloc, &out);
        },
        hash_ripemd160 => return dupe(alloc, &cometbft.ripemd160(data)),
        hash_bitcoin => return dupe(alloc, &cometbft.ripemd160(&cometbft.sha256(data))),
        hash_sha512_256 => {
            var out: [32]u8 = undefined;
            std.crypto.hash.sha2.Sha512_256.hash(data, &out, .{});
            return dupe(alloc, &out);
        },
        hash_blake2b_512 => {
            var out: [64]u8 = undefined;
            std.crypto.hash.blake2.Blake2b512.hash(data, &out, .{});
            return dupe(alloc, &out);
        },
        hash_blake2s_256 => {
            var out: [32]u8 = undefined;
            std.crypto.hash.blake2.Blake2s256.hash(data, &out, .{});
            return dupe(alloc, &out);
        },
        else => return ctx.fail("unsupported hash op {d}", .{op}),
    }
}

fn dupe(alloc: Allocator, data: []const u8) Error![]const u8 {
    return alloc.dupe(u8, data);
}

fn hashOrNoop(ctx: *Ctx, op: i32, data: []const u8) Error![]const u8 {
    return if (op == hash_no_hash) data else doHash(ctx, op, data);
}

fn lengthPrefixed(ctx: *Ctx, op: i32, data: []const u8) Error![]const u8 {
    const n = data.len;
    var prefix: [10]u8 = undefined;
    const head: []const u8 = switch (op) {
        length_no_prefix => "",
        length_var_proto => blk: {
            var v: u64 = n;
            var i: usize = 0;
            while (v >= 0x80) : (v >>= 7) {
                prefix[i] = @as(u8, @truncate(v)) | 0x80;
                i += 1;
            }
            prefix[i] = @intCast(v);
            break :blk prefix[0 .. i + 1];
        },
        length_require_32 => if (n != 32) return ctx.fail("data was {d} bytes, not 32", .{n}) else "",
        length_require_64 => if (n != 64) return ctx.fail("data was {d} bytes, not 64", .{n}) else "",
        length_fixed32_big => blk: {
            std.mem.writeInt(u32, prefix[0..4], @truncate(n), .big);
            break :blk prefix[0..4];
        },
        length_fixed32_little => blk: {
            std.mem.writeInt(u32, prefix[0..4], @truncate(n), .little);
            break :blk prefix[0..4];
        },
        length_fixed64_big => blk: {
            std.mem.writeInt(u64, prefix[0..8], n, .big);
            break :blk prefix[0..8];
        },
        length_fixed64_little => blk: {
            std.mem.writeInt(u64, prefix[0..8], n, .little);
            break :blk prefix[0..8];
        },
        else => return ctx.fail("unsupported length op {d}", .{op}),
    };
    return std.mem.concat(ctx.alloc, u8, &.{ head, data });
}

fn applyLeaf(ctx: *Ctx, op: pb.LeafOp, key: []const u8, value: []const u8) Error![]const u8 {
    if (key.len == 0) return ctx.failText("leaf op needs key");
    if (value.len == 0) return ctx.failText("leaf op needs value");
    const pkey = try lengthPrefixed(ctx, op.length, try hashOrNoop(ctx, op.prehash_key, key));
    const pvalue = try lengthPrefixed(ctx, op.length, try hashOrNoop(ctx, op.prehash_value, value));
    return doHash(ctx, op.hash, try std.mem.concat(ctx.alloc, u8, &.{ op.prefix, pkey, pvalue }));
}

fn applyInner(ctx: *Ctx, op: pb.InnerOp, child: []const u8) Error![]const u8 {
    if (child.len == 0) return ctx.failText("inner op needs child value");
    return doHash(ctx, op.hash, try std.mem.concat(ctx.alloc, u8, &.{ op.prefix, child, op.suffix }));
}

/// The root an existence proof commits to; with a spec, a step longer than the spec's child
/// size (when that is at least 32) is refused, as Go's `calculate` does.
pub fn calculateExistenceRoot(ctx: *Ctx, proof: *const pb.ExistenceProof, spec: ?*const pb.ProofSpec) Error![]const u8 {
    const leaf = proof.leaf orelse return ctx.failText("existence proof needs a leaf op");
    var node = try applyLeaf(ctx, leaf, proof.key, proof.value);
    for (proof.path) |step| {
        node = try applyInner(ctx, step, node);
        if (spec) |s| {
            const child_size: i64 = if (s.inner_spec) |is| is.child_size else 0;
            if (@as(i64, @intCast(node.len)) > child_size and child_size >= 32) {
                return ctx.fail("inner step hash of {d} bytes exceeds child size", .{node.len});
            }
        }
    }
    return node;
}

// -- checking a proof against a spec ------------------------------------------------------------

/// Go's `binary.ReadVarint`: a zigzag varint of at most 10 bytes.
fn readSignedVarint(ctx: *Ctx, data: []const u8, pos: *usize) Error!i64 {
    var value: u64 = 0;
    var shift: u6 = 0;
    for (0..10) |i| {
        if (pos.* >= data.len) return ctx.failText(if (i == 0) "IAVL prefix: EOF" else "IAVL prefix: truncated varint");
        const b = data[pos.*];
        pos.* += 1;
        if (b < 0x80) {
            if (i == 9 and b > 1) return ctx.failText("IAVL prefix: varint overflows a 64-bit integer");
            value |= @as(u64, b) << shift;
            const half: i64 = @bitCast(value >> 1);
            return if (value & 1 != 0) ~half else half;
        }
        value |= @as(u64, b & 0x7f) << shift;
        if (i < 9) shift += 7;
    }
    return ctx.failText("IAVL prefix: varint overflows a 64-bit integer");
}

fn validateIavlOp(ctx: *Ctx, prefix: []const u8, hash_op: i32, layer: usize) Error!void {
    var pos: usize = 0;
    var height: i64 = 0;
    for (0..3) |i| {
        const value = try readSignedVarint(ctx, prefix, &pos);
        if (value < 0) return ctx.failText("wrong value in IAVL op: negative varint");
        if (i == 0) height = value;
    }
    if (height < layer) return ctx.fail("wrong value in IAVL op: height {d} below layer {d}", .{ height, layer });
    const rest = prefix.len - pos;
    if (layer == 0) {
        if (rest != 0) return ctx.failText("invalid IAVL leaf op: bytes after the three varints");
    } else {
        if (rest != 1 and rest != 34) return ctx.fail("invalid IAVL inner op: {d} bytes after the three varints", .{rest});
        if (hash_op != hash_sha256) return ctx.failText("invalid IAVL inner op: hash is not SHA256");
    }
}

/// `SpecEquals`: prefixes and the empty child are not compared.
fn specEquals(a: *const pb.ProofSpec, b: *const pb.ProofSpec) bool {
    if ((a.leaf_spec == null) != (b.leaf_spec == null)) return false;
    if (a.leaf_spec) |la| {
        const lb = b.leaf_spec.?;
        if (la.hash != lb.hash or la.prehash_key != lb.prehash_key or la.prehash_value != lb.prehash_value or la.length != lb.length) return false;
    }
    if ((a.inner_spec == null) != (b.inner_spec == null)) return false;
    if (a.inner_spec) |ia| {
        const ib = b.inner_spec.?;
        if (ia.hash != ib.hash or ia.min_prefix_length != ib.min_prefix_length or ia.max_prefix_length != ib.max_prefix_length or
            ia.child_size != ib.child_size or ia.child_order.len != ib.child_order.len) return false;
    }
    return true;
}

fn checkLeaf(ctx: *Ctx, op: pb.LeafOp, spec: *const pb.ProofSpec) Error!void {
    const lspec = spec.leaf_spec orelse return ctx.failText("spec has no leaf spec");
    if (specEquals(spec, &iavl_spec)) try validateIavlOp(ctx, op.prefix, op.hash, 0);
    if (op.hash != lspec.hash) return ctx.fail("leaf: unexpected hash op {d}", .{op.hash});
    if (op.prehash_key != lspec.prehash_key) return ctx.fail("leaf: unexpected prehash key op {d}", .{op.prehash_key});
    if (op.prehash_value != lspec.prehash_value) return ctx.fail("leaf: unexpected prehash value op {d}", .{op.prehash_value});
    if (op.length != lspec.length) return ctx.fail("leaf: unexpected length op {d}", .{op.length});
    if (!std.mem.startsWith(u8, op.prefix, lspec.prefix)) return ctx.failText("leaf: prefix doesn't start with the spec's");
}

fn checkInner(ctx: *Ctx, op: pb.InnerOp, spec: *const pb.ProofSpec, layer: usize) Error!void {
    if (spec.inner_spec == null or spec.leaf_spec == null) return ctx.failText("spec needs both a leaf spec and an inner spec");
    const ispec = spec.inner_spec.?;
    if (op.hash != ispec.hash) return ctx.fail("inner: unexpected hash op {d}", .{op.hash});
    if (specEquals(spec, &iavl_spec)) try validateIavlOp(ctx, op.prefix, op.hash, layer);
    if (std.mem.startsWith(u8, op.prefix, spec.leaf_spec.?.prefix)) return ctx.failText("inner: prefix starts with the leaf prefix");
    const prefix_len: i64 = @intCast(op.prefix.len);
    if (prefix_len < ispec.min_prefix_length) return ctx.fail("inner: prefix too short ({d})", .{prefix_len});
    const max_left_child_bytes = (@as(i64, @intCast(ispec.child_order.len)) - 1) * ispec.child_size;
    if (prefix_len > @as(i64, ispec.max_prefix_length) + max_left_child_bytes) return ctx.fail("inner: prefix too long ({d})", .{prefix_len});
    if (ispec.child_size <= 0) return ctx.failText("spec's child size must be at least 1");
    if (@rem(@as(i64, @intCast(op.suffix.len)), ispec.child_size) != 0) return ctx.failText("inner: suffix length is not a multiple of the child size");
}

/// `ExistenceProof.CheckAgainstSpec`.
pub fn checkAgainstSpec(ctx: *Ctx, proof: *const pb.ExistenceProof, spec: *const pb.ProofSpec) Error!void {
    const leaf = proof.leaf orelse return ctx.failText("existence proof needs a leaf op");
    try checkLeaf(ctx, leaf, spec);
    const depth: i64 = @intCast(proof.path.len);
    if (spec.min_depth > 0 and depth < spec.min_depth) return ctx.fail("inner ops depth too short: {d}", .{depth});
    const max_depth: i64 = if (spec.max_depth == 0) default_max_depth else spec.max_depth;
    if (depth > max_depth) return ctx.fail("inner ops depth too long: {d}", .{depth});
    for (proof.path, 1..) |step, layer| try checkInner(ctx, step, spec, layer);
}

/// `ExistenceProof.Verify`.
pub fn verifyExistence(ctx: *Ctx, proof: *const pb.ExistenceProof, spec: *const pb.ProofSpec, root: []const u8, key: []const u8, value: []const u8) Error!void {
    try checkAgainstSpec(ctx, proof, spec);
    if (!std.mem.eql(u8, key, proof.key)) return ctx.failText("provided key doesn't match proof");
    if (!std.mem.eql(u8, value, proof.value)) return ctx.failText("provided value doesn't match proof");
    const calculated = try calculateExistenceRoot(ctx, proof, spec);
    if (!std.mem.eql(u8, calculated, root)) return ctx.failText("calculated root doesn't match provided root");
}

// -- neighbours ---------------------------------------------------------------------------------

fn position(ctx: *Ctx, order: []const i32, branch: usize) Error!usize {
    if (branch >= order.len) return ctx.fail("invalid branch {d}", .{branch});
    for (order, 0..) |item, i| if (item == branch) return i;
    return ctx.fail("branch {d} not found in the child order", .{branch});
}

const Padding = struct { min_prefix: i64, max_prefix: i64, suffix: i64 };

fn padding(ctx: *Ctx, spec: *const pb.InnerSpec, branch: usize) Error!Padding {
    const idx: i64 = @intCast(try position(ctx, spec.child_order, branch));
    const prefix = idx * spec.child_size;
    const suffix = (@as(i64, @intCast(spec.child_order.len)) - 1 - idx) * spec.child_size;
    return .{ .min_prefix = prefix + spec.min_prefix_length, .max_prefix = prefix + spec.max_prefix_length, .suffix = suffix };
}

fn hasPadding(op: pb.InnerOp, p: Padding) bool {
    const prefix: i64 = @intCast(op.prefix.len);
    return p.min_prefix <= prefix and prefix <= p.max_prefix and @as(i64, @intCast(op.suffix.len)) == p.suffix;
}

fn orderFromPadding(ctx: *Ctx, spec: *const pb.InnerSpec, op: pb.InnerOp) Error!?usize {
    for (0..spec.child_order.len) |branch| {
        if (hasPadding(op, try padding(ctx, spec, branch))) return branch;
    }
    return null;
}

fn emptyChildAt(ctx: *Ctx, data: []const u8, start: i64, spec: *const pb.InnerSpec) Error!bool {
    const end = start + spec.child_size;
    if (start < 0 or end > data.len) return ctx.failText("placeholder check reads past the op's padding");
    return std.mem.eql(u8, data[@intCast(start)..@intCast(end)], spec.empty_child);
}

fn leftBranchesAreEmpty(ctx: *Ctx, spec: *const pb.InnerSpec, op: pb.InnerOp) Error!bool {
    const branch = try orderFromPadding(ctx, spec, op) orelse return false;
    if (branch == 0) return false;
    const actual_prefix = @as(i64, @intCast(op.prefix.len)) - @as(i64, @intCast(branch)) * spec.child_size;
    if (actual_prefix < 0) return false;
    for (0..branch) |i| {
        const start = actual_prefix + @as(i64, @intCast(try position(ctx, spec.child_order, i))) * spec.child_size;
        if (!try emptyChildAt(ctx, op.prefix, start, spec)) return false;
    }
    return true;
}

fn rightBranchesAreEmpty(ctx: *Ctx, spec: *const pb.InnerSpec, op: pb.InnerOp) Error!bool {
    const branch = try orderFromPadding(ctx, spec, op) orelse return false;
    const right_branches = spec.child_order.len - 1 - branch;
    if (right_branches == 0) return false;
    if (@as(i64, @intCast(op.suffix.len)) != @as(i64, @intCast(right_branches)) * spec.child_size) return false;
    for (0..right_branches) |i| {
        const start = @as(i64, @intCast(try position(ctx, spec.child_order, i))) * spec.child_size;
        if (!try emptyChildAt(ctx, op.suffix, start, spec)) return false;
    }
    return true;
}

fn isLeftMost(ctx: *Ctx, spec: *const pb.InnerSpec, path: []const pb.InnerOp) Error!bool {
    const p = try padding(ctx, spec, 0);
    for (path) |step| {
        if (!hasPadding(step, p) and !try leftBranchesAreEmpty(ctx, spec, step)) return false;
    }
    return true;
}

fn isRightMost(ctx: *Ctx, spec: *const pb.InnerSpec, path: []const pb.InnerOp) Error!bool {
    const p = try padding(ctx, spec, spec.child_order.len - 1);
    for (path) |step| {
        if (!hasPadding(step, p) and !try rightBranchesAreEmpty(ctx, spec, step)) return false;
    }
    return true;
}

fn isLeftNeighbor(ctx: *Ctx, spec: *const pb.InnerSpec, left: []const pb.InnerOp, right: []const pb.InnerOp) Error!bool {
    var li = left.len;
    var ri = right.len;
    var top_left: pb.InnerOp = undefined;
    var top_right: pb.InnerOp = undefined;
    while (true) {
        if (li == 0 or ri == 0) return ctx.failText("neighbour paths run out before they diverge");
        li -= 1;
        ri -= 1;
        top_left = left[li];
        top_right = right[ri];
        if (!std.mem.eql(u8, top_left.prefix, top_right.prefix) or !std.mem.eql(u8, top_left.suffix, top_right.suffix)) break;
    }
    const left_branch = try orderFromPadding(ctx, spec, top_left);
    const right_branch = try orderFromPadding(ctx, spec, top_right);
    if (left_branch == null or right_branch == null) return ctx.failText("cannot find any valid spacing for a node where the paths split");
    if (right_branch.? != left_branch.? + 1) return false;
    return try isRightMost(ctx, spec, left[0..li]) and try isLeftMost(ctx, spec, right[0..ri]);
}

fn keyForComparison(ctx: *Ctx, spec: *const pb.ProofSpec, key: []const u8) Error![]const u8 {
    if (!spec.prehash_key_before_comparison) return key;
    const op = if (spec.leaf_spec) |l| l.prehash_key else hash_no_hash;
    // Go ignores the error and compares the nil result.
    return hashOrNoop(ctx, op, key) catch |err| if (err == error.Fail) "" else err;
}

/// `NonExistenceProof.Verify`.
pub fn verifyNonExistence(ctx: *Ctx, proof: *const pb.NonExistenceProof, spec: *const pb.ProofSpec, root: []const u8, key: []const u8) Error!void {
    if (proof.left) |*left| {
        verifyExistence(ctx, left, spec, root, left.key, left.value) catch |err| return ctx.prefix(err, "left proof: ");
    }
    if (proof.right) |*right| {
        verifyExistence(ctx, right, spec, root, right.key, right.value) catch |err| return ctx.prefix(err, "right proof: ");
    }
    if (proof.left == null and proof.right == null) return ctx.failText("both left and right proofs missing");
    const compared = try keyForComparison(ctx, spec, key);
    if (proof.right) |right| {
        if (std.mem.order(u8, compared, try keyForComparison(ctx, spec, right.key)) != .lt) return ctx.failText("key is not left of right proof");
    }
    if (proof.left) |left| {
        if (std.mem.order(u8, compared, try keyForComparison(ctx, spec, left.key)) != .gt) return ctx.failText("key is not right of left proof");
    }
    const inner = if (spec.inner_spec) |*is| is else return ctx.failText("spec has no inner spec");
    if (proof.left == null) {
        if (!try isLeftMost(ctx, inner, proof.right.?.path)) return ctx.failText("left proof missing, right proof must be left-most");
    } else if (proof.right == null) {
        if (!try isRightMost(ctx, inner, proof.left.?.path)) return ctx.failText("right proof missing, left proof must be right-most");
    } else if (!try isLeftNeighbor(ctx, inner, proof.left.?.path, proof.right.?.path)) {
        return ctx.failText("left and right proofs are not neighbours");
    }
}

// -- ibc-go 23-commitment MerkleProof ----------------------------------------------------------

/// cosmos/ics23 `CommitmentProof.Calculate` (no spec, as ibc-go calls it).
fn calculate(ctx: *Ctx, proof: *const pb.CommitmentProof) Error![]const u8 {
    return switch (proof.kind) {
        .exist => calculateExistenceRoot(ctx, &proof.exist, null),
        .nonexist => if (proof.nonexist.left) |*left|
            calculateExistenceRoot(ctx, left, null)
        else if (proof.nonexist.right) |*right|
            calculateExistenceRoot(ctx, right, null)
        else
            ctx.failText("nonexistence proof has empty Left and Right proof"),
        // ibc-go refuses batch proofs right after; what Calculate says first does not matter.
        .batch, .compressed => ctx.failText("batch proofs are not accepted in a chained proof"),
        .none => ctx.failText("unrecognized proof type"),
    };
}

fn validateArgs(ctx: *Ctx, proofs: []const pb.CommitmentProof, keys: []const []const u8, specs: []const pb.ProofSpec, root: []const u8) Error!void {
    if (proofs.len == 0) return ctx.failText("proof cannot be empty");
    if (root.len == 0) return ctx.failText("root cannot be empty");
    if (specs.len != proofs.len) return ctx.fail("length of specs: {d} not equal to length of proof: {d}", .{ specs.len, proofs.len });
    if (keys.len != specs.len) return ctx.fail("path length {d} not same as proof {d}", .{ keys.len, specs.len });
}

fn verifyChain(ctx: *Ctx, root: []const u8, specs: []const pb.ProofSpec, proofs: []const pb.CommitmentProof, keys: []const []const u8, first_value: []const u8, start: usize) Error!void {
    var value = first_value;
    var subroot = first_value;
    for (proofs[start..], start..) |*proof, i| {
        subroot = calculate(ctx, proof) catch |err| return ctx.prefix(err, "could not calculate proof root: ");
        if (proof.kind != .exist) return ctx.fail("commitment proof must be existence proof at index {d}", .{i});
        const key = keys[keys.len - 1 - i];
        verifyExistence(ctx, &proof.exist, &specs[i], subroot, key, value) catch |err|
            return ctx.prefix(err, "failed to verify membership proof: ");
        value = subroot;
    }
    if (!std.mem.eql(u8, subroot, root)) return ctx.failText("proof did not commit to expected root");
}

/// `MerkleProof.VerifyMembership`: `value` at `keys` (outermost first) under `root`.
pub fn verifyMembership(ctx: *Ctx, specs: []const pb.ProofSpec, root: []const u8, proofs: []const pb.CommitmentProof, keys: []const []const u8, value: []const u8) Error!void {
    try validateArgs(ctx, proofs, keys, specs, root);
    if (value.len == 0) return ctx.failText("empty value in membership proof");
    try verifyChain(ctx, root, specs, proofs, keys, value, 0);
}

/// `MerkleProof.VerifyNonMembership`: the last key is absent from the innermost store.
pub fn verifyNonMembership(ctx: *Ctx, specs: []const pb.ProofSpec, root: []const u8, proofs: []const pb.CommitmentProof, keys: []const []const u8) Error!void {
    try validateArgs(ctx, proofs, keys, specs, root);
    const first = &proofs[0];
    const subroot = calculate(ctx, first) catch |err| return ctx.prefix(err, "could not calculate root for proof index 0: ");
    if (first.kind != .nonexist) return ctx.failText("commitment proof must be non-existence proof for verifying non-membership");
    verifyNonExistence(ctx, &first.nonexist, &specs[0], subroot, keys[keys.len - 1]) catch |err|
        return ctx.prefix(err, "failed to verify non-membership proof: ");
    try verifyChain(ctx, root, specs, proofs, keys, subroot, 1);
}

// -- tests: cosmos/ics23 testdata (tests/formats/data/ics23) -----------------------------------

const testing = std.testing;

fn unhex(alloc: Allocator, text: []const u8) ![]u8 {
    const out = try alloc.alloc(u8, text.len / 2);
    _ = try std.fmt.hexToBytes(out, text);
    return out;
}

const vectors = @import("ics23_vectors.zig");

test "cosmos/ics23 testdata: every vector verifies, and fails with a wrong root, key or value" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    var ctx = Ctx{ .alloc = alloc };
    for (vectors.all) |v| {
        const spec = if (v.iavl) &iavl_spec else &tendermint_spec;
        const key = try unhex(alloc, v.key);
        const value = try unhex(alloc, v.value);
        const root = try unhex(alloc, v.root);
        const proof = try pb.decodeCommitmentProof(alloc, try unhex(alloc, v.proof));
        var wrong_root = try alloc.dupe(u8, root);
        wrong_root[0] ^= 1;
        if (value.len != 0) {
            try testing.expectEqual(.exist, proof.kind);
            try verifyExistence(&ctx, &proof.exist, spec, root, key, value);
            try testing.expectError(error.Fail, verifyExistence(&ctx, &proof.exist, spec, wrong_root, key, value));
            try testing.expectError(error.Fail, verifyExistence(&ctx, &proof.exist, spec, root, key, "other"));
            // The other spec refuses the proof's ops.
            const other = if (v.iavl) &tendermint_spec else &iavl_spec;
            try testing.expectError(error.Fail, verifyExistence(&ctx, &proof.exist, other, root, key, value));
        } else {
            try testing.expectEqual(.nonexist, proof.kind);
            try verifyNonExistence(&ctx, &proof.nonexist, spec, root, key);
            try testing.expectError(error.Fail, verifyNonExistence(&ctx, &proof.nonexist, spec, wrong_root, key));
            // A neighbour's own key is not absent.
            const neighbour = if (proof.nonexist.left) |l| l.key else proof.nonexist.right.?.key;
            try testing.expectError(error.Fail, verifyNonExistence(&ctx, &proof.nonexist, spec, root, neighbour));
        }
    }
}

test "chained membership: two stores, argument checks" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    var ctx = Ctx{ .alloc = alloc };
    // An IAVL store proof (iavl/exist_left) under a one-store multistore: the store root is the
    // value of key "ibc" in a simple-Merkle tree of one leaf, so the app hash is that leaf's hash.
    const v = vectors.all[0];
    const inner = try pb.decodeCommitmentProof(alloc, try unhex(alloc, v.proof));
    const store_root = try unhex(alloc, v.root);
    const outer = pb.CommitmentProof{ .kind = .exist, .exist = .{ .key = "ibc", .value = store_root, .leaf = sdk_leaf } };
    const app_hash = try calculateExistenceRoot(&ctx, &outer.exist, null);
    const proofs = [_]pb.CommitmentProof{ inner, outer };
    const specs = [_]pb.ProofSpec{ iavl_spec, tendermint_spec };
    const keys = [_][]const u8{ "ibc", try unhex(alloc, v.key) };
    const value = try unhex(alloc, v.value);
    try verifyMembership(&ctx, &specs, app_hash, &proofs, &keys, value);
    try testing.expectError(error.Fail, verifyMembership(&ctx, &specs, store_root, &proofs, &keys, value));
    try testing.expectError(error.Fail, verifyMembership(&ctx, &specs, app_hash, &proofs, &keys, ""));
    try testing.expectError(error.Fail, verifyMembership(&ctx, specs[0..1], app_hash, &proofs, &keys, value));
    try testing.expectError(error.Fail, verifyMembership(&ctx, &specs, app_hash, &proofs, keys[0..1], value));
    try testing.expectError(error.Fail, verifyNonMembership(&ctx, &specs, app_hash, &proofs, &keys));
    try testing.expectError(error.Fail, verifyMembership(&ctx, &specs, app_hash, &.{}, &.{}, value));
}
