//! The 08-wasm contract API of a tendermint contract (DESIGN.md §3, contracts/tendermint.md):
//! the JSON messages of `instantiate`, `query`, `sudo` and `migrate` in both dialects, mapped
//! onto ibc-go 07-tendermint's rules in its order of checks. The host's env, the JSON parsing
//! and the store layout are sim-tendermint's (`sim_tm.api`, `sim_tm.store`), shared as is.
//!
//! Every refusal happens before the first storage write, so a failed call changes nothing.

const std = @import("std");
const cw = @import("cw");
const sim_tm = @import("sim_tm");
const pb = @import("pb.zig");
const light = @import("light.zig");
const ics23 = @import("ics23.zig");
const gofloat = @import("gofloat.zig");

const json = cw.json;
const Allocator = std.mem.Allocator;
const Ctx = sim_tm.failure.Ctx;
const Error = sim_tm.failure.Error;
const Env = sim_tm.api.Env;
const Store = sim_tm.store.Store;
const Processed = sim_tm.store.Processed;
const Height = pb.Height;
const ClientState = pb.ClientState;
const ConsensusState = pb.ConsensusState;

pub const Config = light.Config;

/// Where `update_state_on_misbehaviour` freezes a client (ibc-go's `FrozenHeight`).
const frozen_at = Height{ .revision_number = 0, .revision_height = 1 };

/// ibc-go's `SentinelRoot`: the root of an upgraded consensus state, which no proof reaches.
const sentinel_root = "sentinel_root";

/// The contract's entry points (sim_tm's `entry_points.zig`); a contract's main.zig exports
/// them with `exportEntryPoints`. An unknown query or sudo name is `malformed message`.
pub fn Contract(comptime config: Config) type {
    return sim_tm.entry_points.EntryPoints(Client, Request, config, "malformed message: ");
}

const null_value: json.Value = .null;

/// One message's fields; every error is `malformed message: …`.
const Request = struct {
    ctx: *Ctx,
    name: []const u8,
    body: json.Value,

    pub fn of(ctx: *Ctx, body: json.Value, name: []const u8) Error!Request {
        if (body.asObject() == null) return ctx.fail("malformed message: {s} is not an object", .{name});
        return .{ .ctx = ctx, .name = name, .body = body };
    }

    /// `{"<command>": {…}}`: exactly one key, whose value is the command's object.
    pub fn command(ctx: *Ctx, msg: json.Value) Error!Request {
        const members = msg.asObject() orelse return ctx.failText("malformed message: not an object");
        if (members.len != 1) return ctx.failText("malformed message: it must have exactly one key");
        return of(ctx, members[0].value, members[0].key);
    }

    fn field(r: Request, key: []const u8) Error!json.Value {
        return r.body.get(key) orelse r.ctx.fail("malformed message: {s} has no {s}", .{ r.name, key });
    }

    fn bytes(r: Request, key: []const u8) Error![]const u8 {
        const text = (try r.field(key)).asString() orelse
            return r.ctx.fail("malformed message: {s} must be a base64 string", .{key});
        return decodeBase64(r, key, text);
    }

    fn decodeBase64(r: Request, key: []const u8, text: []const u8) Error![]const u8 {
        return cw.base64.decode(r.ctx.alloc, text) catch |err| switch (err) {
            error.OutOfMemory => error.OutOfMemory,
            error.InvalidBase64 => r.ctx.fail("malformed message: {s} is not base64", .{key}),
        };
    }

    /// A u64 that may be missing (= 0), as Go's `omitempty` leaves zero fields out.
    fn optionalU64(r: Request, value: json.Value, key: []const u8) Error!u64 {
        const member = value.get(key) orelse return 0;
        return member.asU64() orelse r.ctx.fail("malformed message: {s} must be an unsigned integer", .{key});
    }

    fn height(r: Request, key: []const u8) Error!Height {
        const value = try r.field(key);
        if (value.asObject() == null) return r.ctx.fail("malformed message: {s} must be an object", .{key});
        return .{
            .revision_number = try r.optionalU64(value, "revision_number"),
            .revision_height = try r.optionalU64(value, "revision_height"),
        };
    }

    /// v10's `merkle_path` (base64 elements) or v0.1's `path` (plain strings).
    fn keyPath(r: Request) Error![]const []const u8 {
        const v10 = r.body.get("merkle_path");
        const path = v10 orelse r.body.get("path") orelse return r.ctx.failText("malformed message: missing merkle_path");
        const elements = (path.get("key_path") orelse null_value).asArray() orelse
            return r.ctx.failText("malformed message: key_path must be a list");
        const out = try r.ctx.alloc.alloc([]const u8, elements.len);
        for (elements, out) |element, *slot| {
            const text = element.asString() orelse return r.ctx.failText("malformed message: key_path elements must be strings");
            slot.* = if (v10 != null) try r.decodeBase64("key_path", text) else text;
        }
        return out;
    }
};

