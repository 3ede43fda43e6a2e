#include "server/fanout/shard_hub.hpp"

namespace chorus::server::fanout {

shard_hub::shard_hub(asio::io_context& context, metrics::shard_metrics& metrics,
                     write_flusher& flusher)
    : context_(context), metrics_(metrics), flusher_(flusher) {}

shard_hub::~shard_hub() = default;

rooms::member_id shard_hub::add(participant& p) {
  rooms::member_id id;
  if (!free_slots_.empty()) {
    id = free_slots_.back();
    free_slots_.pop_back();
    members_[id] = &p;
  } else {
    id = static_cast<rooms::member_id>(members_.size());
    members_.push_back(&p);
  }
  rooms::room_table& t = table(p.nsp());
  t.add_member(id);
  t.join(id, p.id());
  return id;
}

void shard_hub::remove(participant& p, rooms::member_id id) {
  if (id >= members_.size() || members_[id] != &p) return;
  auto it = tables_.find(p.nsp());
  if (it != tables_.end()) {
    it->second.remove_member(id);
    if (it->second.member_count() == 0) {
      observers_.erase(it->first);
      tables_.erase(it);
    }
  }
  members_[id] = nullptr;
  free_slots_.push_back(id);
}

rooms::room_table& shard_hub::table(std::string_view nsp) {
  auto it = tables_.find(nsp);
  if (it == tables_.end()) {
    it = tables_.emplace(std::string(nsp), rooms::room_table{}).first;
    if (room_listener_) {
      auto& observer = observers_[it->first];
      observer = std::make_unique<table_observer>(*this, it->first);
      it->second.set_observer(observer.get());
    }
  }
  return it->second;
}

void shard_hub::set_room_listener(room_listener* listener) {
  room_listener_ = listener;
  for (auto& [nsp, t] : tables_) {
    if (!listener) {
      t.set_observer(nullptr);
      continue;
    }
    auto& observer = observers_[nsp];
    if (!observer) observer = std::make_unique<table_observer>(*this, nsp);
    t.set_observer(observer.get());
  }
  if (!listener) observers_.clear();
}

void shard_hub::table_observer::room_created(std::string_view room) {
  if (hub_.room_listener_) hub_.room_listener_->room_created(nsp_, room);
}

void shard_hub::table_observer::room_deleted(std::string_view room) {
  if (hub_.room_listener_) hub_.room_listener_->room_deleted(nsp_, room);
}

const rooms::room_table* shard_hub::find_table(std::string_view nsp) const {
  auto it = tables_.find(nsp);
  return it == tables_.end() ? nullptr : &it->second;
}

std::vector<std::string> shard_hub::member_ids(std::string_view nsp, std::string_view room) const {
  std::vector<std::string> ids;
  if (const rooms::room_table* t = find_table(nsp))
    for (rooms::member_id id : t->members(room))
      if (members_[id]) ids.push_back(members_[id]->id());
  return ids;
}

std::vector<rooms::member_id> shard_hub::matching(const rooms::room_table& t,
                                                  const rooms::broadcast_target& target) const {
  std::vector<rooms::member_id> ids;
  t.for_each_recipient(target, [&](rooms::member_id id) {
    if (members_[id]) ids.push_back(id);
  });
  return ids;
}

void shard_hub::join_matching(std::string_view nsp, const rooms::broadcast_target& target,
                              const std::vector<std::string>& rooms) {
  auto it = tables_.find(nsp);
  if (it == tables_.end()) return;
  for (rooms::member_id id : matching(it->second, target))
    for (const auto& room : rooms) {
      if (it->second.contains(id, room)) continue;
      it->second.join(id, room);
      members_[id]->room_changed(room, true);
    }
}

void shard_hub::leave_matching(std::string_view nsp, const rooms::broadcast_target& target,
                               const std::vector<std::string>& rooms) {
  auto it = tables_.find(nsp);
  if (it == tables_.end()) return;
  for (rooms::member_id id : matching(it->second, target))
    for (const auto& room : rooms) {
      if (room == members_[id]->id() || !it->second.contains(id, room)) continue;  // never its own
      it->second.leave(id, room);
      members_[id]->room_changed(room, false);
    }
}

void shard_hub::disconnect_matching(std::string_view nsp, const rooms::broadcast_target& target,
                                    bool close_connection) {
  auto it = tables_.find(nsp);
  if (it == tables_.end()) return;
  // Each disconnect removes a member (and may erase the table): ids first, then a check that
  // the slot still holds the same participant before each call.
  std::vector<std::pair<rooms::member_id, participant*>> leaving;
  for (rooms::member_id id : matching(it->second, target)) leaving.emplace_back(id, members_[id]);
  for (auto [id, p] : leaving)
    if (members_[id] == p) p->disconnect(close_connection);
}

std::vector<socket_description> shard_hub::describe_matching(
    std::string_view nsp, const rooms::broadcast_target& target) const {
  std::vector<socket_description> found;
  const rooms::room_table* t = find_table(nsp);
  if (!t) return found;
  for (rooms::member_id id : matching(*t, target)) {
    const participant* p = members_[id];
    found.push_back({p->id(), p->handshake_json(), t->rooms_of(id), p->data_json()});
  }
  return found;
}

void shard_hub::deliver(const broadcast_job& job) {
  // Counted once per broadcast on every shard it reaches, whether or not the shard has members
  // (a shard with no socket in the namespace yet has no table at all).
  metrics::shard_metrics& counters = metrics_;
  counters.broadcast_passes.add();
  const rooms::room_table* t = find_table(job.nsp);
  if (job.acks) return deliver_expecting_acks(job, t);
  if (!t) return;
  // Deliveries only queue bytes and wake writers; they never change the table, which
  // for_each_recipient requires. A socket whose queue overflows is closed later, not here.
  // One indirect call per recipient, with a reference to the shared packets: no copy.
  std::uint64_t delivered = 0;
  t->for_each_recipient(job.target, [&](rooms::member_id id) {
    if (participant* p = members_[id]) {
      p->deliver(job);
      ++delivered;
    }
  });
  counters.broadcast_deliveries.add(delivered);  // once per broadcast, not per recipient
  if (delivered) flusher_.note_broadcast(job.issued);
}

void shard_hub::deliver_expecting_acks(const broadcast_job& job, const rooms::room_table* t) {
  std::size_t reached = 0;
  if (t)
    t->for_each_recipient(job.target, [&](rooms::member_id id) {
      if (participant* p = members_[id])
        if (p->deliver_expecting_ack(job.packets, job.ack_id, job.acks, job.ack_timeout)) ++reached;
    });
  metrics_.broadcast_deliveries.add(reached);
  job.acks->delivered(reached);  // every shard reports, with or without sockets here
  if (reached) flusher_.note_broadcast(job.issued);
}

void shard_hub::post(std::shared_ptr<const broadcast_job> job) {
  inbox_.push(std::move(job));
  // One drain per batch: only the push that finds no drain scheduled posts one.
  if (!drain_scheduled_.exchange(true, std::memory_order_acq_rel))
    asio::post(context_, [this] { drain(); });
}

void shard_hub::drain() {
  // acq_rel: reading the flag a producer set also makes its pushed node visible. A producer
  // that pushes after this sees false and posts another drain.
  drain_scheduled_.exchange(false, std::memory_order_acq_rel);
  // One clock read per pass: every job taken in it waited until now.
  auto pass_started = std::chrono::steady_clock::now();
  while (auto job = inbox_.pop()) {
    metrics_.fanout_latency.observe(pass_started - (**job).issued);
    deliver(**job);
  }
}

}  // namespace chorus::server::fanout
