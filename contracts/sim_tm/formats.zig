//! The msgpack formats of the simulated counterparty and of the client's own state, byte for
//! byte as `relayer_sim/lightclient/{headers,validators,states,decode}.py` write and read them.
//!
//! Decoding is strict (a light client must never guess) and never traps: a document must be
//! canonical msgpack (`canonical.zig`), and every shape error is `error.Fail` with a message
//! naming the part, the way `decode.py` names it. Callers put `malformed <what>: ` in front.
//! Hashes are taken over the re-encoding of the decoded value, which is byte for byte the
//! input, as the input is canonical.

const std = @import("std");
const cw = @import("cw");
const failure = @import("failure.zig");
const canonical = @import("canonical.zig");

const Allocator = std.mem.Allocator;
const Reader = cw.msgpack.Reader;
const Writer = cw.msgpack.Writer;
const Sha256 = cw.sha256.Sha256;
const Ctx = failure.Ctx;
const Error = failure.Error;

pub const Hash = [32]u8;
pub const hash_length = 32;

pub const message_header: u64 = 0;
pub const message_misbehaviour: u64 = 1;

// -- values -----------------------------------------------------------------------------------

pub const Height = struct {
    revision_number: u64 = 0,
    revision_height: u64 = 0,

    pub fn order(a: Height, b: Height) std.math.Order {
        const by_revision = std.math.order(a.revision_number, b.revision_number);
        if (by_revision != .eq) return by_revision;
        return std.math.order(a.revision_height, b.revision_height);
    }

    pub fn eql(a: Height, b: Height) bool {
        return a.revision_number == b.revision_number and a.revision_height == b.revision_height;
    }

    pub fn isZero(h: Height) bool {
        return h.revision_number == 0 and h.revision_height == 0;
    }
};

/// A header version the formats know (`VERSIONS_BY_NUMBER`): its scheme and vote domain.
pub const Version = struct {
    number: u64,
    scheme: Scheme,
    vote_domain: []const u8,
};

pub const Scheme = enum {
    ed25519,
    secp256k1,

    pub fn name(s: Scheme) []const u8 {
        return @tagName(s);
    }
};

pub const versions = [_]Version{
    .{ .number = 1, .scheme = .ed25519, .vote_domain = "tm-ed25519/vote" },
    .{ .number = 2, .scheme = .secp256k1, .vote_domain = "tm-secp256k1/vote" },
};

pub fn versionByNumber(number: u64) ?*const Version {
    for (&versions) |*v| if (v.number == number) return v;
    return null;
}

pub const Header = struct {
    version: *const Version,
    chain_id: []const u8,
    revision: u64,
    height: u64,
    time_ns: u64,
    validators_hash: *const Hash,
    next_validators_hash: *const Hash,
    app_hash: *const Hash,
    last_block_hash: *const Hash,

    pub fn ibcHeight(h: *const Header) Height {
        return .{ .revision_number = h.revision, .revision_height = h.height };
    }
};

pub const Commit = struct {
    height: u64,
    block_hash: *const Hash,
    /// One slot per member of the header's validator set, in set order (null: did not sign).
    signatures: []const ?[]const u8,
};

pub const Validator = struct {
    public_key: []const u8,
    power: u64,
};

pub const ValidatorSet = struct {
    scheme: []const u8,
    /// In canonical order: power descending, then public key ascending.
    validators: []const Validator,
    /// At most 2^32 validators of at most 2^64 - 1 each: a u128 never overflows.
    total_power: u128,
    index: KeyIndex,

    /// The position of `public_key` in the set, if it is a member.
    pub fn indexOf(set: *const ValidatorSet, public_key: []const u8) ?usize {
        return set.index.find(set.validators, public_key);
    }
};

pub const HeaderMessage = struct {
    header: Header,
    commit: Commit,
    validator_set: ValidatorSet,
    trusted_height: Height,
    trusted_validators: ValidatorSet,
};

pub const Misbehaviour = struct {
    first: HeaderMessage,
    second: HeaderMessage,
};

pub const ClientMessage = union(enum) {
    header: HeaderMessage,
    misbehaviour: Misbehaviour,
};

