// The fan-out hub and the local adapter with stub participants: no sockets, no Socket.IO. The
// server is never started; the test thread runs each shard's loop in turn (drain()), so what a
// shard does and when is deterministic.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/engineio/outbound_packet.hpp"
#include "server/fanout/adapter.hpp"
#include "server/fanout/local_adapter.hpp"
#include "server/fanout/participant.hpp"
#include "server/server.hpp"
#include "server/socketio/broadcast_operator.hpp"
#include "server/socketio/room_queries.hpp"
#include "test/support/run_to_end.hpp"

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
  void deliver(const fanout::broadcast_job& job) override {
    deliveries.push_back({job.packets, job.flags.is_volatile});
  }
  bool deliver_expecting_ack(const std::vector<engineio::outbound_packet>& packets,
                             std::uint64_t ack_id,
                             const std::shared_ptr<fanout::ack_gatherer>& acks,
                             std::chrono::milliseconds) override {
    deliveries.push_back({packets, false});
    pending_ack = acks;
    last_ack_id = ack_id;
    return true;
  }
  // What the client would do: answer the broadcast's ack.
  void answer(std::string json) { pending_ack->acked(std::move(json)); }
  void disconnect(bool close_connection) override {
    disconnects.push_back(close_connection);
    if (on_disconnect) on_disconnect();
  }
  void room_changed(std::string_view room, bool joined) override {
    room_changes.push_back((joined ? "+" : "-") + std::string(room));
  }
  std::string handshake_json() const override { return R"({"auth":{}})"; }
  std::string data_json() const override { return R"({"name":")" + id_ + R"("})"; }

  // The Engine.IO text of each delivery's first packet.
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& d : deliveries) out.emplace_back(d.packets.front()->payload());
    return out;
  }

  std::vector<delivery> deliveries;
  std::vector<bool> disconnects;          // close_connection of each disconnect call
  std::vector<std::string> room_changes;  // "+room" joined, "-room" left, as the hub told
  std::shared_ptr<fanout::ack_gatherer> pending_ack;
  std::uint64_t last_ack_id = 0;
  std::function<void()> on_disconnect;
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
    fanout::shard_hub* origin;
  };

  void broadcast(std::shared_ptr<const fanout::broadcast_job> job,
                 fanout::shard_hub* origin) override {
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

  void sockets_join(std::string, rooms::broadcast_target, std::vector<std::string>) override {}
  void sockets_leave(std::string, rooms::broadcast_target, std::vector<std::string>) override {}
  void disconnect_sockets(std::string, rooms::broadcast_target, bool) override {}
  awaitable<std::vector<fanout::socket_description>> fetch_sockets(
      std::string, rooms::broadcast_target) override {
    co_return std::vector<fanout::socket_description>{};
  }
  awaitable<std::size_t> server_count(std::string) override { co_return 3; }
  void server_side_emit(std::string, std::string) override {}
  awaitable<fanout::server_replies> server_side_emit_with_ack(std::string, std::string) override {
    co_return fanout::server_replies{};
  }

  std::vector<broadcast_call> broadcasts;
  std::vector<std::string> closed;
};

