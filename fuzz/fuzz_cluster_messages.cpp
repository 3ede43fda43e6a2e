// What other nodes publish on Redis: the notepack msgpack bridge, the classic Redis adapter's
// broadcast, request and response, and the ClusterAdapter envelope of the sharded adapter.
//
// Input: byte 0 picks the decoder (mod 5: bridge, broadcast, request, response, cluster
// message); the rest is the payload.
//
// Invariants:
//   - bridge: append_json and skip_value agree (both refuse, or both take the same bytes); on
//     success nothing is read past the value, the JSON parses (unless it holds an integer past
//     64 bits, which JS writes in full and simdjson refuses), and msgpack written from it
//     bridges back to the same JSON and attachments;
//   - every decoder refuses with a non-empty reason or gives a message whose lists respect the
//     bounds, and whose placeholders match its attachments; a decoded message that chorus can
//     encode (a broadcast, a cluster message) encodes to something that decodes to the same.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocol/cluster/cluster_messages.hpp"
#include "protocol/cluster/redis_messages.hpp"
#include "protocol/msgpack/json_bridge.hpp"

namespace {

using chorus::fuzz::check;
using chorus::fuzz::json_parser;
using namespace chorus::protocol;

void bridge(std::string_view payload) {
  const char* begin = payload.data();
  const char* end = begin + payload.size();
  const char* p = begin;
  std::string json;
  std::vector<std::string> attachments;
  const auto error = msgpack::append_json(&p, end, json, attachments);
  const char* q = begin;
  const auto skip_error = msgpack::skip_value(&q, end);
  check(error == skip_error);
  if (error) {
    check(p == begin && json.empty() && attachments.empty());
    check(msgpack::to_string(*error)[0] != '\0');
    return;
  }
  check(p == q && p > begin && p <= end);
  simdjson::dom::element value;
  const auto parsed = json_parser().parse(json).get(value);
  if (parsed == simdjson::NUMBER_ERROR) return;
  check(parsed == simdjson::SUCCESS);
  std::string bytes;
  check(msgpack::append_msgpack(value, attachments, bytes));
  const char* r = bytes.data();
  std::string again;
  std::vector<std::string> again_attachments;
  check(!msgpack::append_json(&r, bytes.data() + bytes.size(), again, again_attachments));
  check(r == bytes.data() + bytes.size());
  check(again == json && again_attachments == attachments);
}

void check_options(const cluster::broadcast_options& opts) {
  check(opts.rooms.size() <= cluster::max_rooms && opts.except.size() <= cluster::max_rooms);
}

bool same_options(const cluster::broadcast_options& a, const cluster::broadcast_options& b) {
  return a.rooms == b.rooms && a.except == b.except && a.is_volatile == b.is_volatile &&
         a.compress == b.compress && a.local == b.local && a.timeout_ms == b.timeout_ms;
}

// Whether every placeholder in `json` stands for one of the binaries: a map that only looks like
// one ({"_placeholder":true,…} sent as a map) is indistinguishable from it once in JSON, as it is
// in socket.io itself, and turns into binary on the way back.
bool placeholders_are_binaries(std::string_view json, std::size_t attachments) {
  std::size_t count = 0;
  for (std::size_t at = json.find(R"("_placeholder":true)"); at != std::string_view::npos;
       at = json.find(R"("_placeholder":true)", at + 1)) {
    ++count;
  }
  return count == attachments;
}

bool same_data(const std::string& a, const std::vector<std::string>& a_attachments,
               const std::string& b, const std::vector<std::string>& b_attachments) {
  if (!placeholders_are_binaries(a, a_attachments.size())) return true;
  return a == b && a_attachments == b_attachments;
}

bool same_packet(const cluster::event_packet& a, const cluster::event_packet& b) {
  return a.nsp == b.nsp && same_data(a.data_json, a.attachments, b.data_json, b.attachments);
}

void broadcast(std::string_view payload) {
  std::string error;
  const auto b = cluster::decode_redis_broadcast(payload, error);
  if (!b) {
    check(!error.empty());
    return;
  }
  check_options(b->opts);
  const std::string again = cluster::encode_redis_broadcast(b->uid, b->packet, b->opts);
  if (again.empty()) return;  // data JSON simdjson cannot read back (integers past 64 bits)
  const auto c = cluster::decode_redis_broadcast(again, error);
  check(c.has_value());
  check(c->uid == b->uid && same_packet(c->packet, b->packet) && same_options(c->opts, b->opts));
}

void request(std::string_view payload) {
  std::string error;
  const auto r = cluster::decode_redis_request(payload, error);
  if (!r) {
    check(!error.empty());
    return;
  }
  check_options(r->opts);
  check(r->rooms.size() <= cluster::max_rooms);
  check(static_cast<int>(r->type) >= 0 && static_cast<int>(r->type) <= 7);
}

void response(std::string_view payload) {
  std::string error;
  const auto r = cluster::decode_redis_response(payload, error);
  if (!r) {
    check(!error.empty());
    return;
  }
  check(r->rooms.size() <= cluster::max_node_entries);
  check(r->socket_ids.size() <= cluster::max_node_entries);
}

void cluster_message(std::string_view payload) {
  std::string error;
  const auto m = cluster::decode_cluster_message(payload, error);
  if (!m) {
    check(!error.empty());
    return;
  }
  check(m->type >= 1 && m->type <= 13);
  check_options(m->opts);
  const std::string again = cluster::encode_cluster_message(*m);
  if (again.empty()) return;  // as for broadcasts
  const auto n = cluster::decode_cluster_message(again, error);
  check(n.has_value());
  check(n->uid == m->uid && n->nsp == m->nsp && n->type == m->type);
  check(same_options(n->opts, m->opts) && same_packet(n->packet, m->packet));
  check(n->request_id == m->request_id && n->rooms == m->rooms && n->close == m->close);
  check(same_data(m->sockets_json + m->data_json, m->attachments, n->sockets_json + n->data_json,
                  n->attachments));
  check(n->client_count == m->client_count);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      bridge(payload);
      break;
    case 1:
      broadcast(payload);
      break;
    case 2:
      request(payload);
      break;
    case 3:
      response(payload);
      break;
    default:
      cluster_message(payload);
      break;
  }
  return 0;
}
