#include "server/http/client_stream.hpp"

#include <boost/asio/write.hpp>

namespace chorus::server::http {

namespace {
// One read of ciphertext: a TLS record and then some.
constexpr std::size_t ciphertext_chunk = 17 * 1024;

boost::system::error_code tls_failure() {
  return boost::system::errc::make_error_code(boost::system::errc::protocol_error);
}
}  // namespace

awaitable<boost::system::error_code> client_stream::send_output() {
  tls_->take_output(ciphertext_out_);
  if (ciphertext_out_.empty()) co_return boost::system::error_code{};
  auto [ec, n] =
      co_await asio::async_write(tcp_, asio::buffer(ciphertext_out_), use_nothrow_awaitable);
  ciphertext_out_.clear();
  co_return ec;
}

awaitable<boost::system::error_code> client_stream::read_ciphertext() {
  if (!ciphertext_in_) ciphertext_in_.reset(new std::uint8_t[ciphertext_chunk]);
  auto [ec, n] = co_await tcp_.async_read_some(asio::buffer(ciphertext_in_.get(), ciphertext_chunk),
                                               use_nothrow_awaitable);
  if (!ec) tls_->feed({ciphertext_in_.get(), n});
  co_return ec;
}

awaitable<boost::system::error_code> client_stream::handshake() {
  for (;;) {
    auto status = tls_->handshake();
    // The server's flight goes out first, also when the handshake fails (an alert).
    if (auto ec = co_await send_output(); ec && status != tls::tls_channel::status::failed)
      co_return ec;
    if (status == tls::tls_channel::status::done) co_return boost::system::error_code{};
    if (status != tls::tls_channel::status::want_read) co_return tls_failure();
    if (auto ec = co_await read_ciphertext()) co_return ec;
  }
}

awaitable<client_stream::result> client_stream::read_decrypted(asio::mutable_buffer into) {
  for (;;) {
    std::size_t bytes = 0;
    auto status = tls_->read({static_cast<std::uint8_t*>(into.data()), into.size()}, bytes);
    switch (status) {
      case tls::tls_channel::status::done:
        co_return result{boost::system::error_code{}, bytes};
      case tls::tls_channel::status::closed:
        co_return result{asio::error::eof, 0};
      case tls::tls_channel::status::failed:
        co_return result{tls_failure(), 0};
      case tls::tls_channel::status::want_read:
        break;
    }
    if (auto ec = co_await read_ciphertext()) co_return result{ec, 0};
  }
}

awaitable<client_stream::result> client_stream::write_encrypted(std::string plaintext) {
  tls_->write({reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()});
  std::size_t total = plaintext.size();
  auto ec = co_await send_output();
  co_return result{ec, ec ? 0 : total};
}

}  // namespace chorus::server::http
