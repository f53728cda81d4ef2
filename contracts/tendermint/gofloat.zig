//! ibc-go's `calculateNewTrustingPeriod`, which an upgrade to a shorter unbonding period uses:
//!
//!     decrease := float64(originalUnbonding-newUnbonding) / float64(originalUnbonding)
//!     return time.Duration(float64(trustingPeriod) * (1 - decrease))
//!
//! The VM refuses float instructions, so the four IEEE-754 double operations it needs are done
//! here in integers, each rounded to nearest, ties to even, as the hardware rounds them.

const std = @import("std");

/// A finite double: (-1)^neg × m × 2^e with m < 2^53 (0 for zero).
const F = struct {
    neg: bool = false,
    m: u64 = 0,
    e: i32 = 0,
};

const precision = 53;

/// The double nearest to (-1)^neg × n × 2^e, where `sticky` says some nonzero amount below n's
/// last bit was dropped.
fn round(neg: bool, n: u128, e: i32, sticky: bool) F {
    if (n == 0) return .{ .neg = neg };
    const bits: i32 = 128 - @as(i32, @clz(n));
    if (bits <= precision) return .{ .neg = neg, .m = @intCast(n), .e = e };
    const shift: u7 = @intCast(bits - precision);
    var keep: u128 = n >> shift;
    const rest = n & ((@as(u128, 1) << shift) - 1);
    const half = @as(u128, 1) << (shift - 1);
    if (rest > half or (rest == half and (sticky or keep & 1 == 1))) keep += 1;
    var exponent = e + shift;
    if (keep == @as(u128, 1) << precision) {
        keep >>= 1;
        exponent += 1;
    }
    return .{ .neg = neg, .m = @intCast(keep), .e = exponent };
}

fn fromInt(value: i64) F {
    return round(value < 0, @abs(value), 0, false);
}

/// The mantissa moved up to exactly 53 bits (exponent adjusted); the value is unchanged.
fn normalized(x: F) F {
    const shift: u6 = @intCast(@clz(x.m) - (64 - precision));
    return .{ .neg = x.neg, .m = x.m << shift, .e = x.e - shift };
}

fn div(a: F, b: F) F {
    if (a.m == 0) return .{ .neg = a.neg != b.neg };
    const x = normalized(a);
    const y = normalized(b);
    const numerator = @as(u128, x.m) << 64;
    const q = numerator / y.m;
    return round(a.neg != b.neg, q, x.e - y.e - 64, numerator % y.m != 0);
}

fn mul(a: F, b: F) F {
    return round(a.neg != b.neg, @as(u128, a.m) * b.m, a.e + b.e, false);
}

fn sub(a: F, b: F) F {
    return add(a, .{ .neg = !b.neg, .m = b.m, .e = b.e });
}

fn add(a: F, b: F) F {
    if (a.m == 0) return b;
    if (b.m == 0) return a;
    // x has the larger exponent, both 53-bit mantissas.
    const na = normalized(a);
    const nb = normalized(b);
    const x = if (na.e >= nb.e) na else nb;
    const y = if (na.e >= nb.e) nb else na;
    const gap = x.e - y.e;
    // Beyond 64 bits apart, the smaller is under a quarter of the larger's last place and
    // cannot move the rounding.
    if (gap > 64) return x;
    const big: i128 = @as(i128, x.m) << @intCast(gap);
    const sx: i128 = if (x.neg) -big else big;
    const sy: i128 = if (y.neg) -@as(i128, y.m) else y.m;
    const sum = sx + sy;
    return round(sum < 0, @abs(sum), y.e, false);
}

/// Go's float64 to int64 conversion: toward zero (saturated where Go's is undefined).
fn toInt(x: F) i64 {
    var magnitude: u64 = undefined;
    if (x.e >= 0) {
        if (x.e >= 11) return if (x.neg) std.math.minInt(i64) else std.math.maxInt(i64);
        magnitude = x.m << @intCast(x.e);
    } else {
        magnitude = if (x.e <= -64) 0 else x.m >> @intCast(-x.e);
    }
    const clipped: i64 = @intCast(@min(magnitude, std.math.maxInt(i64)));
    return if (x.neg) -clipped else clipped;
}

/// `calculateNewTrustingPeriod(trusting, original, new)` (durations in nanoseconds).
pub fn newTrustingPeriod(trusting_ns: i64, original_unbonding_ns: i64, new_unbonding_ns: i64) i64 {
    const decrease = div(fromInt(original_unbonding_ns -% new_unbonding_ns), fromInt(original_unbonding_ns));
    return toInt(mul(fromInt(trusting_ns), sub(fromInt(1), decrease)));
}

const testing = std.testing;

test "rounding to nearest, ties to even" {
    // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: even wins; 2^53 + 3 goes up.
    try testing.expectEqual(F{ .m = 1 << 52, .e = 1 }, fromInt((1 << 53) + 1));
    try testing.expectEqual(F{ .m = (1 << 52) + 2, .e = 1 }, fromInt((1 << 53) + 3));
    try testing.expectEqual(@as(i64, 3), toInt(div(fromInt(7), fromInt(2))));
    try testing.expectEqual(@as(i64, -3), toInt(div(fromInt(-7), fromInt(2))));
}

test "new trusting periods as Go's float64 arithmetic gives them" {
    // Expected values computed with IEEE doubles (Python's float, as the reference does).
    const cases = [_][4]i64{
        .{ 1209600000000000, 1814400000000000, 907200000000000, 604800000000000 },
        .{ 1209600000000000, 1814400000000000, 1238400000000000, 825600000000000 },
        .{ 3, 3, 1, 1 },
        .{ 1209600000000000, 1814400000000001, 1814400000000000, 1209599999999999 },
        .{ 999999999999999999, 1000000000000000000, 123456789012345678, 123456789012345696 },
        .{ 7, 1000000000000000000, 1, 0 },
    };
    for (cases) |c| try testing.expectEqual(c[3], newTrustingPeriod(c[0], c[1], c[2]));
}
