#include "server/tls/tls_channel.hpp"

#include <openssl/err.h>

#include <climits>
#include <new>

namespace chorus::server::tls {

tls_channel::tls_channel(SSL_CTX* context) : ssl_(SSL_new(context)) {
  if (!ssl_) throw std::bad_alloc();
  input_ = BIO_new(BIO_s_mem());
  output_ = BIO_new(BIO_s_mem());
  if (!input_ || !output_) {
    BIO_free(input_);
    BIO_free(output_);
    SSL_free(ssl_);
    throw std::bad_alloc();
  }
  // An empty memory BIO reports "retry" rather than end of input: more ciphertext may come.
  BIO_set_mem_eof_return(input_, -1);
  SSL_set_bio(ssl_, input_, output_);
  SSL_set_accept_state(ssl_);
  // SSL_write takes the whole buffer at once into the output: nothing is ever left half-written.
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // An idle connection keeps no record buffers (about 34 KiB otherwise).
  SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS);
}

tls_channel::~tls_channel() {
  SSL_free(ssl_);
}

void tls_channel::feed(std::span<const std::uint8_t> ciphertext) {
  while (!ciphertext.empty()) {
    int chunk = static_cast<int>(std::min<std::size_t>(ciphertext.size(), INT_MAX));
    int written = BIO_write(input_, ciphertext.data(), chunk);
    if (written <= 0) return;  // a memory BIO only fails when out of memory
    ciphertext = ciphertext.subspan(static_cast<std::size_t>(written));
  }
}

tls_channel::status tls_channel::failure(int ssl_result) {
  int error = SSL_get_error(ssl_, ssl_result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return status::want_read;
  }
  if (error == SSL_ERROR_ZERO_RETURN) {
    ERR_clear_error();
    return status::closed;
  }
  unsigned long code = ERR_peek_last_error();
  if (ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_HTTP_REQUEST)
    saw_plain_http_ = true;
  char text[256] = "TLS error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  error_text_ = text;
  ERR_clear_error();
  return status::failed;
}

tls_channel::status tls_channel::handshake() {
  ERR_clear_error();  // SSL_get_error reads the thread's queue: nothing stale may be in it
  int result = SSL_do_handshake(ssl_);
  return result == 1 ? status::done : failure(result);
}

tls_channel::status tls_channel::read(std::span<std::uint8_t> plaintext, std::size_t& bytes) {
  bytes = 0;
  if (plaintext.empty()) return status::done;
  ERR_clear_error();
  int chunk = static_cast<int>(std::min<std::size_t>(plaintext.size(), INT_MAX));
  int result = SSL_read(ssl_, plaintext.data(), chunk);
  if (result > 0) {
    bytes = static_cast<std::size_t>(result);
    return status::done;
  }
  return failure(result);
}

bool tls_channel::has_buffered_input() const {
  return SSL_pending(ssl_) > 0 || BIO_ctrl_pending(input_) > 0;
}

void tls_channel::write(std::span<const std::uint8_t> plaintext) {
  while (!plaintext.empty()) {
    int chunk = static_cast<int>(std::min<std::size_t>(plaintext.size(), INT_MAX));
    int written = SSL_write(ssl_, plaintext.data(), chunk);
    if (written <= 0) {
      // Only after a fatal error or a sent close: the connection is ending anyway.
      ERR_clear_error();
      return;
    }
    plaintext = plaintext.subspan(static_cast<std::size_t>(written));
  }
}

void tls_channel::shutdown() {
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

void tls_channel::take_output(std::string& out) {
  std::size_t pending = BIO_ctrl_pending(output_);
  if (pending == 0) return;
  std::size_t at = out.size();
  out.resize(at + pending);
  int got = BIO_read(output_, out.data() + at, static_cast<int>(pending));
  out.resize(at + (got > 0 ? static_cast<std::size_t>(got) : 0));
}

bool tls_channel::has_output() const {
  return BIO_ctrl_pending(output_) > 0;
}

}  // namespace chorus::server::tls
