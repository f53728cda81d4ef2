//! The light-client rules: ibc-go 07-tendermint's `Header.ValidateBasic`, `verifyHeader`,
//! `Misbehaviour.ValidateBasic`, `verifyMisbehaviour`, `CheckForMisbehaviour`, and CometBFT
//! v0.38's `ValidatorSetFromProto`, `SignedHeader.ValidateBasic`, `light.Verify` and
//! `VerifyCommitLight` / `VerifyCommitLightTrusting`, in their order of checks.
//!
//! Every refusal is `<reason>: <detail>` with a reason of contracts/tendermint.md's table.
//! Signatures are checked through the host's imports, only those CometBFT would check, in its
//! order: a commit is batch-verified when CometBFT would (two signatures or more, an ed25519
//! proposer, one key type in the set): the signatures are gathered until the tally passes the
//! threshold (not enough power is reported before any signature is checked), verified with one
//! `ed25519_batch_verify`, and only if that fails one by one to name the first bad one.
//! Otherwise each is verified as it is reached (secp256k1: high-S refused, then
//! `secp256k1_verify` over sha256 of the sign bytes).

const std = @import("std");
const cw = @import("cw");
const sim_tm = @import("sim_tm");
const pb = @import("pb.zig");
const cometbft = @import("cometbft.zig");

const imports = cw.imports;
const Allocator = std.mem.Allocator;
const Ctx = sim_tm.failure.Ctx;
const Error = sim_tm.failure.Error;
const Height = pb.Height;
const Hash = cometbft.Hash;

/// What tells the two contracts apart.
pub const Config = struct {
    /// Whether secp256k1 validator keys are verified (`tendermint-v2`).
    secp256k1: bool,
};

/// `version.BlockProtocol` of CometBFT v0.38.
pub const block_protocol = 11;
/// `types.MaxChainIDLen`.
pub const max_chain_id_len = 50;
/// `types.MaxSignatureSize`.
const max_signature_size = 64;
/// `types.MaxTotalVotingPower`: beyond it CometBFT panics.
const max_total_voting_power: i128 = std.math.maxInt(i64) / 8;

const ed25519_key_size = 32;
const secp256k1_key_size = 33;

/// The revision of a chain id (ibc-go `ParseChainID`).
pub const revisionFromChainId = sim_tm.store.revisionFromChainId;

// -- validator sets -----------------------------------------------------------------------------

/// A validator set that passed `ValidatorSetFromProto`.
pub const Vals = struct {
    validators: []const pb.Validator,
    proposer: pb.Validator,
    total_power: i64,
    /// `ValidatorSet.Hash`.
    hash: Hash,

    /// The index of the validator with `address`, or null.
    fn indexOf(vals: *const Vals, address: []const u8) ?usize {
        for (vals.validators, 0..) |v, i| if (std.mem.eql(u8, v.address, address)) return i;
        return null;
    }

    /// `AllKeysHaveSameType`.
    fn oneKeyType(vals: *const Vals) bool {
        for (vals.validators) |v| if (v.pub_key.kind != vals.validators[0].pub_key.kind) return false;
        return true;
    }
};

/// `PubKeyFromProto`: a key of a known type and of its type's size.
fn checkKey(ctx: *Ctx, key: pb.PublicKey, comptime reason: []const u8) Error!void {
    const size: usize = switch (key.kind) {
        .none => return ctx.failText("unsupported public key: a validator key has no known type"),
        .ed25519 => ed25519_key_size,
        .secp256k1 => secp256k1_key_size,
    };
    if (key.bytes.len != size) return ctx.fail(reason ++ ": {s} key of {d} bytes", .{ @tagName(key.kind), key.bytes.len });
}

/// `Validator.ValidateBasic`.
fn validateValidator(ctx: *Ctx, v: *const pb.Validator, comptime reason: []const u8, what: []const u8) Error!void {
    if (v.voting_power < 0) return ctx.fail(reason ++ ": {s} has negative voting power", .{what});
    const expected = cometbft.address(v.pub_key);
    if (!std.mem.eql(u8, v.address, &expected)) return ctx.fail(reason ++ ": {s} address is not derived from its public key", .{what});
}

