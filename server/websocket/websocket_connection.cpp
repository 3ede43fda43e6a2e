#include "server/websocket/websocket_connection.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace chorus::server {

namespace ws = protocol::websocket;

namespace {
constexpr std::size_t max_bytes_per_write = 4 * 1024 * 1024;
// Under TLS, how much plaintext one pass seals: a write's worth without holding a large
// ciphertext copy per connection while its socket is full.
constexpr std::size_t max_bytes_per_seal = 256 * 1024;
// Under TLS, ciphertext read per system call.
constexpr std::size_t ciphertext_per_read = 32 * 1024;
constexpr auto close_linger = std::chrono::seconds(2);

// The shard thread's buffers for TLS: ciphertext just read, and a turn's frames joined so that
// they become records of up to 16 KiB rather than one record each. Allocated at first use, so a
// plain server has none.
std::span<std::uint8_t> ciphertext_scratch() {
  thread_local std::unique_ptr<std::uint8_t[]> buffer;
  if (!buffer) buffer.reset(new std::uint8_t[ciphertext_per_read]);
  return {buffer.get(), ciphertext_per_read};
}
std::string& coalesce_scratch() {
  thread_local std::string buffer;
  return buffer;
}
}  // namespace

websocket_connection::websocket_connection(tcp::socket socket, std::string_view leftover,
                                           const server_config& config,
                                           std::span<std::uint8_t> read_scratch,
                                           write_flusher& flusher, metrics::shard_metrics& counters,
                                           std::unique_ptr<tls::tls_channel> tls)
    : socket_(std::move(socket)),
      config_(config),
      reader_(ws::reader_limits{config.max_payload}),
      read_scratch_(read_scratch),
      pending_input_(leftover),
      flusher_(flusher),
      metrics_(counters) {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);  // reads and writes are tried first, awaited only if blocked
  if (tls) tls_ = std::make_unique<tls_output>(tls_output{std::move(tls), {}, 0, false});
}

websocket_connection::~websocket_connection() = default;

void websocket_connection::start(std::shared_ptr<transport_handler> handler) {
  handler_ = std::move(handler);
  reader_running_ = true;
  // What came with the upgrade request first; the frame reader then keeps at most a partial
  // header or control frame unconsumed. Posted, so the handler is not re-entered from here.
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    if (!self->pending_input_.empty()) {
      std::size_t used = self->consume(
          std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(self->pending_input_.data()),
                                  self->pending_input_.size()));
      self->pending_input_.erase(0, used);
    }
    // The upgrade's read may have left bytes in the socket: try it at once.
    self->read_available();
  });
}

bool websocket_connection::move_to(lifecycle next, disconnect_reason reason) {
  // Forward only, and close_sent only after closing: the close frame must have been queued.
  if (next <= state_ || (next == lifecycle::close_sent && state_ != lifecycle::closing))
    return false;
  if (state_ == lifecycle::open) end_reason_ = reason;  // later moves keep the first reason
  state_ = next;
  boost::system::error_code ignored;
  switch (next) {
    case lifecycle::open:
    case lifecycle::closing:
      break;
    case lifecycle::close_sent:
      // Wait for the peer's close (the reader then ends) or the deadline.
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      break;
    case lifecycle::closed:
      close_deadline_.reset();  // cancels its wait
      socket_.close(ignored);   // ends a reader or a blocked writer waiting on the socket
      slot_.release();
      break;
  }
  return true;
}

void websocket_connection::finish_if_done() {
  if (!is_closed() || reader_running_ || writer_blocked_ || !handler_) return;
  auto handler = std::move(handler_);
  handler->on_transport_closed(*this, end_reason_);
}

void websocket_connection::schedule_flush() {
  if (flush_listed_ || writer_blocked_ || is_closed()) return;
  flush_listed_ = true;
  flusher_.schedule(shared_from_this());
}

bool websocket_connection::begin_flush() {
  flush_listed_ = false;
  if (is_closed() || writer_blocked_) return false;
  seal_queued();
  return has_unsent();
}

