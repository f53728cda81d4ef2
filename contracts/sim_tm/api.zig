//! The 08-wasm contract API of a sim-tendermint contract (DESIGN.md §3, contracts/sim-tendermint.md):
//! the JSON messages of `instantiate`, `query`, `sudo` and `migrate`, in both dialects, mapped
//! onto the light-client rules with exactly the reference's order of checks and error texts
//! (`relayer_sim/lightclient/client.py`).
//!
//! A contract is `Contract(config)`: `config` says which state format it writes and which
//! header versions it verifies. Every refusal happens before the first storage write, so a
//! failed call changes nothing (the host discards the writes of a failed call anyway).

const std = @import("std");
const cw = @import("cw");
const failure = @import("failure.zig");
const formats = @import("formats.zig");
const merkle = @import("merkle.zig");
const verify = @import("verify.zig");
const store_mod = @import("store.zig");
const entry_points = @import("entry_points.zig");

const json = cw.json;
const Allocator = std.mem.Allocator;
const Ctx = failure.Ctx;
const Error = failure.Error;
const Height = formats.Height;
const ClientState = formats.ClientState;
const ConsensusState = formats.ConsensusState;
const HeaderMessage = formats.HeaderMessage;
const Store = store_mod.Store;
const Processed = store_mod.Processed;

/// What tells one sim-tendermint contract from another.
pub const Config = struct {
    /// The newest state format it reads (from 1 up), and the one it writes.
    format: u64,
    /// The header versions it verifies (1: tm-ed25519, 2: tm-secp256k1).
    header_versions: []const u64,
};

/// Where `update_state_on_misbehaviour` freezes a client (ibc-go's `FrozenHeight`).
const frozen_at = Height{ .revision_number = 0, .revision_height = 1 };

/// `SENTINEL_ROOT`: sha256("sentinel_root"), the root of an upgraded consensus state, which no
/// proof can reach until a real header arrives.
fn sentinelRoot() formats.Hash {
    return formats.sha256("sentinel_root");
}

/// The contract's entry points (`entry_points.zig`); a contract's main.zig exports them with
/// `exportEntryPoints`. An unknown query or sudo name is refused as `unknown query …`.
pub fn Contract(comptime config: Config) type {
    return entry_points.EntryPoints(Client, Request, config, "");
}

// -- the host's messages ----------------------------------------------------------------------

/// What a call knows about the host (`env.block`).
pub const Env = struct {
    height: u64,
    time_ns: u64,
    chain_id: []const u8,

    /// When a consensus state stored now was processed: the host's time and IBC height (its
    /// revision comes from its chain id, as in ibc-go).
    pub fn processedNow(env: Env) Processed {
        return .{
            .time_ns = env.time_ns,
            .height = .{
                .revision_number = store_mod.revisionFromChainId(env.chain_id),
                .revision_height = env.height,
            },
        };
    }
};

pub fn parseEnv(ctx: *Ctx, text: []const u8) Error!Env {
    const env = json.parse(ctx.alloc, text) catch |err| switch (err) {
        error.OutOfMemory => return error.OutOfMemory,
        else => return ctx.failText("malformed env: not JSON"),
    };
    const block = env.get("block") orelse return ctx.failText("malformed env: no block");
    const time = block.get("time") orelse return ctx.failText("malformed env: no block time");
    // cosmwasm's Timestamp is a string of nanoseconds.
    const time_ns = (if (time.asString()) |s| json.parseUnsigned(s) else time.asU64()) orelse
        return ctx.failText("malformed env: block time must be nanoseconds");
    return .{
        .height = (block.get("height") orelse null_value).asU64() orelse
            return ctx.failText("malformed env: block height must be an unsigned integer"),
        .time_ns = time_ns,
        .chain_id = (block.get("chain_id") orelse null_value).asString() orelse
            return ctx.failText("malformed env: block chain_id must be a string"),
    };
}

const null_value: json.Value = .null;

pub fn parseMessage(ctx: *Ctx, text: []const u8) Error!json.Value {
    return json.parse(ctx.alloc, text) catch |err| switch (err) {
        error.OutOfMemory => error.OutOfMemory,
        error.InvalidJson => ctx.failText("malformed message: not JSON"),
        error.TooDeep => ctx.failText("malformed message: nested too deeply"),
    };
}

