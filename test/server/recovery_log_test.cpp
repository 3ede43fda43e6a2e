// Connection state recovery's pure parts: offsets, the packet log and the session store.
#include <gtest/gtest.h>

#include "server/recovery/offset.hpp"
#include "server/recovery/packet_log.hpp"
#include "server/recovery/session_store.hpp"
#include "server/socketio/event_job.hpp"

namespace {

using namespace chorus::server;
using recovery::packet_log;
using recovery::session_store;
using namespace std::chrono_literals;

std::shared_ptr<fanout::broadcast_job> event(std::string nsp, std::vector<std::string> rooms,
                                             std::vector<std::string> except = {},
                                             std::string arg = "1") {
  auto job = socketio::make_event_job(nsp, std::nullopt, {}, "ev", arg);
  job->target.rooms = std::move(rooms);
  job->target.except_rooms = std::move(except);
  return job;
}

std::string text_of(const fanout::broadcast_job& job) {
  return std::string(job.packets.front()->payload());
}

TEST(RecoveryOffset, RoundTripsAndRefusesWhatItCannotHaveWritten) {
  EXPECT_EQ(recovery::format_offset(42), "42");
  EXPECT_EQ(recovery::parse_offset("42"), 42u);
  EXPECT_EQ(recovery::parse_offset("18446744073709551615"), 18446744073709551615u);
  for (std::string_view bad : {"", "0", "042", "-1", "+1", "1 ", " 1", "1.0", "abc",
                               "18446744073709551616", "1-0", "123456789012345678901"})
    EXPECT_EQ(recovery::parse_offset(bad), std::nullopt) << bad;
}

TEST(RecoveryOffset, WithOffsetAddsTheLastArgumentAfterWhatIsAlreadyWritten) {
  EXPECT_EQ(recovery::with_offset(R"(["ev",1])", "7"), R"(["ev",1,"7"])");
  std::string out = "head:";
  recovery::append_with_offset(out, R"(2["ev",{"a":[1]}])", "1700000000000-12");
  EXPECT_EQ(out, R"(head:2["ev",{"a":[1]},"1700000000000-12"])");
}

TEST(PacketLog, AppendsTheOffsetAsTheLastArgumentOnce) {
  packet_log log(10s, 1 << 20);
  auto original = event("/", {"r"}, {}, "\"a\",{\"b\":[1]}");
  auto now = packet_log::clock::now();
  auto first = log.append(*original, now);
  auto second = log.append(*original, now);
  EXPECT_EQ(text_of(*first), R"(42["ev","a",{"b":[1]},"1"])");
  EXPECT_EQ(text_of(*second), R"(42["ev","a",{"b":[1]},"2"])");
  EXPECT_EQ(first->log_seq, 1u);
  EXPECT_EQ(second->log_seq, 2u);
  EXPECT_EQ(text_of(*original), R"(42["ev","a",{"b":[1]}])");  // the caller's job is unchanged
  EXPECT_EQ(first->target.rooms, original->target.rooms);
  EXPECT_EQ(first->data_offset, original->data_offset);
  EXPECT_EQ(log.last_seq(), 2u);
}

TEST(PacketLog, MissedSinceKeepsOrderNamespaceAndRooms) {
  packet_log log(10s, 1 << 20);
  auto now = packet_log::clock::now();
  log.append(*event("/", {}), now);                 // 1: the whole namespace
  log.append(*event("/", {"a"}), now);              // 2: room a
  log.append(*event("/", {"b"}), now);              // 3: room b
  log.append(*event("/other", {}), now);            // 4: another namespace
  log.append(*event("/", {}, {"me"}), now);         // 5: everyone but "me"
  log.append(*event("/", {"a", "b"}, {"x"}), now);  // 6: a or b, not x
  log.append(*event("/", {"me"}), now);             // 7: a direct emit to "me"
  log.append(*event("/", {"someone-else"}), now);   // 8: a direct emit to another socket
  auto seqs = [&](std::uint64_t after, std::vector<std::string> rooms) {
    std::vector<std::uint64_t> out;
    auto missed = log.missed_since(after, "/", rooms, now);
    if (!missed) return std::vector<std::uint64_t>{999};
    for (const auto& job : *missed) out.push_back(job->log_seq);
    return out;
  };
  EXPECT_EQ(seqs(1, {"me", "a"}), (std::vector<std::uint64_t>{2, 6, 7}));
  EXPECT_EQ(seqs(1, {"me", "b", "x"}), (std::vector<std::uint64_t>{3, 7}));
  EXPECT_EQ(seqs(1, {"you"}), (std::vector<std::uint64_t>{5}));
  EXPECT_EQ(seqs(8, {"me"}), (std::vector<std::uint64_t>{}));
  // An offset never handed out, or not in the log, cannot say what was missed.
  EXPECT_EQ(log.missed_since(9, "/", {"me"}, now), std::nullopt);
  EXPECT_EQ(log.missed_since(0, "/", {"me"}, now), std::nullopt);
}

TEST(PacketLog, ForgetsPacketsOlderThanTheWindow) {
  packet_log log(1s, 1 << 20);
  auto start = packet_log::clock::now();
  log.append(*event("/", {}), start);
  log.append(*event("/", {}), start + 600ms);
  log.append(*event("/", {}), start + 1200ms);  // the first is now older than the window
  EXPECT_EQ(log.size(), 2u);
  EXPECT_EQ(log.missed_since(1, "/", {"me"}, start + 1200ms), std::nullopt);
  EXPECT_EQ(log.missed_since(2, "/", {"me"}, start + 1200ms)->size(), 1u);
  EXPECT_EQ(log.missed_since(2, "/", {"me"}, start + 1700ms), std::nullopt);
  EXPECT_EQ(log.size(), 1u);
}

TEST(PacketLog, StaysWithinItsBytesOldestFirst) {
  auto big = event("/", {}, {}, "\"" + std::string(1000, 'x') + "\"");
  std::size_t one = packet_log::footprint(*big) + 16;  // the offset adds a few bytes
  packet_log log(10s, 3 * one);
  auto now = packet_log::clock::now();
  for (int i = 0; i < 10; ++i) log.append(*big, now);
  EXPECT_LE(log.bytes(), 3 * one);
  EXPECT_EQ(log.size(), 3u);
  EXPECT_EQ(log.missed_since(7, "/", {"me"}, now), std::nullopt);
  EXPECT_EQ(log.missed_since(8, "/", {"me"}, now)->size(), 2u);
  // One packet larger than the whole bound is still kept: the newest offset is always known.
  packet_log tiny(10s, 1);
  tiny.append(*big, now);
  EXPECT_EQ(tiny.size(), 1u);
}

recovery::saved_session session(std::string pid, std::string nsp = "/") {
  return {std::move(pid), "sid-" + nsp, nsp, {"sid-" + nsp, "room"}, std::any(7), "{}"};
}

TEST(SessionStore, ASessionComesBackOnceInItsNamespace) {
  session_store store(10s, 100);
  auto now = session_store::clock::now();
  store.save(session("p1"), now);
  EXPECT_EQ(store.take("p1", "/other", now), std::nullopt);  // not its namespace: kept
  auto back = store.take("p1", "/", now);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->sid, "sid-/");
  EXPECT_EQ(back->rooms, (std::vector<std::string>{"sid-/", "room"}));
  EXPECT_EQ(std::any_cast<int>(back->data), 7);
  EXPECT_EQ(store.take("p1", "/", now), std::nullopt);
  EXPECT_EQ(store.take("unknown", "/", now), std::nullopt);
}