void websocket_connection::seal_queued() {
  if (!tls_ || tls_->unsent() > 0) return;
  tls_->sealed.clear();
  tls_->sent = 0;
  std::size_t end = queue_head_;
  std::size_t plaintext = 0;
  bool has_close = false;
  for (; end < queue_.size() && plaintext < max_bytes_per_seal; ++end) {
    plaintext += queue_[end].bytes().size();
    has_close = has_close || queue_[end].kind == frame_kind::close;
  }
  tls::tls_channel& channel = *tls_->channel;
  if (end - queue_head_ == 1) {
    std::string_view frame = queue_[queue_head_].bytes();
    channel.write({reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size()});
  } else if (end > queue_head_) {
    std::string& joined = coalesce_scratch();
    joined.clear();
    for (std::size_t i = queue_head_; i < end; ++i) joined.append(queue_[i].bytes());
    channel.write({reinterpret_cast<const std::uint8_t*>(joined.data()), joined.size()});
    if (joined.capacity() > max_bytes_per_seal) joined = std::string();
  }
  // After the close frame, the TLS close: the peer then sees a clean end of both.
  if (has_close) channel.shutdown();
  // Also anything else the channel has to send (an alert, a key update OpenSSL queued).
  channel.take_output(tls_->sealed);
  tls_->close_sealed = has_close;
  queued_bytes_ = queued_bytes_ - plaintext + tls_->sealed.size();
  release_front(plaintext);
}

std::size_t websocket_connection::gather(std::span<iovec> frames, std::size_t& bytes) const {
  std::size_t count = 0;
  bytes = 0;
  if (tls_) {
    if (tls_->unsent() == 0 || frames.empty()) return 0;
    frames[0] = {tls_->sealed.data() + tls_->sent, tls_->unsent()};
    bytes = tls_->unsent();
    return 1;
  }
  for (std::size_t i = queue_head_;
       i < queue_.size() && count < frames.size() && bytes < max_bytes_per_write; ++i) {
    std::string_view frame = queue_[i].bytes();
    if (i == queue_head_) frame.remove_prefix(queue_head_offset_);
    frames[count++] = {const_cast<char*>(frame.data()), frame.size()};
    bytes += frame.size();
  }
  return count;
}

void websocket_connection::finish_flush(long result, std::size_t attempted_bytes) {
  after_write(written(result, attempted_bytes));
}

void websocket_connection::write_all() {
  if (is_closed() || writer_blocked_) return;
  for (;;) {
    seal_queued();
    if (!has_unsent()) return;
    write_status status = write_queued();
    if (status != write_status::done) return after_write(status);
  }
}

void websocket_connection::after_write(write_status status) {
  if (is_closed()) return;
  switch (status) {
    case write_status::done:
      // More than one system call's worth was queued, or more came meanwhile.
      write_all();
      return;
    case write_status::blocked: {
      // The kernel's send buffer is full: a writer waits until the peer reads.
      writer_blocked_ = true;
      auto writer = [](std::shared_ptr<websocket_connection> self) -> awaitable<void> {
        co_await self->write_when_writable();
        self->writer_blocked_ = false;
        self->finish_if_done();
      };
      asio::co_spawn(socket_.get_executor(), writer(shared_from_this()),
                     log_exceptions{"websocket writer"});
      return;
    }
    case write_status::failed:
      move_to(lifecycle::closed, disconnect_reason::transport_error);
      return;
    case write_status::closed_sent:
      move_to(lifecycle::close_sent, end_reason_);
      return;
  }
}

send_result websocket_connection::send(shared_packet packet, bool is_volatile) {
  if (!is_open()) return send_result::dropped;
  std::size_t size = packet->websocket_frame().size();
  if (is_volatile && queued_bytes_ + size > config_.max_queued_bytes) {
    metrics_.volatile_dropped.add();
    return send_result::dropped;
  }
  queued_bytes_ += size;
  queue_.push_back({std::move(packet), {}, frame_kind::packet});
  schedule_flush();
  bool within = queued_bytes_ <= config_.max_queued_bytes || queue_.size() - queue_head_ == 1;
  return within ? send_result::queued : send_result::over_bound;
}

void websocket_connection::queue_control(frame_kind kind, std::string frame) {
  queued_bytes_ += frame.size();
  queue_.push_back({nullptr, std::move(frame), kind});
  schedule_flush();
}

void websocket_connection::close(ws::close_code code, std::string_view reason) {
  begin_close(code, reason, disconnect_reason::transport_close);
}

void websocket_connection::begin_close(ws::close_code code, std::string_view reason,
                                       disconnect_reason why) {
  if (!move_to(lifecycle::closing, why)) return;
  queue_control(frame_kind::close,
                ws::encode_frame(ws::opcode::close, ws::encode_close_payload(code, reason)));
  // A peer that stops reading must not keep the connection: force it shut after a bound.
  close_deadline_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), close_linger);
  close_deadline_->async_wait([self = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto conn = self.lock()) conn->move_to(lifecycle::closed, conn->end_reason_);
  });
}