/// `ValidatorSetFromProto` (with the total voting power it computes and `ValidateBasic`);
/// failures other than an unknown key type carry `reason`. `known` is a set that passed: when
/// `set`'s validators have its validators' keys, addresses and powers (what the per-validator
/// checks and the hash read), their addresses are not derived again and its hash is reused, as
/// both would come out the same (a trusted set is most often the header's set).
pub fn valsFromProto(ctx: *Ctx, set: ?pb.ValidatorSet, comptime reason: []const u8, known: ?*const Vals) Error!Vals {
    const s = set orelse return ctx.failText(reason ++ ": validator set is missing");
    for (s.validators) |v| try checkKey(ctx, v.pub_key, reason);
    const proposer = s.proposer orelse return ctx.failText(reason ++ ": validator set has no proposer");
    try checkKey(ctx, proposer.pub_key, reason);
    var total: i64 = 0;
    for (s.validators) |v| {
        // Summed with clipping at the int64 bounds, as CometBFT's safeAddClip.
        total = std.math.add(i64, total, v.voting_power) catch if (v.voting_power > 0) std.math.maxInt(i64) else std.math.minInt(i64);
        if (total > max_total_voting_power) return ctx.failText(reason ++ ": validator set has more than the maximum total voting power");
    }
    if (s.validators.len == 0) return ctx.failText(reason ++ ": validator set is empty");
    const same_members = if (known) |k| sameMembers(k.validators, s.validators) else false;
    if (!same_members) for (s.validators) |*v| try validateValidator(ctx, v, reason, "validator");
    try validateValidator(ctx, &proposer, reason, "proposer");
    for (s.validators) |v| {
        if (std.mem.eql(u8, v.address, proposer.address)) break;
    } else return ctx.failText(reason ++ ": proposer is not in the validator set");
    return .{
        .validators = s.validators,
        .proposer = proposer,
        .total_power = total,
        .hash = if (same_members) known.?.hash else try cometbft.validatorSetHash(ctx.alloc, s.validators),
    };
}

/// Whether two validator lists agree in every validator's address, key and voting power.
fn sameMembers(a: []const pb.Validator, b: []const pb.Validator) bool {
    if (a.len != b.len) return false;
    for (a, b) |*x, *y| {
        if (!std.mem.eql(u8, x.address, y.address) or x.pub_key.kind != y.pub_key.kind or
            !std.mem.eql(u8, x.pub_key.bytes, y.pub_key.bytes) or x.voting_power != y.voting_power) return false;
    }
    return true;
}

// -- signed headers -----------------------------------------------------------------------------

/// Whether two decoded validator sets are the same (every field of every validator).
fn sameSet(a: *const pb.ValidatorSet, b: *const pb.ValidatorSet) bool {
    if (a.validators.len != b.validators.len or a.total_voting_power != b.total_voting_power) return false;
    if ((a.proposer == null) != (b.proposer == null)) return false;
    if (a.proposer) |p| if (!sameValidator(&p, &b.proposer.?)) return false;
    for (a.validators, b.validators) |*x, *y| if (!sameValidator(x, y)) return false;
    return true;
}

fn sameValidator(a: *const pb.Validator, b: *const pb.Validator) bool {
    return std.mem.eql(u8, a.address, b.address) and a.pub_key.kind == b.pub_key.kind and
        std.mem.eql(u8, a.pub_key.bytes, b.pub_key.bytes) and a.voting_power == b.voting_power and
        a.proposer_priority == b.proposer_priority;
}

/// `ValidateHash`: empty or 32 bytes.
fn validHash(hash: []const u8) bool {
    return hash.len == 0 or hash.len == 32;
}

/// `BlockIDFromProto` (ending with `BlockID.ValidateBasic`); `reason` names the failure.
fn checkBlockId(ctx: *Ctx, id: pb.BlockId, comptime reason: []const u8) Error!void {
    if (!validHash(id.hash)) return ctx.failText(reason ++ ": wrong block id hash");
    if (!validHash(id.part_set_header.hash)) return ctx.failText(reason ++ ": wrong part set header hash");
}

