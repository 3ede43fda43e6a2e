// Engine.IO's outbound packets: a MESSAGE written by the layer above, framed by Engine.IO.
#include "server/engineio/outbound_packet.hpp"

#include <gtest/gtest.h>

namespace chorus::server::engineio {
namespace {

TEST(MessageWriter, PutsTheMessageTypeBeforeWhatTheLayerAboveAppends) {
  message_writer message;
  EXPECT_EQ(message.written(), 0u);
  message.text() += '2';
  const std::size_t data_offset = message.written();
  EXPECT_EQ(data_offset, 1u);
  message.text() += R"(["msg",1])";
  const outbound_packet packet = message.packet();
  EXPECT_EQ(packet->payload(), R"(42["msg",1])");
  EXPECT_FALSE(packet->binary());
  EXPECT_EQ(packet->websocket_frame(), std::string("\x81\x0b") + R"(42["msg",1])");
  EXPECT_EQ(message_of(*packet), R"(2["msg",1])");
  EXPECT_EQ(message_of(*packet).substr(data_offset), R"(["msg",1])");
}

TEST(MessageWriter, AnEmptyMessageIsTheTypeAlone) {
  const outbound_packet packet = message_writer().packet();
  EXPECT_EQ(packet->payload(), "4");
  EXPECT_EQ(message_of(*packet), "");
}

}  // namespace
}  // namespace chorus::server::engineio