bool websocket_connection::dispatch(const ws::reader_event& event) {
  using kind = ws::reader_event::kind;
  switch (event.what) {
    case kind::message:
      if (event.message_opcode == ws::opcode::text)
        handler_->on_transport_text(*this, event.payload);
      else
        handler_->on_transport_binary(*this, event.payload);
      return is_open();
    case kind::ping:
      queue_control(frame_kind::pong, ws::encode_frame(ws::opcode::pong, event.payload));
      return true;
    case kind::pong:
      return true;
    case kind::close: {
      auto code = event.close_code == 1005 ? ws::close_code::normal
                                           : static_cast<ws::close_code>(event.close_code);
      begin_close(code, "", disconnect_reason::transport_close);
      return false;
    }
    case kind::error:
      begin_close(event.error_code, event.error_reason, disconnect_reason::transport_error);
      return false;
    case kind::need_more:
      return true;
  }
  return true;
}

std::size_t websocket_connection::consume(std::span<std::uint8_t> data) {
  std::size_t begin = 0;
  while (begin < data.size() && is_open()) {
    std::size_t consumed = 0;
    auto event = reader_.next(data.subspan(begin), consumed);
    // The event's views stay valid until `begin` moves past them: dispatch first.
    bool go_on = event.what != ws::reader_event::kind::need_more && dispatch(event);
    begin += consumed;
    if (!go_on) break;
  }
  return begin;
}

// The reader is callbacks, not a coroutine: an idle connection then holds one pending wait
// operation (~100 bytes) instead of a coroutine stack of ~1.2 KiB (spawn frames, the loop's
// frame, the awaitable wait) — see "Server RSS per idle connection" in docs/BENCHMARKS.md.
void websocket_connection::wait_readable() {
  // Edge-triggered readiness: called only after a read left the socket empty.
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       if (ec) return self->end_reading(disconnect_reason::transport_error);
                       self->read_available();
                     });
}

void websocket_connection::read_available() {
  if (tls_) return read_available_tls();
  if (is_closed()) return end_reading(end_reason_);
  // The shared scratch buffer: the kept partial frame, then what the socket has. Nothing below
  // returns to the event loop until the bytes are consumed or copied back into pending_input_.
  std::size_t kept = restore_kept_input();
  std::size_t room = read_scratch_.size() - kept;
  boost::system::error_code ec;
  std::size_t n = socket_.read_some(asio::buffer(read_scratch_.data() + kept, room), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_readable();
  if (ec) return end_reading(reason_for_read_error(ec));
  metrics_.bytes_in.add(n);
  deliver_scratch(kept + n);
  if (is_closed()) return end_reading(end_reason_);
  if (n < room) return wait_readable();
  read_on_later();
}

std::size_t websocket_connection::restore_kept_input() {
  std::size_t kept = is_open() ? pending_input_.size() : 0;
  std::memcpy(read_scratch_.data(), pending_input_.data(), kept);
  return kept;
}

void websocket_connection::deliver_scratch(std::size_t total) {
  if (!is_open()) return;  // after a close, what the peer sends is discarded
  std::size_t used = consume(read_scratch_.first(total));
  pending_input_.assign(reinterpret_cast<const char*>(read_scratch_.data()) + used, total - used);
}

disconnect_reason websocket_connection::reason_for_read_error(const boost::system::error_code& ec) {
  return ec == asio::error::eof ? disconnect_reason::transport_close
                                : disconnect_reason::transport_error;
}

void websocket_connection::read_on_later() {
  // More may be waiting: let the shard's other connections run before reading on.
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->read_available(); });
}

void websocket_connection::read_available_tls() {
  if (is_closed()) return end_reading(end_reason_);
  std::span<std::uint8_t> ciphertext = ciphertext_scratch();
  boost::system::error_code ec;
  std::size_t n = socket_.read_some(asio::buffer(ciphertext.data(), ciphertext.size()), ec);
  bool drained = ec == asio::error::would_block || ec == asio::error::try_again;
  if (ec && !drained) return end_reading(reason_for_read_error(ec));
  drained = drained || n < ciphertext.size();
  metrics_.bytes_in.add(n);
  tls::tls_channel& channel = *tls_->channel;
  channel.feed(ciphertext.first(n));
  // Decrypt after the kept partial frame, as the plain path reads after it. Records fed before
  // (with the upgrade request, or past a full buffer) are decrypted too.
  std::size_t total = restore_kept_input();
  auto status = tls::tls_channel::status::want_read;
  while (total < read_scratch_.size()) {
    std::size_t got = 0;
    status = channel.read(read_scratch_.subspan(total), got);
    if (status != tls::tls_channel::status::done) break;
    total += got;
  }
  deliver_scratch(total);
  if (channel.has_output()) schedule_flush();
  if (status == tls::tls_channel::status::closed)
    return end_reading(disconnect_reason::transport_close);
  if (status == tls::tls_channel::status::failed)
    return end_reading(disconnect_reason::transport_error);
  if (is_closed()) return end_reading(end_reason_);
  // Waits only when the socket is empty and every whole record has been decrypted.
  bool decrypted_all = status == tls::tls_channel::status::want_read;
  if (drained && decrypted_all) return wait_readable();
  read_on_later();
}

