#pragma once

#include <memory>
#include <stdexcept>

#include "server/config.hpp"

namespace boost::asio::ssl {
class context;
}

namespace chorus::server::tls {

// A TLS option that cannot be used: the message names the option and the file.
struct tls_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The server's TLS context from --tls-cert/--tls-key: TLS 1.2 and later, forward-secret AEAD
// ciphers, ALPN http/1.1. Null when neither is set; throws tls_error when only one is, when a
// file cannot be read or holds no PEM certificate/key, or when the key does not match.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const server_config& config);

}  // namespace chorus::server::tls
