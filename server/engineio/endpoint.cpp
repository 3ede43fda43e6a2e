#include "server/engineio/endpoint.hpp"

#include <algorithm>
#include <boost/asio/write.hpp>
#include <cctype>

#include "protocol/websocket/frame.hpp"
#include "server/engineio/handshake_request.hpp"
#include "server/engineio/request_error.hpp"
#include "server/engineio/session.hpp"
#include "server/engineio/sid.hpp"
#include "server/guard/http_checks.hpp"
#include "server/http/query.hpp"
#include "server/http/responses.hpp"
#include "server/shard.hpp"
#include "server/websocket/handshake.hpp"
#include "server/websocket/websocket_connection.hpp"

namespace chorus::server::engineio {

namespace beast_http = boost::beast::http;
using engineio::request_error;
using http::outcome;

namespace {

awaitable<outcome> refuse(http::connection& conn, const http::request& req, request_error error) {
  co_return co_await http::write_response(conn,
                                          make_error_response(req, error, conn.home.config()));
}

awaitable<outcome> answer_polling(http::connection& conn, const http::request& req,
                                  std::string_view content_type, std::string body) {
  auto res = http::make_text(req, beast_http::status::ok, content_type, std::move(body));
  http::add_cors_headers(req, res, conn.home.config());
  co_return co_await http::write_response(conn, std::move(res));
}

constexpr std::string_view polling_content_type = "text/plain; charset=UTF-8";

// What the opening request carried, for socket.io's handshake object. Taken before a WebSocket
// upgrade releases the connection's socket.
std::shared_ptr<const handshake_request> keep_request(http::connection& conn,
                                                      const http::request& req) {
  auto kept = std::make_shared<handshake_request>();
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = field.value();
    auto same = std::find_if(kept->headers.begin(), kept->headers.end(),
                             [&](const auto& header) { return header.first == name; });
    if (same == kept->headers.end()) {
      kept->headers.emplace_back(std::move(name), std::string(value));
    } else {
      // As Node joins a repeated header (cookies with "; ").
      same->second += name == "cookie" ? "; " : ", ";
      same->second += value;
    }
  }
  kept->target = std::string(req.target());
  boost::system::error_code ec;
  auto peer = conn.stream.socket().remote_endpoint(ec);
  kept->address = ec ? conn.slot.address().to_string() : peer.address().to_string();
  kept->secure = conn.stream.tls() != nullptr;
  return kept;
}

std::shared_ptr<session> open_session(const endpoint_services& services, shard& home,
                                      transport_kind transport,
                                      std::shared_ptr<const handshake_request> opening) {
  session_registry& registry = *services.sessions[home.index()];
  auto created = std::make_shared<session>(home, registry, make_sid(home.index()), transport,
                                           services.make_handler(home));
  created->keep_handshake(std::move(opening));
  home.metrics().sessions_opened[static_cast<std::size_t>(transport)].add();
  registry.add(created);
  return created;
}

// Switches the connection to WebSocket and starts it on its own: the HTTP session (its
// coroutine frames, stream and request) ends here, so a WebSocket connection holds none of it.
awaitable<outcome> run_websocket(const endpoint_services& services, http::connection& conn,
                                 const http::request& req, std::shared_ptr<session> existing) {
  auto opening = existing ? nullptr : keep_request(conn, req);
  if (co_await http::write_response(conn, make_websocket_accept(req)) == outcome::close)
    co_return outcome::close;
  conn.stream.expires_never();
  auto leftover = conn.buffer.cdata();
  auto ws = std::make_shared<websocket_connection>(
      conn.stream.release_socket(),
      std::string_view(static_cast<const char*>(leftover.data()), leftover.size()),
      conn.home.config(), conn.home.read_scratch(), conn.home.flusher(), conn.home.metrics(),
      conn.stream.release_tls());
  ws->hold(std::move(conn.slot));
  std::shared_ptr<session> target = existing;
  if (existing) {
    if (!existing->attach_probe(ws)) co_return outcome::close;  // changed while answering
  } else {
    target = open_session(services, conn.home, transport_kind::websocket, std::move(opening));
    target->attach_websocket(ws);
    ws->send(make_text_packet(target->open_packet()), false);
    target->start();
  }
  ws->start(std::move(target));
  co_return outcome::taken;
}

// A WebSocket for a session that has already upgraded, or is upgrading: as the reference server
// does, the WebSocket handshake completes and the new connection is closed at once (a client
// sees a close, not an HTTP error); the session's own transport is not touched.
awaitable<outcome> close_extra_websocket(http::connection& conn, const http::request& req) {
  if (co_await http::write_response(conn, make_websocket_accept(req)) == outcome::close)
    co_return outcome::close;
  const std::string frame = protocol::websocket::encode_frame(
      protocol::websocket::opcode::close,
      protocol::websocket::encode_close_payload(protocol::websocket::close_code::policy_violation,
                                                "transport already upgraded"));
  // Under the deadline write_response set.
  co_await asio::async_write(conn.stream, asio::buffer(frame), use_nothrow_awaitable);
  co_return outcome::close;
}

// The per-address handshake rate, by the address counted at accept (TLS included: the
// connection is the client's own socket).
bool handshake_allowed(const endpoint_services& services, http::connection& conn) {
  return !conn.slot || services.guard->allow_handshake(conn.slot.address());
}

awaitable<outcome> handshake(const endpoint_services& services, http::connection& conn,
                             const http::request& req, std::string_view transport) {
  if (!handshake_allowed(services, conn))
    co_return co_await http::write_response(conn, guard::make_handshake_refusal(req));
  if (transport == "websocket") {
    if (!is_valid_websocket_upgrade(req))
      co_return co_await refuse(conn, req, request_error::bad_request);
    co_return co_await run_websocket(services, conn, req, nullptr);
  }
  if (req.method() != beast_http::verb::get)
    co_return co_await refuse(conn, req, request_error::bad_handshake_method);
  auto created =
      open_session(services, conn.home, transport_kind::polling, keep_request(conn, req));
  std::string body = created->open_packet();
  created->start();
  co_return co_await answer_polling(conn, req, polling_content_type, std::move(body));
}

// A POST's body is read only after the session is marked as receiving one, so a second POST
// overlapping it is detected (and refused) as the reference server does.
awaitable<outcome> post_to_session(http::connection& conn, http::request_parser& parser,
                                   std::shared_ptr<session> found) {
  if (!found->begin_post()) {
    found->close(disconnect_reason::transport_error);
    auto res = make_error_response(parser.get(), request_error::bad_request, conn.home.config());
    res.keep_alive(false);
    co_await http::write_response(conn, std::move(res));
    co_return outcome::close;
  }
  auto req = co_await http::read_body(conn, parser);
  found->end_post();
  if (!req) co_return outcome::close;
  switch (found->post(req->body())) {
    case polling_error::none:
      co_return co_await answer_polling(conn, *req, "text/html", "ok");
    case polling_error::unknown_session:
      co_return co_await refuse(conn, *req, request_error::unknown_sid);
    default:
      co_return co_await refuse(conn, *req, request_error::bad_request);
  }
}

awaitable<outcome> continue_session(const endpoint_services& services, http::connection& conn,
                                    const http::request& req, std::string_view transport,
                                    std::shared_ptr<session> found) {
  if (transport == "websocket") {
    if (!is_valid_websocket_upgrade(req) || found->closed())
      co_return co_await refuse(conn, req, request_error::bad_request);
    if (!found->can_upgrade()) co_return co_await close_extra_websocket(conn, req);
    co_return co_await run_websocket(services, conn, req, std::move(found));
  }
  if (found->transport() != transport_kind::polling)
    co_return co_await refuse(conn, req, request_error::bad_request);
  if (req.method() == beast_http::verb::get) {
    auto result = co_await found->poll();
    if (result.error == polling_error::unknown_session)
      co_return co_await refuse(conn, req, request_error::unknown_sid);
    if (result.error != polling_error::none)
      co_return co_await refuse(conn, req, request_error::bad_request);
    co_return co_await answer_polling(conn, req, polling_content_type, std::move(result.body));
  }
  co_return co_await refuse(conn, req, request_error::bad_request);
}

// Refused before the request goes anywhere (no session, no other shard); its body is read
// first so that closing does not reset the answer away.
awaitable<outcome> refuse_origin(http::connection& conn, http::request_parser_ptr parser) {
  auto req = co_await http::read_body(conn, *parser);
  if (!req) co_return outcome::close;
  co_await http::write_response(conn, guard::make_origin_refusal(*req));
  co_return outcome::close;
}

}  // namespace