/// One message's fields, read with errors that name the field.
const Request = struct {
    ctx: *Ctx,
    name: []const u8,
    body: json.Value,

    pub fn of(ctx: *Ctx, body: json.Value, name: []const u8) Error!Request {
        if (body.asObject() == null) return ctx.fail("malformed {s} message: not an object", .{name});
        return .{ .ctx = ctx, .name = name, .body = body };
    }

    /// `{"<command>": {…}}`: exactly one key, whose value is the command's object.
    pub fn command(ctx: *Ctx, msg: json.Value) Error!Request {
        const members = msg.asObject() orelse return ctx.failText("malformed message: not an object");
        if (members.len != 1) return ctx.failText("malformed message: it must have exactly one key");
        return of(ctx, members[0].value, members[0].key);
    }

    fn field(r: Request, key: []const u8) Error!json.Value {
        return r.body.get(key) orelse r.ctx.fail("malformed {s} message: missing {s}", .{ r.name, key });
    }

    fn bytes(r: Request, key: []const u8) Error![]const u8 {
        const text = (try r.field(key)).asString() orelse
            return r.ctx.fail("malformed {s} message: {s} must be a base64 string", .{ r.name, key });
        return decodeBase64(r, key, text);
    }

    fn decodeBase64(r: Request, key: []const u8, text: []const u8) Error![]const u8 {
        return cw.base64.decode(r.ctx.alloc, text) catch |err| switch (err) {
            error.OutOfMemory => error.OutOfMemory,
            error.InvalidBase64 => r.ctx.fail("malformed {s} message: {s} is not base64", .{ r.name, key }),
        };
    }

    /// A u64 that may be missing (= 0), as Go's `omitempty` leaves zero fields out.
    fn optionalU64(r: Request, value: json.Value, key: []const u8) Error!u64 {
        const member = value.get(key) orelse return 0;
        return member.asU64() orelse
            r.ctx.fail("malformed {s} message: {s} must be an unsigned integer", .{ r.name, key });
    }

    fn height(r: Request, key: []const u8) Error!Height {
        const value = try r.field(key);
        if (value.asObject() == null) return r.ctx.fail("malformed {s} message: {s} must be an object", .{ r.name, key });
        return .{
            .revision_number = try r.optionalU64(value, "revision_number"),
            .revision_height = try r.optionalU64(value, "revision_height"),
        };
    }

    /// The key path of a membership message: v10's `merkle_path` (base64 elements) or v0.1's
    /// `path` (plain strings).
    fn keyPath(r: Request) Error![]const []const u8 {
        const v10 = r.body.get("merkle_path");
        const path = v10 orelse r.body.get("path") orelse
            return r.ctx.fail("malformed {s} message: missing merkle_path", .{r.name});
        const elements = (path.get("key_path") orelse null_value).asArray() orelse
            return r.ctx.fail("malformed {s} message: key_path must be a list", .{r.name});
        const out = try r.ctx.alloc.alloc([]const u8, elements.len);
        for (elements, out) |element, *slot| {
            const text = element.asString() orelse
                return r.ctx.fail("malformed {s} message: key_path elements must be strings", .{r.name});
            slot.* = if (v10 != null) try r.decodeBase64("key_path", text) else text;
        }
        return out;
    }
};

// -- the client -------------------------------------------------------------------------------

