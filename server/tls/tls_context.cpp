#include "server/tls/tls_context.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace chorus::server::tls {
namespace {

namespace ssl = boost::asio::ssl;

// Mozilla's "intermediate" TLS 1.2 list minus the finite-field DHE suites; TLS 1.3 keeps
// OpenSSL's default suites (all AEAD).
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// OpenSSL's own messages for a missing file are vague ("system lib"); say what the OS said.
void check_readable(const char* option, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw tls_error(fmt::format("{} {}: {}", option, path, std::strerror(errno)));
  std::fclose(file);
}

// Offers http/1.1 when the client lists it; a client that lists only others (h2) goes on
// without ALPN rather than failing, as HTTP/1.1 is all this server speaks.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char* in,
                unsigned in_size, void*) {
  static constexpr unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_size, http11, sizeof http11, in, in_size) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const server_config& config) {
  if (config.tls_cert.empty() && config.tls_key.empty()) return nullptr;
  if (config.tls_cert.empty() || config.tls_key.empty())
    throw tls_error("--tls-cert and --tls-key go together: give both or neither");
  check_readable("--tls-cert", config.tls_cert);
  check_readable("--tls-key", config.tls_key);

  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1)
    throw tls_error("the TLS 1.2 cipher list is not supported by this OpenSSL");
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
  // An encrypted key would make OpenSSL prompt on the terminal; an empty passphrase fails it.
  context->set_password_callback(
      [](std::size_t, ssl::context::password_purpose) { return std::string(); });

  boost::system::error_code ec;
  context->use_certificate_chain_file(config.tls_cert, ec);
  if (ec)
    throw tls_error(
        fmt::format("--tls-cert {}: not a PEM certificate ({})", config.tls_cert, ec.message()));
  const auto mismatch = [&] {
    return tls_error(fmt::format("--tls-key {} does not match the certificate in --tls-cert {}",
                                 config.tls_key, config.tls_cert));
  };
  context->use_private_key_file(config.tls_key, ssl::context::pem, ec);
  // OpenSSL checks the key against the certificate while loading it.
  if (ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH)
    throw mismatch();
  if (ec)
    throw tls_error(fmt::format("--tls-key {}: not an unencrypted PEM private key ({})",
                                config.tls_key, ec.message()));
  if (SSL_CTX_check_private_key(native) != 1) throw mismatch();
  return context;
}

}  // namespace chorus::server::tls
