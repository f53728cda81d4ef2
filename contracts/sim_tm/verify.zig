//! The light-client rules of `relayer_sim/lightclient/verify.py`: `verify_header` with its
//! checks in exactly the reference's order and its `Rejection` texts, the signature tally, and
//! the misbehaviour predicates.
//!
//! Signatures are checked only through the host's crypto imports (8–12× faster and far cheaper
//! in gas than in-contract code). The ed25519 tally gathers the signatures the reference would
//! check — in tally order, until the power counted so far would exceed the threshold — and
//! verifies them in one batch; only when the batch fails are they re-checked one by one to name
//! the first invalid one. The outcome (accepted, which validator is bad, how much power was
//! tallied) is exactly the reference's, at a fraction of the cost.

const std = @import("std");
const cw = @import("cw");
const failure = @import("failure.zig");
const formats = @import("formats.zig");

const Allocator = std.mem.Allocator;
const imports = cw.imports;
const Ctx = failure.Ctx;
const Error = failure.Error;
const Hash = formats.Hash;
const ClientState = formats.ClientState;
const ConsensusState = formats.ConsensusState;
const HeaderMessage = formats.HeaderMessage;
const ValidatorSet = formats.ValidatorSet;
const Header = formats.Header;

/// Flaws a contract builds in on purpose, as a test fixture for an attack to exploit. A
/// contract's main.zig declares them as `pub const sim_tm_flaws: sim_tm.Flaws = .{…}` (the way
/// `std_options` configures std); without that declaration it has none.
pub const Flaws = struct {
    /// Accept whatever trusted validator set a header message supplies instead of requiring
    /// the trusted state's next validators (`sim-tendermint-v1-flawed`).
    skips_trusted_validators_check: bool = false,
};

const root = @import("root");
const flaws: Flaws = if (@hasDecl(root, "sim_tm_flaws")) root.sim_tm_flaws else .{};

pub const Rejection = enum {
    frozen,
    unsupported_version,
    wrong_chain,
    wrong_revision,
    not_above_trusted,
    commit_mismatch,
    validators_mismatch,
    trusted_validators_mismatch,
    scheme_mismatch,
    expired,
    future,
    time_not_after_trusted,
    adjacent_validators,
    signature_count,
    bad_signature,
    insufficient_trust,
    insufficient_power,

    pub fn text(r: Rejection) []const u8 {
        return switch (r) {
            .frozen => "client is frozen",
            .unsupported_version => "unsupported header version",
            .wrong_chain => "wrong chain id",
            .wrong_revision => "wrong revision",
            .not_above_trusted => "header height not above the trusted height",
            .commit_mismatch => "commit is not for this header",
            .validators_mismatch => "validator set does not match the header",
            .trusted_validators_mismatch => "trusted validator set does not match the trusted state",
            .scheme_mismatch => "validator set scheme does not match the header version",
            .expired => "trusted state is outside the trusting period",
            .future => "header time is beyond the max clock drift",
            .time_not_after_trusted => "header time is not after the trusted state's time",
            .adjacent_validators => "adjacent header's validators are not the trusted next validators",
            .signature_count => "commit signature count differs from the validator set size",
            .bad_signature => "invalid signature",
            .insufficient_trust => "not enough trusted voting power signed",
            .insufficient_power => "not enough voting power signed",
        };
    }
};

fn reject(ctx: *Ctx, r: Rejection) Error {
    return ctx.failText(r.text());
}

fn rejectDetail(ctx: *Ctx, r: Rejection, comptime fmt: []const u8, args: anytype) Error {
    return ctx.fail("{s}: " ++ fmt, .{r.text()} ++ args);
}

/// The consensus state a header message builds on, and its revision height.
pub const Trusted = struct {
    state: *const ConsensusState,
    height: u64,
};

/// A share of voting power: tallied power must be strictly above floor(total * num / den).
pub const Level = struct { numerator: u64, denominator: u64 };

/// The new validator set must sign with more than 2/3 (`COMMIT_QUORUM`).
pub const commit_quorum = Level{ .numerator = 2, .denominator = 3 };

/// `_exceeds`: power > floor(total * num / den), i.e. total * num < power * den, computed
/// exactly (no division, no overflow); a zero denominator is never exceeded.
pub fn exceeds(power: u128, total: u128, level: Level) bool {
    if (level.denominator == 0) return false;
    const lhs = std.math.mulWide(u128, total, level.numerator);
    const rhs = std.math.mulWide(u128, power, level.denominator);
    return lhs < rhs;
}