class FanoutHub : public testing::Test {
 protected:
  FanoutHub() : server_(config(), [](shard&, node_services&) { return nullptr; }) {}

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
  socketio::broadcast_operator from_shard0(std::string nsp = "/") {
    return socketio::broadcast_operator(server_, &server_.shard_at(0), std::move(nsp));
  }
  // Runs what every shard has queued (their inboxes' drains), and what that queued in turn on
  // any shard, until nothing is left to run.
  void drain() {
    for (std::size_t ran = 1; ran != 0;) {
      ran = 0;
      for (unsigned i = 0; i < server_.shard_count(); ++i) {
        server_.shard_at(i).context().restart();
        ran += server_.shard_at(i).context().poll();
      }
    }
  }
  // Runs a query to its end: the caller's loop and every shard's, in turn.
  template <class T>
  T run(awaitable<T> query) {
    return test_support::run_to_end(std::move(query), [this] { drain(); });
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
  socketio::broadcast_operator(server_, nullptr, "/chat").to("r").emit("x");
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
  socketio::broadcast_operator(server_, nullptr, "/").emit("o");
  EXPECT_TRUE(texts_of("a").empty());
  drain();
  EXPECT_EQ(texts_of("a"), texts{R"(42["o"])"});
  EXPECT_EQ(texts_of("b"), texts{R"(42["o"])"});
}

TEST_F(FanoutHub, LocalAdapterAnswersForEveryShard) {
  add("a", 0, {"r"});
  add("b", 1, {"r"});
  add("c", 1, {"s"});
  fanout::local_adapter adapter(server_.hubs());
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
  EXPECT_EQ(run(socketio::room_size(server_, "/", "r")), 2u);
  run(socketio::close_room(server_, "/", "r"));
  EXPECT_EQ(run(socketio::room_members(server_, "/", "r")), texts{});
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
  fanout::local_adapter(server_.hubs()).broadcast(job, &server_.shard_at(0).hub());
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
  EXPECT_EQ(origin, &server_.shard_at(0).hub());
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
  EXPECT_EQ(run(socketio::room_members(server_, "/", "r")), texts{"member of r"});
  EXPECT_EQ(run(socketio::room_size(server_, "/", "r")), 7u);
  EXPECT_EQ(run(socketio::room_names(server_, "/chat")), texts{"rooms of /chat"});
  run(socketio::close_room(server_, "/", "r"));
  EXPECT_EQ(adapter.closed, texts{"r"});
}

TEST_F(FanoutHub, SocketsJoinAndLeaveActOnTheNamedSocketsOfEveryShard) {
  auto& a = add("a", 0, {"lobby"});
  add("b", 1, {"lobby"});
  auto& c = add("c", 1);
  from_shard0().to("lobby").except("b").sockets_join({"x", "y"});
  drain();
  EXPECT_EQ(run(socketio::room_members(server_, "/", "x")), (std::vector<std::string>{"a"}));
  EXPECT_EQ(run(socketio::room_size(server_, "/", "y")), 1u);
  from_shard0().sockets_join({"z"});  // everyone
  drain();
  EXPECT_EQ(run(socketio::room_size(server_, "/", "z")), 3u);
  from_shard0().to("z").sockets_leave({"z", "lobby", "a", "b"});  // never their own rooms
  drain();
  EXPECT_EQ(run(socketio::room_size(server_, "/", "z")), 0u);
  EXPECT_EQ(run(socketio::room_size(server_, "/", "lobby")), 0u);
  EXPECT_EQ(run(socketio::room_members(server_, "/", "a")), (std::vector<std::string>{"a"}));
  EXPECT_EQ(run(socketio::room_members(server_, "/", "b")), (std::vector<std::string>{"b"}));
  // Each told of its own changes only, once each (z joined once though named twice).
  EXPECT_EQ(a.room_changes, (std::vector<std::string>{"+x", "+y", "+z", "-z", "-lobby"}));
  EXPECT_EQ(c.room_changes, (std::vector<std::string>{"+z", "-z"}));
}

TEST_F(FanoutHub, DisconnectSocketsCallsEachNamedSocketOnceEvenIfOthersLeave) {
  auto& a = add("a", 0, {"room"});
  auto& b = add("b", 0, {"room"});
  auto& c = add("c", 0);
  // a leaving takes b with it (as closing one connection ends all its namespaces): b must not
  // be called after it left the hub.
  a.on_disconnect = [&] {
    remove(a);
    remove(b);
  };
  from_shard0().to("room").disconnect_sockets(true);
  drain();
  EXPECT_EQ(a.disconnects, std::vector<bool>{true});
  EXPECT_TRUE(b.disconnects.empty());
  EXPECT_TRUE(c.disconnects.empty());
}

TEST_F(FanoutHub, FetchSocketsDescribesTheNamedSocketsOfEveryShard) {
  add("a", 0, {"room"});
  add("b", 1, {"room", "other"});
  add("c", 1);
  auto found = run(from_shard0().to("room").fetch_sockets());
  std::sort(found.begin(), found.end(), [](auto& l, auto& r) { return l.id < r.id; });
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, "a");
  EXPECT_EQ(found[1].id, "b");
  EXPECT_EQ(found[1].data_json, R"({"name":"b"})");
  EXPECT_EQ(found[1].handshake_json, R"({"auth":{}})");
  auto rooms = found[1].rooms;
  std::sort(rooms.begin(), rooms.end());
  EXPECT_EQ(rooms, (std::vector<std::string>{"b", "other", "room"}));
  EXPECT_EQ(run(server_.adapter().server_count("/")), 1u);
}

