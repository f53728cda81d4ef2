//! Safe wrappers around the host imports of CosmWasm `interface_version_8` (module `env`).
//!
//! Every raw import takes and returns region pointers (DESIGN §4). The wrappers build input
//! regions on their own stack frame, copy host-made regions into the caller's allocator and
//! release them, and turn the numeric conventions into Zig types.

const std = @import("std");
const region = @import("region.zig");

const Allocator = std.mem.Allocator;
const Region = region.Region;

/// The raw imports, exactly as the host links them.
pub const raw = struct {
    pub extern "env" fn db_read(key: u32) u32;
    pub extern "env" fn db_write(key: u32, value: u32) void;
    pub extern "env" fn db_remove(key: u32) void;
    pub extern "env" fn db_scan(start: u32, end: u32, order: i32) u32;
    pub extern "env" fn db_next(iterator: u32) u32;
    pub extern "env" fn db_next_key(iterator: u32) u32;
    pub extern "env" fn db_next_value(iterator: u32) u32;
    pub extern "env" fn addr_validate(source: u32) u32;
    pub extern "env" fn addr_canonicalize(source: u32, destination: u32) u32;
    pub extern "env" fn addr_humanize(source: u32, destination: u32) u32;
    pub extern "env" fn secp256k1_verify(hash: u32, signature: u32, pubkey: u32) u32;
    pub extern "env" fn secp256k1_recover_pubkey(hash: u32, signature: u32, recovery_param: u32) u64;
    pub extern "env" fn ed25519_verify(message: u32, signature: u32, pubkey: u32) u32;
    pub extern "env" fn ed25519_batch_verify(messages: u32, signatures: u32, pubkeys: u32) u32;
    pub extern "env" fn debug(message: u32) void;
    pub extern "env" fn abort(message: u32) void;
    pub extern "env" fn query_chain(request: u32) u32;
};

pub const Error = Allocator.Error || error{MalformedHostRegion};

/// Either a value or the error message the host answered with.
pub fn HostResult(comptime T: type) type {
    return union(enum) { ok: T, err: []u8 };
}

// -- storage ----------------------------------------------------------------------------------

/// The stored value, or null when the key is missing.
pub fn dbRead(alloc: Allocator, key: []const u8) Allocator.Error!?[]u8 {
    var k = Region.fromSlice(key);
    const ptr = raw.db_read(k.ptr());
    if (ptr == 0) return null;
    return try region.consume(alloc, ptr);
}

pub fn dbWrite(key: []const u8, value: []const u8) void {
    var k = Region.fromSlice(key);
    var v = Region.fromSlice(value);
    raw.db_write(k.ptr(), v.ptr());
}

pub fn dbRemove(key: []const u8) void {
    var k = Region.fromSlice(key);
    raw.db_remove(k.ptr());
}

pub const Order = enum(i32) { ascending = 1, descending = 2 };

/// Opens an iterator over `[start, end)` (null = unbounded) and returns its id.
pub fn dbScan(start: ?[]const u8, end: ?[]const u8, order: Order) u32 {
    return dbScanRaw(start, end, @intFromEnum(order));
}

/// `dbScan` with the order passed through unchecked (the host rejects anything but 1 and 2).
pub fn dbScanRaw(start: ?[]const u8, end: ?[]const u8, order: i32) u32 {
    var s: Region = undefined;
    var e: Region = undefined;
    var start_ptr: u32 = 0;
    var end_ptr: u32 = 0;
    if (start) |bytes| {
        s = Region.fromSlice(bytes);
        start_ptr = s.ptr();
    }
    if (end) |bytes| {
        e = Region.fromSlice(bytes);
        end_ptr = e.ptr();
    }
    return raw.db_scan(start_ptr, end_ptr, order);
}

pub const Record = struct { key: []u8, value: []u8 };

/// The next record of an iterator, or null at its end.
pub fn dbNext(alloc: Allocator, iterator: u32) Error!?Record {
    const ptr = raw.db_next(iterator);
    if (ptr == 0) return null;
    const data = try region.consume(alloc, ptr);
    const record = try splitRecord(data);
    if (record.key.len == 0 and record.value.len == 0) return null;
    return record;
}

/// Splits `key ‖ u32be(len(key)) ‖ value ‖ u32be(len(value))`.
pub fn splitRecord(data: []u8) error{MalformedHostRegion}!Record {
    var rest = data;
    const value = try takeSection(&rest);
    const key = try takeSection(&rest);
    if (rest.len != 0) return error.MalformedHostRegion;
    return .{ .key = key, .value = value };
}

/// Removes the last `item ‖ u32be(len(item))` section of `rest.*` and returns the item.
fn takeSection(rest: *[]u8) error{MalformedHostRegion}![]u8 {
    if (rest.len < 4) return error.MalformedHostRegion;
    const len = std.mem.readInt(u32, rest.*[rest.len - 4 ..][0..4], .big);
    const body = rest.*[0 .. rest.len - 4];
    if (len > body.len) return error.MalformedHostRegion;
    rest.* = body[0 .. body.len - len];
    return body[body.len - len ..];
}

/// The next key of an iterator, or null at its end.
pub fn dbNextKey(alloc: Allocator, iterator: u32) Allocator.Error!?[]u8 {
    const ptr = raw.db_next_key(iterator);
    if (ptr == 0) return null;
    return try region.consume(alloc, ptr);
}

/// The next value of an iterator, or null at its end.
pub fn dbNextValue(alloc: Allocator, iterator: u32) Allocator.Error!?[]u8 {
    const ptr = raw.db_next_value(iterator);
    if (ptr == 0) return null;
    return try region.consume(alloc, ptr);
}

