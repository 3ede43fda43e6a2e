#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>
#include <string>
#include <tuple>

#include "server/asio.hpp"
#include "server/tls/tls_channel.hpp"

namespace chorus::server::http {

// An HTTP client's connection as Beast reads and writes it: the TCP stream (its deadlines
// included), and on the TLS listener the connection's TLS channel, through which every byte goes.
// One type for both, so the HTTP session, Engine.IO's endpoint and migration between shards
// serve HTTPS as they serve HTTP, on the one descriptor; an upgrade hands both to the WebSocket.
class client_stream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;

  explicit client_stream(boost::beast::tcp_stream tcp,
                         std::unique_ptr<tls::tls_channel> tls = nullptr)
      : tcp_(std::move(tcp)), tls_(std::move(tls)) {}

  executor_type get_executor() { return tcp_.get_executor(); }
  boost::beast::tcp_stream& tcp() { return tcp_; }
  tcp::socket& socket() { return tcp_.socket(); }
  void expires_after(std::chrono::steady_clock::duration after) { tcp_.expires_after(after); }
  void expires_never() { tcp_.expires_never(); }
  // Under TLS: the handshake, bounded by the current deadline (an error is the channel's or
  // the socket's; the channel says whether the client spoke plain HTTP).
  awaitable<boost::system::error_code> handshake();
  const tls::tls_channel* tls() const { return tls_.get(); }
  // For an upgrade or a move to another shard: the socket and its TLS state (null for plain).
  tcp::socket release_socket() { return tcp_.release_socket(); }
  std::unique_ptr<tls::tls_channel> release_tls() { return std::move(tls_); }

  // Beast's AsyncReadStream and AsyncWriteStream. Plain: the TCP stream's own. TLS: decrypted
  // reads and encrypted writes, each a whole operation under the TCP stream's deadline.
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& into) {
          if (!tls_) return tcp_.async_read_some(into, std::move(handler));
          asio::co_spawn(tcp_.get_executor(), read_decrypted(boost::beast::buffers_front(into)),
                         completion(std::move(handler)));
        },
        token, buffers);
  }
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& from) {
          if (!tls_) return tcp_.async_write_some(from, std::move(handler));
          // Beast writes a header and a body as separate pieces: joined, they make one record.
          std::string plaintext(asio::buffer_size(from), '\0');
          asio::buffer_copy(asio::buffer(plaintext), from);
          asio::co_spawn(tcp_.get_executor(), write_encrypted(std::move(plaintext)),
                         completion(std::move(handler)));
        },
        token, buffers);
  }

 private:
  using result = std::tuple<boost::system::error_code, std::size_t>;

  awaitable<result> read_decrypted(asio::mutable_buffer into);
  awaitable<result> write_encrypted(std::string plaintext);
  // Reads what the socket has into the channel (under the TCP stream's deadline).
  awaitable<boost::system::error_code> read_ciphertext();
  // Sends what the channel has produced (handshake replies included).
  awaitable<boost::system::error_code> send_output();

  template <class Handler>
  static auto completion(Handler handler) {
    return [handler = std::move(handler)](std::exception_ptr error, result outcome) mutable {
      if (error) outcome = {asio::error::no_memory, 0};
      std::apply(std::move(handler), outcome);
    };
  }

  boost::beast::tcp_stream tcp_;
  std::unique_ptr<tls::tls_channel> tls_;
  std::string ciphertext_out_;
  std::unique_ptr<std::uint8_t[]> ciphertext_in_;  // allocated at the first TLS read
};

}  // namespace chorus::server::http
