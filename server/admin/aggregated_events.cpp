#include "server/admin/aggregated_events.hpp"

#include <fmt/format.h>

#include "protocol/json/escape.hpp"

namespace chorus::server::admin {

void aggregated_events::sample(const node_counters& now, std::int64_t now_ms) {
  if (!has_baseline_) {
    last_ = now;
    has_baseline_ = true;
    return;
  }
  std::int64_t second = now_ms - now_ms % 1000;
  add(second, "rawConnection", {}, now.connections - last_.connections);
  for (std::size_t i = 0; i < now.disconnections.size(); ++i)
    add(second, "rawDisconnection", to_string(static_cast<disconnect_reason>(i)),
        now.disconnections[i] - last_.disconnections[i]);
  add(second, "packetsIn", {}, now.packets_in - last_.packets_in);
  add(second, "packetsOut", {}, now.packets_out - last_.packets_out);
  add(second, "bytesIn", {}, now.bytes_in - last_.bytes_in);
  add(second, "bytesOut", {}, now.bytes_out - last_.bytes_out);
  last_ = now;
}

void aggregated_events::add(std::int64_t second, std::string_view type, std::string_view sub_type,
                            std::uint64_t count) {
  if (count == 0) return;
  for (auto& e : entries_) {
    if (e.timestamp == second && e.type == type && e.sub_type == sub_type) {
      e.count += count;
      return;
    }
  }
  entries_.push_back({second, type, sub_type, count});
}

std::string aggregated_events::take_json() {
  std::string out = "[";
  for (const auto& e : entries_) {
    if (out.size() > 1) out += ',';
    fmt::format_to(std::back_inserter(out), R"({{"timestamp":{},"type":"{}")", e.timestamp, e.type);
    if (!e.sub_type.empty()) {
      out += R"(,"subType":)";
      protocol::json::append_quoted(out, e.sub_type);
    }
    fmt::format_to(std::back_inserter(out), R"(,"count":{}}})", e.count);
  }
  out += ']';
  entries_.clear();
  return out;
}

}  // namespace chorus::server::admin
