#include "server/websocket/websocket_connection.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "server/engineio/session.hpp"

namespace chorus::server {

namespace ws = protocol::websocket;

namespace {
constexpr std::size_t initial_read_buffer = 4096;
constexpr std::size_t max_frames_per_write = 256;
constexpr std::size_t max_bytes_per_write = 4 * 1024 * 1024;
constexpr auto close_linger = std::chrono::seconds(2);
}  // namespace

websocket_connection::websocket_connection(tcp::socket socket, std::string_view leftover,
                                           const server_config& config)
    : socket_(std::move(socket)),
      config_(config),
      reader_(ws::reader_limits{config.max_payload}),
      writer_wakeup_(socket_.get_executor()),
      close_deadline_(socket_.get_executor()) {
  read_buffer_.resize(std::max(initial_read_buffer, leftover.size()));
  std::memcpy(read_buffer_.data(), leftover.data(), leftover.size());
  read_end_ = leftover.size();
}

websocket_connection::~websocket_connection() = default;

awaitable<void> websocket_connection::run(std::shared_ptr<engineio::session> session) {
  using namespace asio::experimental::awaitable_operators;
  session_ = std::move(session);
  co_await (read_loop() || write_loop());
  boost::system::error_code ignored;
  close_deadline_.cancel();
  socket_.close(ignored);
  auto session_ref = std::move(session_);
  session_ref->on_websocket_closed(*this, end_reason_);
}

send_result websocket_connection::send(engineio::outbound_packet packet, bool is_volatile) {
  if (close_queued_) return send_result::dropped;
  std::size_t size = packet->websocket_frame().size();
  if (is_volatile && queued_bytes_ + size > config_.max_queued_bytes) return send_result::dropped;
  queued_bytes_ += size;
  queue_.push_back({std::move(packet), {}});
  writer_wakeup_.notify();
  bool within = queued_bytes_ <= config_.max_queued_bytes || queue_.size() == 1;
  return within ? send_result::queued : send_result::over_bound;
}

void websocket_connection::queue_control(ws::opcode op, std::string payload) {
  queued_frame frame{nullptr, ws::encode_frame(op, payload)};
  queued_bytes_ += frame.control.size();
  queue_.push_back(std::move(frame));
  writer_wakeup_.notify();
}

void websocket_connection::close(ws::close_code code, std::string_view reason) {
  if (close_queued_) return;
  closing_ = true;
  queue_control(ws::opcode::close, ws::encode_close_payload(code, reason));
  close_queued_ = true;
  // A peer that stops reading must not keep the connection: force it shut after a bound.
  close_deadline_.expires_after(close_linger);
  close_deadline_.async_wait([self = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto conn = self.lock()) {
      boost::system::error_code ignored;
      conn->socket_.close(ignored);
    }
  });
}

void websocket_connection::fail(ws::close_code code, std::string_view reason) {
  end_reason_ = disconnect_reason::transport_error;
  close(code, reason);
}

bool websocket_connection::dispatch(const ws::reader_event& event) {
  using kind = ws::reader_event::kind;
  switch (event.what) {
    case kind::message:
      if (event.message_opcode == ws::opcode::text)
        session_->on_websocket_text(*this, event.payload);
      else
        session_->on_websocket_binary(*this, event.payload);
      return !closing_;
    case kind::ping:
      queue_control(ws::opcode::pong, std::string(event.payload));
      return true;
    case kind::pong:
      return true;
    case kind::close: {
      end_reason_ = disconnect_reason::transport_close;
      auto code = event.close_code == 1005 ? ws::close_code::normal
                                           : static_cast<ws::close_code>(event.close_code);
      close(code, "");
      return false;
    }
    case kind::error:
      fail(event.error_code, event.error_reason);
      return false;
    case kind::need_more:
      return true;
  }
  return true;
}