// -- the store ----------------------------------------------------------------------------------

const StoredClient = struct { state: ClientState, checksum: []const u8 };

fn decodeFailure(ctx: *Ctx, comptime what: []const u8, err: pb.Error) Error {
    return switch (err) {
        error.OutOfMemory => error.OutOfMemory,
        else => ctx.fail("malformed " ++ what ++ ": {s}", .{@errorName(err)}),
    };
}

fn readClient(ctx: *Ctx, s: Store) Error!?StoredClient {
    const raw = try s.read(try s.key(&.{sim_tm.store.client_state_key})) orelse return null;
    const wrapped = cw.proto.decodeClientStateAny(raw) catch |err| return ctx.fail("malformed client state: stored wrapper: {s}", .{@errorName(err)});
    const value = pb.unpackAny(wrapped.data, pb.client_state_type_url) catch |err| return decodeFailure(ctx, "client state", err);
    const state = pb.decodeClientState(ctx.alloc, value) catch |err| return decodeFailure(ctx, "client state", err);
    return .{ .state = state, .checksum = wrapped.checksum };
}

fn writeClient(ctx: *Ctx, s: Store, state: *const ClientState, checksum: []const u8) Error!void {
    const data = try pb.packAny(ctx.alloc, pb.client_state_type_url, try pb.encodeClientState(ctx.alloc, state.*));
    const any = try cw.proto.encodeClientStateAny(ctx.alloc, .{
        .data = data,
        .checksum = checksum,
        .latest_height = .{ .revision_number = state.latest_height.revision_number, .revision_height = state.latest_height.revision_height },
    });
    try s.write(try s.key(&.{sim_tm.store.client_state_key}), any);
}

fn readConsensus(ctx: *Ctx, s: Store, h: Height) Error!?ConsensusState {
    const raw = try s.read(try s.consensusKey(h, "")) orelse return null;
    const wrapped = cw.proto.decodeConsensusStateAny(raw) catch |err| return ctx.fail("malformed consensus state: stored wrapper: {s}", .{@errorName(err)});
    const value = pb.unpackAny(wrapped.data, pb.consensus_state_type_url) catch |err| return decodeFailure(ctx, "consensus state", err);
    return pb.decodeConsensusState(value) catch |err| decodeFailure(ctx, "consensus state", err);
}

/// Writes the four consensus keys: the state, its processed time and height, its index entry.
fn writeConsensus(ctx: *Ctx, s: Store, h: Height, state: *const ConsensusState, processed: Processed) Error!void {
    const data = try pb.packAny(ctx.alloc, pb.consensus_state_type_url, try pb.encodeConsensusState(ctx.alloc, state.*));
    try s.write(try s.consensusKey(h, ""), try cw.proto.encodeConsensusStateAny(ctx.alloc, .{ .data = data }));
    var time: [8]u8 = undefined;
    std.mem.writeInt(u64, &time, processed.time_ns, .big);
    try s.write(try s.consensusKey(h, sim_tm.store.processed_time_suffix), &time);
    var buf: [41]u8 = undefined;
    try s.write(try s.consensusKey(h, sim_tm.store.processed_height_suffix), sim_tm.store.heightText(&buf, processed.height));
    const index = sim_tm.store.iterationKey(h);
    const target = try std.mem.concat(ctx.alloc, u8, &.{ sim_tm.store.consensus_prefix, sim_tm.store.heightText(&buf, h) });
    try s.write(try s.key(&.{&index}), target);
}

