// The replies stream_reader reads: XREAD's (nil, or one stream's entries) and XRANGE /
// XREVRANGE's, as RESP2 trees; every other shape is refused rather than half read.
#include "server/cluster/stream_reader.hpp"

#include <gtest/gtest.h>

namespace chorus::server::cluster {
namespace {

using kind = redis_reply::kind;

redis_reply text(std::string s) {
  redis_reply r;
  r.type = kind::string;
  r.str = std::move(s);
  return r;
}

redis_reply list(std::vector<redis_reply> elements) {
  redis_reply r;
  r.type = kind::array;
  r.elements = std::move(elements);
  return r;
}

redis_reply entry(std::string id, std::vector<std::string> fields) {
  std::vector<redis_reply> values;
  for (auto& f : fields) values.push_back(text(std::move(f)));
  return list({text(std::move(id)), list(std::move(values))});
}

TEST(StreamReplies, XreadEntriesInOrder) {
  const redis_reply reply = list({list(
      {text("socket.io"), list({entry("1-0", {"uid", "u", "nsp", "/", "type", "3", "data", "{}"}),
                                entry("1-1", {"uid", "u"})})})});
  const auto entries = xread_entries(reply);
  ASSERT_TRUE(entries.has_value());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].id, "1-0");
  ASSERT_EQ((*entries)[0].fields.size(), 4u);
  EXPECT_EQ((*entries)[0].fields[1].first, "nsp");
  EXPECT_EQ((*entries)[0].fields[1].second, "/");
  EXPECT_EQ((*entries)[0].fields[3].second, "{}");
  EXPECT_EQ((*entries)[1].id, "1-1");
  EXPECT_EQ((*entries)[1].fields.size(), 1u);
}

TEST(StreamReplies, NilIsNoEntries) {
  const auto entries = xread_entries(redis_reply{});
  ASSERT_TRUE(entries.has_value());
  EXPECT_TRUE(entries->empty());
  const auto none = xrange_entries(list({}));
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST(StreamReplies, OtherShapesAreRefused) {
  redis_reply integer;
  integer.type = kind::integer;
  const redis_reply shapes[] = {
      integer,
      text("x"),
      list({}),                                                          // no stream
      list({list({text("s")})}),                                         // no entries
      list({list({text("s"), list({entry("1-0", {"odd"})})})}),          // a field without value
      list({list({text("s"), list({list({text("1-0")})})})}),            // an entry without fields
      list({list({text("s"), list({list({integer, list({})})})})}),      // an id that is no string
      list({list({text("a"), list({})}), list({text("b"), list({})})}),  // two streams
  };
  for (const auto& reply : shapes) EXPECT_FALSE(xread_entries(reply).has_value());
  EXPECT_FALSE(xrange_entries(text("x")).has_value());
}

}  // namespace
}  // namespace chorus::server::cluster