/// `verify_header`: refuse (with the reference's `Rejection`) unless `m` may update `client`.
pub fn verifyHeader(
    ctx: *Ctx,
    client: *const ClientState,
    trusted: Trusted,
    m: *const HeaderMessage,
    now_ns: u64,
    header_versions: []const u64,
) Error!void {
    const alloc = ctx.alloc;
    const header = &m.header;
    if (client.frozen()) return reject(ctx, .frozen);
    if (std.mem.indexOfScalar(u64, header_versions, header.version.number) == null) {
        return rejectDetail(ctx, .unsupported_version, "{d}", .{header.version.number});
    }
    if (!std.mem.eql(u8, header.chain_id, client.chain_id)) {
        return rejectDetail(ctx, .wrong_chain, "{s}", .{header.chain_id});
    }
    if (header.revision != client.latest_height.revision_number or
        m.trusted_height.revision_number != header.revision)
    {
        return rejectDetail(ctx, .wrong_revision, "{d}", .{header.revision});
    }
    if (header.height <= trusted.height) {
        return rejectDetail(ctx, .not_above_trusted, "{d}", .{header.height});
    }
    const block_hash = try formats.headerHash(alloc, header);
    if (m.commit.height != header.height or !std.mem.eql(u8, m.commit.block_hash, &block_hash)) {
        return reject(ctx, .commit_mismatch);
    }
    const set_bytes = try formats.encodeValidatorSet(alloc, &m.validator_set);
    const set_hash = formats.sha256(set_bytes);
    if (!std.mem.eql(u8, &set_hash, header.validators_hash)) return reject(ctx, .validators_mismatch);
    if (!std.mem.eql(u8, m.validator_set.scheme, header.version.scheme.name())) {
        return rejectDetail(ctx, .scheme_mismatch, "{s}", .{m.validator_set.scheme});
    }
    if (!flaws.skips_trusted_validators_check) {
        // An adjacent update usually carries the same set twice: hash it once.
        const trusted_bytes = try formats.encodeValidatorSet(alloc, &m.trusted_validators);
        const trusted_hash = if (std.mem.eql(u8, trusted_bytes, set_bytes)) set_hash else formats.sha256(trusted_bytes);
        if (!std.mem.eql(u8, &trusted_hash, &trusted.state.next_validators_hash)) {
            return reject(ctx, .trusted_validators_mismatch);
        }
    }
    // Times are compared exactly (u128), as Python's integers do.
    if (@as(u128, trusted.state.timestamp_ns) + client.trusting_period_ns <= now_ns) {
        return reject(ctx, .expired);
    }
    if (header.time_ns >= @as(u128, now_ns) + client.max_clock_drift_ns) return reject(ctx, .future);
    if (header.time_ns <= trusted.state.timestamp_ns) return reject(ctx, .time_not_after_trusted);
    if (m.commit.signatures.len != m.validator_set.validators.len) return reject(ctx, .signature_count);
    const vote = try formats.voteBytes(alloc, header, &block_hash);
    if (header.height == trusted.height + 1) {
        if (!std.mem.eql(u8, header.validators_hash, &trusted.state.next_validators_hash)) {
            return reject(ctx, .adjacent_validators);
        }
    } else {
        const level = Level{
            .numerator = client.trust_level.numerator,
            .denominator = client.trust_level.denominator,
        };
        try tally(ctx, m, vote, &m.trusted_validators, false, level, .insufficient_trust);
    }
    try tally(ctx, m, vote, &m.validator_set, true, commit_quorum, .insufficient_power);
}

/// A signature the reference would verify: its position in the header's validator set.
const Candidate = struct { position: usize, public_key: []const u8, signature: []const u8 };

/// The host reads at most this much of an ed25519 message (a longer one would trap).
const max_ed25519_message = 128 * 1024;
/// The host's batch limit.
const max_batch = 256;

/// `_tally`: count `counted`'s members, in set order, until their power exceeds `level`.
/// `counted_is_signers`: `counted` is the header's own set (positions are indices; no lookup).
fn tally(
    ctx: *Ctx,
    m: *const HeaderMessage,
    vote: []const u8,
    counted: *const ValidatorSet,
    counted_is_signers: bool,
    level: Level,
    rejection: Rejection,
) Error!void {
    const signers = &m.validator_set;
    const scheme = m.header.version.scheme;
    const signatures = m.commit.signatures;
    const total = counted.total_power;
    var tallied: u128 = 0;
    var candidates = try std.ArrayList(Candidate).initCapacity(ctx.alloc, counted.validators.len);
    // A signature that cannot be valid (a wrong length): the tally stops there.
    var malformed: ?usize = null;
    var reached = false;
    for (counted.validators, 0..) |v, i| {
        const position = if (counted_is_signers) i else signers.indexOf(v.public_key) orelse continue;
        const signature = signatures[position] orelse continue;
        if (!plausible(scheme, v.public_key, signature)) {
            malformed = position;
            break;
        }
        candidates.appendAssumeCapacity(.{ .position = position, .public_key = v.public_key, .signature = signature });
        tallied += v.power;
        if (exceeds(tallied, total, level)) {
            reached = true;
            break;
        }
    }
    const invalid = switch (scheme) {
        .ed25519 => try firstInvalidEd25519(ctx, vote, candidates.items),
        .secp256k1 => firstInvalidSecp256k1(vote, candidates.items),
    };
    if (invalid orelse malformed) |position| {
        return rejectDetail(ctx, .bad_signature, "validator #{d}", .{position});
    }
    if (!reached) return rejectDetail(ctx, rejection, "{d} of {d}", .{ tallied, total });
}

