//! The protobuf messages a 07-tendermint client reads (contracts/tendermint.md, Encodings):
//! ibc-go's ClientState, ConsensusState, Header and Misbehaviour, CometBFT's signed header,
//! commit and validator set, ICS-23 proofs and ibc-go's MerkleProof; and the deterministic
//! re-encoding of ClientState and ConsensusState, as Go's gogoproto writes them (fields in number
//! order, proto3 defaults omitted, non-nullable embedded messages always written).
//!
//! Decoding is protobuf's (any field order, unknown fields skipped) with one stricter rule: a
//! non-repeated field (or a second member of one `oneof`) that occurs twice is malformed
//! (`cw.proto.Seen`), and so is a string that is not UTF-8. A `Timestamp` or
//! `Duration` that Go's `StdTime` / `StdDuration` cannot hold is malformed. An absent
//! non-nullable `Timestamp` is Go's zero time (0001-01-01), as gogoproto leaves `time.Time{}`.
//! Decoded slices point into the input.

const std = @import("std");
const cw = @import("cw");

const proto = cw.proto;
const Allocator = std.mem.Allocator;
const Decoder = proto.Decoder;
const Encoder = proto.Encoder;
const Field = proto.Field;
const Seen = proto.Seen;

pub const Error = proto.StrictError || Allocator.Error || error{ OutOfRange, WrongTypeUrl, InvalidUtf8 };

pub const client_state_type_url = "/ibc.lightclients.tendermint.v1.ClientState";
pub const consensus_state_type_url = "/ibc.lightclients.tendermint.v1.ConsensusState";
pub const header_type_url = "/ibc.lightclients.tendermint.v1.Header";
pub const misbehaviour_type_url = "/ibc.lightclients.tendermint.v1.Misbehaviour";

// -- scalars ----------------------------------------------------------------------------------

fn bytesOf(seen: *Seen, f: Field) Error![]const u8 {
    try seen.once(f.number);
    return f.expectLen();
}

/// A string field: bytes that must be UTF-8.
fn stringOf(seen: *Seen, f: Field) Error![]const u8 {
    return utf8(try bytesOf(seen, f));
}

fn utf8(bytes: []const u8) Error![]const u8 {
    if (!std.unicode.utf8ValidateSlice(bytes)) return error.InvalidUtf8;
    return bytes;
}

/// A member of a `oneof`: a second member of the same oneof is malformed too, so all members
/// count as the oneof's first field number.
fn oneofOf(seen: *Seen, f: Field, first: u32) Error![]const u8 {
    try seen.once(first);
    return f.expectLen();
}

fn u64Of(seen: *Seen, f: Field) Error!u64 {
    try seen.once(f.number);
    return f.expectVarint();
}

fn i64Of(seen: *Seen, f: Field) Error!i64 {
    return proto.asInt64(try u64Of(seen, f));
}

fn i32Of(seen: *Seen, f: Field) Error!i32 {
    return proto.asInt32(try u64Of(seen, f));
}

fn boolOf(seen: *Seen, f: Field) Error!bool {
    return try u64Of(seen, f) != 0;
}

/// An embedded message field: its bytes, once.
const messageOf = bytesOf;

// -- google.protobuf.Timestamp and Duration ----------------------------------------------------

pub const nanos_per_second = 1_000_000_000;

/// A point in time as Go's `time.Time` holds it from a `Timestamp`.
pub const Time = struct {
    seconds: i64,
    nanos: i32,

    /// Nanoseconds since the Unix epoch (negative before 1970).
    pub fn ns(t: Time) i128 {
        return @as(i128, t.seconds) * nanos_per_second + t.nanos;
    }

    pub fn eql(a: Time, b: Time) bool {
        return a.seconds == b.seconds and a.nanos == b.nanos;
    }
};

/// Go's zero `time.Time`: 0001-01-01T00:00:00Z.
pub const go_zero_time = Time{ .seconds = -62135596800, .nanos = 0 };
/// The first second Go's `StdTime` cannot hold: 10000-01-01T00:00:00Z.
const time_end_seconds = 253402300800;

pub fn decodeTime(data: []const u8) Error!Time {
    var t = Time{ .seconds = 0, .nanos = 0 };
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => t.seconds = try i64Of(&seen, f),
        2 => t.nanos = try i32Of(&seen, f),
        else => {},
    };
    if (t.seconds < go_zero_time.seconds or t.seconds >= time_end_seconds) return error.OutOfRange;
    if (t.nanos < 0 or t.nanos >= nanos_per_second) return error.OutOfRange;
    return t;
}