/// CometBFT `HeaderFromProto` and `Header.ValidateBasic`. `HeaderFromProto` converts the last
/// block id (`BlockIDFromProto`, which ends with its `ValidateBasic`) before `ValidateBasic`
/// checks version, chain id and height, so a bad last block id is found first; `ValidateBasic`
/// checks it again after the height, by then always valid.
fn checkHeader(ctx: *Ctx, h: *const pb.Header) Error!void {
    try checkBlockId(ctx, h.last_block_id, "invalid header");
    if (h.version.block != block_protocol) return ctx.fail("invalid header: block protocol is {d}, not {d}", .{ h.version.block, block_protocol });
    if (h.chain_id.len > max_chain_id_len) return ctx.fail("invalid header: chain id of {d} bytes", .{h.chain_id.len});
    if (h.height <= 0) return ctx.fail("invalid header: height {d}", .{h.height});
    const hashes = [_]struct { []const u8, []const u8 }{
        .{ "last commit hash", h.last_commit_hash }, .{ "data hash", h.data_hash }, .{ "evidence hash", h.evidence_hash },
    };
    for (hashes) |entry| if (!validHash(entry[1])) return ctx.fail("invalid header: wrong {s}", .{entry[0]});
    if (h.proposer_address.len != cometbft.address_size) return ctx.fail("invalid header: proposer address of {d} bytes", .{h.proposer_address.len});
    const more = [_]struct { []const u8, []const u8 }{
        .{ "validators hash", h.validators_hash }, .{ "next validators hash", h.next_validators_hash },
        .{ "consensus hash", h.consensus_hash },   .{ "last results hash", h.last_results_hash },
    };
    for (more) |entry| if (!validHash(entry[1])) return ctx.fail("invalid header: wrong {s}", .{entry[0]});
}

/// CometBFT `CommitFromProto` and `Commit.ValidateBasic`, in their order: the block id
/// (`BlockIDFromProto`), each signature (`CommitSig.FromProto` ends with its `ValidateBasic`),
/// then the commit's own rules (whose signature checks, at height ≥ 1, can no longer fail).
fn checkCommit(ctx: *Ctx, c: *const pb.Commit) Error!void {
    try checkBlockId(ctx, c.block_id, "invalid commit");
    for (c.signatures, 0..) |sig, i| switch (sig.block_id_flag) {
        pb.flag_absent => {
            if (sig.validator_address.len != 0) return ctx.fail("invalid commit: signature #{d}: validator address is present", .{i});
            if (!sig.timestamp.eql(pb.go_zero_time)) return ctx.fail("invalid commit: signature #{d}: time is present", .{i});
            if (sig.signature.len != 0) return ctx.fail("invalid commit: signature #{d}: signature is present", .{i});
        },
        pb.flag_commit, pb.flag_nil => {
            if (sig.validator_address.len != cometbft.address_size) return ctx.fail("invalid commit: signature #{d}: validator address of {d} bytes", .{ i, sig.validator_address.len });
            if (sig.signature.len == 0) return ctx.fail("invalid commit: signature #{d}: signature is missing", .{i});
            if (sig.signature.len > max_signature_size) return ctx.fail("invalid commit: signature #{d}: signature is too big", .{i});
        },
        else => return ctx.fail("invalid commit: signature #{d}: unknown block id flag {d}", .{ i, sig.block_id_flag }),
    };
    if (c.height < 0) return ctx.failText("invalid commit: negative height");
    if (c.round < 0) return ctx.failText("invalid commit: negative round");
    if (c.height == 0) return;
    if (c.block_id.isZero()) return ctx.failText("invalid commit: commit cannot be for nil block");
    if (c.signatures.len == 0) return ctx.failText("invalid commit: no signatures in commit");
}

/// A header message that passed ibc-go's `Header.ValidateBasic`.
pub const Checked = struct {
    message: *const pb.TmHeader,
    header: *const pb.Header,
    commit: *const pb.Commit,
    vals: Vals,
    /// `GetHeight`: the revision of the header's chain id and its height.
    height: Height,
    /// `header.Hash()` (null: a field too malformed to hash), kept for the second
    /// `checkSignedHeader` of `verifyHeader`.
    hash: ?Hash,
};

/// ibc-go `Header.ConsensusState`: the header's time, app hash and next validators hash.
pub fn headerConsensusState(header: *const pb.Header) pb.ConsensusState {
    return .{ .timestamp = header.time, .root = header.app_hash, .next_validators_hash = header.next_validators_hash };
}

/// The height of a header message as ibc-go's `GetHeight` reads it (no validation).
pub fn heightOf(h: *const pb.Header) Height {
    return .{ .revision_number = revisionFromChainId(h.chain_id), .revision_height = @bitCast(h.height) };
}

/// `SignedHeader.ValidateBasic(chain_id)` of a header and commit already converted.
/// `hash` is `h`'s hash (`cometbft.headerHash`).
fn checkSignedHeader(ctx: *Ctx, h: *const pb.Header, hash: *const ?Hash, c: *const pb.Commit, chain_id: []const u8) Error!void {
    if (!std.mem.eql(u8, h.chain_id, chain_id)) return ctx.fail("invalid header: header belongs to another chain {s}, not {s}", .{ h.chain_id, chain_id });
    if (c.height != h.height) return ctx.fail("invalid commit: header and commit height mismatch: {d} vs {d}", .{ h.height, c.height });
    const header_hash: []const u8 = if (hash.*) |*bytes| bytes else "";
    if (!std.mem.eql(u8, header_hash, c.block_id.hash)) return ctx.failText("invalid commit: the commit signs another block");
}

