// sendmsg_batch, through io_uring and one by one: each send's result comes back in order, a full
// socket answers -EAGAIN at once without holding up the others, errors stay per entry, and the
// bytes arrive whole and in order.
#include "server/websocket/sendmsg_batch.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace chorus::server {
namespace {

// A connected pair: AF_UNIX, or loopback TCP (which packs many small sends into one buffer).
struct socket_pair {
  int writer = -1;
  int reader = -1;
  explicit socket_pair(bool tcp = false) {
    if (tcp) {
      connect_tcp();
      return;
    }
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    writer = fds[0];
    reader = fds[1];
  }
  void connect_tcp() {
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener, 1), 0);
    ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
    writer = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(::connect(writer, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    reader = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(listener);
  }
  ~socket_pair() {
    if (writer >= 0) ::close(writer);
    if (reader >= 0) ::close(reader);
  }
  std::string drain() const {
    std::string all;
    char chunk[65536];
    for (;;) {
      ssize_t n = ::recv(reader, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n <= 0) return all;
      all.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // Fills the writer's send buffer (and the reader's receive buffer) until it takes no more.
  void fill() const {
    std::string block(65536, 'f');
    while (::send(writer, block.data(), block.size(), MSG_DONTWAIT | MSG_NOSIGNAL) > 0) {
    }
  }
};

// One message of `parts` frames, kept alive with its iovecs.
struct message_of {
  std::vector<std::string> parts;
  std::vector<iovec> frames;
  msghdr header{};
  explicit message_of(std::vector<std::string> p) : parts(std::move(p)) {
    for (auto& part : parts) frames.push_back({part.data(), part.size()});
    header.msg_iov = frames.data();
    header.msg_iovlen = frames.size();
  }
};

class SendmsgBatch : public ::testing::TestWithParam<bool> {
 protected:
  sendmsg_batch batch{GetParam()};
  // Runs the batch, then checks it went the way the parameter asked (the kernel chorus is built
  // for has io_uring; where a seccomp filter refuses it the batch falls back, and this says so).
  std::vector<long> run() {
    auto results = batch.run();
    std::vector<long> copy(results.begin(), results.end());
    if (GetParam() && !batch.using_io_uring())
      ADD_FAILURE() << "io_uring unavailable here: " << batch.io_uring_unavailable_reason();
    if (!GetParam()) {
      EXPECT_FALSE(batch.using_io_uring());
    }
    return copy;
  }
};

TEST_P(SendmsgBatch, EverySendIsMadeAndReportedInOrder) {
  std::vector<socket_pair> sockets(50);
  std::vector<message_of> messages;
  messages.reserve(sockets.size());
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    // One frame (the io_uring send path) and several (the sendmsg path), alternately.
    if (i % 2 == 0)
      messages.emplace_back(std::vector<std::string>{"frame " + std::to_string(i)});
    else
      messages.emplace_back(std::vector<std::string>{"a" + std::to_string(i), "bb", "ccc"});
    batch.add(sockets[i].writer, messages[i].header);
  }
  EXPECT_EQ(batch.size(), sockets.size());
  auto results = run();
  EXPECT_EQ(batch.size(), 0u);
  ASSERT_EQ(results.size(), sockets.size());
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    std::string expected;
    for (auto& part : messages[i].parts) expected += part;
    EXPECT_EQ(results[i], static_cast<long>(expected.size())) << i;
    EXPECT_EQ(sockets[i].drain(), expected) << i;
  }
}

TEST_P(SendmsgBatch, AFullSocketAnswersEagainAtOnceAndTheOthersGoOut) {
  socket_pair before, full, after;
  full.fill();
  message_of one({"before"}), two({"never"}), three({"after", "!"});
  batch.add(before.writer, one.header);
  batch.add(full.writer, two.header);
  batch.add(after.writer, three.header);
  auto results = run();  // returns: MSG_DONTWAIT, so a full socket cannot hold the batch
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0], 6);
  EXPECT_EQ(results[1], -EAGAIN);
  EXPECT_EQ(results[2], 6);
  EXPECT_EQ(before.drain(), "before");
  EXPECT_EQ(after.drain(), "after!");
}

