#pragma once

// Lock-free multi-producer single-consumer intrusive queue, after Dmitry Vyukov's design: a
// producer pushes with one atomic exchange plus one store (wait-free); the one consumer pops
// without atomic read-modify-writes except when the queue is down to its last node. It is the
// cross-shard inbox: any shard posts a broadcast, the owning shard drains it.
//
// The list runs from tail_ (oldest, consumer side) to head_ (newest, producer side) and always
// holds at least one node: a stub owned by the queue stands in when everything has been popped.
//
// Caveat of the design: between a producer's exchange and its link store, the chain is broken at
// that producer, and pop() returns nullptr although nodes pushed later may be waiting. The push
// completes in a few instructions; the consumer must simply be woken again (the server posts a
// wake-up after every push) rather than treat nullptr as "the queue is empty forever".

#include <atomic>
#include <memory>
#include <optional>
#include <utility>

namespace chorus::rooms {

// Embed (or derive from) this in whatever is queued. A node is in at most one queue at a time and
// must outlive its stay there.
struct mpsc_node {
  std::atomic<mpsc_node*> next{nullptr};
};

class mpsc_queue {
 public:
  mpsc_queue() = default;
  // The stub's address is part of the list: the queue cannot move.
  mpsc_queue(const mpsc_queue&) = delete;
  mpsc_queue& operator=(const mpsc_queue&) = delete;

  // Any thread.
  void push(mpsc_node* node) noexcept {
    // relaxed: published by the release half of the exchange below.
    node->next.store(nullptr, std::memory_order_relaxed);
    // acq_rel. release: a producer that later gets `node` back as its prev (and the consumer,
    // through the chain of next links) sees node's contents and its null next. acquire: we see
    // prev's null next from its producer before overwriting it, so our link is the one that stays
    // in prev->next's modification order.
    mpsc_node* prev = head_.exchange(node, std::memory_order_acq_rel);
    // The window described above is here. release: pairs with the consumer's acquire load of
    // prev->next, which makes node's contents visible to it.
    prev->next.store(node, std::memory_order_release);
  }

  // The consumer thread only. The oldest node, or nullptr when empty (or a push is mid-way).
  mpsc_node* pop() noexcept {
    mpsc_node* tail = tail_;
    // acquire on every next load: pairs with the release store in push that linked the node.
    mpsc_node* next = tail->next.load(std::memory_order_acquire);
    if (tail == &stub_) {
      if (next == nullptr) return nullptr;
      tail_ = next;  // skip the stub
      tail = next;
      next = next->next.load(std::memory_order_acquire);
    }
    if (next != nullptr) {
      tail_ = next;
      return tail;
    }
    // tail is the last linked node. If it is not the newest, a producer is between its exchange
    // and its link: report empty for now. relaxed: only compared, never dereferenced.
    if (tail != head_.load(std::memory_order_relaxed)) return nullptr;
    // tail is the only node: push the stub behind it so tail can leave without emptying the list.
    push(&stub_);
    next = tail->next.load(std::memory_order_acquire);
    if (next != nullptr) {  // the stub, or a producer's node that got in before it
      tail_ = next;
      return tail;
    }
    return nullptr;  // a producer got in before the stub and has not linked yet
  }

  // The consumer thread only: no node is waiting (same caveat as pop).
  bool empty() const noexcept {
    const mpsc_node* tail = tail_;
    return tail == &stub_ && tail->next.load(std::memory_order_acquire) == nullptr;
  }

 private:
  mpsc_node stub_;
  // Producers' end. Its own cache line: every push hits it, the consumer's tail_ should not share.
  alignas(64) std::atomic<mpsc_node*> head_{&stub_};
  alignas(64) mpsc_node* tail_ = &stub_;  // consumer's end, touched by the consumer only
};

// Owning typed wrapper: push(T) from any thread, pop() -> std::optional<T> on the consumer. One
// allocation per push; the destructor frees whatever is still queued (call it with no producer
// left running).
template <class T>
class mpsc_inbox {
 public:
  mpsc_inbox() = default;
  mpsc_inbox(const mpsc_inbox&) = delete;
  mpsc_inbox& operator=(const mpsc_inbox&) = delete;
  ~mpsc_inbox() {
    while (pop()) {
    }
  }

  void push(T value) {
    auto owned = std::make_unique<item>(std::move(value));
    queue_.push(owned.release());  // the queue holds it until pop re-owns it
  }

  std::optional<T> pop() {
    mpsc_node* node = queue_.pop();
    if (node == nullptr) return std::nullopt;
    std::unique_ptr<item> owned(static_cast<item*>(node));
    return std::optional<T>(std::move(owned->value));
  }

  bool empty() const noexcept { return queue_.empty(); }

 private:
  struct item : mpsc_node {
    explicit item(T v) : value(std::move(v)) {}
    T value;
  };
  mpsc_queue queue_;
};

}  // namespace chorus::rooms
