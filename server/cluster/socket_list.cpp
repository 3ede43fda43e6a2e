#include "server/cluster/socket_list.hpp"

#include <simdjson.h>

#include "protocol/json/escape.hpp"

namespace chorus::server::cluster {

std::string sockets_json(const std::vector<fanout::socket_description>& sockets) {
  std::string out = "[";
  for (const auto& s : sockets) {
    if (out.size() > 1) out += ',';
    out += R"({"id":)";
    protocol::json::append_quoted(out, s.id);
    out += R"(,"handshake":)";
    out += s.handshake_json;
    out += R"(,"rooms":[)";
    for (std::size_t i = 0; i < s.rooms.size(); ++i) {
      if (i) out += ',';
      protocol::json::append_quoted(out, s.rooms[i]);
    }
    out += R"(],"data":)";
    out += s.data_json;
    out += '}';
  }
  out += ']';
  return out;
}

std::string socket_ids_json(const std::vector<fanout::socket_description>& sockets) {
  std::string out = "[";
  for (const auto& s : sockets) {
    if (out.size() > 1) out += ',';
    protocol::json::append_quoted(out, s.id);
  }
  out += ']';
  return out;
}

// Bounded by the answer's own size.
bool append_sockets(std::string_view json, std::vector<fanout::socket_description>& out) {
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(json).get_array().get(array)) return false;
  for (simdjson::dom::element item : array) {
    simdjson::dom::object socket;
    std::string_view id;
    if (item.get_object().get(socket) || socket["id"].get_string().get(id)) return false;
    fanout::socket_description d;
    d.id = std::string(id);
    simdjson::dom::element handshake, data;
    d.handshake_json = socket["handshake"].get(handshake) ? "{}" : simdjson::minify(handshake);
    d.data_json = socket["data"].get(data) ? "{}" : simdjson::minify(data);
    simdjson::dom::array rooms;
    if (!socket["rooms"].get_array().get(rooms))
      for (simdjson::dom::element room : rooms) {
        std::string_view name;
        if (!room.get_string().get(name)) d.rooms.emplace_back(name);
      }
    out.push_back(std::move(d));
  }
  return true;
}

}  // namespace chorus::server::cluster