/// ibc-go `Header.ValidateBasic`.
pub fn validateHeader(ctx: *Ctx, m: *const pb.TmHeader) Error!Checked {
    const sh = if (m.signed_header) |*sh| sh else return ctx.failText("invalid header: tendermint signed header cannot be nil");
    const header = if (sh.header) |*h| h else return ctx.failText("invalid header: tendermint header cannot be nil");
    try checkHeader(ctx, header);
    const commit = if (sh.commit) |*c| c else return ctx.failText("invalid commit: missing commit");
    try checkCommit(ctx, commit);
    const hash = try cometbft.headerHash(ctx.alloc, header);
    try checkSignedHeader(ctx, header, &hash, commit, header.chain_id);
    const height = heightOf(header);
    if (m.trusted_height.order(height) != .lt) return ctx.failText("invalid header: trusted height must be below the header height");
    const vals = try valsFromProto(ctx, m.validator_set, "invalid header", null);
    if (!std.mem.eql(u8, header.validators_hash, &vals.hash)) return ctx.failText("invalid header: validator set does not match hash");
    return .{ .message = m, .header = header, .commit = commit, .vals = vals, .height = height, .hash = hash };
}

// -- commit verification ------------------------------------------------------------------------

/// `VerifyCommitLight`: more than 2/3 of `vals` (looked up by index) signed `block_id` at
/// `height`.
fn verifyCommitLight(ctx: *Ctx, config: Config, vals: *const Vals, chain_id: []const u8, block_id: pb.BlockId, height: i64, commit: *const pb.Commit) Error!void {
    if (vals.validators.len != commit.signatures.len) {
        return ctx.fail("invalid commit: {d} validators but {d} signatures", .{ vals.validators.len, commit.signatures.len });
    }
    if (height != commit.height) return ctx.fail("invalid commit: commit height {d}, expected {d}", .{ commit.height, height });
    if (!sameBlockId(block_id, commit.block_id)) return ctx.failText("invalid commit: wrong block id");
    const needed = @divTrunc(@as(i128, vals.total_power) * 2, 3);
    try tally(ctx, config, vals, chain_id, commit, needed, true);
}

fn sameBlockId(a: pb.BlockId, b: pb.BlockId) bool {
    return std.mem.eql(u8, a.hash, b.hash) and a.part_set_header.total == b.part_set_header.total and
        std.mem.eql(u8, a.part_set_header.hash, b.part_set_header.hash);
}

/// `VerifyCommitLightTrusting`: at least `level` of `vals` (looked up by address) signed.
/// The power needed is `total * numerator / denominator` in Go's int64 arithmetic (`safeMul`,
/// then a truncating division).
fn verifyCommitLightTrusting(ctx: *Ctx, config: Config, vals: *const Vals, chain_id: []const u8, commit: *const pb.Commit, level: pb.Fraction) Error!void {
    if (level.denominator == 0) return ctx.failText("invalid client state: trust level has zero denominator");
    const numerator: i64 = @bitCast(level.numerator);
    const denominator: i64 = @bitCast(level.denominator);
    const product = safeMul(vals.total_power, numerator) orelse
        return ctx.failText("invalid client state: int64 overflow while calculating voting power needed");
    const needed: i64 = @truncate(@divTrunc(@as(i128, product), denominator));
    try tally(ctx, config, vals, chain_id, commit, needed, false);
}

/// CometBFT `safeMul` over int64: null on overflow (its check, including the wrap of
/// `-MinInt64`).
fn safeMul(a: i64, b: i64) ?i64 {
    if (a == 0 or b == 0) return 0;
    const abs_a: i64 = if (a < 0) 0 -% a else a;
    const abs_b: i64 = if (b < 0) 0 -% b else b;
    if (abs_b != 0 and abs_a > @divTrunc(std.math.maxInt(i64), abs_b)) return null;
    return a *% b;
}

/// A signature gathered for a batch: its index in the commit, key, signature and sign bytes.
const Pending = struct { index: usize, key: []const u8, signature: []const u8, message: []const u8 };

/// The host's batch limit.
const max_batch = 256;