pub const TrustLevel = struct {
    numerator: u64,
    denominator: u64,
};

pub const not_frozen = Height{};

pub const ClientState = struct {
    format: u64,
    chain_id: []const u8,
    trust_level: TrustLevel,
    trusting_period_ns: u64,
    max_clock_drift_ns: u64,
    latest_height: Height,
    frozen_height: Height = not_frozen,
    upgrade_path: []const []const u8,

    pub fn frozen(cs: *const ClientState) bool {
        return !cs.frozen_height.isZero();
    }
};

pub const ConsensusState = struct {
    format: u64,
    timestamp_ns: u64,
    root: Hash,
    next_validators_hash: Hash,
    /// 1 for a format-1 state.
    header_version: u64 = 1,
};

// -- key index --------------------------------------------------------------------------------

/// An open-addressing hash table from public key to position, so that duplicate checks and the
/// trusted-set lookups are linear, not quadratic, in the set size.
pub const KeyIndex = struct {
    /// 0 = empty, else position + 1.
    slots: []u32,

    fn hashKey(key: []const u8) u32 {
        // Keys are public keys (random-looking), so their first eight bytes and the length,
        // mixed by one multiplication, spread them well at a few operations per key; crafted
        // collisions only make the crafter's own message cost more gas. (Which slot a key
        // lands in never changes what `build` or `find` answer.)
        var head: u64 = key.len;
        if (key.len >= 8) {
            head ^= std.mem.readInt(u64, key[0..8], .little);
        } else {
            for (key, 0..) |b, i| head ^= @as(u64, b) << @intCast(8 * i + 8);
        }
        return @truncate((head *% 0x9e3779b97f4a7c15) >> 32);
    }

    /// Builds the index; returns the position of the first repeated key, if any.
    fn build(alloc: Allocator, validators: []const Validator, duplicate: *?usize) Allocator.Error!KeyIndex {
        var capacity: usize = 8;
        while (capacity < validators.len * 2) capacity *= 2;
        const slots = try alloc.alloc(u32, capacity);
        @memset(slots, 0);
        const index = KeyIndex{ .slots = slots };
        duplicate.* = null;
        for (validators, 0..) |v, position| {
            const mask = capacity - 1;
            var slot: usize = hashKey(v.public_key) & mask;
            while (slots[slot] != 0) : (slot = (slot + 1) & mask) {
                if (std.mem.eql(u8, validators[slots[slot] - 1].public_key, v.public_key)) {
                    if (duplicate.* == null) duplicate.* = position;
                    break;
                }
            } else slots[slot] = @intCast(position + 1);
        }
        return index;
    }

    pub fn find(index: KeyIndex, validators: []const Validator, key: []const u8) ?usize {
        const mask = index.slots.len - 1;
        var slot: usize = hashKey(key) & mask;
        while (index.slots[slot] != 0) : (slot = (slot + 1) & mask) {
            const position = index.slots[slot] - 1;
            if (std.mem.eql(u8, validators[position].public_key, key)) return position;
        }
        return null;
    }
};

// -- decoding ---------------------------------------------------------------------------------

