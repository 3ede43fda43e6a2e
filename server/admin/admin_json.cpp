#include "server/admin/admin_json.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "protocol/json/escape.hpp"
#include "protocol/json/js_date.hpp"

namespace chorus::server::admin {
namespace {

using protocol::json::append_quoted;

// Appends `"name":<value as JSON>` when `value` exists in `object`.
void append_member(std::string& out, simdjson::dom::object object, std::string_view name,
                   bool& first) {
  simdjson::dom::element value;
  if (object[name].get(value)) return;
  if (!first) out += ',';
  first = false;
  append_quoted(out, name);
  out += ':';
  out += simdjson::minify(value);
}

std::string client_address(simdjson::dom::object handshake) {
  simdjson::dom::object headers;
  std::string_view value;
  if (!handshake["headers"].get_object().get(headers)) {
    if (!headers["cf-connecting-ip"].get_string().get(value) && !value.empty())
      return std::string(value);
    if (!headers["x-forwarded-for"].get_string().get(value) && !value.empty()) {
      value = value.substr(0, value.find(','));
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      return std::string(value);
    }
  }
  if (!handshake["address"].get_string().get(value)) return std::string(value);
  return {};
}

}  // namespace

std::string server_stats_json(const server_stats& stats) {
  std::string out = R"({"serverId":)";
  append_quoted(out, stats.server_id);
  out += R"(,"hostname":)";
  append_quoted(out, stats.hostname);
  fmt::format_to(std::back_inserter(out),
                 R"(,"pid":{},"uptime":{:.3f},"clientsCount":{},"pollingClientsCount":{})",
                 stats.pid, stats.uptime_seconds, stats.clients, stats.polling_clients);
  out += R"(,"aggregatedEvents":)";
  out += stats.aggregated_events_json.empty() ? "[]" : stats.aggregated_events_json;
  out += R"(,"namespaces":[)";
  for (std::size_t i = 0; i < stats.namespaces.size(); ++i) {
    if (i) out += ',';
    out += R"({"name":)";
    append_quoted(out, stats.namespaces[i].name);
    fmt::format_to(std::back_inserter(out), R"(,"socketsCount":{}}})", stats.namespaces[i].sockets);
  }
  out += "]}";
  return out;
}

std::string serialized_socket_json(std::string_view nsp, const fanout::socket_description& s) {
  simdjson::dom::parser data_parser, handshake_parser;
  std::string out = R"({"id":)";
  append_quoted(out, s.id);
  simdjson::dom::object data;
  bool has_data = !data_parser.parse(s.data_json).get_object().get(data);
  simdjson::dom::object admin;
  if (has_data && !data["_admin"].get_object().get(admin)) {
    std::string_view value;
    if (!admin["clientId"].get_string().get(value)) {
      out += R"(,"clientId":)";
      append_quoted(out, value);
    }
    if (!admin["transport"].get_string().get(value)) {
      out += R"(,"transport":)";
      append_quoted(out, value);
    }
  }
  out += R"(,"nsp":)";
  append_quoted(out, nsp);
  out += R"(,"data":)";
  if (has_data) {
    out += '{';
    bool first = true;
    for (auto [key, value] : data) {
      if (key == "_admin") continue;
      if (!first) out += ',';
      first = false;
      append_quoted(out, key);
      out += ':';
      out += simdjson::minify(value);
    }
    out += '}';
  } else {
    simdjson::dom::element any;
    out += data_parser.parse(s.data_json).get(any) ? std::string("null") : simdjson::minify(any);
  }
  out += R"(,"handshake":{)";
  simdjson::dom::object handshake;
  if (!handshake_parser.parse(s.handshake_json).get_object().get(handshake)) {
    out += R"("address":)";
    append_quoted(out, client_address(handshake));
    bool first = false;
    for (std::string_view name : {"headers", "query", "issued", "secure", "time", "url", "xdomain"})
      append_member(out, handshake, name, first);
  }
  out += R"(},"rooms":[)";
  for (std::size_t i = 0; i < s.rooms.size(); ++i) {
    if (i) out += ',';
    append_quoted(out, s.rooms[i]);
  }
  out += "]}";
  return out;
}

std::string iso_date_json(std::int64_t ms_since_epoch) {
  std::string out;
  protocol::json::append_js_date_json(out, static_cast<double>(ms_since_epoch));
  return out;
}

}  // namespace chorus::server::admin
