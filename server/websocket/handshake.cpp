#include "server/websocket/handshake.hpp"

#include <openssl/evp.h>

#include <boost/beast/websocket/rfc6455.hpp>

#include "protocol/base64.hpp"

namespace chorus::server {

namespace beast_http = boost::beast::http;

std::string websocket_accept_key(std::string_view client_key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(client_key);
  input += guid;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr);
  std::string accept;
  protocol::append_base64(accept,
                          std::string_view(reinterpret_cast<const char*>(digest), digest_size));
  return accept;
}

bool is_valid_websocket_upgrade(const http::request& req) {
  if (!boost::beast::websocket::is_upgrade(req)) return false;
  if (req[beast_http::field::sec_websocket_version] != "13") return false;
  std::string decoded;
  return protocol::decode_base64(req[beast_http::field::sec_websocket_key], decoded) &&
         decoded.size() == 16;
}

http::response make_websocket_accept(const http::request& req) {
  http::response res{beast_http::status::switching_protocols, req.version()};
  res.set(beast_http::field::upgrade, "websocket");
  res.set(beast_http::field::connection, "Upgrade");
  res.set(beast_http::field::sec_websocket_accept,
          websocket_accept_key(req[beast_http::field::sec_websocket_key]));
  return res;
}

}  // namespace chorus::server