pub fn encodeTime(e: *Encoder, t: Time) Allocator.Error!void {
    try e.int64Field(1, t.seconds);
    try e.int32Field(2, t.nanos);
}

/// A `Duration` as Go's `time.Duration` (int64 nanoseconds), checked as `StdDuration` does.
pub fn decodeDuration(data: []const u8) Error!i64 {
    var seconds: i64 = 0;
    var nanos: i32 = 0;
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => seconds = try i64Of(&seen, f),
        2 => nanos = try i32Of(&seen, f),
        else => {},
    };
    const max_seconds = 315_576_000_000;
    if (seconds < -max_seconds or seconds > max_seconds) return error.OutOfRange;
    if (nanos <= -nanos_per_second or nanos >= nanos_per_second) return error.OutOfRange;
    if ((seconds < 0 and nanos > 0) or (seconds > 0 and nanos < 0)) return error.OutOfRange;
    const total = @as(i128, seconds) * nanos_per_second + nanos;
    return std.math.cast(i64, total) orelse error.OutOfRange;
}

pub fn encodeDuration(e: *Encoder, length_ns: i64) Allocator.Error!void {
    try e.int64Field(1, @divTrunc(length_ns, nanos_per_second));
    try e.int32Field(2, @intCast(@rem(length_ns, nanos_per_second)));
}

// -- ibc.core.client.v1.Height -----------------------------------------------------------------

/// The same `Height` as sim-tendermint's, so that the two share the store layout code.
pub const Height = @import("sim_tm").formats.Height;

pub fn decodeHeight(data: []const u8) Error!Height {
    var h = Height{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => h.revision_number = try u64Of(&seen, f),
        2 => h.revision_height = try u64Of(&seen, f),
        else => {},
    };
    return h;
}

fn encodeHeightField(e: *Encoder, alloc: Allocator, field: u32, h: Height) Allocator.Error!void {
    var inner = Encoder.init(alloc);
    try inner.uint64Field(1, h.revision_number);
    try inner.uint64Field(2, h.revision_height);
    try e.lenField(field, inner.out.items);
}

// -- google.protobuf.Any -----------------------------------------------------------------------

/// The value of an `Any` whose type URL must be `type_url`.
pub fn unpackAny(data: []const u8, type_url: []const u8) Error![]const u8 {
    var url: []const u8 = "";
    var value: []const u8 = "";
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => url = try stringOf(&seen, f),
        2 => value = try bytesOf(&seen, f),
        else => {},
    };
    if (!std.mem.eql(u8, url, type_url)) return error.WrongTypeUrl;
    return value;
}

pub fn packAny(alloc: Allocator, type_url: []const u8, value: []const u8) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    try e.bytesField(1, type_url);
    try e.bytesField(2, value);
    return e.out.toOwnedSlice();
}

// -- cosmos.ics23.v1 ---------------------------------------------------------------------------

pub const HashOp = i32;
pub const LengthOp = i32;

pub const LeafOp = struct {
    hash: HashOp = 0,
    prehash_key: HashOp = 0,
    prehash_value: HashOp = 0,
    length: LengthOp = 0,
    prefix: []const u8 = "",
};

pub fn decodeLeafOp(data: []const u8) Error!LeafOp {
    var op = LeafOp{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => op.hash = try i32Of(&seen, f),
        2 => op.prehash_key = try i32Of(&seen, f),
        3 => op.prehash_value = try i32Of(&seen, f),
        4 => op.length = try i32Of(&seen, f),
        5 => op.prefix = try bytesOf(&seen, f),
        else => {},
    };
    return op;
}

fn encodeLeafOp(e: *Encoder, op: LeafOp) Allocator.Error!void {
    try e.int32Field(1, op.hash);
    try e.int32Field(2, op.prehash_key);
    try e.int32Field(3, op.prehash_value);
    try e.int32Field(4, op.length);
    try e.bytesField(5, op.prefix);
}

pub const InnerOp = struct {
    hash: HashOp = 0,
    prefix: []const u8 = "",
    suffix: []const u8 = "",
};

pub fn decodeInnerOp(data: []const u8) Error!InnerOp {
    var op = InnerOp{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => op.hash = try i32Of(&seen, f),
        2 => op.prefix = try bytesOf(&seen, f),
        3 => op.suffix = try bytesOf(&seen, f),
        else => {},
    };
    return op;
}

