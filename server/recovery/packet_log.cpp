#include "server/recovery/packet_log.hpp"

#include "server/engineio/outbound_packet.hpp"
#include "server/recovery/offset.hpp"

namespace chorus::server::recovery {

packet_log::packet_log(std::chrono::milliseconds window, std::size_t max_bytes)
    : window_(window), max_bytes_(max_bytes) {}

std::size_t packet_log::footprint(const fanout::broadcast_job& job) {
  std::size_t bytes = sizeof(fanout::broadcast_job) + job.nsp.capacity();
  for (const auto& room : job.target.rooms) bytes += sizeof(room) + room.capacity();
  for (const auto& room : job.target.except_rooms) bytes += sizeof(room) + room.capacity();
  // Each frame: its bytes, the header in front of them, the object and the control block.
  for (const auto& packet : job.packets)
    bytes += packet->websocket_frame().size() + sizeof(rooms::encoded_packet) + 32;
  return bytes + sizeof(entry);
}

std::shared_ptr<const fanout::broadcast_job> packet_log::append(const fanout::broadcast_job& job,
                                                                clock::time_point now) {
  std::uint64_t seq = next_seq_++;
  auto stamped = std::make_shared<fanout::broadcast_job>(job);
  stamped->log_seq = seq;
  // The data array is the Socket.IO packet's end: `[...]` becomes `[...,"<offset>"]`, written
  // into a new Engine.IO message.
  engineio::message_writer message;
  append_with_offset(message.text(), engineio::message_of(*job.packets.front()),
                     format_offset(seq));
  stamped->packets.front() = message.packet();
  std::size_t bytes = footprint(*stamped);
  entries_.push_back({seq, now, bytes, stamped});
  bytes_ += bytes;
  // Oldest first out; the newest always stays, or the offset just sent would be unknown.
  while (bytes_ > max_bytes_ && entries_.size() > 1) {
    bytes_ -= entries_.front().bytes;
    entries_.pop_front();
  }
  expire(now);
  return stamped;
}

void packet_log::expire(clock::time_point now) {
  while (!entries_.empty() && now - entries_.front().stored > window_) {
    bytes_ -= entries_.front().bytes;
    entries_.pop_front();
  }
}

std::optional<std::vector<std::shared_ptr<const fanout::broadcast_job>>> packet_log::missed_since(
    std::uint64_t after, const std::string& nsp, const std::vector<std::string>& member_rooms,
    clock::time_point now) {
  expire(now);
  if (entries_.empty() || after < entries_.front().seq || after > entries_.back().seq)
    return std::nullopt;
  std::vector<std::shared_ptr<const fanout::broadcast_job>> missed;
  // Consecutive numbers: `after` sits at a known index.
  for (std::size_t i = after - entries_.front().seq + 1; i < entries_.size(); ++i) {
    const auto& job = *entries_[i].job;
    if (job.nsp == nsp && rooms::reaches(job.target, member_rooms))
      missed.push_back(entries_[i].job);
  }
  return missed;
}

}  // namespace chorus::server::recovery