/// A cursor over one msgpack document with `decode.py`'s error texts.
const Decoder = struct {
    r: Reader,
    ctx: *Ctx,

    /// A decoder over `data`, which must be canonical msgpack.
    fn open(ctx: *Ctx, data: []const u8, what: []const u8) Error!Decoder {
        if (canonical.check(data)) |problem| {
            return ctx.fail("{s} is not canonical msgpack: {s}", .{ what, problem.text() });
        }
        return .{ .r = Reader.init(data), .ctx = ctx };
    }

    fn arrayHeader(d: *Decoder, comptime fmt: []const u8, args: anytype) Error!u32 {
        return d.r.readArrayHeader() catch d.ctx.fail(fmt, args);
    }

    fn array(d: *Decoder, len: u32, what: []const u8) Error!void {
        const fmt = "{s} must be an array of {d} fields";
        const n = try d.arrayHeader(fmt, .{ what, len });
        if (n != len) return d.ctx.fail(fmt, .{ what, len });
    }

    fn uint(d: *Decoder, what: []const u8) Error!u64 {
        return d.r.readUint() catch
            d.ctx.fail("{s} must be an unsigned 64-bit integer", .{what});
    }

    fn hash(d: *Decoder, what: []const u8) Error!*const Hash {
        const fmt = "{s} must be {d} bytes";
        const bytes = d.r.readBin() catch return d.ctx.fail(fmt, .{ what, hash_length });
        if (bytes.len != hash_length) return d.ctx.fail(fmt, .{ what, hash_length });
        return bytes[0..hash_length];
    }

    fn text(d: *Decoder, what: []const u8) Error![]const u8 {
        return d.r.readStr() catch d.ctx.fail("{s} must be a string", .{what});
    }

    fn height(d: *Decoder, what: []const u8) Error!Height {
        try d.array(2, what);
        const revision = try d.uint(try d.concat(what, " revision"));
        const number = try d.uint(try d.concat(what, " number"));
        return .{ .revision_number = revision, .revision_height = number };
    }

    fn concat(d: *Decoder, a: []const u8, comptime b: []const u8) Error![]const u8 {
        return std.mem.concat(d.ctx.alloc, u8, &.{ a, b });
    }

    /// Whether the next value is the unsigned integer `value` (nothing is consumed).
    fn peekUint(d: *Decoder, value: u64) bool {
        const start = d.r.pos;
        defer d.r.pos = start;
        const got = d.r.readUint() catch return false;
        return got == value;
    }

    fn header(d: *Decoder) Error!Header {
        try d.array(9, "header");
        const number = try d.uint("header version");
        const version = versionByNumber(number) orelse
            return d.ctx.fail("unknown header version {d}", .{number});
        return .{
            .version = version,
            .chain_id = try d.text("chain id"),
            .revision = try d.uint("revision"),
            .height = try d.uint("height"),
            .time_ns = try d.uint("time"),
            .validators_hash = try d.hash("validators hash"),
            .next_validators_hash = try d.hash("next validators hash"),
            .app_hash = try d.hash("app hash"),
            .last_block_hash = try d.hash("last block hash"),
        };
    }

    fn commit(d: *Decoder) Error!Commit {
        try d.array(3, "commit");
        const number = try d.uint("commit height");
        const block_hash = try d.hash("block hash");
        const bad = "commit signatures must be a list of byte strings or nil";
        const count = try d.arrayHeader(bad, .{});
        const signatures = try d.ctx.alloc.alloc(?[]const u8, count);
        for (signatures) |*slot| {
            if (d.r.tryNil() catch return d.ctx.fail(bad, .{})) {
                slot.* = null;
            } else {
                slot.* = d.r.readBin() catch return d.ctx.fail(bad, .{});
            }
        }
        return .{ .height = number, .block_hash = block_hash, .signatures = signatures };
    }

    fn validatorSet(d: *Decoder, what: []const u8) Error!ValidatorSet {
        try d.array(2, what);
        // Python reads the scheme after the members; a bad scheme is refused either way.
        const scheme_start = d.r.pos;
        d.r.skip() catch return d.ctx.fail("{s} scheme must be a string", .{what});
        const count = try d.arrayHeader("{s} members must be a list", .{what});
        const validators = try d.ctx.alloc.alloc(Validator, count);
        const member = try d.concat(what, " member");
        const power_what = try d.concat(what, " power");
        var total: u128 = 0;
        for (validators) |*v| {
            try d.array(2, member);
            const key = d.r.readBin() catch
                return d.ctx.fail("{s} member key must be bytes", .{what});
            const power = try d.uint(power_what);
            v.* = .{ .public_key = key, .power = power };
            total += power;
        }
        const end = d.r.pos;
        d.r.pos = scheme_start;
        const scheme = try d.text(try d.concat(what, " scheme"));
        d.r.pos = end;
        // `ValidatorSet.of`'s checks, in its order, then the order check of `decode.py`.
        if (count == 0) return d.ctx.fail("{s}: a validator set needs at least one validator", .{what});
        var duplicate: ?usize = null;
        const index = try KeyIndex.build(d.ctx.alloc, validators, &duplicate);
        if (duplicate != null) return d.ctx.fail("{s}: a validator set cannot list one key twice", .{what});
        for (validators) |v| {
            if (v.power == 0) return d.ctx.fail("{s}: every validator needs a positive voting power", .{what});
        }
        for (validators[0 .. validators.len - 1], validators[1..]) |a, b| {
            const in_order = a.power > b.power or
                (a.power == b.power and std.mem.order(u8, a.public_key, b.public_key) == .lt);
            if (!in_order) return d.ctx.fail("{s} is not in canonical order", .{what});
        }
        return .{ .scheme = scheme, .validators = validators, .total_power = total, .index = index };
    }

    fn headerMessage(d: *Decoder) Error!HeaderMessage {
        try d.array(6, "header message");
        if (!d.peekUint(message_header)) return d.ctx.failText("a header message starts with 0");
        _ = try d.uint("message kind");
        return .{
            .header = try d.header(),
            .commit = try d.commit(),
            .validator_set = try d.validatorSet("validator set"),
            .trusted_height = try d.height("trusted height"),
            .trusted_validators = try d.validatorSet("trusted validator set"),
        };
    }
};

