//! The ABI exports every contract needs: `allocate`, `deallocate`, `interface_version_8`.
//! A contract pulls them in with `comptime { _ = cw.exports; }`, and with them our `memcpy`
//! and `memset` (mem.zig), which replace compiler_rt's byte-at-a-time ones.

const region = @import("region.zig");

comptime {
    _ = @import("mem.zig");
}

export fn allocate(size: u32) u32 {
    return region.allocate(size);
}

export fn deallocate(ptr: u32) void {
    region.deallocate(ptr);
}

export fn interface_version_8() void {}