pub const InnerSpec = struct {
    child_order: []const i32 = &.{},
    child_size: i32 = 0,
    min_prefix_length: i32 = 0,
    max_prefix_length: i32 = 0,
    empty_child: []const u8 = "",
    hash: HashOp = 0,
};

pub fn decodeInnerSpec(alloc: Allocator, data: []const u8) Error!InnerSpec {
    var spec = InnerSpec{};
    var order = std.ArrayList(i32).init(alloc);
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => try proto.appendInt32s(&order, f),
        2 => spec.child_size = try i32Of(&seen, f),
        3 => spec.min_prefix_length = try i32Of(&seen, f),
        4 => spec.max_prefix_length = try i32Of(&seen, f),
        5 => spec.empty_child = try bytesOf(&seen, f),
        6 => spec.hash = try i32Of(&seen, f),
        else => {},
    };
    spec.child_order = order.items;
    return spec;
}

pub const ProofSpec = struct {
    leaf_spec: ?LeafOp = null,
    inner_spec: ?InnerSpec = null,
    max_depth: i32 = 0,
    min_depth: i32 = 0,
    prehash_key_before_comparison: bool = false,
};

pub fn decodeProofSpec(alloc: Allocator, data: []const u8) Error!ProofSpec {
    var spec = ProofSpec{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => spec.leaf_spec = try decodeLeafOp(try messageOf(&seen, f)),
        2 => spec.inner_spec = try decodeInnerSpec(alloc, try messageOf(&seen, f)),
        3 => spec.max_depth = try i32Of(&seen, f),
        4 => spec.min_depth = try i32Of(&seen, f),
        5 => spec.prehash_key_before_comparison = try boolOf(&seen, f),
        else => {},
    };
    return spec;
}

fn encodeProofSpec(alloc: Allocator, spec: ProofSpec) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    if (spec.leaf_spec) |leaf| {
        var inner = Encoder.init(alloc);
        try encodeLeafOp(&inner, leaf);
        try e.lenField(1, inner.out.items);
    }
    if (spec.inner_spec) |is| {
        var inner = Encoder.init(alloc);
        try inner.packedInt32Field(alloc, 1, is.child_order);
        try inner.int32Field(2, is.child_size);
        try inner.int32Field(3, is.min_prefix_length);
        try inner.int32Field(4, is.max_prefix_length);
        try inner.bytesField(5, is.empty_child);
        try inner.int32Field(6, is.hash);
        try e.lenField(2, inner.out.items);
    }
    try e.int32Field(3, spec.max_depth);
    try e.int32Field(4, spec.min_depth);
    try e.boolField(5, spec.prehash_key_before_comparison);
    return e.out.items;
}

pub const ExistenceProof = struct {
    key: []const u8 = "",
    value: []const u8 = "",
    leaf: ?LeafOp = null,
    path: []const InnerOp = &.{},
};

pub fn decodeExistenceProof(alloc: Allocator, data: []const u8) Error!ExistenceProof {
    var proof = ExistenceProof{};
    var path = std.ArrayList(InnerOp).init(alloc);
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => proof.key = try bytesOf(&seen, f),
        2 => proof.value = try bytesOf(&seen, f),
        3 => proof.leaf = try decodeLeafOp(try messageOf(&seen, f)),
        4 => try path.append(try decodeInnerOp(try f.expectLen())),
        else => {},
    };
    proof.path = path.items;
    return proof;
}

pub const NonExistenceProof = struct {
    key: []const u8 = "",
    left: ?ExistenceProof = null,
    right: ?ExistenceProof = null,
};

pub fn decodeNonExistenceProof(alloc: Allocator, data: []const u8) Error!NonExistenceProof {
    var proof = NonExistenceProof{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => proof.key = try bytesOf(&seen, f),
        2 => proof.left = try decodeExistenceProof(alloc, try messageOf(&seen, f)),
        3 => proof.right = try decodeExistenceProof(alloc, try messageOf(&seen, f)),
        else => {},
    };
    return proof;
}

/// A `CommitmentProof`: which member of its oneof is set, and the decoded existence or non-existence proof. Batch and compressed
/// proofs are decoded (so that malformed ones are refused) but not kept: ibc-go's chained
/// verification takes neither.
pub const CommitmentProof = struct {
    kind: enum { none, exist, nonexist, batch, compressed } = .none,
    exist: ExistenceProof = .{},
    nonexist: NonExistenceProof = .{},
};

