#pragma once

#include <sys/uio.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "protocol/websocket/frame.hpp"
#include "protocol/websocket/frame_reader.hpp"
#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/disconnect_reason.hpp"
#include "server/guard/connection_guard.hpp"
#include "server/metrics/shard_metrics.hpp"
#include "server/tls/tls_channel.hpp"
#include "server/transport/packet_transport.hpp"
#include "server/websocket/write_flusher.hpp"

namespace chorus::server {

// A WebSocket connection after the HTTP upgrade. chorus frames it itself (RFC 6455) so that one
// writer owns every byte written: it drains the whole queue — data frames that may be shared
// with other recipients, and control frames — into one gather write.
//
// Reads go into the shard's shared scratch buffer (only a partial frame header or control frame,
// at most ~131 bytes, is kept per connection between reads), so an idle connection holds no read
// buffer. Writes are non-blocking sendmsg calls made by the shard's write_flusher, once per
// event-loop turn for every connection with frames queued, all in one batch; a writer coroutine
// exists only while the kernel's send buffer is full. An idle connection is thus one pending wait
// for readability (a callback, not a coroutine frame).
class websocket_connection : public packet_transport,
                             public std::enable_shared_from_this<websocket_connection> {
 public:
  // Linux's IOV_MAX: one sendmsg takes up to this many frames. asio's own socket calls pass at
  // most 64 buffers per system call, hence the direct sendmsg (bench/io measures the difference).
  static constexpr std::size_t max_frames_per_write = 1024;

  // `leftover`: bytes that arrived after the upgrade request, already read from the socket.
  // `read_scratch`: the shard's shared read buffer (see shard::read_scratch).
  // `flusher`: the shard's (see write_flusher). `counters`: the shard's metrics.
  // `tls`: on the TLS listener, the connection's TLS state after the handshake: what is read is
  // decrypted before the frame reader sees it, and what is queued is sealed into records when
  // the flusher takes it, so a TLS connection is one descriptor in the same batched writes.
  websocket_connection(tcp::socket socket, std::string_view leftover, const server_config& config,
                       std::span<std::uint8_t> read_scratch, write_flusher& flusher,
                       metrics::shard_metrics& counters,
                       std::unique_ptr<tls::tls_channel> tls = nullptr);
  ~websocket_connection() override;

  // Starts the reader, which runs until the connection ends, delivering what arrives to
  // `handler` (the Engine.IO session); it hears on_transport_closed once the reader and any
  // writer are done.
  void start(std::shared_ptr<transport_handler> handler) override;
  // The write_flusher's side: it lists a connection once per pass (begin_flush clears the
  // listing and says whether there is anything to write now), gathers its queued frames into
  // `frames` and sends them with the shard's other connections' in one batch, and hands back
  // the result: the bytes sent or −errno.
  bool begin_flush();  // under TLS, also seals the queued frames into records
  std::size_t gather(std::span<iovec> frames, std::size_t& bytes) const;
  int native_handle() { return socket_.native_handle(); }
  void finish_flush(long result, std::size_t attempted_bytes);
  // Where the first queued frame is (while gather()'s view of the queue holds), and a request
  // to the CPU to load it and the write state, which finish_flush reads. The flusher asks a few
  // connections ahead, because its pass's sends in the kernel evict what gather() had read:
  // without it, websocket_connection::written stalled on the first frame in 69% of its samples
  // (docs/BENCHMARKS.md). Only addresses are computed here, nothing is loaded.
  const void* first_queued() const { return queue_.data() + queue_head_; }
  void prefetch_for_finish(const void* first_queued) const {
    __builtin_prefetch(first_queued);
    __builtin_prefetch(&queue_);
    __builtin_prefetch(&state_);
  }

  // Queues one Engine.IO packet as one frame (text or binary). Past the byte bound a volatile
  // packet is dropped; any other is queued and over_bound tells the caller to close.
  send_result send(shared_packet packet, bool is_volatile) override;
  // Flushes what is queued, sends a close frame and ends the connection (bounded in time).
  void close(protocol::websocket::close_code code, std::string_view reason) override;
  // The connection's place in the connection counts, given back when the socket closes.
  void hold(guard::connection_slot slot) { slot_ = std::move(slot); }

 private:
  // Where the connection is in its life. Moves only forward, through move_to:
  //   open ──► closing ──► close_sent ──► closed
  //     └──────────┴────────────┴───────────►┘
  enum class lifecycle : std::uint8_t {
    open,        // frames go both ways
    closing,     // our close frame is queued (the server's, a protocol error's, or the answer
                 // to the peer's): nothing more is queued, what the peer sends is discarded
    close_sent,  // the close frame is out and sending is shut down: the peer's close or the
                 // deadline ends it
    closed,      // the socket is closed; the handler hears once the reader and any writer end
  };
  // A shared, pre-framed Engine.IO packet, or a control frame of this connection's own.
  enum class frame_kind : std::uint8_t { packet, pong, close };
  struct queued_frame {
    shared_packet packet;  // for frame_kind::packet
    std::string control;   // the whole pong or close frame
    frame_kind kind = frame_kind::packet;
    std::string_view bytes() const { return packet ? packet->websocket_frame() : control; }
  };
  enum class write_status { done, blocked, closed_sent, failed };

  // Under TLS, frames leave the queue when they are sealed into records: the records wait here
  // until the socket has taken them. Sealing happens only when the last records are all out, so
  // at most one write's worth waits sealed. Allocated only on the TLS listener.
  struct tls_output {
    std::unique_ptr<tls::tls_channel> channel;
    std::string sealed;
    std::size_t sent = 0;       // of `sealed`
    bool close_sealed = false;  // the close frame is in `sealed`
    std::size_t unsent() const { return sealed.size() - sent; }
  };

  // The one place the lifecycle changes: moves to `next` if that is forward from here, and
  // leaving `open` records `reason` as the end reason, once. Entering close_sent shuts down
  // sending; entering closed closes the socket. False (nothing done) for any other move.
  bool move_to(lifecycle next, disconnect_reason reason);
  bool is_open() const { return state_ == lifecycle::open; }
  bool is_closed() const { return state_ == lifecycle::closed; }

  // Reads what the socket has and hands it on; then waits for more, or posts itself when the
  // read filled the buffer (others get a turn first).
  void read_available();
  // The same under TLS: ciphertext from the socket, plaintext to the frame reader.
  void read_available_tls();
  // The reads' shared steps: the kept partial frame back to the front of the scratch buffer
  // (returns its size); the scratch buffer's first `total` bytes to the frame reader, keeping
  // what is left; the end reason for a failed read; another read after the shard's other work.
  std::size_t restore_kept_input();
  void deliver_scratch(std::size_t total);
  static disconnect_reason reason_for_read_error(const boost::system::error_code& ec);
  void read_on_later();
  // Under TLS: seals what is queued (up to one write's worth) once the last records are out.
  void seal_queued();
  // Frames or sealed records not yet written.
  bool has_unsent() const { return queue_head_ != queue_.size() || (tls_ && tls_->unsent() > 0); }
  // Releases written (or sealed) frames from the queue's front; true if a close frame was one.
  bool release_front(std::size_t bytes);
  void wait_readable();
  // The reader has ended: the connection closes (for `if_open` if it was still open) and the
  // handler is told once all is done.
  void end_reading(disconnect_reason if_open);
  // While the kernel's send buffer is full: waits for room and writes on until the queue is empty.
  awaitable<void> write_when_writable();
  void schedule_flush();
  // Writes with one sendmsg after another until the queue is empty or the socket blocks.
  void write_all();
  // Acts on a write's outcome: write on, wait for room, or end the connection.
  void after_write(write_status status);
  // Tells the handler once the reader and any writer have ended.
  void finish_if_done();
  // Hands every complete event in `data` to the handler; returns the bytes consumed.
  std::size_t consume(std::span<std::uint8_t> data);
  // One non-blocking gather write of what is queued.
  write_status write_queued();
  // Releases the frames a sendmsg of `attempted_bytes` took; `result` is its bytes or −errno.
  write_status written(long result, std::size_t attempted_bytes);
  void queue_control(frame_kind kind, std::string frame);
  // Queues a close frame and ends the connection (bounded in time), `why` being the end reason.
  void begin_close(protocol::websocket::close_code code, std::string_view reason,
                   disconnect_reason why);
  // Hands one reader event to the handler; false when reading should stop.
  bool dispatch(const protocol::websocket::reader_event& event);

  tcp::socket socket_;
  const server_config& config_;
  std::shared_ptr<transport_handler> handler_;  // reset once told the connection ended
  protocol::websocket::frame_reader reader_;
  std::span<std::uint8_t> read_scratch_;
  // Input not yet consumed: the upgrade's leftover at first, later at most a partial frame
  // header or control frame.
  std::string pending_input_;

  // The write queue: frames from queue_head_ on are unwritten; queue_head_offset_ bytes of the
  // first one already went out. A vector, not a deque: an empty one allocates nothing.
  std::vector<queued_frame> queue_;
  std::size_t queue_head_ = 0;
  std::size_t queue_head_offset_ = 0;
  std::size_t queued_bytes_ = 0;
  write_flusher& flusher_;
  metrics::shard_metrics& metrics_;
  lifecycle state_ = lifecycle::open;
  disconnect_reason end_reason_ = disconnect_reason::transport_close;  // set leaving open
  // Not lifecycle states but what is under way beside it, in any state: the flusher's listing
  // (it lists a connection once per pass), and the reader and a writer, which must both have
  // ended before the handler is told (finish_if_done).
  bool flush_listed_ = false;    // in the flusher's list for its next pass
  bool writer_blocked_ = false;  // a writer coroutine waits for the socket to take more
  bool reader_running_ = false;  // a read, a wait for readability or a posted read is pending
  // Allocated once a close is queued: an open connection does not carry it (120 bytes).
  std::unique_ptr<asio::steady_timer> close_deadline_;
  guard::connection_slot slot_;
  std::unique_ptr<tls_output> tls_;  // null on a plain connection
};

}  // namespace chorus::server
