// The fan-out hub alone: shard hubs on their own loops, the one-process adapter over them and a
// numbering stub in place of connection state recovery. Linked against chorus_hub only (no
// shard, server, Engine.IO or Socket.IO), so the hub's layering is checked by the link too.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rooms/encoded_packet.hpp"
#include "server/fanout/local_adapter.hpp"
#include "server/fanout/participant.hpp"
#include "server/fanout/shard_hub.hpp"
#include "test/support/run_to_end.hpp"

namespace chorus::server {
namespace {

class recording_participant final : public fanout::participant {
 public:
  recording_participant(std::string id, std::string nsp)
      : id_(std::move(id)), nsp_(std::move(nsp)) {}
  const std::string& id() const override { return id_; }
  const std::string& nsp() const override { return nsp_; }
  void deliver(const fanout::broadcast_job& job) override {
    texts.emplace_back(job.packets.front()->payload());
    seqs.push_back(job.log_seq);
  }
  bool deliver_expecting_ack(const std::vector<rooms::shared_packet>& packets, std::uint64_t,
                             const std::shared_ptr<fanout::ack_gatherer>&,
                             std::chrono::milliseconds) override {
    texts.emplace_back(packets.front()->payload());
    return true;
  }
  void disconnect(bool close_connection) override { disconnects.push_back(close_connection); }
  std::string handshake_json() const override { return "{}"; }
  std::string data_json() const override { return "null"; }

  std::vector<std::string> texts;
  std::vector<std::uint64_t> seqs;
  std::vector<bool> disconnects;

 private:
  std::string id_;
  std::string nsp_;
};

// Numbers the jobs it is told to and posts them to every hub, as recovery's log does.
class counting_numbering final : public fanout::broadcast_numbering {
 public:
  bool numbers(const fanout::broadcast_job& job) const override { return !job.flags.is_volatile; }
  void deliver_numbered(const fanout::broadcast_job& job, fanout::shard_hub* origin,
                        std::span<fanout::shard_hub* const> hubs) override {
    auto numbered = std::make_shared<fanout::broadcast_job>(job);
    numbered->log_seq = ++last;
    for (fanout::shard_hub* hub : hubs) {
      if (hub == origin)
        hub->deliver(*numbered);
      else
        hub->post(numbered);
    }
  }
  std::uint64_t last = 0;
};

// One shard's lower half: its loop, counters and write pass, and its hub.
struct hub_home {
  asio::io_context context{1};
  metrics::shard_metrics counters;
  write_flusher flusher{context.get_executor(), false, counters.fanout_write_latency};
  fanout::shard_hub hub{context, counters, flusher};
};

std::shared_ptr<fanout::broadcast_job> job_of(std::string text, bool is_volatile = false) {
  auto job = std::make_shared<fanout::broadcast_job>();
  job->nsp = "/";
  job->flags.is_volatile = is_volatile;
  job->packets.push_back(rooms::encoded_packet::make(text, false));
  job->issued = std::chrono::steady_clock::now();
  return job;
}

class HubAlone : public testing::Test {
 protected:
  HubAlone() {
    for (auto& home : homes_) hubs_.push_back(&home.hub);
  }

  recording_participant& add(std::string id, unsigned home, std::vector<std::string> rooms = {}) {
    auto& p = *participants_.emplace_back(std::make_unique<recording_participant>(id, "/"));
    rooms::member_id member = homes_[home].hub.add(p);
    for (const auto& room : rooms) homes_[home].hub.table("/").join(member, room);
    return p;
  }
  // Runs every hub's loop until nothing is left to run on any of them.
  void drain() {
    for (std::size_t ran = 1; ran != 0;) {
      ran = 0;
      for (auto& home : homes_) {
        home.context.restart();
        ran += home.context.poll();
      }
    }
  }
  template <class T>
  T run(awaitable<T> query) {
    return test_support::run_to_end(std::move(query), [this] { drain(); });
  }

  hub_home homes_[2];
  std::vector<fanout::shard_hub*> hubs_;
  std::vector<std::unique_ptr<recording_participant>> participants_;
};

using texts = std::vector<std::string>;

TEST_F(HubAlone, TheOriginHubDeliversAtOnceTheOtherThroughItsInbox) {
  auto& a = add("a", 0);
  auto& b = add("b", 1);
  fanout::local_adapter adapter(hubs_);
  adapter.broadcast(job_of(R"(42["hi"])"), &homes_[0].hub);
  EXPECT_EQ(a.texts, texts{R"(42["hi"])"});
  EXPECT_TRUE(b.texts.empty());
  drain();
  EXPECT_EQ(b.texts, texts{R"(42["hi"])"});
  // Each hub counts the broadcast once and the recipients it reached.
  for (auto& home : homes_) {
    EXPECT_EQ(home.counters.broadcast_passes.value(), 1u);
    EXPECT_EQ(home.counters.broadcast_deliveries.value(), 1u);
  }
}

TEST_F(HubAlone, WithoutAnOriginEveryHubTakesItFromItsInbox) {
  auto& a = add("a", 0);
  fanout::local_adapter adapter(hubs_);
  adapter.broadcast(job_of("42[1]"), nullptr);
  EXPECT_TRUE(a.texts.empty());
  EXPECT_FALSE(homes_[0].hub.inbox_empty());
  drain();
  EXPECT_EQ(a.texts, texts{"42[1]"});
}

TEST_F(HubAlone, TheNumberingTakesWhatItNumbersAndOnlyThat) {
  auto& a = add("a", 0);
  auto& b = add("b", 1);
  counting_numbering numbering;
  fanout::local_adapter adapter(hubs_, &numbering);
  adapter.broadcast(job_of("42[1]"), &homes_[0].hub);
  adapter.broadcast(job_of("42[2]", true), &homes_[0].hub);  // volatile: not numbered
  adapter.broadcast(job_of("42[3]"), &homes_[0].hub);
  drain();
  EXPECT_EQ(numbering.last, 2u);
  EXPECT_EQ(a.seqs, (std::vector<std::uint64_t>{1, 0, 2}));
  EXPECT_EQ(b.seqs, (std::vector<std::uint64_t>{1, 0, 2}));
  EXPECT_EQ(b.texts, (texts{"42[1]", "42[2]", "42[3]"}));
}

TEST_F(HubAlone, QuestionsAreAskedOfEveryHubOnItsOwnLoop) {
  add("a", 0, {"r"});
  add("b", 1, {"r"});
  add("c", 1);
  fanout::local_adapter adapter(hubs_);
  EXPECT_EQ(run(adapter.room_size("/", "r")), 2u);
  auto members = run(adapter.room_members("/", "r"));
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (texts{"a", "b"}));
  EXPECT_EQ(run(adapter.room_names("/")), (texts{"a", "b", "c", "r"}));
}

TEST_F(HubAlone, SocketsJoinThenDisconnectActOnEachHubsOwnSockets) {
  auto& a = add("a", 0);
  auto& c = add("c", 1);
  fanout::local_adapter adapter(hubs_);
  adapter.sockets_join("/", {}, {"all"});
  EXPECT_EQ(homes_[0].hub.table("/").size("all"), 0u);  // runs on each hub's loop, not here
  drain();
  EXPECT_EQ(run(adapter.room_size("/", "all")), 2u);
  rooms::broadcast_target in_all;
  in_all.rooms = {"all"};
  adapter.disconnect_sockets("/", in_all, true);
  drain();
  EXPECT_EQ(a.disconnects, std::vector<bool>{true});
  EXPECT_EQ(c.disconnects, std::vector<bool>{true});
}

}  // namespace
}  // namespace chorus::server