/// `decode.client_message`: a header message, or `[1, header message, header message]`.
pub fn decodeClientMessage(ctx: *Ctx, data: []const u8) Error!ClientMessage {
    var d = try Decoder.open(ctx, data, "client message");
    const start = d.r.pos;
    const kind = d.r.peekKind() catch return d.ctx.fail("", .{});
    if (kind == .array) {
        const n = try d.arrayHeader("", .{});
        if (n >= 1 and d.peekUint(message_misbehaviour)) {
            if (n != 3) return ctx.failText("misbehaviour must be an array of 3 fields");
            _ = try d.uint("message kind");
            const first = try d.headerMessage();
            const second = try d.headerMessage();
            return .{ .misbehaviour = .{ .first = first, .second = second } };
        }
    }
    d.r.pos = start;
    const message = try d.headerMessage();
    return .{ .header = message };
}

/// `decode.client_state` (the format is checked by the caller: which ones it reads is its own).
pub fn decodeClientState(ctx: *Ctx, data: []const u8) Error!ClientState {
    var d = try Decoder.open(ctx, data, "client state");
    try d.array(8, "client state");
    const format = try d.uint("client state format");
    const chain_id = try d.text("chain id");
    try d.array(2, "trust level");
    const numerator = try d.uint("trust level");
    const denominator = try d.uint("trust level");
    const trusting_period = try d.uint("trusting period");
    const max_clock_drift = try d.uint("max clock drift");
    const latest = try d.height("latest height");
    const frozen = try d.height("frozen height");
    const bad_path = "upgrade path must be a list of strings";
    const count = try d.arrayHeader(bad_path, .{});
    const path = try ctx.alloc.alloc([]const u8, count);
    for (path) |*element| element.* = try d.text("upgrade path element");
    return .{
        .format = format,
        .chain_id = chain_id,
        .trust_level = .{ .numerator = numerator, .denominator = denominator },
        .trusting_period_ns = trusting_period,
        .max_clock_drift_ns = max_clock_drift,
        .latest_height = latest,
        .frozen_height = frozen,
        .upgrade_path = path,
    };
}

/// `decode.consensus_state`: `[2, ts, root, nvh, header_version]` or `[format, ts, root, nvh]`.
pub fn decodeConsensusState(ctx: *Ctx, data: []const u8) Error!ConsensusState {
    var d = try Decoder.open(ctx, data, "consensus state");
    const start = d.r.pos;
    var fields: u32 = 4;
    if (d.r.peekKind() catch .nil == .array) {
        const n = try d.arrayHeader("", .{});
        if (n >= 1 and d.peekUint(2)) fields = 5;
    }
    d.r.pos = start;
    try d.array(fields, "consensus state");
    const format = try d.uint("consensus state format");
    const timestamp = try d.uint("timestamp");
    const root = try d.hash("root");
    const next_validators_hash = try d.hash("next validators hash");
    const header_version = if (fields == 5) try d.uint("header version") else 1;
    return .{
        .format = format,
        .timestamp_ns = timestamp,
        .root = root.*,
        .next_validators_hash = next_validators_hash.*,
        .header_version = header_version,
    };
}

