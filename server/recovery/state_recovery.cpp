#include "server/recovery/state_recovery.hpp"

#include "server/fanout/shard_hub.hpp"
#include "server/recovery/offset.hpp"

namespace chorus::server::recovery {

state_recovery::state_recovery(const recovery_options& options)
    : options_(options),
      log_(options.window, options.max_bytes),
      sessions_(options.window, options.max_sessions) {}

void state_recovery::deliver_numbered(const fanout::broadcast_job& job, fanout::shard_hub* origin,
                                      std::span<fanout::shard_hub* const> hubs) {
  std::shared_ptr<const fanout::broadcast_job> numbered;
  bool deliver_here = false;
  {
    std::lock_guard lock(log_mutex_);
    numbered = log_.append(job, packet_log::clock::now());
    for (fanout::shard_hub* target : hubs) {
      if (target == origin && target->inbox_empty())
        deliver_here = true;
      else
        target->post(numbered);
    }
  }
  // Later numbers reach this shard through its inbox, which it drains only after this returns.
  if (deliver_here) origin->deliver(*numbered);
}

std::shared_ptr<const fanout::broadcast_job> state_recovery::send_direct(
    const fanout::broadcast_job& job, fanout::shard_hub& home) {
  std::lock_guard lock(log_mutex_);
  auto numbered = log_.append(job, packet_log::clock::now());
  if (home.inbox_empty()) return numbered;
  home.post(std::move(numbered));
  return nullptr;
}

void state_recovery::save(saved_session session) {
  if (cluster_) {
    cluster_->persist(std::move(session));
  } else {
    std::lock_guard lock(sessions_mutex_);
    sessions_.save(std::move(session), session_store::clock::now());
  }
  saved_.fetch_add(1, std::memory_order_relaxed);
}

std::optional<state_recovery::restored> state_recovery::restore(const std::string& pid,
                                                                std::string_view offset,
                                                                const std::string& nsp) {
  auto fail = [this] {
    failed_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  };
  auto after = parse_offset(offset);
  if (!after) return fail();
  std::optional<saved_session> session;
  {
    std::lock_guard lock(sessions_mutex_);
    session = sessions_.take(pid, nsp, session_store::clock::now());
  }
  if (!session) return fail();
  restored result;
  {
    std::lock_guard lock(log_mutex_);
    auto missed = log_.missed_since(*after, nsp, session->rooms, packet_log::clock::now());
    if (!missed) return fail();
    result.missed = std::move(*missed);
    result.through = log_.last_seq();
  }
  result.session = std::move(*session);
  recovered_.fetch_add(1, std::memory_order_relaxed);
  return result;
}

void state_recovery::append_metrics(std::vector<metrics::family>& families) const {
  auto counter = [&families](std::string name, std::string help, std::uint64_t value) {
    families.push_back({std::move(name),
                        std::move(help),
                        metrics::metric_type::counter,
                        {{{}, static_cast<double>(value)}},
                        {}});
  };
  auto gauge = [&families](std::string name, std::string help, std::size_t value) {
    families.push_back({std::move(name),
                        std::move(help),
                        metrics::metric_type::gauge,
                        {{{}, static_cast<double>(value)}},
                        {}});
  };
  counter("chorus_recovery_sessions_saved_total",
          "Disconnected sockets whose session was kept for connection state recovery",
          saved_.load(std::memory_order_relaxed));
  counter("chorus_recovery_recovered_total",
          "Reconnecting sockets recovered (same sid, rooms and data; missed packets sent)",
          recovered_.load(std::memory_order_relaxed));
  counter("chorus_recovery_failed_total",
          "Recovery attempts that got a fresh socket (unknown, expired or malformed pid or "
          "offset)",
          failed_.load(std::memory_order_relaxed));
  std::size_t log_bytes = 0, log_packets = 0, sessions = 0;
  {
    std::lock_guard lock(log_mutex_);
    log_bytes = log_.bytes();
    log_packets = log_.size();
  }
  {
    std::lock_guard lock(sessions_mutex_);
    sessions = sessions_.size();
  }
  gauge("chorus_recovery_log_bytes", "Bytes held by the recovery packet log (--recovery-max-bytes)",
        log_bytes);
  gauge("chorus_recovery_log_packets", "Packets held by the recovery packet log", log_packets);
  gauge("chorus_recovery_sessions", "Sessions of disconnected sockets waiting to be recovered",
        sessions);
}

}  // namespace chorus::server::recovery