pub fn decodeCommitmentProof(alloc: Allocator, data: []const u8) Error!CommitmentProof {
    var proof = CommitmentProof{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => {
            proof.exist = try decodeExistenceProof(alloc, try oneofOf(&seen, f, 1));
            proof.kind = .exist;
        },
        2 => {
            proof.nonexist = try decodeNonExistenceProof(alloc, try oneofOf(&seen, f, 1));
            proof.kind = .nonexist;
        },
        3 => {
            try checkBatch(alloc, try oneofOf(&seen, f, 1), false);
            proof.kind = .batch;
        },
        4 => {
            try checkBatch(alloc, try oneofOf(&seen, f, 1), true);
            proof.kind = .compressed;
        },
        else => {},
    };
    return proof;
}

/// Decodes a `BatchProof` or `CompressedBatchProof` only to refuse a malformed one.
fn checkBatch(alloc: Allocator, data: []const u8, compressed: bool) Error!void {
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => {
            var seen = Seen{};
            var entry = Decoder.init(try f.expectLen());
            while (try entry.next()) |g| switch (g.number) {
                1 => {
                    const bytes = try oneofOf(&seen, g, 1);
                    if (compressed) try checkCompressedExistence(alloc, bytes) else _ = try decodeExistenceProof(alloc, bytes);
                },
                2 => {
                    const bytes = try oneofOf(&seen, g, 1);
                    if (compressed) {
                        var inner_seen = Seen{};
                        var non = Decoder.init(bytes);
                        while (try non.next()) |h| switch (h.number) {
                            1 => _ = try bytesOf(&inner_seen, h),
                            2, 3 => try checkCompressedExistence(alloc, try messageOf(&inner_seen, h)),
                            else => {},
                        };
                    } else {
                        _ = try decodeNonExistenceProof(alloc, bytes);
                    }
                },
                else => {},
            };
        },
        2 => if (compressed) {
            _ = try decodeInnerOp(try f.expectLen());
        },
        else => {},
    };
}

fn checkCompressedExistence(alloc: Allocator, data: []const u8) Error!void {
    var seen = Seen{};
    var path = std.ArrayList(i32).init(alloc);
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1, 2 => _ = try bytesOf(&seen, f),
        3 => _ = try decodeLeafOp(try messageOf(&seen, f)),
        4 => try proto.appendInt32s(&path, f),
        else => {},
    };
}

/// ibc-go's `MerkleProof`: one commitment proof per path element, innermost store first.
pub fn decodeMerkleProof(alloc: Allocator, data: []const u8) Error![]const CommitmentProof {
    var proofs = std.ArrayList(CommitmentProof).init(alloc);
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => try proofs.append(try decodeCommitmentProof(alloc, try f.expectLen())),
        else => {},
    };
    return proofs.items;
}

// -- ibc.lightclients.tendermint.v1.ClientState and ConsensusState -----------------------------

pub const Fraction = struct { numerator: u64 = 0, denominator: u64 = 0 };

pub const ClientState = struct {
    chain_id: []const u8 = "",
    trust_level: Fraction = .{},
    trusting_period_ns: i64 = 0,
    unbonding_period_ns: i64 = 0,
    max_clock_drift_ns: i64 = 0,
    frozen_height: Height = .{},
    latest_height: Height = .{},
    proof_specs: []const ProofSpec = &.{},
    upgrade_path: []const []const u8 = &.{},
    allow_update_after_expiry: bool = false,
    allow_update_after_misbehaviour: bool = false,
};