/// `verifyCommitBatch` / `verifyCommitSingle`: count the commit's signatures for the block, in
/// commit order, until their power exceeds `needed`.
fn tally(ctx: *Ctx, config: Config, vals: *const Vals, chain_id: []const u8, commit: *const pb.Commit, needed: i128, by_index: bool) Error!void {
    const alloc = ctx.alloc;
    const batch = commit.signatures.len >= 2 and vals.proposer.pub_key.kind == .ed25519 and vals.oneKeyType();
    var pending = try std.ArrayList(Pending).initCapacity(alloc, if (batch) commit.signatures.len else 0);
    const seen = try alloc.alloc(bool, vals.validators.len);
    @memset(seen, false);
    var tallied: i128 = 0;
    for (commit.signatures, 0..) |sig, idx| {
        if (sig.block_id_flag != pb.flag_commit) continue;
        const at = if (by_index) idx else vals.indexOf(sig.validator_address) orelse continue;
        if (!by_index) {
            if (seen[at]) return ctx.fail("invalid commit: double vote from validator #{d}", .{at});
            seen[at] = true;
        }
        const v = vals.validators[at];
        const message = try cometbft.commitSignBytes(alloc, chain_id, commit, idx);
        if (batch) {
            if (sig.signature.len != 64) return ctx.fail("invalid signature: signature #{d} is not 64 bytes", .{idx});
            pending.appendAssumeCapacity(.{ .index = idx, .key = v.pub_key.bytes, .signature = sig.signature, .message = message });
        } else if (!try verifyOne(ctx, config, v.pub_key, message, sig.signature)) {
            return ctx.fail("invalid signature: wrong signature (#{d})", .{idx});
        }
        tallied += v.voting_power;
        if (tallied > needed) break;
    }
    if (tallied <= needed) return ctx.fail("not enough voting power signed: got {d}, needed more than {d}", .{ tallied, needed });
    if (batch) {
        if (try firstInvalidEd25519(alloc, pending.items)) |idx| return ctx.fail("invalid signature: wrong signature (#{d})", .{idx});
    }
}

/// `PubKey.VerifySignature` through the host; a key this contract cannot verify is refused.
fn verifyOne(ctx: *Ctx, config: Config, key: pb.PublicKey, message: []const u8, signature: []const u8) Error!bool {
    if (key.kind == .secp256k1 and !config.secp256k1) return ctx.failText("unsupported public key: this contract verifies ed25519 keys only");
    if (signature.len != 64) return false;
    switch (key.kind) {
        .ed25519 => return imports.ed25519Verify(message, signature, key.bytes) == imports.crypto_valid,
        .secp256k1 => {
            if (std.mem.order(u8, signature[32..64], &secp256k1_half_order) == .gt) return false;
            const digest = cometbft.sha256(message);
            return imports.secp256k1Verify(&digest, signature, key.bytes) == imports.crypto_valid;
        },
        .none => return false,
    }
}