/// Decodes a height array `[revision, number]` (used in tests and by callers of raw data).
pub fn decodeHeight(ctx: *Ctx, data: []const u8) Error!Height {
    var d = try Decoder.open(ctx, data, "height");
    const h = try d.height("height");
    return h;
}

// -- canonical encodings ----------------------------------------------------------------------

/// `Header.encode()` packed: the bytes whose sha256 is the header (block) hash.
pub fn encodeHeader(alloc: Allocator, h: *const Header) Allocator.Error![]const u8 {
    var w = Writer.init(alloc);
    try w.out.ensureTotalCapacity(16 + h.chain_id.len + 4 * 34 + 4 * 9);
    try w.writeArrayHeader(9);
    try w.writeUint(h.version.number);
    try w.writeStr(h.chain_id);
    try w.writeUint(h.revision);
    try w.writeUint(h.height);
    try w.writeUint(h.time_ns);
    try w.writeBin(h.validators_hash);
    try w.writeBin(h.next_validators_hash);
    try w.writeBin(h.app_hash);
    try w.writeBin(h.last_block_hash);
    return w.bytes();
}

pub fn headerHash(alloc: Allocator, h: *const Header) Allocator.Error!Hash {
    return sha256(try encodeHeader(alloc, h));
}

/// `ValidatorSet.encode()` packed: `[scheme, [[public_key, power], …]]`.
pub fn encodeValidatorSet(alloc: Allocator, set: *const ValidatorSet) Allocator.Error![]const u8 {
    var w = Writer.init(alloc);
    var size: usize = 16 + set.scheme.len;
    for (set.validators) |v| size += v.public_key.len + 16;
    try w.out.ensureTotalCapacity(size);
    try w.writeArrayHeader(2);
    try w.writeStr(set.scheme);
    try w.writeArrayHeader(set.validators.len);
    for (set.validators) |v| {
        try w.writeArrayHeader(2);
        try w.writeBin(v.public_key);
        try w.writeUint(v.power);
    }
    return w.bytes();
}

/// `vote_bytes`: `[domain, chain_id, revision, height, block_hash]`, what validators sign.
pub fn voteBytes(alloc: Allocator, h: *const Header, block_hash: *const Hash) Allocator.Error![]const u8 {
    var w = Writer.init(alloc);
    try w.out.ensureTotalCapacity(64 + h.chain_id.len);
    try w.writeArrayHeader(5);
    try w.writeStr(h.version.vote_domain);
    try w.writeStr(h.chain_id);
    try w.writeUint(h.revision);
    try w.writeUint(h.height);
    try w.writeBin(block_hash);
    return w.bytes();
}

/// `ClientState.encode()` in `format` (formats 1 and 2 share the layout).
pub fn encodeClientState(alloc: Allocator, cs: *const ClientState, format: u64) Allocator.Error![]const u8 {
    var w = Writer.init(alloc);
    try w.writeArrayHeader(8);
    try w.writeUint(format);
    try w.writeStr(cs.chain_id);
    try w.writeArrayHeader(2);
    try w.writeUint(cs.trust_level.numerator);
    try w.writeUint(cs.trust_level.denominator);
    try w.writeUint(cs.trusting_period_ns);
    try w.writeUint(cs.max_clock_drift_ns);
    try writeHeight(&w, cs.latest_height);
    try writeHeight(&w, cs.frozen_height);
    try w.writeArrayHeader(cs.upgrade_path.len);
    for (cs.upgrade_path) |element| try w.writeStr(element);
    return w.bytes();
}

/// `ConsensusState.encode()` in `format`: format 2 appends the header version.
pub fn encodeConsensusState(alloc: Allocator, cs: *const ConsensusState, format: u64) Allocator.Error![]const u8 {
    var w = Writer.init(alloc);
    try w.writeArrayHeader(if (format >= 2) 5 else 4);
    try w.writeUint(format);
    try w.writeUint(cs.timestamp_ns);
    try w.writeBin(&cs.root);
    try w.writeBin(&cs.next_validators_hash);
    if (format >= 2) try w.writeUint(cs.header_version);
    return w.bytes();
}

