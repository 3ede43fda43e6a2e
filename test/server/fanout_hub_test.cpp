// The fan-out hub and the local adapter with stub participants: no sockets, no Socket.IO. The
// server is never started; the test thread runs each shard's loop in turn (drain()), so what a
// shard does and when is deterministic.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/fanout/adapter.hpp"
#include "server/fanout/broadcast_operator.hpp"
#include "server/fanout/local_adapter.hpp"
#include "server/fanout/participant.hpp"
#include "server/fanout/room_queries.hpp"
#include "server/server.hpp"

namespace chorus::server {
namespace {

// Records what the hub hands it.
class stub_participant final : public fanout::participant {
 public:
  struct delivery {
    std::vector<engineio::outbound_packet> packets;
    bool is_volatile;
  };

  stub_participant(std::string id, std::string nsp) : id_(std::move(id)), nsp_(std::move(nsp)) {}
  const std::string& id() const override { return id_; }
  const std::string& nsp() const override { return nsp_; }
  void deliver(const std::vector<engineio::outbound_packet>& packets, bool is_volatile) override {
    deliveries.push_back({packets, is_volatile});
  }

  // The Engine.IO text of each delivery's first packet.
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& d : deliveries) out.emplace_back(d.packets.front()->payload());
    return out;
  }

  std::vector<delivery> deliveries;
  rooms::member_id member = 0;
  unsigned shard_index = 0;

 private:
  std::string id_;
  std::string nsp_;
};

// Stands in for a cluster adapter: records what reaches it and delivers nothing.
class recording_adapter final : public fanout::adapter {
 public:
  struct broadcast_call {
    std::shared_ptr<const fanout::broadcast_job> job;
    shard* origin;
  };

  void broadcast(std::shared_ptr<const fanout::broadcast_job> job, shard* origin) override {
    broadcasts.push_back({std::move(job), origin});
  }
  awaitable<std::vector<std::string>> room_members(std::string, std::string room) override {
    co_return std::vector<std::string>{"member of " + room};
  }
  awaitable<std::size_t> room_size(std::string, std::string) override { co_return 7; }
  awaitable<std::vector<std::string>> room_names(std::string nsp) override {
    co_return std::vector<std::string>{"rooms of " + nsp};
  }
  awaitable<void> close_room(std::string, std::string room) override {
    closed.push_back(room);
    co_return;
  }

  std::vector<broadcast_call> broadcasts;
  std::vector<std::string> closed;
};

class FanoutHub : public testing::Test {
 protected:
  FanoutHub() : server_(config(), [](shard&) { return nullptr; }) {}

  static server_config config() {
    server_config c;
    c.threads = 2;
    return c;
  }

  // A participant on a shard, in its own room and in `rooms`.
  stub_participant& add(std::string id, unsigned shard_index, std::vector<std::string> rooms = {},
                        std::string nsp = "/") {
    auto& p = *participants_.emplace(id, std::make_unique<stub_participant>(id, nsp)).first->second;
    fanout::shard_hub& hub = server_.shard_at(shard_index).hub();
    p.member = hub.add(p);
    p.shard_index = shard_index;
    for (const auto& room : rooms) hub.table(nsp).join(p.member, room);
    return p;
  }
  void remove(stub_participant& p) { server_.shard_at(p.shard_index).hub().remove(p, p.member); }

  // From shard 0, as a handler there would.
  fanout::broadcast_operator from_shard0(std::string nsp = "/") {
    return fanout::broadcast_operator(server_, &server_.shard_at(0), std::move(nsp));
  }
  // Runs what every shard has queued (their inboxes' drains).
  void drain() {
    for (unsigned i = 0; i < server_.shard_count(); ++i) {
      server_.shard_at(i).context().restart();
      server_.shard_at(i).context().poll();
    }
  }
  // Runs a query to its end: the caller's loop and every shard's, in turn.
  template <class T>
  T run(awaitable<T> query) {
    asio::io_context caller;
    auto result = asio::co_spawn(caller, std::move(query), asio::use_future);
    while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      caller.restart();
      caller.poll();
      drain();
    }
    return result.get();
  }
  std::vector<std::string> texts_of(const std::string& id) { return participants_.at(id)->texts(); }

  server server_;
  std::map<std::string, std::unique_ptr<stub_participant>> participants_;
};

using texts = std::vector<std::string>;