/// ibc-go `GetProcessedTime`: `sdk.BigEndianToUint64`, i.e. `binary.BigEndian.Uint64` of the
/// first 8 bytes (a longer value's tail is ignored). Shorter than 8 bytes counts as missing, as
/// in the reference (Go would panic on 1 to 7 bytes; an empty value is not found).
fn readProcessedTime(s: Store, h: Height) Error!?u64 {
    const raw = try s.read(try s.consensusKey(h, sim_tm.store.processed_time_suffix)) orelse return null;
    if (raw.len < 8) return null;
    return std.mem.readInt(u64, raw[0..8], .big);
}

fn readProcessedHeight(s: Store, h: Height) Error!?Height {
    const raw = try s.read(try s.consensusKey(h, sim_tm.store.processed_height_suffix)) orelse return null;
    return sim_tm.store.parseHeightText(raw);
}

// -- validation ---------------------------------------------------------------------------------

/// Go's `strings.TrimSpace(s) == ""`: nothing but Unicode white space.
fn isBlank(s: []const u8) bool {
    const view = std.unicode.Utf8View.init(s) catch return false;
    var it = view.iterator();
    while (it.nextCodepoint()) |c| switch (c) {
        '\t', '\n', 0x0b, 0x0c, '\r', ' ', 0x85, 0xa0, 0x1680, 0x2000...0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000 => {},
        else => return false,
    };
    return true;
}

/// ibc-go `ClientState.Validate`: the first rule broken, or null. In ibc-go's order (the latest
/// height's revision number, then its revision height, then trusting < unbonding), and worded
/// as the reference's `client_state_problem`, so the two refuse with the same full text.
fn clientStateProblem(cs: *const ClientState) ?[]const u8 {
    if (isBlank(cs.chain_id)) return "chain id is empty";
    if (cs.chain_id.len > light.max_chain_id_len) return "chain id is too long";
    const level = cs.trust_level;
    // CometBFT `ValidateTrustLevel`, with Go's wrapping `numerator*3`.
    if (level.numerator *% 3 < level.denominator or level.numerator > level.denominator or level.denominator == 0) {
        return "trust level is not within [1/3, 1]";
    }
    if (cs.trusting_period_ns <= 0) return "trusting period must be positive";
    if (cs.unbonding_period_ns <= 0) return "unbonding period must be positive";
    if (cs.max_clock_drift_ns <= 0) return "max clock drift must be positive";
    if (cs.latest_height.revision_number != light.revisionFromChainId(cs.chain_id)) return "latest height revision differs from the chain id's";
    if (cs.latest_height.revision_height == 0) return "latest revision height is zero";
    if (cs.trusting_period_ns >= cs.unbonding_period_ns) return "trusting period is not below the unbonding period";
    if (cs.proof_specs.len == 0) return "no proof specs";
    for (cs.upgrade_path) |key| if (isBlank(key)) return "an upgrade path key is empty";
    return null;
}

/// ibc-go `ConsensusState.ValidateBasic`.
fn consensusStateProblem(state: *const ConsensusState) ?[]const u8 {
    if (state.root.len == 0) return "root cannot be empty";
    if (state.next_validators_hash.len != 0 and state.next_validators_hash.len != 32) return "next validators hash is invalid";
    if (state.timestamp.seconds <= 0) return "timestamp must be a positive Unix time";
    return null;
}

fn isFrozen(cs: *const ClientState) bool {
    return !cs.frozen_height.isZero();
}

/// `IsExpired`: the consensus time plus the trusting period is not after now.
fn isExpired(cs: *const ClientState, state: *const ConsensusState, now_ns: u64) bool {
    return state.timestamp.ns() + cs.trusting_period_ns <= now_ns;
}