fn writeHeight(w: *Writer, h: Height) Allocator.Error!void {
    try w.writeArrayHeader(2);
    try w.writeUint(h.revision_number);
    try w.writeUint(h.revision_height);
}

pub fn sha256(data: []const u8) Hash {
    var out: Hash = undefined;
    Sha256.hash(data, &out, .{});
    return out;
}

// -- tests ------------------------------------------------------------------------------------

const testing = std.testing;

fn testCtx(arena: *std.heap.ArenaAllocator) Ctx {
    return .{ .alloc = arena.allocator() };
}

// Vectors made with the Python reference (relayer_sim/lightclient): see each comment.

// ClientState("sim-1", TrustLevel(1, 3), 1209600000000000, 10000000000, Height(1, 5)).encode()
const client_state_v1 = "\x98\x01\xa5sim-1\x92\x01\x03\xcf\x00\x04L\x1f\xf2R\x00\x00\xcf" ++
    "\x00\x00\x00\x02T\x0b\xe4\x00\x92\x01\x05\x92\x00\x00\x92\xa7upgrade\xb0upgradedIBCState";

test "client state round trip (Python bytes)" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = testCtx(&arena);
    const cs = try decodeClientState(&ctx, client_state_v1);
    try testing.expectEqual(@as(u64, 1), cs.format);
    try testing.expectEqualStrings("sim-1", cs.chain_id);
    try testing.expectEqual(@as(u64, 3), cs.trust_level.denominator);
    try testing.expectEqual(@as(u64, 1209600000000000), cs.trusting_period_ns);
    try testing.expectEqual(Height{ .revision_number = 1, .revision_height = 5 }, cs.latest_height);
    try testing.expect(!cs.frozen());
    try testing.expectEqual(@as(usize, 2), cs.upgrade_path.len);
    try testing.expectEqualSlices(u8, client_state_v1, try encodeClientState(ctx.alloc, &cs, 1));
    const v2 = try encodeClientState(ctx.alloc, &cs, 2);
    try testing.expectEqual(@as(u8, 2), v2[1]);
    try testing.expectEqualSlices(u8, client_state_v1[2..], v2[2..]);
}

test "consensus state formats round trip" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = testCtx(&arena);
    const cs = ConsensusState{ .format = 1, .timestamp_ns = 1_700_000_006_000_000_000, .root = @splat(0xaa), .next_validators_hash = @splat(0xbb) };
    const one = try encodeConsensusState(ctx.alloc, &cs, 1);
    // ConsensusState(1700000006000000000, b"\xaa"*32, b"\xbb"*32).encode()
    const expected = "\x94\x01\xcf\x17\x97\x9c\xff\x9b\xca\xbc\x00\xc4\x20" ++ "\xaa" ** 32 ++ "\xc4\x20" ++ "\xbb" ** 32;
    try testing.expectEqualSlices(u8, expected, one);
    const back = try decodeConsensusState(&ctx, one);
    try testing.expectEqual(@as(u64, 1), back.header_version);
    try testing.expectEqual(cs.timestamp_ns, back.timestamp_ns);
    var v2 = cs;
    v2.header_version = 2;
    const two = try encodeConsensusState(ctx.alloc, &v2, 2);
    try testing.expectEqualSlices(u8, "\x95\x02", two[0..2]);
    try testing.expectEqual(@as(u8, 2), two[two.len - 1]);
    const back2 = try decodeConsensusState(&ctx, two);
    try testing.expectEqual(@as(u64, 2), back2.format);
    try testing.expectEqual(@as(u64, 2), back2.header_version);
    // One value, one encoding: a non-minimal integer is refused.
    const wide = "\x94\xcf\x00\x00\x00\x00\x00\x00\x00\x01\x05\xc4\x20" ++ "\x00" ** 32 ++ "\xc4\x20" ++ "\x00" ** 32;
    try testing.expectError(error.Fail, decodeConsensusState(&ctx, wide));
    try testing.expectEqualStrings("consensus state is not canonical msgpack: not the minimal encoding", ctx.message);
    try testing.expectError(error.Fail, decodeConsensusState(&ctx, "\x95\x02\x05"));
    try testing.expectEqualStrings("consensus state is not canonical msgpack: truncated input", ctx.message);
    try testing.expectError(error.Fail, decodeConsensusState(&ctx, "\x94\x02\x05\xc0\xc0"));
    try testing.expectEqualStrings("consensus state must be an array of 5 fields", ctx.message);
    try testing.expectError(error.Fail, decodeConsensusState(&ctx, try std.mem.concat(ctx.alloc, u8, &.{ one, "\xc0" })));
    try testing.expectEqualStrings("consensus state is not canonical msgpack: extra data after the value", ctx.message);
}