TEST_F(FanoutHub, BroadcastReachesEveryParticipantOnEveryShard) {
  add("a", 0);
  add("b", 0);
  add("c", 1);
  from_shard0().emit("hi", "1");
  // The calling shard delivers at once; the other when its loop drains its inbox.
  EXPECT_EQ(texts_of("a"), texts{R"(42["hi",1])"});
  EXPECT_EQ(texts_of("b"), texts{R"(42["hi",1])"});
  EXPECT_TRUE(texts_of("c").empty());
  drain();
  EXPECT_EQ(texts_of("c"), texts{R"(42["hi",1])"});
}

TEST_F(FanoutHub, EncodedOnceSharedByEveryRecipient) {
  auto& a = add("a", 0);
  auto& b = add("b", 1);
  from_shard0().emit("bin", R"({"_placeholder":true,"num":0})", {"\x01\x02"});
  drain();
  ASSERT_EQ(a.deliveries.size(), 1u);
  ASSERT_EQ(b.deliveries.size(), 1u);
  ASSERT_EQ(a.deliveries[0].packets.size(), 2u);  // the event, then its attachment
  for (std::size_t i = 0; i < 2; ++i)
    EXPECT_EQ(a.deliveries[0].packets[i].get(), b.deliveries[0].packets[i].get()) << i;
  EXPECT_TRUE(a.deliveries[0].packets[1]->binary());
}

TEST_F(FanoutHub, ToRoomsReachesEachMemberOnceEvenInSeveralRooms) {
  add("a", 0, {"r1", "r2"});
  add("b", 1, {"r1", "r2"});
  add("c", 1, {"r2"});
  add("d", 0, {"other"});
  add("e", 1);
  from_shard0().to("r1").to("r2").emit("m");
  drain();
  for (const char* id : {"a", "b", "c"}) EXPECT_EQ(texts_of(id), texts{R"(42["m"])"}) << id;
  EXPECT_TRUE(texts_of("d").empty());
  EXPECT_TRUE(texts_of("e").empty());
}

TEST_F(FanoutHub, ExceptRoomsSkipsTheirMembers) {
  add("a", 0, {"r", "quiet"});
  add("b", 1, {"r"});
  add("c", 1, {"r", "quiet"});
  add("d", 0);
  from_shard0().to("r").except("quiet").emit("some");
  from_shard0().except("quiet").emit("rest");
  drain();
  EXPECT_EQ(texts_of("a"), texts{});
  EXPECT_EQ(texts_of("b"), (texts{R"(42["some"])", R"(42["rest"])"}));
  EXPECT_EQ(texts_of("c"), texts{});
  EXPECT_EQ(texts_of("d"), texts{R"(42["rest"])"});
}

TEST_F(FanoutHub, IncludeOrExcludeSelfByTheSendersOwnRoom) {
  add("self", 0, {"r"});
  add("peer", 1, {"r"});
  from_shard0().to("r").except("self").emit("others");  // socket.to(room) / include_self=False
  from_shard0().to("r").emit("all");                    // include_self=True
  drain();
  EXPECT_EQ(texts_of("self"), texts{R"(42["all"])"});
  EXPECT_EQ(texts_of("peer"), (texts{R"(42["others"])", R"(42["all"])"}));
}

TEST_F(FanoutHub, VolatileFlagReachesTheParticipant) {
  auto& a = add("a", 0);
  auto& b = add("b", 1);
  from_shard0().as_volatile().emit("v");
  from_shard0().emit("n");
  drain();
  for (auto* p : {&a, &b}) {
    ASSERT_EQ(p->deliveries.size(), 2u) << p->id();
    EXPECT_TRUE(p->deliveries[0].is_volatile) << p->id();
    EXPECT_FALSE(p->deliveries[1].is_volatile) << p->id();
  }
}

TEST_F(FanoutHub, OtherNamespacesAreNotReached) {
  add("a", 0, {"r"});
  add("b", 1, {"r"}, "/chat");
  fanout::broadcast_operator(server_, nullptr, "/chat").to("r").emit("x");
  drain();
  EXPECT_TRUE(texts_of("a").empty());
  EXPECT_EQ(texts_of("b"), texts{R"(42/chat,["x"])"});
}

TEST_F(FanoutHub, RemovedWhileABroadcastWaitsInTheInboxGetsNothing) {
  add("stays", 1, {"r"});
  auto& leaves = add("leaves", 1, {"r"});
  from_shard0().to("r").emit("late");  // queued in shard 1's inbox
  remove(leaves);
  // A newcomer takes the freed slot; it is not in the room, so nothing reaches it either.
  auto& newcomer = add("newcomer", 1);
  EXPECT_EQ(newcomer.member, leaves.member);
  drain();
  EXPECT_EQ(texts_of("stays"), texts{R"(42["late"])"});
  EXPECT_TRUE(texts_of("leaves").empty());
  EXPECT_TRUE(texts_of("newcomer").empty());
  EXPECT_EQ(server_.shard_at(1).hub().member(newcomer.member), &newcomer);
}