/// `IsMatchingClientState`: equal but for latest height, frozen height, trusting period, chain
/// id and the deprecated flags, compared on their encodings.
fn isMatching(alloc: Allocator, a: ClientState, b: ClientState) Allocator.Error!bool {
    var x = a;
    var y = b;
    inline for (.{ &x, &y }) |s| {
        s.latest_height = .{};
        s.frozen_height = .{};
        s.trusting_period_ns = 0;
        s.chain_id = "";
        s.allow_update_after_expiry = true;
        s.allow_update_after_misbehaviour = true;
    }
    return std.mem.eql(u8, try pb.encodeClientState(alloc, x), try pb.encodeClientState(alloc, y));
}

// -- the client ---------------------------------------------------------------------------------

const Client = struct {
    ctx: *Ctx,
    config: Config,
    env: Env,

    pub fn init(ctx: *Ctx, config: Config, env: []const u8) Error!Client {
        return .{ .ctx = ctx, .config = config, .env = try sim_tm.api.parseEnv(ctx, env) };
    }

    fn store(c: *Client) Store {
        return .{ .ctx = c.ctx };
    }

    fn client(c: *Client) Error!StoredClient {
        return try readClient(c.ctx, c.store()) orelse c.ctx.failText("malformed client state: no client state stored");
    }

    fn activeClient(c: *Client) Error!StoredClient {
        const stored = try c.client();
        if (isFrozen(&stored.state)) return c.ctx.failText("client is frozen");
        return stored;
    }

    fn consensusAt(c: *Client, s: Store, h: Height) Error!ConsensusState {
        return try readConsensus(c.ctx, s, h) orelse
            c.ctx.fail("consensus state not found: at {d}-{d}", .{ h.revision_number, h.revision_height });
    }

    fn lightClient(cs: *const ClientState) light.Client {
        return .{
            .chain_id = cs.chain_id,
            .trust_level = cs.trust_level,
            .trusting_period_ns = cs.trusting_period_ns,
            .max_clock_drift_ns = cs.max_clock_drift_ns,
        };
    }

    fn decodeMessage(c: *Client, r: Request) Error!pb.ClientMessage {
        const data = try r.bytes("client_message");
        return pb.decodeClientMessage(c.ctx.alloc, data) catch |err| decodeFailure(c.ctx, "client message", err);
    }

    fn givenClient(c: *Client, data: []const u8, comptime what: []const u8) Error!ClientState {
        const value = pb.unpackAny(data, pb.client_state_type_url) catch |err| return decodeFailure(c.ctx, what, err);
        return pb.decodeClientState(c.ctx.alloc, value) catch |err| decodeFailure(c.ctx, what, err);
    }

    fn givenConsensus(c: *Client, data: []const u8, comptime what: []const u8) Error!ConsensusState {
        const value = pb.unpackAny(data, pb.consensus_state_type_url) catch |err| return decodeFailure(c.ctx, what, err);
        return pb.decodeConsensusState(value) catch |err| decodeFailure(c.ctx, what, err);
    }

    fn decodeProof(c: *Client, data: []const u8) Error![]const pb.CommitmentProof {
        return pb.decodeMerkleProof(c.ctx.alloc, data) catch |err| decodeFailure(c.ctx, "proof", err);
    }

    // -- instantiate ----------------------------------------------------------------------------

    pub fn instantiate(c: *Client, r: Request) Error!?[]const u8 {
        const client_bytes = try r.bytes("client_state");
        const consensus_bytes = try r.bytes("consensus_state");
        const checksum = try r.bytes("checksum");
        // ibc-go `LightClientModule.Initialize`: the client state is decoded and validated
        // before the consensus state is decoded, so an invalid client state is refused as such
        // whatever the consensus state bytes.
        const cs = try c.givenClient(client_bytes, "client state");
        if (clientStateProblem(&cs)) |problem| return c.ctx.fail("invalid client state: {s}", .{problem});
        const consensus = try c.givenConsensus(consensus_bytes, "consensus state");
        if (consensusStateProblem(&consensus)) |problem| return c.ctx.fail("invalid consensus state: {s}", .{problem});
        try writeClient(c.ctx, c.store(), &cs, checksum);
        try writeConsensus(c.ctx, c.store(), cs.latest_height, &consensus, c.env.processedNow());
        return null;
    }

    // -- queries --------------------------------------------------------------------------------

    pub fn status(c: *Client) Error!?[]const u8 {
        const cs = (try c.client()).state;
        const text = if (isFrozen(&cs))
            "Frozen"
        else if (try readConsensus(c.ctx, c.store(), cs.latest_height)) |latest|
            if (isExpired(&cs, &latest, c.env.time_ns)) "Expired" else "Active"
        else
            "Expired";
        var w = json.Writer.init(c.ctx.alloc);
        try w.beginObject();
        try w.key("status");
        try w.string(text);
        try w.endObject();
        return w.bytes();
    }

    pub fn timestampAtHeight(c: *Client, r: Request) Error!?[]const u8 {
        const state = try c.consensusAt(c.store(), try r.height("height"));
        var w = json.Writer.init(c.ctx.alloc);
        try w.beginObject();
        try w.key("timestamp");
        // Go's `uint64(Timestamp.UnixNano())`.
        try w.int(@as(u64, @truncate(@as(u128, @bitCast(state.timestamp.ns())))));
        try w.endObject();
        return w.bytes();
    }

    pub fn verifyClientMessage(c: *Client, r: Request) Error!?[]const u8 {
        const cs = (try c.activeClient()).state;
        const message = try c.decodeMessage(r);
        const ctx = c.ctx;
        const s = c.store();
        switch (message) {
            .header => |*m| {
                const checked = try light.validateHeader(ctx, m);
                const trusted = try c.consensusAt(s, m.trusted_height);
                try light.verifyHeader(ctx, c.config, lightClient(&cs), &checked, &trusted, c.env.time_ns);
            },
            .misbehaviour => |*m| {
                const checked = try light.validateMisbehaviour(ctx, c.config, m);
                const trusted_1 = try c.consensusAt(s, checked.first.message.trusted_height);
                const trusted_2 = try c.consensusAt(s, checked.second.message.trusted_height);
                light.verifyMisbehaviourHeader(ctx, c.config, lightClient(&cs), &checked.first, &trusted_1, c.env.time_ns) catch |err|
                    return light.nested(ctx, err, "header 1");
                light.verifyMisbehaviourHeader(ctx, c.config, lightClient(&cs), &checked.second, &trusted_2, c.env.time_ns) catch |err|
                    return light.nested(ctx, err, "header 2");
            },
        }
        return "{}";
    }

    pub fn checkForMisbehaviour(c: *Client, r: Request) Error!?[]const u8 {
        _ = try c.client();
        const message = try c.decodeMessage(r);
        const found = switch (message) {
            .misbehaviour => |*m| try light.isMisbehaviour(c.ctx, m),
            .header => |*m| found: {
                const header = try light.headerOf(c.ctx, m);
                const s = c.store();
                const h = light.heightOf(header);
                const state = light.headerConsensusState(header);
                const existing = try readConsensus(c.ctx, s, h);
                const below = if (try s.previousHeight(h)) |at| try readConsensus(c.ctx, s, at) else null;
                const above = if (try s.followingHeight(h)) |at| try readConsensus(c.ctx, s, at) else null;
                break :found light.conflictsWithStored(&state, optionalPtr(&existing), optionalPtr(&below), optionalPtr(&above));
            },
        };
        var w = json.Writer.init(c.ctx.alloc);
        try w.beginObject();
        try w.key("found_misbehaviour");
        try w.boolean(found);
        try w.endObject();
        return w.bytes();
    }

    /// ibc-go `IterateConsensusMetadata` (`Store.metadata`).
    pub fn exportMetadata(c: *Client) Error!?[]const u8 {
        var w = json.Writer.init(c.ctx.alloc);
        try w.beginObject();
        try w.key("genesis_metadata");
        try w.beginArray();
        for (try c.store().metadata()) |entry| try writeEntry(&w, entry.key, entry.value);
        try w.endArray();
        try w.endObject();
        return w.bytes();
    }

    // -- sudo -----------------------------------------------------------------------------------

    pub fn updateState(c: *Client, r: Request) Error!?[]const u8 {
        const stored = try c.activeClient();
        const message = try c.decodeMessage(r);
        const m = switch (message) {
            .header => |*m| m,
            .misbehaviour => return c.ctx.failText("unexpected client message: update_state takes a header"),
        };
        const header = try light.headerOf(c.ctx, m);
        const s = c.store();
        var cs = stored.state;
        try c.pruneOldest(&cs);
        const h = light.heightOf(header);
        if (try readConsensus(c.ctx, s, h) == null) {
            if (h.order(cs.latest_height) == .gt) cs.latest_height = h;
            const state = light.headerConsensusState(header);
            try writeClient(c.ctx, s, &cs, stored.checksum);
            try writeConsensus(c.ctx, s, h, &state, c.env.processedNow());
        }
        var w = json.Writer.init(c.ctx.alloc);
        try w.beginObject();
        try w.key("heights");
        try w.beginArray();
        try sim_tm.api.writeHeight(&w, h);
        try w.endArray();
        try w.endObject();
        return w.bytes();
    }

    /// `pruneOldestConsensusState`: the oldest consensus state, if expired, goes with its
    /// metadata (one per update).
    fn pruneOldest(c: *Client, cs: *const ClientState) Error!void {
        const s = c.store();
        const oldest = try s.oldestHeight() orelse return;
        const state = try c.consensusAt(s, oldest);
        if (isExpired(cs, &state, c.env.time_ns)) try s.deleteConsensusState(oldest);
    }

    pub fn updateStateOnMisbehaviour(c: *Client, r: Request) Error!?[]const u8 {
        _ = try r.bytes("client_message");
        const stored = try c.client();
        var cs = stored.state;
        cs.frozen_height = frozen_at;
        try writeClient(c.ctx, c.store(), &cs, stored.checksum);
        return "{}";
    }

    pub fn verifyMembership(c: *Client, r: Request, membership: bool) Error!?[]const u8 {
        const h = try r.height("height");
        const delay_time = try r.optionalU64(r.body, "delay_time_period");
        const delay_blocks = try r.optionalU64(r.body, "delay_block_period");
        const proof_bytes = try r.bytes("proof");
        const key_path = try r.keyPath();
        const value = if (membership) try r.bytes("value") else "";

        const cs = (try c.activeClient()).state;
        const s = c.store();
        if (cs.latest_height.order(h) == .lt) return c.ctx.fail("invalid height: proof height {d}-{d} is above the latest height", .{ h.revision_number, h.revision_height });
        if (delay_time != 0) {
            const processed = try readProcessedTime(s, h) orelse return c.ctx.failText("delay period not passed: processed time not found");
            if (c.env.time_ns < processed +% delay_time) return c.ctx.failText("delay period not passed: delay time period has not passed");
        }
        if (delay_blocks != 0) {
            const processed = try readProcessedHeight(s, h) orelse return c.ctx.failText("delay period not passed: processed height not found");
            const current = Height{ .revision_number = light.revisionFromChainId(c.env.chain_id), .revision_height = c.env.height };
            const valid = Height{ .revision_number = processed.revision_number, .revision_height = processed.revision_height +% delay_blocks };
            if (current.order(valid) == .lt) return c.ctx.failText("delay period not passed: delay block period has not passed");
        }
        const proofs = try c.decodeProof(proof_bytes);
        const state = try c.consensusAt(s, h);
        const result = if (membership)
            ics23.verifyMembership(c.ctx, cs.proof_specs, state.root, proofs, key_path, value)
        else
            ics23.verifyNonMembership(c.ctx, cs.proof_specs, state.root, proofs, key_path);
        result catch |err| return c.ctx.prefix(err, "invalid proof: ");
        return "{}";
    }

    pub fn verifyUpgrade(c: *Client, r: Request) Error!?[]const u8 {
        const client_bytes = try r.bytes("upgrade_client_state");
        const consensus_bytes = try r.bytes("upgrade_consensus_state");
        const client_proof = try r.bytes("proof_upgrade_client");
        const consensus_proof = try r.bytes("proof_upgrade_consensus_state");

        const ctx = c.ctx;
        const stored = try c.activeClient();
        const cs = stored.state;
        const upgraded = try c.givenClient(client_bytes, "upgraded client state");
        const upgraded_consensus = try c.givenConsensus(consensus_bytes, "upgraded consensus state");
        if (upgraded.latest_height.order(cs.latest_height) != .gt) return ctx.failText("invalid upgrade: upgraded client height must be above the current height");
        if (cs.upgrade_path.len == 0) return ctx.failText("invalid upgrade: cannot upgrade client, no upgrade path set");
        const proofs = [2][]const pb.CommitmentProof{ try c.decodeProof(client_proof), try c.decodeProof(consensus_proof) };
        const s = c.store();
        const root = (try c.consensusAt(s, cs.latest_height)).root;
        // The committed values as ibc-go marshals them: the client state with only the chain's
        // fields (`ZeroCustomFields`), and the consensus state.
        const zeroed = ClientState{
            .chain_id = upgraded.chain_id,
            .unbonding_period_ns = upgraded.unbonding_period_ns,
            .latest_height = upgraded.latest_height,
            .proof_specs = upgraded.proof_specs,
            .upgrade_path = upgraded.upgrade_path,
        };
        const values = [2][]const u8{
            try pb.packAny(ctx.alloc, pb.client_state_type_url, try pb.encodeClientState(ctx.alloc, zeroed)),
            try pb.packAny(ctx.alloc, pb.consensus_state_type_url, try pb.encodeConsensusState(ctx.alloc, upgraded_consensus)),
        };
        const last = cs.upgrade_path.len - 1;
        const keys = try ctx.alloc.alloc([]const u8, cs.upgrade_path.len);
        @memcpy(keys[0..last], cs.upgrade_path[0..last]);
        for ([2][]const u8{ "upgradedClient", "upgradedConsState" }, proofs, values) |leaf, proof, value| {
            keys[last] = try std.fmt.allocPrint(ctx.alloc, "{s}/{d}/{s}", .{ cs.upgrade_path[last], cs.latest_height.revision_height, leaf });
            ics23.verifyMembership(ctx, cs.proof_specs, root, proof, keys, value) catch |err|
                return ctx.prefix(err, try std.fmt.allocPrint(ctx.alloc, "invalid proof: {s}: ", .{leaf}));
        }
        const trusting = if (upgraded.unbonding_period_ns < cs.unbonding_period_ns)
            gofloat.newTrustingPeriod(cs.trusting_period_ns, cs.unbonding_period_ns, upgraded.unbonding_period_ns)
        else
            cs.trusting_period_ns;
        const new_client = ClientState{
            .chain_id = upgraded.chain_id,
            .trust_level = cs.trust_level,
            .trusting_period_ns = trusting,
            .unbonding_period_ns = upgraded.unbonding_period_ns,
            .max_clock_drift_ns = cs.max_clock_drift_ns,
            .latest_height = upgraded.latest_height,
            .proof_specs = upgraded.proof_specs,
            .upgrade_path = upgraded.upgrade_path,
        };
        if (clientStateProblem(&new_client)) |problem| return ctx.fail("invalid upgrade: {s}", .{problem});
        const new_consensus = ConsensusState{
            .timestamp = upgraded_consensus.timestamp,
            .root = sentinel_root,
            .next_validators_hash = upgraded_consensus.next_validators_hash,
        };
        try writeClient(ctx, s, &new_client, stored.checksum);
        try writeConsensus(ctx, s, new_client.latest_height, &new_consensus, c.env.processedNow());
        return "{}";
    }

    pub fn migrateClientStore(c: *Client) Error!?[]const u8 {
        const ctx = c.ctx;
        const subject = Store{ .ctx = ctx, .prefix = "subject/" };
        const substitute = Store{ .ctx = ctx, .prefix = "substitute/" };
        const subject_stored = try readClient(ctx, subject) orelse return ctx.failText("malformed client state: no subject client state");
        const substitute_client = (try readClient(ctx, substitute) orelse return ctx.failText("malformed client state: no substitute client state")).state;
        if (!try isMatching(ctx.alloc, subject_stored.state, substitute_client)) {
            return ctx.failText("invalid substitute: subject client state does not match substitute client state");
        }
        const h = substitute_client.latest_height;
        const consensus = try readConsensus(ctx, substitute, h) orelse return ctx.failText("invalid substitute: no consensus state at the substitute's latest height");
        const processed_height = try readProcessedHeight(substitute, h) orelse return ctx.failText("invalid substitute: no processed height at the substitute's latest height");
        const processed_time = try readProcessedTime(substitute, h) orelse return ctx.failText("invalid substitute: no processed time at the substitute's latest height");
        try writeConsensus(ctx, subject, h, &consensus, .{ .time_ns = processed_time, .height = processed_height });
        var recovered = subject_stored.state;
        recovered.frozen_height = .{};
        recovered.latest_height = h;
        recovered.chain_id = substitute_client.chain_id;
        recovered.trusting_period_ns = substitute_client.trusting_period_ns;
        try writeClient(ctx, subject, &recovered, subject_stored.checksum);
        return "{}";
    }

    // -- migrate --------------------------------------------------------------------------------

    /// Both contracts read and write the same bytes: nothing to convert.
    pub fn migrate(c: *Client) Error!?[]const u8 {
        _ = try c.client();
        return null;
    }
};