const Client = struct {
    ctx: *Ctx,
    config: Config,
    env: Env,

    pub fn init(ctx: *Ctx, config: Config, env: []const u8) Error!Client {
        return .{ .ctx = ctx, .config = config, .env = try parseEnv(ctx, env) };
    }

    fn store(c: *Client) Store {
        return .{ .ctx = c.ctx };
    }

    fn readable(c: *const Client, format: u64) bool {
        return format >= 1 and format <= c.config.format;
    }

    fn checkFormat(c: *Client, format: u64, what: []const u8) Error!void {
        if (!c.readable(format)) return c.ctx.fail("unsupported {s} state format {d}", .{ what, format });
    }

    /// The client state of `s` in a readable format; `what` names it in errors.
    fn clientState(c: *Client, s: Store, what: []const u8) Error!store_mod.StoredClient {
        const stored = try c.storedClientState(s, what);
        try c.checkFormat(stored.state.format, "client");
        return stored;
    }

    fn storedClientState(c: *Client, s: Store, what: []const u8) Error!store_mod.StoredClient {
        return try s.readClientState(what) orelse c.ctx.fail("{s} state not found", .{what});
    }

    fn findConsensus(c: *Client, s: Store, h: Height) Error!?ConsensusState {
        const state = try s.readConsensusState(h) orelse return null;
        try c.checkFormat(state.format, "consensus");
        return state;
    }

    fn consensusAt(c: *Client, s: Store, h: Height) Error!ConsensusState {
        return try c.findConsensus(s, h) orelse c.ctx.fail("consensus state not found at {d}-{d}", .{ h.revision_number, h.revision_height });
    }

    fn writeClient(c: *Client, s: Store, state: *const ClientState, checksum: []const u8) Error!void {
        try s.writeClientState(state, checksum, c.config.format);
    }

    fn writeConsensus(c: *Client, s: Store, h: Height, state: *const ConsensusState, processed: Processed) Error!void {
        try s.writeConsensusState(h, state, c.config.format, processed);
    }

    fn decodeMessage(c: *Client, data: []const u8) Error!formats.ClientMessage {
        return formats.decodeClientMessage(c.ctx, data) catch |err|
            c.ctx.prefix(err, "malformed client message: ");
    }

    /// A client state from a message, decoded and in a format this contract reads.
    fn givenClient(c: *Client, data: []const u8, what: []const u8) Error!ClientState {
        const state = formats.decodeClientState(c.ctx, data) catch |err|
            return c.ctx.prefix(err, try std.fmt.allocPrint(c.ctx.alloc, "malformed {s}: ", .{what}));
        try c.checkFormat(state.format, "client");
        return state;
    }

    /// A consensus state from a message, decoded and in a format this contract reads.
    fn givenConsensus(c: *Client, data: []const u8, what: []const u8) Error!ConsensusState {
        const state = formats.decodeConsensusState(c.ctx, data) catch |err|
            return c.ctx.prefix(err, try std.fmt.allocPrint(c.ctx.alloc, "malformed {s}: ", .{what}));
        try c.checkFormat(state.format, "consensus");
        return state;
    }

    fn decodeProof(c: *Client, data: []const u8) Error!merkle.Proof {
        return merkle.decodeProof(c.ctx, data) catch |err| c.ctx.prefix(err, "malformed proof: ");
    }

    // -- instantiate ----------------------------------------------------------------------------

    pub fn instantiate(c: *Client, r: Request) Error!?[]const u8 {
        const client_bytes = try r.bytes("client_state");
        const consensus_bytes = try r.bytes("consensus_state");
        const checksum = try r.bytes("checksum");
        const client = try c.givenClient(client_bytes, "client state");
        if (instantiationProblem(&client)) |problem| return c.ctx.failText(problem);
        const consensus = try c.givenConsensus(consensus_bytes, "consensus state");
        if (consensus.timestamp_ns == 0) return c.ctx.failText("consensus timestamp must not be zero");
        try c.writeClient(c.store(), &client, checksum);
        try c.writeConsensus(c.store(), client.latest_height, &consensus, c.env.processedNow());
        return null;
    }

    // -- queries --------------------------------------------------------------------------------

    pub fn status(c: *Client) Error!?[]const u8 {
        const client = (try c.clientState(c.store(), "client")).state;
        const text = if (client.frozen())
            "Frozen"
        else if (try c.findConsensus(c.store(), client.latest_height)) |latest|
            if (@as(u128, latest.timestamp_ns) + client.trusting_period_ns <= c.env.time_ns) "Expired" else "Active"
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
        try w.int(state.timestamp_ns);
        try w.endObject();
        return w.bytes();
    }

    fn verifyHeader(c: *Client, client: *const ClientState, m: *const HeaderMessage) Error!void {
        const trusted_height = m.trusted_height;
        const trusted = try c.findConsensus(c.store(), trusted_height) orelse return c.ctx.fail(
            "trusted consensus state not found at {d}-{d}",
            .{ trusted_height.revision_number, trusted_height.revision_height },
        );
        try verify.verifyHeader(
            c.ctx,
            client,
            .{ .state = &trusted, .height = trusted_height.revision_height },
            m,
            c.env.time_ns,
            c.config.header_versions,
        );
    }

    pub fn verifyClientMessage(c: *Client, r: Request) Error!?[]const u8 {
        const message = try c.decodeMessage(try r.bytes("client_message"));
        const client = (try c.clientState(c.store(), "client")).state;
        switch (message) {
            .header => |*m| try c.verifyHeader(&client, m),
            .misbehaviour => |*evidence| {
                c.verifyHeader(&client, &evidence.first) catch |err| return c.ctx.prefix(err, "first header: ");
                c.verifyHeader(&client, &evidence.second) catch |err| return c.ctx.prefix(err, "second header: ");
            },
        }
        return "{}";
    }

    pub fn checkForMisbehaviour(c: *Client, r: Request) Error!?[]const u8 {
        const message = try c.decodeMessage(try r.bytes("client_message"));
        const found = switch (message) {
            .misbehaviour => |*evidence| try verify.isFork(c.ctx.alloc, &evidence.first.header, &evidence.second.header),
            .header => |*m| found: {
                const s = c.store();
                const h = m.header.ibcHeight();
                const state = headerState(m);
                const existing = try c.findConsensus(s, h);
                const below = if (try s.previousHeight(h)) |at| try c.consensusAt(s, at) else null;
                const above = if (try s.followingHeight(h)) |at| try c.consensusAt(s, at) else null;
                break :found verify.conflictsWithStored(&state, optionalPtr(&existing), optionalPtr(&below), optionalPtr(&above));
            },
        };
        var w = json.Writer.init(c.ctx.alloc);
        try w.beginObject();
        try w.key("found_misbehaviour");
        try w.boolean(found);
        try w.endObject();
        return w.bytes();
    }

    pub fn exportMetadata(c: *Client) Error!?[]const u8 {
        const entries = try c.store().metadata();
        var w = json.Writer.init(c.ctx.alloc);
        try w.beginObject();
        try w.key("genesis_metadata");
        try w.beginArray();
        for (entries) |entry| {
            try w.beginObject();
            try w.key("key");
            try w.base64String(entry.key);
            try w.key("value");
            try w.base64String(entry.value);
            try w.endObject();
        }
        try w.endArray();
        try w.endObject();
        return w.bytes();
    }

    // -- sudo -----------------------------------------------------------------------------------

    pub fn updateState(c: *Client, r: Request) Error!?[]const u8 {
        const message = try c.decodeMessage(try r.bytes("client_message"));
        const m = switch (message) {
            .header => |*m| m,
            .misbehaviour => return c.ctx.failText("update_state needs a header message"),
        };
        const s = c.store();
        const stored = try c.clientState(s, "client");
        try c.pruneOldest(&stored.state);
        const h = m.header.ibcHeight();
        if (try c.findConsensus(s, h) == null) {
            const state = headerState(m);
            try c.writeConsensus(s, h, &state, c.env.processedNow());
            if (h.order(stored.state.latest_height) == .gt) {
                var raised = stored.state;
                raised.latest_height = h;
                try c.writeClient(s, &raised, stored.checksum);
            }
        }
        var w = json.Writer.init(c.ctx.alloc);
        try w.beginObject();
        try w.key("heights");
        try w.beginArray();
        try writeHeight(&w, h);
        try w.endArray();
        try w.endObject();
        return w.bytes();
    }

    /// Deletes the oldest consensus state if it has expired (one per update, as ibc-go).
    fn pruneOldest(c: *Client, client: *const ClientState) Error!void {
        const s = c.store();
        const oldest = try s.oldestHeight() orelse return;
        const state = try c.consensusAt(s, oldest);
        if (@as(u128, state.timestamp_ns) + client.trusting_period_ns <= c.env.time_ns) {
            try s.deleteConsensusState(oldest);
        }
    }

    /// The message is not read (as ibc-go).
    pub fn updateStateOnMisbehaviour(c: *Client, r: Request) Error!?[]const u8 {
        _ = r;
        const stored = try c.clientState(c.store(), "client");
        var frozen = stored.state;
        frozen.frozen_height = frozen_at;
        try c.writeClient(c.store(), &frozen, stored.checksum);
        return "{}";
    }

    pub fn verifyMembership(c: *Client, r: Request, membership: bool) Error!?[]const u8 {
        const h = try r.height("height");
        const delay_time = try r.optionalU64(r.body, "delay_time_period");
        const delay_blocks = try r.optionalU64(r.body, "delay_block_period");
        const proof_bytes = try r.bytes("proof");
        const key_path = try r.keyPath();
        const value = if (membership) try r.bytes("value") else "";

        const s = c.store();
        const state = try c.consensusAt(s, h);
        const processed = try s.readProcessed(h) orelse
            return c.ctx.fail("processed time not found at {d}-{d}", .{ h.revision_number, h.revision_height });
        if (@as(u128, processed.time_ns) + delay_time > c.env.time_ns) {
            return c.ctx.failText("delay time period has not passed");
        }
        if (@as(u128, processed.height.revision_height) + delay_blocks > c.env.height) {
            return c.ctx.failText("delay block period has not passed");
        }
        const key = try merkleKey(c.ctx, key_path);
        const proof = try c.decodeProof(proof_bytes);
        if (membership) {
            try merkle.verifyMembership(c.ctx, &state.root, key, value, &proof);
        } else {
            try merkle.verifyNonMembership(c.ctx, &state.root, key, &proof);
        }
        return "{}";
    }

    pub fn verifyUpgrade(c: *Client, r: Request) Error!?[]const u8 {
        const client_bytes = try r.bytes("upgrade_client_state");
        const consensus_bytes = try r.bytes("upgrade_consensus_state");
        const client_proof = try r.bytes("proof_upgrade_client");
        const consensus_proof = try r.bytes("proof_upgrade_consensus_state");

        const s = c.store();
        const stored = try c.clientState(s, "client");
        const client = stored.state;
        if (client.upgrade_path.len == 0) return c.ctx.failText("client has no upgrade path");
        const upgraded = try c.givenClient(client_bytes, "upgraded client state");
        if (upgradePathProblem(&upgraded)) |problem| return c.ctx.failText(problem);
        const upgraded_consensus = try c.givenConsensus(consensus_bytes, "upgraded consensus state");
        if (upgraded.latest_height.order(client.latest_height) != .gt) {
            return c.ctx.failText("upgraded client height must be above the current height");
        }
        const root = (try c.consensusAt(s, client.latest_height)).root;
        const plan = client.latest_height.revision_height;
        const checks = [_]struct { []const u8, []const u8, []const u8, []const u8 }{
            .{ "upgraded client state: ", "upgradedClient", client_bytes, client_proof },
            .{ "upgraded consensus state: ", "upgradedConsState", consensus_bytes, consensus_proof },
        };
        for (checks) |check| {
            const key = try std.fmt.allocPrint(c.ctx.alloc, "{s}/{s}/{d}/{s}", .{ client.upgrade_path[0], client.upgrade_path[1], plan, check[1] });
            c.proveUpgraded(root, key, check[2], check[3]) catch |err| return c.ctx.prefix(err, check[0]);
        }
        var new_client = client;
        new_client.chain_id = upgraded.chain_id;
        new_client.latest_height = upgraded.latest_height;
        new_client.upgrade_path = upgraded.upgrade_path;
        new_client.frozen_height = formats.not_frozen;
        var new_consensus = upgraded_consensus;
        new_consensus.root = sentinelRoot();
        try c.writeClient(s, &new_client, stored.checksum);
        try c.writeConsensus(s, upgraded.latest_height, &new_consensus, c.env.processedNow());
        return "{}";
    }

    fn proveUpgraded(c: *Client, root: formats.Hash, key: []const u8, value: []const u8, proof_bytes: []const u8) Error!void {
        const proof = try c.decodeProof(proof_bytes);
        try merkle.verifyMembership(c.ctx, &root, key, value, &proof);
    }

    pub fn migrateClientStore(c: *Client) Error!?[]const u8 {
        const subject = Store{ .ctx = c.ctx, .prefix = "subject/" };
        const substitute = Store{ .ctx = c.ctx, .prefix = "substitute/" };
        const subject_stored = try c.clientState(subject, "subject client");
        const substitute_client = (try c.clientState(substitute, "substitute client")).state;
        if (!recoveryFieldsMatch(&subject_stored.state, &substitute_client)) {
            return c.ctx.failText("subject and substitute client states do not match");
        }
        const h = substitute_client.latest_height;
        const consensus = try c.findConsensus(substitute, h);
        const processed = try substitute.readProcessed(h);
        if (consensus == null or processed == null) {
            return c.ctx.fail("substitute consensus state not found at {d}-{d}", .{ h.revision_number, h.revision_height });
        }
        try c.writeConsensus(subject, h, &consensus.?, processed.?);
        var recovered = subject_stored.state;
        recovered.chain_id = substitute_client.chain_id;
        recovered.latest_height = h;
        recovered.trusting_period_ns = substitute_client.trusting_period_ns;
        recovered.frozen_height = formats.not_frozen;
        try c.writeClient(subject, &recovered, subject_stored.checksum);
        return "{}";
    }

    // -- migrate --------------------------------------------------------------------------------

    /// Rewrites the client's state in this contract's format (v1 → v2 conversion).
    pub fn migrate(c: *Client) Error!?[]const u8 {
        const s = c.store();
        const stored = try c.storedClientState(s, "client");
        const format = stored.state.format;
        if (format > c.config.format) {
            return c.ctx.fail("cannot migrate format {d} state to format {d}", .{ format, c.config.format });
        }
        try c.checkFormat(format, "client");
        const heights = try s.allHeights();
        const states = try c.ctx.alloc.alloc(ConsensusState, heights.len);
        for (heights, states) |h, *state| state.* = try c.consensusAt(s, h);
        if (format != c.config.format) try c.writeClient(s, &stored.state, stored.checksum);
        for (heights, states) |h, *state| {
            if (state.format != c.config.format) try s.writeConsensusOnly(h, state, c.config.format);
        }
        return null;
    }
};

