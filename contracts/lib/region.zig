//! Regions: the CosmWasm way of passing byte buffers across the wasm boundary.
//!
//! A region is a 12-byte little-endian header `{offset, capacity, length}` describing a buffer in
//! linear memory. Every pointer exchanged with the host is a region pointer. `allocate` places the
//! header and its buffer in one block (header first), so a region made by `allocate` is released
//! whole by `deallocate`.

const std = @import("std");

pub const Region = extern struct {
    offset: u32,
    capacity: u32,
    length: u32,

    /// A header describing `bytes` for the host to read. The header must outlive the host call:
    /// keep it in a local variable of the function that makes the call.
    pub fn fromSlice(data: []const u8) Region {
        // An empty slice may carry a dangling pointer; hand the host a real, non-zero address.
        const address = if (data.len == 0) @intFromPtr(&empty_anchor) else @intFromPtr(data.ptr);
        const offset: u32 = @intCast(address);
        const len: u32 = @intCast(data.len);
        return .{ .offset = offset, .capacity = len, .length = len };
    }

    /// The region's pointer as the host sees it.
    pub fn ptr(self: *const Region) u32 {
        return @intCast(@intFromPtr(self));
    }

    /// The filled part of the buffer (`length` bytes from `offset`).
    pub fn bytes(self: *const Region) []u8 {
        const base: [*]u8 = @ptrFromInt(self.offset);
        return base[0..self.length];
    }
};

var empty_anchor: u8 = 0;

const header_size = @sizeOf(Region);

comptime {
    std.debug.assert(header_size == 12);
}

/// The allocator behind regions and behind each call's arena.
pub const gpa: std.mem.Allocator = std.heap.wasm_allocator;

/// The region at `ptr` (which must be non-zero and valid).
pub fn at(ptr: u32) *Region {
    return @ptrFromInt(ptr);
}

/// The filled bytes of the region at `ptr`.
pub fn read(ptr: u32) []u8 {
    return at(ptr).bytes();
}

/// A new region with a `size`-byte buffer, `length = 0`; traps when memory is exhausted.
pub fn allocate(size: u32) u32 {
    const total = std.math.add(usize, header_size, size) catch @trap();
    const block = gpa.alignedAlloc(u8, @alignOf(Region), total) catch @trap();
    const region: *Region = @ptrCast(block.ptr);
    region.* = .{
        .offset = @intCast(@intFromPtr(block.ptr) + header_size),
        .capacity = size,
        .length = 0,
    };
    return region.ptr();
}

/// Releases a region made by `allocate` (header and buffer). 0 is ignored.
pub fn deallocate(ptr: u32) void {
    if (ptr == 0) return;
    const region = at(ptr);
    const block: [*]align(@alignOf(Region)) u8 = @ptrFromInt(ptr);
    gpa.free(block[0 .. header_size + @as(usize, region.capacity)]);
}

/// A new region (made by `allocate`) holding a copy of `bytes`.
pub fn fromBytes(bytes: []const u8) u32 {
    const ptr = allocate(@intCast(bytes.len));
    const region = at(ptr);
    region.length = region.capacity;
    @memcpy(region.bytes(), bytes);
    return ptr;
}

/// Copies the filled bytes of a region made by `allocate` into `alloc`, then releases the region.
pub fn consume(alloc: std.mem.Allocator, ptr: u32) std.mem.Allocator.Error![]u8 {
    defer deallocate(ptr);
    return alloc.dupe(u8, read(ptr));
}