pub fn decodeClientState(alloc: Allocator, data: []const u8) Error!ClientState {
    var cs = ClientState{};
    var specs = std.ArrayList(ProofSpec).init(alloc);
    var path = std.ArrayList([]const u8).init(alloc);
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => cs.chain_id = try stringOf(&seen, f),
        2 => {
            var fs = Seen{};
            var fd = Decoder.init(try messageOf(&seen, f));
            while (try fd.next()) |g| switch (g.number) {
                1 => cs.trust_level.numerator = try u64Of(&fs, g),
                2 => cs.trust_level.denominator = try u64Of(&fs, g),
                else => {},
            };
        },
        3 => cs.trusting_period_ns = try decodeDuration(try messageOf(&seen, f)),
        4 => cs.unbonding_period_ns = try decodeDuration(try messageOf(&seen, f)),
        5 => cs.max_clock_drift_ns = try decodeDuration(try messageOf(&seen, f)),
        6 => cs.frozen_height = try decodeHeight(try messageOf(&seen, f)),
        7 => cs.latest_height = try decodeHeight(try messageOf(&seen, f)),
        8 => try specs.append(try decodeProofSpec(alloc, try f.expectLen())),
        9 => try path.append(try utf8(try f.expectLen())),
        10 => cs.allow_update_after_expiry = try boolOf(&seen, f),
        11 => cs.allow_update_after_misbehaviour = try boolOf(&seen, f),
        else => {},
    };
    cs.proof_specs = specs.items;
    cs.upgrade_path = path.items;
    return cs;
}

pub fn encodeClientState(alloc: Allocator, cs: ClientState) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    try e.bytesField(1, cs.chain_id);
    var fraction = Encoder.init(alloc);
    try fraction.uint64Field(1, cs.trust_level.numerator);
    try fraction.uint64Field(2, cs.trust_level.denominator);
    try e.lenField(2, fraction.out.items);
    for ([_]i64{ cs.trusting_period_ns, cs.unbonding_period_ns, cs.max_clock_drift_ns }, 3..) |length, field| {
        var inner = Encoder.init(alloc);
        try encodeDuration(&inner, length);
        try e.lenField(@intCast(field), inner.out.items);
    }
    try encodeHeightField(&e, alloc, 6, cs.frozen_height);
    try encodeHeightField(&e, alloc, 7, cs.latest_height);
    for (cs.proof_specs) |spec| try e.lenField(8, try encodeProofSpec(alloc, spec));
    for (cs.upgrade_path) |key| try e.lenField(9, key);
    try e.boolField(10, cs.allow_update_after_expiry);
    try e.boolField(11, cs.allow_update_after_misbehaviour);
    return e.out.items;
}

pub const ConsensusState = struct {
    timestamp: Time = go_zero_time,
    root: []const u8 = "",
    next_validators_hash: []const u8 = "",
};

pub fn decodeConsensusState(data: []const u8) Error!ConsensusState {
    var state = ConsensusState{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => state.timestamp = try decodeTime(try messageOf(&seen, f)),
        2 => {
            var rs = Seen{};
            var rd = Decoder.init(try messageOf(&seen, f));
            while (try rd.next()) |g| switch (g.number) {
                1 => state.root = try bytesOf(&rs, g),
                else => {},
            };
        },
        3 => state.next_validators_hash = try bytesOf(&seen, f),
        else => {},
    };
    return state;
}

pub fn encodeConsensusState(alloc: Allocator, state: ConsensusState) Allocator.Error![]u8 {
    var e = Encoder.init(alloc);
    var time = Encoder.init(alloc);
    try encodeTime(&time, state.timestamp);
    try e.lenField(1, time.out.items);
    var root = Encoder.init(alloc);
    try root.bytesField(1, state.root);
    try e.lenField(2, root.out.items);
    try e.bytesField(3, state.next_validators_hash);
    return e.out.items;
}

// -- tendermint.types --------------------------------------------------------------------------

pub const KeyType = enum { none, ed25519, secp256k1 };

pub const PublicKey = struct {
    kind: KeyType = .none,
    bytes: []const u8 = "",
};

fn decodePublicKey(data: []const u8) Error!PublicKey {
    var key = PublicKey{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => key = .{ .kind = .ed25519, .bytes = try oneofOf(&seen, f, 1) },
        2 => key = .{ .kind = .secp256k1, .bytes = try oneofOf(&seen, f, 1) },
        else => {},
    };
    return key;
}

pub const Validator = struct {
    address: []const u8 = "",
    pub_key: PublicKey = .{},
    voting_power: i64 = 0,
    proposer_priority: i64 = 0,
};

fn decodeValidator(data: []const u8) Error!Validator {
    var v = Validator{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => v.address = try bytesOf(&seen, f),
        2 => v.pub_key = try decodePublicKey(try messageOf(&seen, f)),
        3 => v.voting_power = try i64Of(&seen, f),
        4 => v.proposer_priority = try i64Of(&seen, f),
        else => {},
    };
    return v;
}