TEST_P(SendmsgBatch, ErrorsStayWithTheirEntry) {
  socket_pair good, peer_gone;
  ::close(peer_gone.reader);
  peer_gone.reader = -1;
  int not_a_socket = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(not_a_socket, 0);
  message_of a({"x"}), b({"y"}), c({"z"}), d({"w"});
  batch.add(peer_gone.writer, a.header);
  batch.add(-1, b.header);
  batch.add(not_a_socket, c.header);
  batch.add(good.writer, d.header);
  auto results = run();  // and no SIGPIPE: MSG_NOSIGNAL
  ::close(not_a_socket);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0], -EPIPE);
  EXPECT_EQ(results[1], -EBADF);
  EXPECT_EQ(results[2], -ENOTSOCK);
  EXPECT_EQ(results[3], 1);
  EXPECT_EQ(good.drain(), "w");
}

TEST_P(SendmsgBatch, FillsToCapacityAndRunsAgain) {
  socket_pair pair(/*tcp=*/true);
  message_of one({"1"});
  for (std::size_t i = 0; i < sendmsg_batch::capacity; ++i) batch.add(pair.writer, one.header);
  EXPECT_TRUE(batch.full());
  auto first = run();
  EXPECT_EQ(first.size(), sendmsg_batch::capacity);
  for (long result : first) EXPECT_EQ(result, 1);
  EXPECT_FALSE(batch.full());
  batch.add(pair.writer, one.header);
  auto second = run();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0], 1);
  EXPECT_EQ(pair.drain(), std::string(sendmsg_batch::capacity + 1, '1'));
}

TEST_P(SendmsgBatch, AnEmptyBatchRuns) {
  EXPECT_TRUE(run().empty());
}

// From now on io_uring_enter fails with EPERM in this process (a seccomp filter cannot be
// lifted: the test runs it in a child, see below).
bool refuse_io_uring_enter() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_enter, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) == 0;
}

// The ring works for one batch, then the kernel refuses every submission: the batch gives the
// ring up and makes the same sends one by one, each result in its place, nothing sent twice.
// Exits 0 when all of that held; otherwise says what did not on stderr and exits 1.
void ring_refused_mid_run() {
  auto fail = [](const std::string& what) {
    std::fprintf(stderr, "%s\n", what.c_str());
    std::exit(1);
  };
  sendmsg_batch batch(true);
  std::vector<socket_pair> sockets(3);
  message_of first({"one"}), second({"two", "!"});
  for (auto& pair : sockets) batch.add(pair.writer, first.header);
  for (long result : batch.run())
    if (result != 3) fail("first batch: a send returned " + std::to_string(result));
  if (!batch.using_io_uring()) fail("no io_uring here: " + batch.io_uring_unavailable_reason());
  if (!refuse_io_uring_enter()) fail("could not install the seccomp filter");
  for (auto& pair : sockets) batch.add(pair.writer, second.header);
  auto results = batch.run();
  if (results.size() != sockets.size()) fail("results: " + std::to_string(results.size()));
  for (long result : results)
    if (result != 4) fail("refused batch: a send returned " + std::to_string(result));
  if (batch.using_io_uring()) fail("the ring was kept after the kernel refused it");
  if (batch.io_uring_unavailable_reason().find("took 0 of 3") == std::string::npos)
    fail("reason: " + batch.io_uring_unavailable_reason());
  for (auto& pair : sockets)
    if (pair.drain() != "onetwo!") fail("a socket got something else than onetwo!");
  std::exit(0);
}

TEST(SendmsgBatchRingLost, SendsOneByOneOnceTheKernelRefusesTheRing) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ring_refused_mid_run(), ::testing::ExitedWithCode(0), "");
}

INSTANTIATE_TEST_SUITE_P(Ways, SendmsgBatch, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "io_uring" : "one_by_one"; });

}  // namespace
}  // namespace chorus::server
