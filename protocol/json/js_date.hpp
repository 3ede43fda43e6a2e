#pragma once

#include <string>

namespace chorus::protocol::json {

// ECMAScript TimeClip, what `new Date(x)` does to x: NaN when x is not finite or |x| > 8.64e15
// ms, else x truncated toward zero (with -0 as +0).
double js_time_clip(double time_value);

// JSON.stringify of a Date with this (clipped) time value: its toISOString() quoted,
// "2026-12-02T02:00:00.000Z", years outside 0…9999 as "+010000"/"-000001"; null when NaN.
void append_js_date_json(std::string& out, double time_value);

}  // namespace chorus::protocol::json