pub const ValidatorSet = struct {
    validators: []const Validator = &.{},
    proposer: ?Validator = null,
    total_voting_power: i64 = 0,
};

fn decodeValidatorSet(alloc: Allocator, data: []const u8) Error!ValidatorSet {
    var set = ValidatorSet{};
    var validators = std.ArrayList(Validator).init(alloc);
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => try validators.append(try decodeValidator(try f.expectLen())),
        2 => set.proposer = try decodeValidator(try messageOf(&seen, f)),
        3 => set.total_voting_power = try i64Of(&seen, f),
        else => {},
    };
    set.validators = validators.items;
    return set;
}

pub const PartSetHeader = struct { total: u32 = 0, hash: []const u8 = "" };

pub const BlockId = struct {
    hash: []const u8 = "",
    part_set_header: PartSetHeader = .{},

    pub fn isZero(id: BlockId) bool {
        return id.hash.len == 0 and id.part_set_header.total == 0 and id.part_set_header.hash.len == 0;
    }
};

fn decodeBlockId(data: []const u8) Error!BlockId {
    var id = BlockId{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => id.hash = try bytesOf(&seen, f),
        2 => {
            var ps = Seen{};
            var pd = Decoder.init(try messageOf(&seen, f));
            while (try pd.next()) |g| switch (g.number) {
                1 => id.part_set_header.total = @truncate(try u64Of(&ps, g)),
                2 => id.part_set_header.hash = try bytesOf(&ps, g),
                else => {},
            };
        },
        else => {},
    };
    return id;
}

pub const Consensus = struct { block: u64 = 0, app: u64 = 0 };

pub const Header = struct {
    version: Consensus = .{},
    chain_id: []const u8 = "",
    height: i64 = 0,
    time: Time = go_zero_time,
    last_block_id: BlockId = .{},
    last_commit_hash: []const u8 = "",
    data_hash: []const u8 = "",
    validators_hash: []const u8 = "",
    next_validators_hash: []const u8 = "",
    consensus_hash: []const u8 = "",
    app_hash: []const u8 = "",
    last_results_hash: []const u8 = "",
    evidence_hash: []const u8 = "",
    proposer_address: []const u8 = "",
};

fn decodeHeader(data: []const u8) Error!Header {
    var h = Header{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => {
            var vs = Seen{};
            var vd = Decoder.init(try messageOf(&seen, f));
            while (try vd.next()) |g| switch (g.number) {
                1 => h.version.block = try u64Of(&vs, g),
                2 => h.version.app = try u64Of(&vs, g),
                else => {},
            };
        },
        2 => h.chain_id = try stringOf(&seen, f),
        3 => h.height = try i64Of(&seen, f),
        4 => h.time = try decodeTime(try messageOf(&seen, f)),
        5 => h.last_block_id = try decodeBlockId(try messageOf(&seen, f)),
        6 => h.last_commit_hash = try bytesOf(&seen, f),
        7 => h.data_hash = try bytesOf(&seen, f),
        8 => h.validators_hash = try bytesOf(&seen, f),
        9 => h.next_validators_hash = try bytesOf(&seen, f),
        10 => h.consensus_hash = try bytesOf(&seen, f),
        11 => h.app_hash = try bytesOf(&seen, f),
        12 => h.last_results_hash = try bytesOf(&seen, f),
        13 => h.evidence_hash = try bytesOf(&seen, f),
        14 => h.proposer_address = try bytesOf(&seen, f),
        else => {},
    };
    return h;
}

pub const flag_absent: i32 = 1;
pub const flag_commit: i32 = 2;
pub const flag_nil: i32 = 3;

pub const CommitSig = struct {
    block_id_flag: i32 = 0,
    validator_address: []const u8 = "",
    timestamp: Time = go_zero_time,
    signature: []const u8 = "",
};

fn decodeCommitSig(data: []const u8) Error!CommitSig {
    var sig = CommitSig{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => sig.block_id_flag = try i32Of(&seen, f),
        2 => sig.validator_address = try bytesOf(&seen, f),
        3 => sig.timestamp = try decodeTime(try messageOf(&seen, f)),
        4 => sig.signature = try bytesOf(&seen, f),
        else => {},
    };
    return sig;
}

pub const Commit = struct {
    height: i64 = 0,
    round: i32 = 0,
    block_id: BlockId = .{},
    signatures: []const CommitSig = &.{},
};