/// Whether the host could possibly accept this signature: a cheap local check that also keeps
/// oversized inputs away from the imports (the host traps on a region beyond its limits). High-S
/// secp256k1 signatures are left to the host, which accepts them, as the reference does.
fn plausible(scheme: formats.Scheme, public_key: []const u8, signature: []const u8) bool {
    return switch (scheme) {
        .ed25519 => public_key.len == 32 and signature.len == 64,
        .secp256k1 => (public_key.len == 33 or public_key.len == 65) and signature.len == 64,
    };
}

/// The position of the first invalid candidate, or null if all are valid.
fn firstInvalidEd25519(ctx: *Ctx, vote: []const u8, candidates: []const Candidate) Error!?usize {
    if (candidates.len == 0) return null;
    if (vote.len > max_ed25519_message) return candidates[0].position;
    var start: usize = 0;
    while (start < candidates.len) {
        const chunk = candidates[start..@min(start + max_batch, candidates.len)];
        start += chunk.len;
        // One signature: a plain verification is cheaper than a batch of one.
        if (chunk.len > 1 and try batchValid(ctx.alloc, vote, chunk)) continue;
        for (chunk) |c| {
            if (imports.ed25519Verify(vote, c.signature, c.public_key) != imports.crypto_valid) return c.position;
        }
    }
    return null;
}

fn batchValid(alloc: Allocator, vote: []const u8, chunk: []const Candidate) Allocator.Error!bool {
    const messages = [_][]const u8{vote};
    const signatures = try alloc.alloc([]const u8, chunk.len);
    const keys = try alloc.alloc([]const u8, chunk.len);
    for (chunk, signatures, keys) |c, *s, *k| {
        s.* = c.signature;
        k.* = c.public_key;
    }
    return try imports.ed25519BatchVerify(alloc, &messages, signatures, keys) == imports.crypto_valid;
}

/// secp256k1 signs sha256(vote bytes); verified one by one, in order.
fn firstInvalidSecp256k1(vote: []const u8, candidates: []const Candidate) ?usize {
    if (candidates.len == 0) return null;
    const digest = formats.sha256(vote);
    for (candidates) |c| {
        if (imports.secp256k1Verify(&digest, c.signature, c.public_key) != imports.crypto_valid) return c.position;
    }
    return null;
}

// -- misbehaviour -----------------------------------------------------------------------------

/// `is_fork`: one height with two blocks, or a later header that is not later in time.
pub fn isFork(alloc: Allocator, first: *const Header, second: *const Header) Allocator.Error!bool {
    const a = first.ibcHeight();
    const b = second.ibcHeight();
    switch (a.order(b)) {
        .eq => {
            const ha = try formats.headerHash(alloc, first);
            const hb = try formats.headerHash(alloc, second);
            return !std.mem.eql(u8, &ha, &hb);
        },
        .gt => return first.time_ns <= second.time_ns,
        .lt => return second.time_ns <= first.time_ns,
    }
}

/// `conflicts_with_stored`: a different consensus state at the header's height, or a time out
/// of order with the nearest stored neighbours.
pub fn conflictsWithStored(
    header_state: *const ConsensusState,
    existing: ?*const ConsensusState,
    previous: ?*const ConsensusState,
    following: ?*const ConsensusState,
) bool {
    if (existing) |e| {
        return e.timestamp_ns != header_state.timestamp_ns or
            !std.mem.eql(u8, &e.root, &header_state.root) or
            !std.mem.eql(u8, &e.next_validators_hash, &header_state.next_validators_hash);
    }
    if (previous) |p| {
        if (header_state.timestamp_ns <= p.timestamp_ns) return true;
    }
    if (following) |f| return header_state.timestamp_ns >= f.timestamp_ns;
    return false;
}

const testing = std.testing;

test "exceeds is floor(total * num / den) < power, exactly" {
    try testing.expect(!exceeds(66, 100, commit_quorum));
    try testing.expect(exceeds(67, 100, commit_quorum));
    try testing.expect(!exceeds(2, 3, commit_quorum));
    try testing.expect(exceeds(3, 3, commit_quorum));
    try testing.expect(!exceeds(33, 100, .{ .numerator = 1, .denominator = 3 }));
    try testing.expect(exceeds(34, 100, .{ .numerator = 1, .denominator = 3 }));
    try testing.expect(!exceeds(1, 1, .{ .numerator = 1, .denominator = 0 }));
    const big: u128 = 150 * @as(u128, std.math.maxInt(u64));
    try testing.expect(!exceeds(big * 2 / 3, big, commit_quorum));
    try testing.expect(exceeds(big * 2 / 3 + 1, big, commit_quorum));
    try testing.expect(exceeds(big, big, .{ .numerator = std.math.maxInt(u64) - 1, .denominator = std.math.maxInt(u64) }));
}