TEST_F(FanoutHub, BroadcastJobKnowsWhereItsDataArrayStarts) {
  auto recorder = std::make_unique<recording_adapter>();
  recording_adapter& seen = *recorder;
  server_.set_adapter(std::move(recorder));
  from_shard0("/a[b").emit("ev", R"(1,{"_placeholder":true,"num":0})", {"\x01"});
  from_shard0().emit("plain", "2");
  ASSERT_EQ(seen.broadcasts.size(), 2u);
  for (const auto& call : seen.broadcasts) {
    const auto& job = *call.job;
    std::string_view text = engineio::message_of(*job.packets.front());
    EXPECT_EQ(text[job.data_offset], '[') << text;
  }
  EXPECT_EQ(engineio::message_of(*seen.broadcasts[0].job->packets.front())
                .substr(seen.broadcasts[0].job->data_offset),
            R"(["ev",1,{"_placeholder":true,"num":0}])");
  EXPECT_EQ(engineio::message_of(*seen.broadcasts[1].job->packets.front())
                .substr(seen.broadcasts[1].job->data_offset),
            R"(["plain",2])");
  // On the wire, the Engine.IO message type comes first.
  EXPECT_EQ(seen.broadcasts[1].job->packets.front()->payload(), R"(42["plain",2])");
}

TEST_F(FanoutHub, BroadcastWithAcksGathersEveryReachedClientsFirstArgument) {
  auto& a = add("a", 0, {"room"});
  auto& b = add("b", 1, {"room"});
  add("c", 1);
  std::optional<fanout::broadcast_ack_result> result;
  from_shard0().to("room").emit_with_ack("q", "1", std::chrono::seconds(10),
                                         [&](fanout::broadcast_ack_result r) { result = r; });
  drain();
  ASSERT_EQ(a.deliveries.size(), 1u);
  ASSERT_EQ(b.deliveries.size(), 1u);
  // One packet, one id, for every recipient.
  EXPECT_EQ(a.deliveries[0].packets.front().get(), b.deliveries[0].packets.front().get());
  EXPECT_EQ(std::string(a.deliveries[0].packets.front()->payload()),
            fmt::format(R"(42{}["q",1])", a.last_ack_id));
  EXPECT_FALSE(result);
  a.answer(R"({"x":1})");
  drain();
  EXPECT_FALSE(result);  // b has not answered
  b.answer("2");
  drain();
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->complete);
  EXPECT_EQ(result->responses, (std::vector<std::string>{R"({"x":1})", "2"}));
}

TEST_F(FanoutHub, BroadcastWithAcksToNobodyCompletesEmpty) {
  add("a", 0);
  std::optional<fanout::broadcast_ack_result> result;
  from_shard0().to("empty").emit_with_ack("q", "", std::chrono::seconds(10),
                                          [&](fanout::broadcast_ack_result r) { result = r; });
  drain();
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->complete);
  EXPECT_TRUE(result->responses.empty());
}

// A recipient that goes away lets go of its pending ack, and the job is gone once delivered:
// nothing else holds the collector, and it must still answer at its timeout.
TEST_F(FanoutHub, BroadcastWithAcksTimesOutWhenNoRecipientHoldsItAnyMore) {
  auto& a = add("a", 0, {"room"});
  std::optional<fanout::broadcast_ack_result> result;
  from_shard0().to("room").emit_with_ack("q", "", std::chrono::milliseconds(20),
                                         [&](fanout::broadcast_ack_result r) { result = r; });
  drain();
  ASSERT_EQ(a.deliveries.size(), 1u);
  a.pending_ack.reset();                      // as a socket that disconnected before answering
  a.deliveries.clear();                       // the job's packets: the last reference to it
  for (int i = 0; i < 400 && !result; ++i) {  // the timer's 20 ms, bounded
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    drain();
  }
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->complete);
  EXPECT_TRUE(result->responses.empty());
}

TEST_F(FanoutHub, BroadcastWithAcksTimesOutWithWhatCame) {
  auto& a = add("a", 0, {"room"});
  add("b", 1, {"room"});
  std::optional<fanout::broadcast_ack_result> result;
  from_shard0().to("room").emit_with_ack("q", "", std::chrono::milliseconds(1),
                                         [&](fanout::broadcast_ack_result r) { result = r; });
  drain();
  a.answer("true");
  for (int i = 0; i < 200 && !result; ++i) {  // the timer's 1 ms, bounded
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    drain();
  }
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->complete);
  EXPECT_EQ(result->responses, std::vector<std::string>{"true"});
}

}  // namespace
}  // namespace chorus::server
