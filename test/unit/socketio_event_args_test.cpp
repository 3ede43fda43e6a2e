#include <gtest/gtest.h>

#include "protocol/socketio/event_args.hpp"

namespace chorus::protocol::socketio {
namespace {

struct slice_case {
  std::string_view input;
  std::string_view expected;
};

TEST(SocketioEventArgs, ArgsAfterName) {
  const slice_case cases[] = {
      {R"(["hello"])", ""},
      {R"(["hello",1])", "1"},
      {R"(["hello",1,"two",{"a":[3]}])", R"(1,"two",{"a":[3]})"},
      {R"( [ "hello" , 1 , 2 ] )", "1 , 2"},
      {R"(["he\"llo",{"x":"]"}])", R"({"x":"]"})"},
      {R"(["a\\",2])", "2"},
      {R"(["\u00e9v\u00e9nement","é"])", R"("é")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(args_after_name(c.input), c.expected);
  }
}

TEST(SocketioEventArgs, ArrayElements) {
  const slice_case cases[] = {
      {"[]", ""},
      {"[1]", "1"},
      {R"([1,"a",null])", R"(1,"a",null)"},
      {" [ [1],[2] ] ", "[1],[2]"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(array_elements(c.input), c.expected);
  }
}

}  // namespace
}  // namespace chorus::protocol::socketio
