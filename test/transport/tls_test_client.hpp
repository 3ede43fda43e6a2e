// What the TLS tests share: a throwaway self-signed EC certificate made at run time, the server's
// own TLS context built from it (make_tls_context, from PEM files in a temporary directory that
// is removed at once), and a TLS client written with OpenSSL directly over memory BIOs, apart
// from the server's code.
#pragma once

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "server/config.hpp"
#include "server/tls/tls_channel.hpp"
#include "server/tls/tls_context.hpp"

namespace chorus::server::tls_test {

inline std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// A P-256 key and a self-signed certificate for "localhost", valid for an hour.
struct test_identity {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;

  test_identity() {
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    if (!key || !cert) throw std::runtime_error("cannot make a test key");
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    if (X509_sign(cert, key, EVP_sha256()) <= 0)
      throw std::runtime_error("cannot sign the test certificate");
  }
  ~test_identity() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  test_identity(const test_identity&) = delete;
  test_identity& operator=(const test_identity&) = delete;
};

inline const test_identity& identity() {
  static test_identity made;
  return made;
}

// The server's context exactly as the TLS listener makes it, from the identity's PEM files.
inline SSL_CTX* server_context() {
  static std::shared_ptr<boost::asio::ssl::context> context = [] {
    char dir[] = "/tmp/chorus-tls-test-XXXXXX";
    if (!::mkdtemp(dir)) throw std::runtime_error("mkdtemp failed");
    server_config config;
    config.tls_cert = std::string(dir) + "/cert.pem";
    config.tls_key = std::string(dir) + "/key.pem";
    std::FILE* cert = std::fopen(config.tls_cert.c_str(), "w");
    std::FILE* key = std::fopen(config.tls_key.c_str(), "w");
    if (!cert || !key) throw std::runtime_error("cannot write the test PEM files");
    PEM_write_X509(cert, identity().cert);
    PEM_write_PrivateKey(key, identity().key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(cert);
    std::fclose(key);
    auto made = tls::make_tls_context(config);
    std::remove(config.tls_cert.c_str());
    std::remove(config.tls_key.c_str());
    ::rmdir(dir);
    return made;
  }();
  return context->native_handle();
}

// The client side, OpenSSL over memory BIOs: it trusts only the test certificate, so the
// handshake fails unless the server presents it.
class tls_client {
 public:
  // `max_version`: 0, or a cap such as TLS1_2_VERSION.
  explicit tls_client(int max_version = 0) : context_(SSL_CTX_new(TLS_client_method())) {
    SSL_CTX_set_verify(context_, SSL_VERIFY_PEER, nullptr);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(context_), identity().cert);
    if (max_version != 0) SSL_CTX_set_max_proto_version(context_, max_version);
    ssl_ = SSL_new(context_);
    input_ = BIO_new(BIO_s_mem());
    output_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(input_, -1);
    SSL_set_bio(ssl_, input_, output_);
    SSL_set_connect_state(ssl_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    static constexpr unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_set_alpn_protos(ssl_, alpn, sizeof alpn);
  }
  ~tls_client() {
    SSL_free(ssl_);
    SSL_CTX_free(context_);
  }
  tls_client(const tls_client&) = delete;
  tls_client& operator=(const tls_client&) = delete;

  SSL* ssl() { return ssl_; }

  // SSL_do_handshake's result.
  int handshake() { return SSL_do_handshake(ssl_); }
  // Ciphertext from the server.
  void feed(std::string_view ciphertext) {
    if (!ciphertext.empty())
      BIO_write(input_, ciphertext.data(), static_cast<int>(ciphertext.size()));
  }
  // Ciphertext for the server, taken out of the client.
  std::string take() {
    std::string out(BIO_ctrl_pending(output_), '\0');
    if (!out.empty()) out.resize(std::max(0, BIO_read(output_, out.data(), int(out.size()))));
    return out;
  }
  // Encrypts all of `plaintext` (the output is then in take()).
  void write(std::string_view plaintext) {
    while (!plaintext.empty()) {
      int n = SSL_write(ssl_, plaintext.data(), static_cast<int>(plaintext.size()));
      if (n <= 0) throw std::runtime_error("client SSL_write failed");
      plaintext.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Decrypts all it can from what was fed; `last_error` is SSL_get_error of the read that
  // stopped (SSL_ERROR_WANT_READ when it simply ran out, SSL_ERROR_ZERO_RETURN on close_notify).
  std::string read_all(int& last_error) {
    std::string got;
    char chunk[16 * 1024];
    for (;;) {
      int n = SSL_read(ssl_, chunk, sizeof chunk);
      if (n > 0) {
        got.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      last_error = SSL_get_error(ssl_, n);
      ERR_clear_error();
      return got;
    }
  }
  std::string read_all() {
    int ignored;
    return read_all(ignored);
  }
  // Queues the client's close_notify.
  void shutdown() { SSL_shutdown(ssl_); }

 private:
  SSL_CTX* context_;
  SSL* ssl_ = nullptr;
  BIO* input_ = nullptr;
  BIO* output_ = nullptr;
};

// Runs the handshake between `client` and `server` in memory, each flight passed whole. Returns
// the server's last status: done when both ends completed; what the server sent last (TLS 1.3
// session tickets) is left fed to the client, and what the client sent with its last flight is
// left fed to the server.
inline tls::tls_channel::status handshake_in_memory(tls_client& client, tls::tls_channel& server) {
  auto status = tls::tls_channel::status::want_read;
  for (int round = 0; round < 10; ++round) {
    int client_result = client.handshake();
    server.feed(bytes_of(client.take()));
    status = server.handshake();
    std::string to_client;
    server.take_output(to_client);
    client.feed(to_client);
    if (status == tls::tls_channel::status::failed) return status;
    if (status == tls::tls_channel::status::done && client_result == 1) return status;
  }
  return status;
}

// The TLS records in `ciphertext` (whole records only), by content type: 23 is application data.
inline int count_records(std::string_view ciphertext, int content_type) {
  int count = 0;
  while (ciphertext.size() >= 5) {
    std::size_t length =
        (static_cast<std::uint8_t>(ciphertext[3]) << 8) | static_cast<std::uint8_t>(ciphertext[4]);
    if (ciphertext.size() < 5 + length) break;
    if (static_cast<std::uint8_t>(ciphertext[0]) == content_type) ++count;
    ciphertext.remove_prefix(5 + length);
  }
  return count;
}

}  // namespace chorus::server::tls_test