TEST(SessionStore, ForgetsSessionsOlderThanTheWindow) {
  session_store store(1s, 100);
  auto start = session_store::clock::now();
  store.save(session("old"), start);
  store.save(session("new"), start + 800ms);
  EXPECT_EQ(store.take("old", "/", start + 1100ms), std::nullopt);
  EXPECT_TRUE(store.take("new", "/", start + 1100ms));
  EXPECT_EQ(store.size(), 0u);
}

TEST(SessionStore, SavedAgainTheSessionLivesFromItsLatestSave) {
  session_store store(1s, 100);
  auto start = session_store::clock::now();
  store.save(session("p"), start);
  ASSERT_TRUE(store.take("p", "/", start + 100ms));
  store.save(session("p"), start + 900ms);  // recovered, then dropped again
  EXPECT_TRUE(store.take("p", "/", start + 1500ms));
}

TEST(SessionStore, OverItsCountTheOldestGoesFirst) {
  session_store store(10s, 2);
  auto now = session_store::clock::now();
  store.save(session("a"), now);
  store.save(session("b"), now);
  store.save(session("c"), now);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.take("a", "/", now), std::nullopt);
  EXPECT_TRUE(store.take("b", "/", now));
  EXPECT_TRUE(store.take("c", "/", now));
}

}  // namespace