/// secp256k1's group order n, halved: an S above it is refused (CometBFT's low-S rule).
const secp256k1_half_order = [32]u8{
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

/// The commit index of the first invalid signature of the batch, or null if all are valid.
fn firstInvalidEd25519(alloc: Allocator, pending: []const Pending) Allocator.Error!?usize {
    var start: usize = 0;
    while (start < pending.len) {
        const chunk = pending[start..@min(start + max_batch, pending.len)];
        start += chunk.len;
        if (try batchValid(alloc, chunk)) continue;
        for (chunk) |p| {
            if (imports.ed25519Verify(p.message, p.signature, p.key) != imports.crypto_valid) return p.index;
        }
    }
    return null;
}

fn batchValid(alloc: Allocator, chunk: []const Pending) Allocator.Error!bool {
    const messages = try alloc.alloc([]const u8, chunk.len);
    const signatures = try alloc.alloc([]const u8, chunk.len);
    const keys = try alloc.alloc([]const u8, chunk.len);
    for (chunk, messages, signatures, keys) |p, *m, *s, *k| {
        m.* = p.message;
        s.* = p.signature;
        k.* = p.key;
    }
    return try imports.ed25519BatchVerify(alloc, messages, signatures, keys) == imports.crypto_valid;
}

// -- update verification ------------------------------------------------------------------------

/// What the client state contributes to verification.
pub const Client = struct {
    chain_id: []const u8,
    trust_level: pb.Fraction,
    trusting_period_ns: i64,
    max_clock_drift_ns: i64,
};

/// `checkTrustedHeader`: the trusted validators hash to the trusted next validators hash.
/// When the trusted set is the header's own (an update within one validator set), the header's
/// converted set is reused rather than converted and hashed again.
pub fn checkTrustedValidators(ctx: *Ctx, c: *const Checked, trusted: *const pb.ConsensusState) Error!Vals {
    const m = c.message;
    const vals = if (m.trusted_validators != null and sameSet(&m.trusted_validators.?, &m.validator_set.?))
        c.vals
    else
        try valsFromProto(ctx, m.trusted_validators, "invalid validator set", &c.vals);
    if (!std.mem.eql(u8, trusted.next_validators_hash, &vals.hash)) {
        return ctx.failText("invalid validator set: trusted validators do not hash to the trusted next validators hash");
    }
    return vals;
}

fn expired(trusted: *const pb.ConsensusState, trusting_period_ns: i64, now_ns: u64) bool {
    return trusted.timestamp.ns() + trusting_period_ns <= now_ns;
}

/// ibc-go `verifyHeader` from `checkTrustedHeader` on (the caller found the trusted consensus
/// state): the revision, then CometBFT's `light.Verify`.
pub fn verifyHeader(ctx: *Ctx, config: Config, client: Client, c: *const Checked, trusted: *const pb.ConsensusState, now_ns: u64) Error!void {
    const m = c.message;
    const trusted_vals = try checkTrustedValidators(ctx, c, trusted);
    if (c.height.revision_number != m.trusted_height.revision_number) {
        return ctx.failText("invalid header: header revision does not match the trusted revision");
    }
    const trusted_height: i64 = @bitCast(m.trusted_height.revision_height);
    const header = c.header;
    // light.Verify: VerifyAdjacent or VerifyNonAdjacent.
    const adjacent = header.height == trusted_height +% 1;
    if (expired(trusted, client.trusting_period_ns, now_ns)) return ctx.failText("trusting period expired: the trusted consensus state is too old");
    // verifyNewHeaderAndVals
    try checkSignedHeader(ctx, header, &c.hash, c.commit, client.chain_id);
    if (header.height <= trusted_height) return ctx.failText("invalid header: height not above the trusted height");
    if (header.time.ns() <= trusted.timestamp.ns()) return ctx.failText("invalid header: time not after the trusted time");
    if (header.time.ns() >= @as(i128, now_ns) + client.max_clock_drift_ns) return ctx.failText("header from the future: beyond now plus the max clock drift");
    if (!std.mem.eql(u8, header.validators_hash, &c.vals.hash)) return ctx.failText("invalid header: validators do not match the header");
    if (adjacent) {
        if (!std.mem.eql(u8, header.validators_hash, trusted.next_validators_hash)) {
            return ctx.failText("invalid header: adjacent header's validators are not the trusted next validators");
        }
    } else {
        try verifyCommitLightTrusting(ctx, config, &trusted_vals, client.chain_id, c.commit, client.trust_level);
    }
    try verifyCommitLight(ctx, config, &c.vals, client.chain_id, c.commit.block_id, header.height, c.commit);
}

// -- misbehaviour -------------------------------------------------------------------------------

pub const CheckedMisbehaviour = struct { first: Checked, second: Checked };

/// ibc-go `Misbehaviour.ValidateBasic`.
pub fn validateMisbehaviour(ctx: *Ctx, config: Config, m: *const pb.Misbehaviour) Error!CheckedMisbehaviour {
    const parts = try partsOf(ctx, m);
    for (parts, [_][]const u8{ "header 1", "header 2" }) |part, label| {
        if (part.trusted_height.revision_height == 0) return ctx.fail("invalid misbehaviour: {s} cannot have zero trusted revision height", .{label});
    }
    for (parts, [_][]const u8{ "header 1", "header 2" }) |part, label| {
        if (part.trusted_validators == null) return ctx.fail("invalid misbehaviour: trusted validator set in {s} cannot be empty", .{label});
    }
    const header_1 = try headerOf(ctx, parts[0]);
    const header_2 = try headerOf(ctx, parts[1]);
    if (!std.mem.eql(u8, header_1.chain_id, header_2.chain_id)) return ctx.failText("invalid misbehaviour: headers must have identical chain ids");
    const first = validateHeader(ctx, parts[0]) catch |err| return nested(ctx, err, "header 1");
    const second = validateHeader(ctx, parts[1]) catch |err| return nested(ctx, err, "header 2");
    if (first.height.order(second.height) == .lt) return ctx.failText("invalid misbehaviour: header 1 height is below header 2 height");
    for ([_]*const Checked{ &first, &second }, [_][]const u8{ "header 1", "header 2" }) |c, label| {
        verifyCommitLight(ctx, config, &c.vals, c.header.chain_id, c.commit.block_id, c.commit.height, c.commit) catch |err|
            return nested(ctx, err, label);
    }
    return .{ .first = first, .second = second };
}

fn partsOf(ctx: *Ctx, m: *const pb.Misbehaviour) Error![2]*const pb.TmHeader {
    const h1 = if (m.header_1) |*h| h else return ctx.failText("invalid misbehaviour: header 1 cannot be nil");
    const h2 = if (m.header_2) |*h| h else return ctx.failText("invalid misbehaviour: header 2 cannot be nil");
    return .{ h1, h2 };
}

/// The tendermint header of a header message; one without is refused (Go would dereference
/// nil).
pub fn headerOf(ctx: *Ctx, m: *const pb.TmHeader) Error!*const pb.Header {
    const sh = if (m.signed_header) |*sh| sh else return ctx.failText("invalid header: tendermint signed header cannot be nil");
    return if (sh.header) |*h| h else ctx.failText("invalid header: tendermint header cannot be nil");
}

/// Names where a nested check failed, after its reason: `<reason>: <label>: <detail>`.
pub fn nested(ctx: *Ctx, err: Error, label: []const u8) Error {
    if (err != error.Fail) return err;
    const m = ctx.message;
    const parts: []const []const u8 = if (std.mem.indexOf(u8, m, ": ")) |colon|
        &.{ m[0..colon], ": ", label, ": ", m[colon + 2 ..] }
    else
        &.{ m, ": ", label };
    ctx.message = std.mem.concat(ctx.alloc, u8, parts) catch return error.OutOfMemory;
    return err;
}

/// ibc-go `checkMisbehaviourHeader`.
pub fn verifyMisbehaviourHeader(ctx: *Ctx, config: Config, client: Client, c: *const Checked, trusted: *const pb.ConsensusState, now_ns: u64) Error!void {
    const trusted_vals = try checkTrustedValidators(ctx, c, trusted);
    if (expired(trusted, client.trusting_period_ns, now_ns)) return ctx.failText("trusting period expired: the trusted consensus state is too old");
    const chain_id = try withRevision(ctx.alloc, client.chain_id, c.height.revision_number);
    try verifyCommitLightTrusting(ctx, config, &trusted_vals, chain_id, c.commit, client.trust_level);
}

/// `SetRevisionNumber` for a chain id in revision format (`name-N`); any other stays.
fn withRevision(alloc: Allocator, chain_id: []const u8, revision: u64) Allocator.Error![]const u8 {
    if (!isRevisionFormat(chain_id)) return chain_id;
    const dash = std.mem.lastIndexOfScalar(u8, chain_id, '-').?;
    return std.fmt.allocPrint(alloc, "{s}-{d}", .{ chain_id[0..dash], @as(i64, @bitCast(revision)) });
}

/// `IsRevisionFormat`: `^.*[^\n-]-{1}[1-9][0-9]*$` (a revision too big for a u64 included).
fn isRevisionFormat(chain_id: []const u8) bool {
    if (std.mem.indexOfScalar(u8, chain_id, '\n') != null) return false;
    const dash = std.mem.lastIndexOfScalar(u8, chain_id, '-') orelse return false;
    if (dash == 0 or chain_id[dash - 1] == '-') return false;
    const digits = chain_id[dash + 1 ..];
    if (digits.len == 0 or digits[0] == '0') return false;
    for (digits) |ch| if (ch < '0' or ch > '9') return false;
    return true;
}

/// `CheckForMisbehaviour` on a misbehaviour: a fork (one height, two block hashes; an invalid
/// block id is no evidence) or time that does not increase with height.
pub fn isMisbehaviour(ctx: *Ctx, m: *const pb.Misbehaviour) Error!bool {
    const parts = try partsOf(ctx, m);
    const header_1 = try headerOf(ctx, parts[0]);
    const header_2 = try headerOf(ctx, parts[1]);
    if (heightOf(header_1).order(heightOf(header_2)) == .eq) {
        var ids: [2]pb.BlockId = undefined;
        for (parts, &ids) |part, *id| {
            const commit = part.signed_header.?.commit orelse return ctx.failText("invalid commit: missing commit");
            id.* = commit.block_id;
        }
        for (ids) |id| if (!validHash(id.hash) or !validHash(id.part_set_header.hash)) return false;
        return !std.mem.eql(u8, ids[0].hash, ids[1].hash);
    }
    return header_1.time.ns() <= header_2.time.ns();
}

/// `CheckForMisbehaviour` on a header against the stored consensus states: a different one at
/// its height, or a time out of order with its stored neighbours.
pub fn conflictsWithStored(state: *const pb.ConsensusState, existing: ?*const pb.ConsensusState, previous: ?*const pb.ConsensusState, following: ?*const pb.ConsensusState) bool {
    if (existing) |e| {
        return !e.timestamp.eql(state.timestamp) or !std.mem.eql(u8, e.root, state.root) or
            !std.mem.eql(u8, e.next_validators_hash, state.next_validators_hash);
    }
    if (previous) |p| if (p.timestamp.ns() >= state.timestamp.ns()) return true;
    if (following) |f| if (f.timestamp.ns() <= state.timestamp.ns()) return true;
    return false;
}

// -- tests --------------------------------------------------------------------------------------

const testing = std.testing;

test "revision format and SetRevisionNumber" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    try testing.expectEqualStrings("chain-7", try withRevision(alloc, "chain-1", 7));
    try testing.expectEqualStrings("a-b-0", try withRevision(alloc, "a-b-3", 0));
    try testing.expectEqualStrings("chain", try withRevision(alloc, "chain", 7));
    try testing.expectEqualStrings("chain-01", try withRevision(alloc, "chain-01", 7));
    try testing.expectEqualStrings("x-9", try withRevision(alloc, "x-99999999999999999999", 9));
}

