#include "server/admin/admin_json.hpp"

#include <gtest/gtest.h>

#include "server/admin/aggregated_events.hpp"

namespace chorus::server::admin {
namespace {

TEST(AdminJson, ServerStatsHasEveryFieldTheUiReads) {
  server_stats stats;
  stats.server_id = "host#1";
  stats.hostname = "host";
  stats.pid = 1;
  stats.uptime_seconds = 2.5;
  stats.clients = 3;
  stats.polling_clients = 1;
  stats.aggregated_events_json = R"([{"timestamp":1000,"type":"packetsIn","count":2}])";
  stats.namespaces = {{"/", 2}, {"/admin", 1}};
  EXPECT_EQ(server_stats_json(stats),
            R"({"serverId":"host#1","hostname":"host","pid":1,"uptime":2.500,"clientsCount":3,)"
            R"("pollingClientsCount":1,"aggregatedEvents":[{"timestamp":1000,"type":"packetsIn",)"
            R"("count":2}],"namespaces":[{"name":"/","socketsCount":2},)"
            R"({"name":"/admin","socketsCount":1}]})");
}

TEST(AdminJson, SerializedSocketTakesClientIdAndTransportOutOfData) {
  fanout::socket_description s{
      "sid1",
      R"({"headers":{"host":"h","x-forwarded-for":"1.2.3.4, 5.6.7.8"},"time":"t","address":"127.0.0.1",)"
      R"("xdomain":false,"secure":false,"issued":5,"url":"/socket.io/?EIO=4","query":{"EIO":"4"},)"
      R"("auth":{"token":"secret"}})",
      {"sid1", "lobby"},
      R"({"_admin":{"clientId":"abcdefabcdef","transport":"polling"},"name":"ann"})"};
  EXPECT_EQ(serialized_socket_json("/", s),
            R"({"id":"sid1","clientId":"abcdefabcdef","transport":"polling","nsp":"/",)"
            R"("data":{"name":"ann"},"handshake":{"address":"1.2.3.4","headers":{"host":"h",)"
            R"("x-forwarded-for":"1.2.3.4, 5.6.7.8"},"query":{"EIO":"4"},"issued":5,)"
            R"("secure":false,"time":"t","url":"/socket.io/?EIO=4","xdomain":false},)"
            R"("rooms":["sid1","lobby"]})");
}

TEST(AdminJson, SerializedSocketWithoutAdminDataOrHandshakeFieldsLeavesThemOut) {
  fanout::socket_description s{"x", R"({"address":"::1","auth":{}})", {}, "42"};
  EXPECT_EQ(serialized_socket_json("/chat", s),
            R"({"id":"x","nsp":"/chat","data":42,"handshake":{"address":"::1"},"rooms":[]})");
  fanout::socket_description cf{
      "y", R"({"headers":{"cf-connecting-ip":"9.9.9.9"},"address":"::1"})", {}, "{}"};
  EXPECT_NE(serialized_socket_json("/", cf).find(R"("address":"9.9.9.9")"), std::string::npos);
}

TEST(AggregatedEvents, CountsDifferencesPerSecondFromTheSecondSampleOn) {
  aggregated_events events;
  node_counters c;
  c.connections = 5;
  c.packets_in = 100;
  events.sample(c, 10'250);  // baseline: nothing before it is reported
  EXPECT_EQ(events.take_json(), "[]");
  c.connections = 7;
  c.packets_in = 103;
  c.bytes_out = 40;
  c.disconnections[static_cast<std::size_t>(disconnect_reason::transport_close)] = 1;
  events.sample(c, 11'999);
  c.connections = 8;
  events.sample(c, 11'400);  // same second: added to its entry
  EXPECT_EQ(
      events.take_json(),
      R"([{"timestamp":11000,"type":"rawConnection","count":3},)"
      R"({"timestamp":11000,"type":"rawDisconnection","subType":"transport close","count":1},)"
      R"({"timestamp":11000,"type":"packetsIn","count":3},)"
      R"({"timestamp":11000,"type":"bytesOut","count":40}])");
  EXPECT_EQ(events.take_json(), "[]");
}

TEST(AdminJson, DatesAreWhatJsonStringifyWritesForADate) {
  EXPECT_EQ(iso_date_json(0), R"("1970-01-01T00:00:00.000Z")");
  EXPECT_EQ(iso_date_json(1'700'000'000'123), R"("2023-11-14T22:13:20.123Z")");
}

}  // namespace
}  // namespace chorus::server::admin