// A header message built with the reference: 2 ed25519 validators (keys 0x01.., 0x02..,
// power 10 each), chain "c-1", height 5, trusted 1-4. Python:
//   vs = ValidatorSet.of("ed25519", [Validator(b"\1"*32, 10), Validator(b"\2"*32, 10)])
//   h = Header(TM_ED25519, "c-1", 1, 5, 1000, vs.hash(), vs.hash(), b"\3"*32, b"\4"*32)
//   HeaderMessage(SignedHeader(h, Commit(5, h.hash(), (b"\5"*64, None)), vs), Height(1, 4), vs)
const vs_bytes = "\x92\xa7ed25519\x92\x92\xc4\x20" ++ "\x01" ** 32 ++ "\x0a\x92\xc4\x20" ++ "\x02" ** 32 ++ "\x0a";
const vs_hash_hex = "eb821a51c4f49a7bab3a8eeb269f86a82842111413d7e1c0fe3356ef7d7e016d";

test "validator set decode, canonical checks and hash" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = testCtx(&arena);
    var d = try Decoder.open(&ctx, vs_bytes, "client message");
    const set = try d.validatorSet("validator set");
    try testing.expectEqual(@as(u128, 20), set.total_power);
    try testing.expectEqual(@as(?usize, 1), set.indexOf("\x02" ** 32));
    try testing.expectEqual(@as(?usize, null), set.indexOf("\x03" ** 32));
    try testing.expectEqualSlices(u8, vs_bytes, try encodeValidatorSet(ctx.alloc, &set));

    const unordered = "\x92\xa7ed25519\x92\x92\xc4\x01\x02\x0a\x92\xc4\x01\x01\x0a";
    d = try Decoder.open(&ctx, unordered, "client message");
    try testing.expectError(error.Fail, d.validatorSet("validator set"));
    try testing.expectEqualStrings("validator set is not in canonical order", ctx.message);
    const twice = "\x92\xa7ed25519\x92\x92\xc4\x01\x01\x0b\x92\xc4\x01\x01\x0a";
    d = try Decoder.open(&ctx, twice, "client message");
    try testing.expectError(error.Fail, d.validatorSet("validator set"));
    try testing.expectEqualStrings("validator set: a validator set cannot list one key twice", ctx.message);
    const zero = "\x92\xa7ed25519\x91\x92\xc4\x01\x01\x00";
    d = try Decoder.open(&ctx, zero, "client message");
    try testing.expectError(error.Fail, d.validatorSet("validator set"));
    try testing.expectEqualStrings("validator set: every validator needs a positive voting power", ctx.message);
    const empty = "\x92\xa7ed25519\x90";
    d = try Decoder.open(&ctx, empty, "client message");
    try testing.expectError(error.Fail, d.validatorSet("validator set"));
    try testing.expectEqualStrings("validator set: a validator set needs at least one validator", ctx.message);
    const bad_scheme = "\x92\x05\x91\x92\xc4\x01\x01\x01";
    d = try Decoder.open(&ctx, bad_scheme, "client message");
    try testing.expectError(error.Fail, d.validatorSet("validator set"));
    try testing.expectEqualStrings("validator set scheme must be a string", ctx.message);
}

