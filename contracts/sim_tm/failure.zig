//! How sim_tm reports a refusal: a function fails with `error.Fail` after storing the message in
//! its `Ctx`, so that the text the tests compare with the Python reference is built in exactly
//! one place and callers can prefix it (`first header: `, `malformed client message: `, …).

const std = @import("std");

const Allocator = std.mem.Allocator;

/// `Fail`: a contract error whose text is `Ctx.message`. `OutOfMemory`: the arena ran out.
pub const Error = error{ Fail, OutOfMemory };

pub const Ctx = struct {
    /// The call's arena: everything built during a call lives until it returns.
    alloc: Allocator,
    /// The text of the last `error.Fail`.
    message: []const u8 = "",

    /// Records a formatted message (integers and strings only: no float formatting code) and
    /// returns `error.Fail`, or `error.OutOfMemory` if the message cannot be built.
    pub fn fail(ctx: *Ctx, comptime fmt: []const u8, args: anytype) Error {
        ctx.message = std.fmt.allocPrint(ctx.alloc, fmt, args) catch return error.OutOfMemory;
        return error.Fail;
    }

    /// Records `text` as it is and returns `error.Fail`.
    pub fn failText(ctx: *Ctx, text: []const u8) Error {
        ctx.message = text;
        return error.Fail;
    }

    /// Puts `prefix` in front of the recorded message; returns the error to propagate.
    pub fn prefix(ctx: *Ctx, err: Error, text: []const u8) Error {
        if (err != error.Fail) return err;
        ctx.message = std.mem.concat(ctx.alloc, u8, &.{ text, ctx.message }) catch
            return error.OutOfMemory;
        return error.Fail;
    }
};

test "messages and prefixes" {
    var arena = std.heap.ArenaAllocator.init(std.testing.allocator);
    defer arena.deinit();
    var ctx = Ctx{ .alloc = arena.allocator() };
    try std.testing.expectEqual(error.Fail, ctx.fail("{s} #{d}", .{ "invalid signature: validator", @as(u64, 3) }));
    try std.testing.expectEqualStrings("invalid signature: validator #3", ctx.message);
    try std.testing.expectEqual(error.Fail, ctx.prefix(error.Fail, "first header: "));
    try std.testing.expectEqualStrings("first header: invalid signature: validator #3", ctx.message);
}
