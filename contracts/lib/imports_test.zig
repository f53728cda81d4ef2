//! Native tests of the host-import helpers that need no host.

const std = @import("std");
const imports = @import("imports.zig");

test "db_next record splitting" {
    var data = "key\x00\x00\x00\x03value!\x00\x00\x00\x06".*;
    const record = try imports.splitRecord(&data);
    try std.testing.expectEqualStrings("key", record.key);
    try std.testing.expectEqualStrings("value!", record.value);
    var end = "\x00\x00\x00\x00\x00\x00\x00\x00".*;
    const empty = try imports.splitRecord(&end);
    try std.testing.expectEqual(@as(usize, 0), empty.key.len + empty.value.len);
    var bad = "k\x00\x00\x00\x05v\x00\x00\x00\x01".*;
    try std.testing.expectError(error.MalformedHostRegion, imports.splitRecord(&bad));
    var extra = "xk\x00\x00\x00\x01v\x00\x00\x00\x01".*;
    try std.testing.expectError(error.MalformedHostRegion, imports.splitRecord(&extra));
}

test "batch sections" {
    const items = [_][]const u8{ "ab", "", "c" };
    const out = try imports.encodeSections(std.testing.allocator, &items);
    defer std.testing.allocator.free(out);
    try std.testing.expectEqualSlices(u8, "ab\x00\x00\x00\x02\x00\x00\x00\x00c\x00\x00\x00\x01", out);
}