// -- addresses --------------------------------------------------------------------------------

pub const canonical_address_capacity = 64;
pub const human_address_capacity = 256;

/// null when `human` is a valid address, else the host's error message.
pub fn addrValidate(alloc: Allocator, human: []const u8) Allocator.Error!?[]u8 {
    var src = Region.fromSlice(human);
    const ptr = raw.addr_validate(src.ptr());
    if (ptr == 0) return null;
    return try region.consume(alloc, ptr);
}

pub fn addrCanonicalize(alloc: Allocator, human: []const u8) Allocator.Error!HostResult([]u8) {
    var src = Region.fromSlice(human);
    return addressCall(alloc, raw.addr_canonicalize, src.ptr(), canonical_address_capacity);
}

pub fn addrHumanize(alloc: Allocator, canonical: []const u8) Allocator.Error!HostResult([]u8) {
    var src = Region.fromSlice(canonical);
    return addressCall(alloc, raw.addr_humanize, src.ptr(), human_address_capacity);
}

fn addressCall(
    alloc: Allocator,
    comptime function: fn (u32, u32) callconv(.c) u32,
    source: u32,
    capacity: u32,
) Allocator.Error!HostResult([]u8) {
    const destination = region.allocate(capacity);
    const err = function(source, destination);
    if (err != 0) {
        region.deallocate(destination);
        return .{ .err = try region.consume(alloc, err) };
    }
    return .{ .ok = try region.consume(alloc, destination) };
}

// -- crypto -----------------------------------------------------------------------------------

/// Crypto import codes (cosmwasm-crypto `CryptoError::code`).
pub const crypto_valid: u32 = 0;
pub const crypto_invalid: u32 = 1;
pub const crypto_err_hash_format: u32 = 3;
pub const crypto_err_signature_format: u32 = 4;
pub const crypto_err_pubkey_format: u32 = 5;
pub const crypto_err_recovery_param: u32 = 6;
pub const crypto_err_batch: u32 = 7;
pub const crypto_err_generic: u32 = 10;

/// 0 valid, 1 invalid, >= 3 error code.
pub fn secp256k1Verify(hash: []const u8, signature: []const u8, pubkey: []const u8) u32 {
    var h = Region.fromSlice(hash);
    var s = Region.fromSlice(signature);
    var p = Region.fromSlice(pubkey);
    return raw.secp256k1_verify(h.ptr(), s.ptr(), p.ptr());
}

pub const Recovered = union(enum) { pubkey: []u8, code: u32 };

/// The 65-byte uncompressed public key, or the host's error code.
pub fn secp256k1RecoverPubkey(
    alloc: Allocator,
    hash: []const u8,
    signature: []const u8,
    recovery_param: u32,
) Allocator.Error!Recovered {
    var h = Region.fromSlice(hash);
    var s = Region.fromSlice(signature);
    const result = raw.secp256k1_recover_pubkey(h.ptr(), s.ptr(), recovery_param);
    const code: u32 = @truncate(result >> 32);
    const ptr: u32 = @truncate(result);
    if (code != 0) return .{ .code = code };
    return .{ .pubkey = try region.consume(alloc, ptr) };
}

/// 0 valid, 1 invalid, >= 3 error code.
pub fn ed25519Verify(message: []const u8, signature: []const u8, pubkey: []const u8) u32 {
    var m = Region.fromSlice(message);
    var s = Region.fromSlice(signature);
    var p = Region.fromSlice(pubkey);
    return raw.ed25519_verify(m.ptr(), s.ptr(), p.ptr());
}

/// 0 valid, 1 invalid, >= 3 error code. Lists are sent as `item ‖ u32be(len(item))` sections.
pub fn ed25519BatchVerify(
    alloc: Allocator,
    messages: []const []const u8,
    signatures: []const []const u8,
    pubkeys: []const []const u8,
) Allocator.Error!u32 {
    const m_bytes = try encodeSections(alloc, messages);
    const s_bytes = try encodeSections(alloc, signatures);
    const p_bytes = try encodeSections(alloc, pubkeys);
    var m = Region.fromSlice(m_bytes);
    var s = Region.fromSlice(s_bytes);
    var p = Region.fromSlice(p_bytes);
    return raw.ed25519_batch_verify(m.ptr(), s.ptr(), p.ptr());
}

/// Concatenates `item ‖ u32be(len(item))` for every item.
pub fn encodeSections(alloc: Allocator, items: []const []const u8) Allocator.Error![]u8 {
    var total: usize = 0;
    for (items) |item| total += item.len + 4;
    const out = try alloc.alloc(u8, total);
    var at: usize = 0;
    for (items) |item| {
        @memcpy(out[at..][0..item.len], item);
        at += item.len;
        std.mem.writeInt(u32, out[at..][0..4], @intCast(item.len), .big);
        at += 4;
    }
    return out;
}

// -- environment ------------------------------------------------------------------------------

pub fn debug(message: []const u8) void {
    var m = Region.fromSlice(message);
    raw.debug(m.ptr());
}

/// Ends the call: the host turns it into a contract abort carrying `message`.
pub fn abort(message: []const u8) noreturn {
    var m = Region.fromSlice(message);
    raw.abort(m.ptr());
    @trap(); // the host never returns from abort
}

/// The host's raw JSON answer (a `SystemResult<ContractResult<Binary>>`).
pub fn queryChain(alloc: Allocator, request: []const u8) Allocator.Error![]u8 {
    var r = Region.fromSlice(request);
    const ptr = raw.query_chain(r.ptr());
    return region.consume(alloc, ptr);
}