awaitable<void> websocket_connection::read_loop() {
  const std::size_t max_buffer = config_.max_payload + ws::max_frame_header_size + 4;
  for (;;) {
    while (read_begin_ < read_end_ && !closing_) {
      std::size_t consumed = 0;
      auto event = reader_.next(
          std::span<std::uint8_t>(read_buffer_.data() + read_begin_, read_end_ - read_begin_),
          consumed);
      bool go_on = event.what == ws::reader_event::kind::need_more ? false : dispatch(event);
      read_begin_ += consumed;
      if (!go_on) break;
    }
    if (read_begin_ == read_end_) {
      read_begin_ = read_end_ = 0;
      // A big message grew the buffer; an idle connection should not keep it.
      if (read_buffer_.size() > 16 * initial_read_buffer) {
        read_buffer_.resize(initial_read_buffer);
        read_buffer_.shrink_to_fit();
      }
    }
    if (read_end_ == read_buffer_.size()) {
      if (read_begin_ > 0) {
        std::memmove(read_buffer_.data(), read_buffer_.data() + read_begin_,
                     read_end_ - read_begin_);
        read_end_ -= read_begin_;
        read_begin_ = 0;
      } else if (read_buffer_.size() < max_buffer) {
        read_buffer_.resize(std::min(max_buffer, read_buffer_.size() * 2));
      } else {
        fail(ws::close_code::message_too_big, "message too big");
        read_begin_ = read_end_ = 0;
      }
    }
    auto [ec, n] = co_await socket_.async_read_some(
        asio::buffer(read_buffer_.data() + read_end_, read_buffer_.size() - read_end_),
        use_nothrow_awaitable);
    if (ec) {
      if (!closing_)
        end_reason_ = ec == asio::error::eof ? disconnect_reason::transport_close
                                             : disconnect_reason::transport_error;
      co_return;
    }
    if (closing_) continue;  // after a close, what the peer sends is discarded
    read_end_ += n;
  }
}

// asio::async_write hands the kernel at most 16 buffers per writev (its consuming_buffers);
// async_write_some takes up to 64, so frames go out 64 to a system call.
awaitable<boost::system::error_code> websocket_connection::write_gather() {
  constexpr std::size_t buffers_per_call = 64;
  std::size_t first = 0;
  while (first < gather_.size()) {
    std::size_t count = std::min(buffers_per_call, gather_.size() - first);
    auto [ec, written] = co_await socket_.async_write_some(
        std::span<const asio::const_buffer>(gather_.data() + first, count), use_nothrow_awaitable);
    if (ec) co_return ec;
    while (written > 0) {  // step over what the kernel took, perhaps part of a buffer
      asio::const_buffer& next = gather_[first];
      std::size_t taken = std::min(written, next.size());
      next += taken;
      written -= taken;
      if (next.size() == 0) ++first;
    }
    while (first < gather_.size() && gather_[first].size() == 0) ++first;
  }
  co_return boost::system::error_code{};
}

awaitable<void> websocket_connection::write_loop() {
  for (;;) {
    if (queue_.empty()) {
      co_await writer_wakeup_.wait();
      continue;
    }
    // Everything queued goes out in one gather write (bounded per pass).
    in_flight_.clear();
    std::size_t bytes = 0;
    while (!queue_.empty() && in_flight_.size() < max_frames_per_write &&
           (in_flight_.empty() || bytes < max_bytes_per_write)) {
      bytes += queue_.front().bytes().size();
      in_flight_.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    // Buffers only once in_flight_ is complete: moving a short control string moves its bytes.
    gather_.clear();
    bool has_close = false;
    for (const auto& frame : in_flight_) {
      std::string_view bytes_of_frame = frame.bytes();
      gather_.emplace_back(bytes_of_frame.data(), bytes_of_frame.size());
      // Of this connection's own control frames, only a close starts with 0x88 (FIN + close).
      has_close =
          has_close || (!frame.packet && static_cast<std::uint8_t>(bytes_of_frame[0]) == 0x88);
    }
    auto ec = co_await write_gather();
    queued_bytes_ -= bytes;
    in_flight_.clear();
    if (ec) {
      if (!closing_) end_reason_ = disconnect_reason::transport_error;
      co_return;
    }
    if (has_close) {
      boost::system::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      // Wait for the peer's close (the reader then ends) or the close deadline.
      co_await writer_wakeup_.wait();
      co_return;
    }
  }
}

}  // namespace chorus::server