awaitable<outcome> handle_request(const endpoint_services& services, http::connection& conn,
                                  http::request_parser_ptr parser) {
  const http::request& header = parser->get();
  if (!guard::origin_permitted(header, conn.home.config()))
    co_return co_await refuse_origin(conn, std::move(parser));
  std::string_view target = header.target();
  std::string_view sid = http::query_param(target, "sid");
  if (!sid.empty() && http::query_param(target, "EIO") == "4") {
    auto owner = shard_of_sid(sid, services.shards.size());
    if (owner && *owner != conn.home.index()) {
      http::migrate(conn, *services.shards[*owner], std::move(parser));
      co_return outcome::taken;
    }
    std::string_view transport = http::query_param(target, "transport");
    if (header.method() == beast_http::verb::post && transport == "polling") {
      auto found = services.sessions[conn.home.index()]->find(sid);
      if (found && found->transport() == transport_kind::polling)
        co_return co_await post_to_session(conn, *parser, std::move(found));
    }
  }

  auto read = co_await http::read_body(conn, *parser);
  if (!read) co_return outcome::close;
  const http::request& req = *read;
  target = req.target();
  const server_config& config = conn.home.config();
  if (req.method() == beast_http::verb::options)
    co_return co_await http::write_response(conn, http::make_preflight(req, config));
  if (http::query_param(target, "EIO") != "4")
    co_return co_await refuse(conn, req, request_error::unsupported_protocol_version);
  std::string_view transport = http::query_param(target, "transport");
  if (transport != "polling" && transport != "websocket")
    co_return co_await refuse(conn, req, request_error::unknown_transport);
  sid = http::query_param(target, "sid");
  if (sid.empty()) co_return co_await handshake(services, conn, req, transport);
  if (!shard_of_sid(sid, services.shards.size()))
    co_return co_await refuse(conn, req, request_error::unknown_sid);
  auto found = services.sessions[conn.home.index()]->find(sid);
  if (!found) co_return co_await refuse(conn, req, request_error::unknown_sid);
  co_return co_await continue_session(services, conn, req, transport, std::move(found));
}

http::route make_route(const server_config& config,
                       std::shared_ptr<const endpoint_services> services) {
  return {
      .path = config.path,
      .serve =
          [services](http::connection& conn, http::request_parser_ptr parser) {
            return handle_request(*services, conn, std::move(parser));
          },
      .body_refused =
          [services](shard&, const http::request& req) { refuse_oversized_body(*services, req); },
      .log_transport = true};
}

void refuse_oversized_body(const endpoint_services& services, const http::request& req) {
  std::string sid(http::query_param(req.target(), "sid"));
  auto owner = shard_of_sid(sid, services.shards.size());
  if (!owner) return;
  session_registry& registry = *services.sessions[*owner];
  asio::post(services.shards[*owner]->context(), [&registry, sid] {
    if (auto found = registry.find(sid)) found->close(disconnect_reason::transport_error);
  });
}

}  // namespace chorus::server::engineio