TEST_F(FanoutHub, FromOutsideEveryShardGetsAnInboxEntry) {
  add("a", 0);
  add("b", 1);
  fanout::broadcast_operator(server_, nullptr, "/").emit("o");
  EXPECT_TRUE(texts_of("a").empty());
  drain();
  EXPECT_EQ(texts_of("a"), texts{R"(42["o"])"});
  EXPECT_EQ(texts_of("b"), texts{R"(42["o"])"});
}

TEST_F(FanoutHub, LocalAdapterAnswersForEveryShard) {
  add("a", 0, {"r"});
  add("b", 1, {"r"});
  add("c", 1, {"s"});
  fanout::local_adapter adapter(server_);
  auto members = run(adapter.room_members("/", "r"));
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (texts{"a", "b"}));
  EXPECT_EQ(run(adapter.room_size("/", "r")), 2u);
  EXPECT_EQ(run(adapter.room_size("/", "nobody")), 0u);
  EXPECT_EQ(run(adapter.room_size("/other", "r")), 0u);
  EXPECT_EQ(run(adapter.room_names("/")), (texts{"a", "b", "c", "r", "s"}));
  run(adapter.close_room("/", "r"));
  EXPECT_EQ(run(adapter.room_size("/", "r")), 0u);
  EXPECT_EQ(run(adapter.room_names("/")), (texts{"a", "b", "c", "s"}));
}

TEST_F(FanoutHub, RoomQueriesGoThroughTheServersAdapter) {
  add("a", 0, {"r"});
  add("b", 1, {"r"});
  EXPECT_EQ(run(fanout::room_size(server_, "/", "r")), 2u);
  run(fanout::close_room(server_, "/", "r"));
  EXPECT_EQ(run(fanout::room_members(server_, "/", "r")), texts{});
}

TEST_F(FanoutHub, LocalAdapterBroadcastDeliversAJobAsIs) {
  auto& a = add("a", 0, {"r"});
  auto& b = add("b", 1, {"r"});
  auto job = std::make_shared<fanout::broadcast_job>();
  job->nsp = "/";
  job->target.rooms = {"r"};
  job->target.except_rooms = {"a"};
  job->flags.is_volatile = true;
  job->packets.push_back(engineio::make_text_packet(R"(42["j"])"));
  fanout::local_adapter(server_).broadcast(job, &server_.shard_at(0));
  drain();
  EXPECT_TRUE(a.deliveries.empty());
  ASSERT_EQ(b.deliveries.size(), 1u);
  EXPECT_TRUE(b.deliveries[0].is_volatile);
  EXPECT_EQ(b.deliveries[0].packets.front().get(), job->packets.front().get());
}

TEST_F(FanoutHub, BroadcastsAndQueriesGoThroughTheServersAdapter) {
  auto owned = std::make_unique<recording_adapter>();
  recording_adapter& adapter = *owned;
  server_.set_adapter(std::move(owned));
  add("a", 0, {"r"});
  from_shard0().to("r").except("a").as_volatile().local().emit("e", "1", {"bin"});
  ASSERT_EQ(adapter.broadcasts.size(), 1u);  // encoded once, handed over once
  const auto& [job, origin] = adapter.broadcasts.front();
  EXPECT_EQ(origin, &server_.shard_at(0));
  EXPECT_EQ(job->nsp, "/");
  EXPECT_EQ(job->target.rooms, texts{"r"});
  EXPECT_EQ(job->target.except_rooms, texts{"a"});
  EXPECT_TRUE(job->flags.is_volatile);
  EXPECT_TRUE(job->flags.local);
  ASSERT_EQ(job->packets.size(), 2u);
  EXPECT_EQ(job->packets[0]->payload(), R"(451-["e",1])");
  EXPECT_EQ(job->packets[1]->payload(), "bin");
  drain();
  EXPECT_TRUE(texts_of("a").empty());  // delivering is the adapter's business
  EXPECT_EQ(run(fanout::room_members(server_, "/", "r")), texts{"member of r"});
  EXPECT_EQ(run(fanout::room_size(server_, "/", "r")), 7u);
  EXPECT_EQ(run(fanout::room_names(server_, "/chat")), texts{"rooms of /chat"});
  run(fanout::close_room(server_, "/", "r"));
  EXPECT_EQ(adapter.closed, texts{"r"});
}

}  // namespace
}  // namespace chorus::server
