#include "bench/client/room_traffic.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

#include "bench/client/sio_packet.hpp"

namespace chorus::bench {
namespace {

// With connection state recovery on, a server ends every stored event with its offset, one more
// string argument: a delivery and a join confirmation must still be recognised, and the offset
// must not be taken for the payload's header.
TEST(RoomTraffic, DeliveryWithATrailingRecoveryOffset) {
  for (std::string text : {R"(2["message",{"message":"#3:17:123456#xxxx"},"1042"])",
                           R"(2["message",{"message":"#3:17:123456#xxxx"}])"}) {
    auto p = parse_sio_packet(text);
    ASSERT_TRUE(p.has_value()) << text;
    EXPECT_EQ(p->type, 2);
    ASSERT_TRUE(is_event_named(p->data, "message")) << text;
    auto d = parse_delivery(p->data);
    ASSERT_TRUE(d.has_value()) << text;
    EXPECT_EQ(d->publisher, 3u);
    EXPECT_EQ(d->seq, 17u);
    EXPECT_EQ(d->sent_ns, 123456);
  }
  // The offset alone (an event whose payload lost its header) is no delivery.
  auto p = parse_sio_packet(R"(2["message",{"message":"xxxx"},"7"])");
  ASSERT_TRUE(p.has_value());
  EXPECT_FALSE(parse_delivery(p->data).has_value());
}

TEST(RoomTraffic, JoinConfirmedWithATrailingRecoveryOffset) {
  boost::asio::io_context ioc;
  connection c(ioc, 5, false);
  c.joined_text = "u5 joined room room-0";
  auto p = parse_sio_packet(R"(2["status",{"msg":"u5 joined room room-0"},"12"])");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(confirms_join(c, p->data));
}

}  // namespace
}  // namespace chorus::bench