fn writeEntry(w: *json.Writer, key: []const u8, value: []const u8) Allocator.Error!void {
    try w.beginObject();
    try w.key("key");
    try w.base64String(key);
    try w.key("value");
    try w.base64String(value);
    try w.endObject();
}

fn optionalPtr(value: *const ?ConsensusState) ?*const ConsensusState {
    return if (value.*) |*state| state else null;
}

const testing = std.testing;

test "Go's TrimSpace blanks" {
    try testing.expect(isBlank(""));
    try testing.expect(isBlank(" \t\n\u{a0}\u{3000}"));
    try testing.expect(!isBlank(" a "));
    try testing.expect(!isBlank("\xff"));
}

test "client state validation in ibc-go's order" {
    var cs = ClientState{
        .chain_id = "c-1",
        .trust_level = .{ .numerator = 1, .denominator = 3 },
        .trusting_period_ns = 10,
        .unbonding_period_ns = 20,
        .max_clock_drift_ns = 1,
        .latest_height = .{ .revision_number = 1, .revision_height = 5 },
        .proof_specs = &.{ics23.iavl_spec},
    };
    try testing.expect(clientStateProblem(&cs) == null);
    cs.trust_level = .{ .numerator = 1, .denominator = 4 };
    try testing.expectEqualStrings("trust level is not within [1/3, 1]", clientStateProblem(&cs).?);
    cs.trust_level = .{ .numerator = 1, .denominator = 1 };
    cs.trusting_period_ns = 20;
    try testing.expectEqualStrings("trusting period is not below the unbonding period", clientStateProblem(&cs).?);
    // Two rules broken: the latest height's come before trusting < unbonding, and the
    // revision number before the revision height.
    cs.latest_height.revision_height = 0;
    try testing.expectEqualStrings("latest revision height is zero", clientStateProblem(&cs).?);
    cs.latest_height.revision_number = 2;
    try testing.expectEqualStrings("latest height revision differs from the chain id's", clientStateProblem(&cs).?);
    cs.latest_height = .{ .revision_number = 1, .revision_height = 5 };
    cs.trusting_period_ns = 10;
    cs.upgrade_path = &.{ "upgrade", " " };
    try testing.expectEqualStrings("an upgrade path key is empty", clientStateProblem(&cs).?);
}

test "matching client states ignore the recovered fields" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const a = ClientState{ .chain_id = "a-1", .trusting_period_ns = 1, .latest_height = .{ .revision_height = 3 }, .max_clock_drift_ns = 5 };
    var b = ClientState{ .chain_id = "b-2", .trusting_period_ns = 2, .frozen_height = .{ .revision_height = 1 }, .max_clock_drift_ns = 5 };
    try testing.expect(try isMatching(arena.allocator(), a, b));
    b.max_clock_drift_ns = 6;
    try testing.expect(!try isMatching(arena.allocator(), a, b));
}