/// The first rule a new client state breaks, in the reference's order.
fn instantiationProblem(client: *const ClientState) ?[]const u8 {
    if (client.frozen()) return "client state is frozen";
    if (client.latest_height.revision_height == 0) return "latest height must not be zero";
    const level = client.trust_level;
    if (level.denominator == 0 or @as(u128, level.numerator) * 3 < level.denominator or
        level.numerator > level.denominator)
    {
        return "invalid trust level";
    }
    if (client.trusting_period_ns == 0) return "trusting period must be positive";
    if (client.max_clock_drift_ns == 0) return "max clock drift must be positive";
    if (client.chain_id.len == 0) return "chain id must not be empty";
    return upgradePathProblem(client);
}

/// An upgrade path is a store name and a key prefix, or nothing (no planned upgrades).
fn upgradePathProblem(client: *const ClientState) ?[]const u8 {
    if (client.upgrade_path.len != 0 and client.upgrade_path.len != 2) {
        return "upgrade path must have 0 or 2 elements";
    }
    return null;
}

/// The fields a substitute must share with its subject (ibc-go's matching rule).
fn recoveryFieldsMatch(a: *const ClientState, b: *const ClientState) bool {
    if (a.trust_level.numerator != b.trust_level.numerator or
        a.trust_level.denominator != b.trust_level.denominator or
        a.max_clock_drift_ns != b.max_clock_drift_ns or
        a.upgrade_path.len != b.upgrade_path.len) return false;
    for (a.upgrade_path, b.upgrade_path) |x, y| if (!std.mem.eql(u8, x, y)) return false;
    return true;
}

/// The consensus state a verified header would store.
fn headerState(m: *const HeaderMessage) ConsensusState {
    return .{
        .format = 0,
        .timestamp_ns = m.header.time_ns,
        .root = m.header.app_hash.*,
        .next_validators_hash = m.header.next_validators_hash.*,
        .header_version = m.header.version.number,
    };
}

fn optionalPtr(value: *const ?ConsensusState) ?*const ConsensusState {
    return if (value.*) |*state| state else null;
}

/// `paths.merkle_key`: the path's elements joined with `/`.
fn merkleKey(ctx: *Ctx, key_path: []const []const u8) Error![]const u8 {
    if (key_path.len == 0) return ctx.failText("a merkle path needs at least one element");
    return std.mem.join(ctx.alloc, "/", key_path);
}

pub fn writeHeight(w: *json.Writer, h: Height) Allocator.Error!void {
    try w.beginObject();
    try w.key("revision_number");
    try w.int(h.revision_number);
    try w.key("revision_height");
    try w.int(h.revision_height);
    try w.endObject();
}