fn decodeCommit(alloc: Allocator, data: []const u8) Error!Commit {
    var c = Commit{};
    var sigs = std.ArrayList(CommitSig).init(alloc);
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => c.height = try i64Of(&seen, f),
        2 => c.round = try i32Of(&seen, f),
        3 => c.block_id = try decodeBlockId(try messageOf(&seen, f)),
        4 => try sigs.append(try decodeCommitSig(try f.expectLen())),
        else => {},
    };
    c.signatures = sigs.items;
    return c;
}

pub const SignedHeader = struct {
    header: ?Header = null,
    commit: ?Commit = null,
};

fn decodeSignedHeader(alloc: Allocator, data: []const u8) Error!SignedHeader {
    var sh = SignedHeader{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => sh.header = try decodeHeader(try messageOf(&seen, f)),
        2 => sh.commit = try decodeCommit(alloc, try messageOf(&seen, f)),
        else => {},
    };
    return sh;
}

// -- ibc.lightclients.tendermint.v1.Header and Misbehaviour ------------------------------------

pub const TmHeader = struct {
    signed_header: ?SignedHeader = null,
    validator_set: ?ValidatorSet = null,
    trusted_height: Height = .{},
    trusted_validators: ?ValidatorSet = null,
};

pub fn decodeTmHeader(alloc: Allocator, data: []const u8) Error!TmHeader {
    var h = TmHeader{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => h.signed_header = try decodeSignedHeader(alloc, try messageOf(&seen, f)),
        2 => h.validator_set = try decodeValidatorSet(alloc, try messageOf(&seen, f)),
        3 => h.trusted_height = try decodeHeight(try messageOf(&seen, f)),
        4 => h.trusted_validators = try decodeValidatorSet(alloc, try messageOf(&seen, f)),
        else => {},
    };
    return h;
}

pub const Misbehaviour = struct {
    client_id: []const u8 = "",
    header_1: ?TmHeader = null,
    header_2: ?TmHeader = null,
};

pub fn decodeMisbehaviour(alloc: Allocator, data: []const u8) Error!Misbehaviour {
    var m = Misbehaviour{};
    var seen = Seen{};
    var d = Decoder.init(data);
    while (try d.next()) |f| switch (f.number) {
        1 => m.client_id = try stringOf(&seen, f),
        2 => m.header_1 = try decodeTmHeader(alloc, try messageOf(&seen, f)),
        3 => m.header_2 = try decodeTmHeader(alloc, try messageOf(&seen, f)),
        else => {},
    };
    return m;
}

pub const ClientMessage = union(enum) {
    header: TmHeader,
    misbehaviour: Misbehaviour,
};

/// A client message: an `Any` holding a Header or a Misbehaviour.
pub fn decodeClientMessage(alloc: Allocator, data: []const u8) Error!ClientMessage {
    if (unpackAny(data, header_type_url)) |value| {
        return .{ .header = try decodeTmHeader(alloc, value) };
    } else |err| if (err != error.WrongTypeUrl) return err;
    return .{ .misbehaviour = try decodeMisbehaviour(alloc, try unpackAny(data, misbehaviour_type_url)) };
}

// -- tests ------------------------------------------------------------------------------------

const testing = std.testing;

test "timestamps and durations: Go's ranges" {
    try testing.expectEqual(Time{ .seconds = 5, .nanos = 7 }, try decodeTime("\x08\x05\x10\x07"));
    try testing.expectEqual(Time{ .seconds = 0, .nanos = 0 }, try decodeTime(""));
    try testing.expectError(error.OutOfRange, decodeTime("\x10\xff\xff\xff\xff\x0f")); // nanos -1
    try testing.expectError(error.OutOfRange, decodeTime("\x10\x80\x94\xeb\xdc\x03")); // nanos 1e9
    try testing.expectError(error.DuplicateField, decodeTime("\x08\x01\x08\x02"));
    try testing.expectEqual(@as(i64, 1_500_000_000), try decodeDuration("\x08\x01\x10\x80\xca\xb5\xee\x01"));
    try testing.expectError(error.OutOfRange, decodeDuration("\x08\x01\x10\xff\xff\xff\xff\x0f"));
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var e = Encoder.init(arena.allocator());
    try encodeDuration(&e, 1_500_000_000);
    try testing.expectEqualSlices(u8, "\x08\x01\x10\x80\xca\xb5\xee\x01", e.out.items);
}

