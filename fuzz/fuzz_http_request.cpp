// An HTTP request as a chorus shard reads it: Beast's request_parser with chorus's header and
// body limits, then the pure routing pieces a request passes through: the Engine.IO query
// (EIO, transport, sid) and the sid's shard, the static file path and the WebSocket upgrade
// checks.
//
// Input: byte 0 splits the rest into two reads (at byte0 * size / 256); the rest is the request.
//
// Invariants:
//   - the parser stays within its limits (header, body);
//   - a sid maps to a shard only if it is 20 characters and the shard exists;
//   - a resolved static path is relative, has no empty, '.', '..' or dot-file segment, no '\'
//     and no control byte, and resolves to itself again when it needs no escaping;
//   - an accepted WebSocket upgrade gets a 28-character Sec-WebSocket-Accept.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/config.hpp"
#include "server/engineio/sid.hpp"
#include "server/http/http_types.hpp"
#include "server/http/query.hpp"
#include "server/http/static_path.hpp"
#include "server/websocket/handshake.hpp"

namespace {

namespace http = chorus::server::http;
namespace beast_http = boost::beast::http;

void check(bool ok) {
  if (!ok) std::abort();
}

// Feeds `bytes` as one read; false when the parser refused it.
bool feed(http::request_parser& parser, std::string_view& bytes) {
  while (!bytes.empty() && !parser.is_done()) {
    boost::beast::error_code ec;
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    check(used <= bytes.size());
    bytes.remove_prefix(used);
    if (ec == beast_http::error::need_more) return true;
    if (ec) return false;
    if (used == 0) return true;
  }
  return true;
}

void check_segment(std::string_view segment) {
  check(!segment.empty() && segment != "." && segment != ".." && segment.front() != '.');
  for (unsigned char c : segment) check(c != '\\' && c >= 0x20 && c != 0x7f);
}

void check_static_path(std::string_view target) {
  const http::static_path resolved = http::resolve_static_path(target);
  if (resolved.error != http::static_path_error::none) {
    check(resolved.relative.empty());
    return;
  }
  const std::string_view relative = resolved.relative;
  check(!relative.empty() && relative.front() != '/');
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = relative.find('/', start);
    check_segment(relative.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  check(!http::content_type_for(relative).empty());
  if (relative.find_first_of("%?#") == std::string_view::npos) {
    const auto again = http::resolve_static_path("/" + resolved.relative);
    check(again.error == http::static_path_error::none && again.relative == relative);
  }
}

void check_engineio_query(std::string_view target) {
  for (std::string_view name : {"EIO", "transport", "sid"}) {
    const std::string_view value = http::query_param(target, name);
    check(value.find('&') == std::string_view::npos);
    if (!value.empty()) check(value.data() >= target.data() && value.end() <= target.end());
  }
  const std::string_view sid = http::query_param(target, "sid");
  for (unsigned shards : {1u, 2u, 64u, 4096u}) {
    const auto shard = chorus::server::engineio::shard_of_sid(sid, shards);
    if (shard) check(*shard < shards && sid.size() == 20);
  }
}

void check_upgrade(const http::request& req) {
  if (chorus::server::is_valid_websocket_upgrade(req)) {
    const http::response accept = chorus::server::make_websocket_accept(req);
    check(accept[beast_http::field::sec_websocket_accept].size() == 28);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const chorus::server::server_config defaults;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = data[0] * input.size() / 256;

  // As server/http/http_session.cpp's make_parser.
  http::request_parser parser;
  parser.header_limit(static_cast<std::uint32_t>(defaults.max_header_bytes));
  parser.body_limit(defaults.max_payload);
  parser.eager(true);
  // Two reads into one buffer: what the first left unconsumed is offered again with the second.
  std::string_view first = input.substr(0, split);
  if (!feed(parser, first)) return 0;
  std::string_view rest = input.substr(split - first.size());
  if (!feed(parser, rest)) return 0;
  if (!parser.is_header_done()) return 0;

  const http::request& req = parser.get();
  check(req.body().size() <= defaults.max_payload);
  const std::string_view target = req.target();
  check_engineio_query(target);
  check_static_path(target);
  check(http::path_of(target).size() <= target.size());
  check_upgrade(req);
  check(chorus::server::websocket_accept_key(req[beast_http::field::sec_websocket_key]).size() ==
        28);
  return 0;
}