test "nested failures keep their reason first" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .alloc = arena.allocator() };
    try testing.expectEqual(error.Fail, nested(&ctx, ctx.failText("invalid commit: no signatures"), "header 1"));
    try testing.expectEqualStrings("invalid commit: header 1: no signatures", ctx.message);
    try testing.expectEqual(error.Fail, nested(&ctx, ctx.failText("trusting period expired"), "header 2"));
    try testing.expectEqualStrings("trusting period expired: header 2", ctx.message);
}

test "misbehaviour predicates" {
    const at = struct {
        fn header(height: i64, seconds: i64) pb.Header {
            return .{ .chain_id = "c-1", .height = height, .time = .{ .seconds = seconds, .nanos = 0 } };
        }
        fn message(h: pb.Header, hash: []const u8) pb.TmHeader {
            return .{ .signed_header = .{ .header = h, .commit = .{ .block_id = .{ .hash = hash } } } };
        }
    };
    const a = [_]u8{1} ** 32;
    const b = [_]u8{2} ** 32;
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .alloc = arena.allocator() };
    const fork = pb.Misbehaviour{ .header_1 = at.message(at.header(5, 10), &a), .header_2 = at.message(at.header(5, 10), &b) };
    try testing.expect(try isMisbehaviour(&ctx, &fork));
    const same = pb.Misbehaviour{ .header_1 = at.message(at.header(5, 10), &a), .header_2 = at.message(at.header(5, 11), &a) };
    try testing.expect(!try isMisbehaviour(&ctx, &same));
    const time_travel = pb.Misbehaviour{ .header_1 = at.message(at.header(6, 10), &a), .header_2 = at.message(at.header(5, 10), &b) };
    try testing.expect(try isMisbehaviour(&ctx, &time_travel));
    const fine = pb.Misbehaviour{ .header_1 = at.message(at.header(6, 11), &a), .header_2 = at.message(at.header(5, 10), &b) };
    try testing.expect(!try isMisbehaviour(&ctx, &fine));
    try testing.expectError(error.Fail, isMisbehaviour(&ctx, &.{ .header_1 = fine.header_1 }));
    try testing.expectEqualStrings("invalid misbehaviour: header 2 cannot be nil", ctx.message);
    const s = pb.ConsensusState{ .timestamp = .{ .seconds = 10, .nanos = 0 }, .root = "r" };
    const earlier = pb.ConsensusState{ .timestamp = .{ .seconds = 9, .nanos = 0 }, .root = "r" };
    try testing.expect(!conflictsWithStored(&s, &s, null, null));
    try testing.expect(conflictsWithStored(&s, &earlier, null, null));
    try testing.expect(!conflictsWithStored(&s, null, &earlier, null));
    try testing.expect(conflictsWithStored(&s, null, &s, null));
    try testing.expect(conflictsWithStored(&s, null, null, &earlier));
}