test "client state: decode, defaults and re-encoding as gogoproto writes it" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    // chain id "c-1", trust 1/3, trusting 10 s, unbonding 20 s, drift 1 s, frozen {}, latest
    // 1-5, one empty proof spec and one with max depth -1, upgrade path ["upgrade", ""].
    const bytes = "\x0a\x03c-1" ++ "\x12\x04\x08\x01\x10\x03" ++ "\x1a\x02\x08\x0a" ++ "\x22\x02\x08\x14" ++
        "\x2a\x02\x08\x01" ++ "\x32\x00" ++ "\x3a\x04\x08\x01\x10\x05" ++ "\x42\x00" ++
        "\x42\x0b\x18" ++ "\xff" ** 9 ++ "\x01" ++ "\x4a\x07upgrade" ++ "\x4a\x00";
    const cs = try decodeClientState(alloc, bytes);
    try testing.expectEqualStrings("c-1", cs.chain_id);
    try testing.expectEqual(@as(i64, 10 * nanos_per_second), cs.trusting_period_ns);
    try testing.expectEqual(Height{ .revision_number = 1, .revision_height = 5 }, cs.latest_height);
    try testing.expectEqual(@as(usize, 2), cs.proof_specs.len);
    try testing.expectEqual(@as(i32, -1), cs.proof_specs[1].max_depth);
    try testing.expectEqual(@as(usize, 2), cs.upgrade_path.len);
    try testing.expectEqualSlices(u8, bytes, try encodeClientState(alloc, cs));
    // Defaults: every non-nullable message is written, even empty.
    try testing.expectEqualSlices(u8, "\x12\x00\x1a\x00\x22\x00\x2a\x00\x32\x00\x3a\x00", try encodeClientState(alloc, .{}));
    try testing.expectError(error.DuplicateField, decodeClientState(alloc, "\x0a\x01a\x0a\x01b"));
    try testing.expectError(error.WrongWireType, decodeClientState(alloc, "\x08\x01"));
    try testing.expectError(error.Truncated, decodeClientState(alloc, "\x0a\x05ab"));
    // Unknown fields are skipped.
    try testing.expectEqualStrings("x", (try decodeClientState(alloc, "\x60\x01\x0a\x01x")).chain_id);
}

test "consensus state: absent timestamp is Go's zero time; re-encoding" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const absent = try decodeConsensusState("\x12\x03\x0a\x01r");
    try testing.expectEqual(go_zero_time, absent.timestamp);
    try testing.expectEqualStrings("r", absent.root);
    const bytes = "\x0a\x04\x08\x01\x10\x02" ++ "\x12\x03\x0a\x01r" ++ "\x1a\x02nv";
    const state = try decodeConsensusState(bytes);
    try testing.expectEqual(Time{ .seconds = 1, .nanos = 2 }, state.timestamp);
    try testing.expectEqualSlices(u8, bytes, try encodeConsensusState(alloc, state));
    try testing.expectEqualSlices(u8, "\x0a\x00\x12\x00", try encodeConsensusState(alloc, .{ .timestamp = .{ .seconds = 0, .nanos = 0 } }));
}

test "Any and client messages" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const any = try packAny(alloc, header_type_url, "\x1a\x02\x10\x04");
    const message = try decodeClientMessage(alloc, any);
    try testing.expectEqual(@as(u64, 4), message.header.trusted_height.revision_height);
    try testing.expect(message.header.signed_header == null);
    try testing.expectError(error.WrongTypeUrl, decodeClientMessage(alloc, try packAny(alloc, "/x", "")));
    const evidence = try decodeClientMessage(alloc, try packAny(alloc, misbehaviour_type_url, "\x12\x00"));
    try testing.expect(evidence.misbehaviour.header_1 != null and evidence.misbehaviour.header_2 == null);
    // A oneof has one member: a second one is malformed, as the same one twice is.
    try testing.expectEqual(KeyType.secp256k1, (try decodePublicKey("\x12\x01b")).kind);
    try testing.expectError(error.DuplicateField, decodePublicKey("\x0a\x01a\x12\x01b"));
    try testing.expectError(error.DuplicateField, decodePublicKey("\x0a\x01a\x0a\x01b"));
    try testing.expectError(error.InvalidUtf8, decodeClientState(alloc, "\x0a\x01\xff"));
    try testing.expectError(error.InvalidUtf8, decodeClientMessage(alloc, "\x0a\x01\xc0"));
}