void websocket_connection::end_reading(disconnect_reason if_open) {
  reader_running_ = false;
  // The peer's end of input (FIN, close_notify) came with or right after its close frame: the
  // answer is queued but the flusher's pass has not run. The peer may still read (it shut down
  // only its sending), so try to write it (with the TLS close) before the socket closes.
  if (state_ == lifecycle::closing) write_all();
  move_to(lifecycle::closed, if_open);
  finish_if_done();
}

websocket_connection::write_status websocket_connection::write_queued() {
  iovec frames[max_frames_per_write];
  std::size_t bytes = 0;
  msghdr message{};
  message.msg_iov = frames;
  message.msg_iovlen = gather(frames, bytes);
  ssize_t sent;
  do {
    sent = ::sendmsg(socket_.native_handle(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR);
  return written(sent < 0 ? -errno : sent, bytes);
}

websocket_connection::write_status websocket_connection::written(long result,
                                                                 std::size_t attempted_bytes) {
  if (result < 0)
    return result == -EAGAIN || result == -EWOULDBLOCK ? write_status::blocked
                                                       : write_status::failed;
  auto sent = static_cast<std::size_t>(result);
  queued_bytes_ -= sent;
  metrics_.bytes_out.add(sent);  // once per system call, not per frame
  bool close_sent = false;
  if (tls_) {
    tls_->sent += sent;
    if (tls_->unsent() == 0) {
      close_sent = tls_->close_sealed;
      tls_->sealed.clear();
      tls_->sent = 0;
      if (tls_->sealed.capacity() > 64 * 1024) tls_->sealed.shrink_to_fit();
    }
  } else {
    close_sent = release_front(sent);
  }
  if (close_sent) return write_status::closed_sent;
  return sent < attempted_bytes ? write_status::blocked : write_status::done;
}

bool websocket_connection::release_front(std::size_t bytes) {
  // Release the frames taken whole; remember how far into the next one it got.
  std::size_t left = bytes;
  bool close_released = false;
  std::size_t packets_sent = 0;
  while (left > 0) {
    queued_frame& front = queue_[queue_head_];
    std::size_t rest = front.bytes().size() - queue_head_offset_;
    if (left < rest) {
      queue_head_offset_ += left;
      break;
    }
    left -= rest;
    close_released = close_released || front.kind == frame_kind::close;
    packets_sent += front.kind == frame_kind::packet ? 1 : 0;  // not pong or close frames
    front = {};
    ++queue_head_;
    queue_head_offset_ = 0;
  }
  metrics_.packets_out.add(packets_sent);
  if (queue_head_ == queue_.size()) {
    queue_.clear();
    queue_head_ = 0;
    // A burst grew the queue; an idle connection should not keep its capacity.
    if (queue_.capacity() > 256) queue_.shrink_to_fit();
  } else if (queue_head_ >= 64 && queue_head_ * 2 >= queue_.size()) {
    // A reader that never catches up: drop the written prefix so it cannot pile up.
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
    queue_head_ = 0;
  }
  return close_released;
}

awaitable<void> websocket_connection::write_when_writable() {
  for (;;) {
    auto [ec] = co_await socket_.async_wait(tcp::socket::wait_write, use_nothrow_awaitable);
    if (is_closed()) co_return;
    if (ec) {
      move_to(lifecycle::closed, disconnect_reason::transport_error);
      co_return;
    }
    for (;;) {
      seal_queued();
      if (!has_unsent()) co_return;
      switch (write_queued()) {
        case write_status::done:
          continue;
        case write_status::blocked:
          break;
        case write_status::failed:
          move_to(lifecycle::closed, disconnect_reason::transport_error);
          co_return;
        case write_status::closed_sent:
          move_to(lifecycle::close_sent, end_reason_);
          co_return;
      }
      break;  // blocked: wait again
    }
  }
}

}  // namespace chorus::server