test "client message kinds and shape errors" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = testCtx(&arena);
    try testing.expectError(error.Fail, decodeClientMessage(&ctx, "\x93\x01\xc0\xc0"));
    try testing.expectEqualStrings("header message must be an array of 6 fields", ctx.message);
    try testing.expectError(error.Fail, decodeClientMessage(&ctx, "\x92\x01\xc0"));
    try testing.expectEqualStrings("misbehaviour must be an array of 3 fields", ctx.message);
    try testing.expectError(error.Fail, decodeClientMessage(&ctx, "\x96\x02\xc0\xc0\xc0\xc0\xc0"));
    try testing.expectEqualStrings("a header message starts with 0", ctx.message);
    try testing.expectError(error.Fail, decodeClientMessage(&ctx, "\x96\x00\x91\xc0\xc0\xc0\xc0\xc0"));
    try testing.expectEqualStrings("header must be an array of 9 fields", ctx.message);
    try testing.expectError(error.Fail, decodeClientMessage(&ctx, "\x96\x00\x99\x07" ++ "\xc0" ** 12));
    try testing.expectEqualStrings("unknown header version 7", ctx.message);
    try testing.expectError(error.Fail, decodeClientMessage(&ctx, "\xc1"));
    try testing.expectError(error.Fail, decodeClientMessage(&ctx, ""));
    try testing.expectEqualStrings("client message is not canonical msgpack: truncated input", ctx.message);
    try testing.expectError(error.Fail, decodeClientMessage(&ctx, "\xdd\xff\xff\xff\xff"));
}

test "header message decodes and hashes like Python" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var ctx = testCtx(&arena);
    const alloc = ctx.alloc;
    var vs_hash: Hash = undefined;
    _ = try std.fmt.hexToBytes(&vs_hash, vs_hash_hex);
    var d = try Decoder.open(&ctx, vs_bytes, "x");
    const set = try d.validatorSet("validator set");
    try testing.expectEqualSlices(u8, &vs_hash, &sha256(try encodeValidatorSet(alloc, &set)));

    const header = Header{
        .version = versionByNumber(1).?,
        .chain_id = "c-1",
        .revision = 1,
        .height = 5,
        .time_ns = 1000,
        .validators_hash = &vs_hash,
        .next_validators_hash = &vs_hash,
        .app_hash = &@as(Hash, @splat(3)),
        .last_block_hash = &@as(Hash, @splat(4)),
    };
    const block_hash = try headerHash(alloc, &header);
    var expected: Hash = undefined;
    _ = try std.fmt.hexToBytes(&expected, "c05efe56b2c9000b2df1c5a505b0a90f4ec0060e128b36715d8b9d4444c05f15");
    try testing.expectEqualSlices(u8, &expected, &block_hash);
    var vote: [57]u8 = undefined;
    _ = try std.fmt.hexToBytes(&vote, "95af746d2d656432353531392f766f7465a3632d310105c420c05efe56b2c9000b2df1c5a505b0a90f4ec0060e128b36715d8b9d4444c05f15");
    try testing.expectEqualSlices(u8, &vote, try voteBytes(alloc, &header, &block_hash));

    var w = Writer.init(alloc);
    try w.writeArrayHeader(6);
    try w.writeUint(0);
    try w.out.appendSlice(try encodeHeader(alloc, &header));
    try w.writeArrayHeader(3);
    try w.writeUint(5);
    try w.writeBin(&(try headerHash(alloc, &header)));
    try w.writeArrayHeader(2);
    try w.writeBin("\x05" ** 64);
    try w.writeNil();
    try w.out.appendSlice(vs_bytes);
    try w.writeArrayHeader(2);
    try w.writeUint(1);
    try w.writeUint(4);
    try w.out.appendSlice(vs_bytes);
    const message = try decodeClientMessage(&ctx, w.bytes());
    const m = message.header;
    try testing.expectEqualStrings("c-1", m.header.chain_id);
    try testing.expectEqual(@as(u64, 5), m.commit.height);
    try testing.expect(m.commit.signatures[1] == null);
    try testing.expectEqual(@as(usize, 64), m.commit.signatures[0].?.len);
    try testing.expectEqual(Height{ .revision_number = 1, .revision_height = 4 }, m.trusted_height);
    try testing.expectEqualSlices(u8, try encodeHeader(alloc, &header), try encodeHeader(alloc, &m.header));
}
