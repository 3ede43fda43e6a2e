#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace chorus::server::tls {

// One TLS connection's record layer, server side, with no I/O of its own: ciphertext that the
// connection read from its socket is fed in, plaintext comes out of read(); plaintext given to
// write() becomes ciphertext that the connection takes out and sends on the same socket, in the
// same gather write as everything else. Keeping the socket out of OpenSSL (memory BIOs) is what
// lets a WebSocket connection stay a non-blocking descriptor in the shard's batched writes and
// move between shards with its TLS state, instead of living behind a socketpair tunnel.
//
// Used on one thread at a time (the shard that owns the connection); it may move between them.
class tls_channel {
 public:
  // Server side of a new connection under `context` (its certificate, ciphers, ALPN).
  explicit tls_channel(SSL_CTX* context);
  ~tls_channel();
  tls_channel(const tls_channel&) = delete;
  tls_channel& operator=(const tls_channel&) = delete;

  // Ciphertext read from the socket.
  void feed(std::span<const std::uint8_t> ciphertext);

  enum class status {
    done,       // handshake: complete; read: `bytes` of plaintext delivered
    want_read,  // needs more ciphertext (send what take_output() holds first)
    closed,     // the peer sent close_notify
    failed,     // a protocol or handshake error: error_text() says which
  };
  // Advances the handshake with what has been fed.
  status handshake();
  // Decrypts into `plaintext`; `bytes` is how much it delivered (done only).
  status read(std::span<std::uint8_t> plaintext, std::size_t& bytes);
  // Whether fed ciphertext or decrypted plaintext is waiting: read() may deliver without feed().
  bool has_buffered_input() const;
  // Encrypts `plaintext` (records of up to 16 KiB) into the output.
  void write(std::span<const std::uint8_t> plaintext);
  // Queues a close_notify alert in the output.
  void shutdown();

  // Ciphertext to send: appended to `out` and cleared here.
  void take_output(std::string& out);
  bool has_output() const;

  // The handshake failed because the client spoke plain HTTP to the TLS port.
  bool saw_plain_http() const { return saw_plain_http_; }
  const std::string& error_text() const { return error_text_; }

 private:
  status failure(int ssl_result);

  SSL* ssl_;
  BIO* input_;   // ciphertext fed in, owned by ssl_
  BIO* output_;  // ciphertext to send, owned by ssl_
  bool saw_plain_http_ = false;
  std::string error_text_;
};

}  // namespace chorus::server::tls
