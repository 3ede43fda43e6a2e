#include "rooms/mpsc_queue.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace chorus::rooms {
namespace {

struct item : mpsc_node {
  int producer = 0;
  int seq = 0;
};

int seq_of(mpsc_node* n) {
  return static_cast<item*>(n)->seq;
}

TEST(mpsc_queue, empty_queue_pops_nothing) {
  mpsc_queue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_EQ(q.pop(), nullptr);
}

TEST(mpsc_queue, pops_in_push_order) {
  mpsc_queue q;
  std::vector<item> items(5);
  for (int i = 0; i < 5; ++i) {
    items[i].seq = i;
    q.push(&items[i]);
  }
  EXPECT_FALSE(q.empty());
  for (int i = 0; i < 5; ++i) {
    mpsc_node* n = q.pop();
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(seq_of(n), i);
  }
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_TRUE(q.empty());
}

TEST(mpsc_queue, drains_and_refills_through_the_stub) {
  // Popping the last node re-inserts the stub; each round exercises that path.
  mpsc_queue q;
  std::vector<item> items(3);
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(round);
    const int count = round % 3 + 1;
    for (int i = 0; i < count; ++i) {
      items[i].seq = round * 10 + i;
      q.push(&items[i]);
    }
    for (int i = 0; i < count; ++i) {
      mpsc_node* n = q.pop();
      ASSERT_NE(n, nullptr);
      EXPECT_EQ(seq_of(n), round * 10 + i);
    }
    EXPECT_EQ(q.pop(), nullptr);
  }
}

TEST(mpsc_queue, interleaved_push_and_pop_keep_order) {
  mpsc_queue q;
  std::vector<item> items(100);
  int next_push = 0;
  int next_pop = 0;
  for (int step = 0; step < 100; ++step) {
    items[next_push].seq = next_push;
    q.push(&items[next_push++]);
    if (step % 3 != 0) {
      mpsc_node* n = q.pop();
      ASSERT_NE(n, nullptr);
      EXPECT_EQ(seq_of(n), next_pop++);
    }
  }
  while (mpsc_node* n = q.pop()) EXPECT_EQ(seq_of(n), next_pop++);
  EXPECT_EQ(next_pop, 100);
}

TEST(mpsc_queue, a_popped_node_can_be_pushed_again) {
  mpsc_queue q;
  item a;
  item b;
  q.push(&a);
  ASSERT_EQ(q.pop(), &a);
  q.push(&b);
  q.push(&a);
  EXPECT_EQ(q.pop(), &b);
  EXPECT_EQ(q.pop(), &a);
  EXPECT_EQ(q.pop(), nullptr);
}

// N producers push M items each; one consumer must get every item exactly once and each
// producer's items in its push order. Run under the tsan preset: the node payload is written
// plainly before push and read plainly after pop, so a missing happens-before shows up as a race.
TEST(mpsc_queue, many_producers_one_consumer_every_item_once_in_producer_order) {
  constexpr int producers = 4;
  constexpr int per_producer = 20000;
  mpsc_queue q;
  std::vector<std::vector<item>> items(producers);
  for (auto& mine : items) mine = std::vector<item>(per_producer);

  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&q, &mine = items[p], p] {
      for (int i = 0; i < per_producer; ++i) {
        mine[i].producer = p;
        mine[i].seq = i;
        q.push(&mine[i]);
      }
    });
  }

  std::vector<int> next(producers, 0);
  int received = 0;
  int out_of_order = 0;
  while (received < producers * per_producer) {
    mpsc_node* n = q.pop();
    if (n == nullptr) {
      std::this_thread::yield();  // empty, or a producer is between exchange and link
      continue;
    }
    const auto* it = static_cast<item*>(n);
    if (it->seq != next[it->producer]) ++out_of_order;
    next[it->producer] = it->seq + 1;
    ++received;
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(out_of_order, 0);
  for (int p = 0; p < producers; ++p) EXPECT_EQ(next[p], per_producer) << "producer " << p;
  EXPECT_EQ(q.pop(), nullptr);
}

TEST(mpsc_inbox, moves_values_through_in_order) {
  mpsc_inbox<std::unique_ptr<std::string>> inbox;
  EXPECT_TRUE(inbox.empty());
  inbox.push(std::make_unique<std::string>("one"));
  inbox.push(std::make_unique<std::string>("two"));
  auto first = inbox.pop();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(**first, "one");
  auto second = inbox.pop();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(**second, "two");
  EXPECT_FALSE(inbox.pop().has_value());
}

TEST(mpsc_inbox, destructor_frees_what_is_still_queued) {
  // The shared_ptr counts the copies still alive: the inbox must release its own on destruction.
  auto payload = std::make_shared<int>(7);
  {
    mpsc_inbox<std::shared_ptr<int>> inbox;
    inbox.push(payload);
    inbox.push(payload);
    EXPECT_EQ(payload.use_count(), 3);
  }
  EXPECT_EQ(payload.use_count(), 1);
}

TEST(mpsc_inbox, many_producers_one_consumer) {
  constexpr int producers = 3;
  constexpr int per_producer = 10000;
  mpsc_inbox<std::pair<int, int>> inbox;
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p)
    threads.emplace_back([&inbox, p] {
      for (int i = 0; i < per_producer; ++i) inbox.push({p, i});
    });
  std::vector<int> next(producers, 0);
  int received = 0;
  int out_of_order = 0;
  while (received < producers * per_producer) {
    auto v = inbox.pop();
    if (!v) {
      std::this_thread::yield();
      continue;
    }
    if (v->second != next[v->first]) ++out_of_order;
    next[v->first] = v->second + 1;
    ++received;
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(out_of_order, 0);
  for (int p = 0; p < producers; ++p) EXPECT_EQ(next[p], per_producer);
}

}  // namespace
}  // namespace chorus::rooms
