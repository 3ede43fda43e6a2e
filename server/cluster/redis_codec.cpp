#include "server/cluster/redis_codec.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <algorithm>
#include <array>
#include <new>
#include <stdexcept>
#include <vector>

namespace chorus::server::cluster {

void append_redis_command(std::string& out, std::span<const std::string_view> argv) {
  constexpr std::size_t inline_args = 16;
  std::array<const char*, inline_args> small_args;
  std::array<std::size_t, inline_args> small_lengths;
  std::vector<const char*> large_args;
  std::vector<std::size_t> large_lengths;
  const char** args = small_args.data();
  std::size_t* lengths = small_lengths.data();
  if (argv.size() > inline_args) {
    large_args.resize(argv.size());
    large_lengths.resize(argv.size());
    args = large_args.data();
    lengths = large_lengths.data();
  }
  for (std::size_t i = 0; i < argv.size(); ++i) {
    args[i] = argv[i].data();
    lengths[i] = argv[i].size();
  }
  char* command = nullptr;
  int size = redisFormatCommandArgv(&command, static_cast<int>(argv.size()), args, lengths);
  if (size < 0) throw std::bad_alloc();
  out.append(command, static_cast<std::size_t>(size));
  redisFreeCommand(command);
}

// The reply tree is built in place by hiredis's callbacks: the root on the heap, every other
// node an element of its parent's vector. Only the innermost open array grows (its ancestors'
// vectors are not touched until it is complete), so the pointers hiredis keeps to open arrays
// stay valid while elements are appended.
struct redis_reader::impl {
  redisReader* reader = nullptr;
  redis_reader_limits limits;
  std::size_t elements = 0;  // in the reply being read
  std::size_t string_bytes = 0;
  std::string limit_error;  // set by a callback that refused a node

  static redis_reply::kind kind_of(int type) {
    switch (type) {
      case REDIS_REPLY_STRING:
        return redis_reply::kind::string;
      case REDIS_REPLY_STATUS:
        return redis_reply::kind::status;
      case REDIS_REPLY_ERROR:
        return redis_reply::kind::error;
      case REDIS_REPLY_INTEGER:
        return redis_reply::kind::integer;
      case REDIS_REPLY_ARRAY:
        return redis_reply::kind::array;
      default:
        return redis_reply::kind::nil;
    }
  }

  // The reader's state, its counters reset when a reply's root is created.
  static impl& self(const redisReadTask* task) {
    auto& state = *static_cast<impl*>(task->privdata);
    if (task->parent == nullptr) {
      state.elements = 0;
      state.string_bytes = 0;
    }
    return state;
  }

  // The node for `task`: a new root, or the next element of its parent array.
  static redis_reply* node(const redisReadTask* task, int type) {
    redis_reply* reply;
    if (task->parent == nullptr) {
      reply = new (std::nothrow) redis_reply;
      if (reply == nullptr) return nullptr;
    } else {
      auto* parent = static_cast<redis_reply*>(task->parent->obj);
      parent->elements.emplace_back();
      reply = &parent->elements.back();
    }
    reply->type = kind_of(type);
    return reply;
  }

  static void* create_string(const redisReadTask* task, char* data, size_t size) {
    auto& state = self(task);
    if (state.string_bytes + size > state.limits.max_string_bytes) {
      state.limit_error =
          fmt::format("a reply with more than {} bytes of strings", state.limits.max_string_bytes);
      return nullptr;
    }
    redis_reply* reply = node(task, task->type);
    if (reply == nullptr) return nullptr;
    reply->str.assign(data, size);
    state.string_bytes += size;
    return reply;
  }

  // `count` is what the server announced: it is checked before anything is reserved, and at
  // most 1024 elements are reserved ahead of their arrival.
  static void* create_array(const redisReadTask* task, int count) {
    auto& state = self(task);
    auto announced = static_cast<std::size_t>(count);
    if (state.elements + announced > state.limits.max_elements) {
      state.limit_error =
          fmt::format("a reply with more than {} elements", state.limits.max_elements);
      return nullptr;
    }
    redis_reply* reply = node(task, REDIS_REPLY_ARRAY);
    if (reply == nullptr) return nullptr;
    state.elements += announced;
    reply->elements.reserve(std::min<std::size_t>(announced, 1024));
    return reply;
  }

  static void* create_integer(const redisReadTask* task, long long value) {
    self(task);
    redis_reply* reply = node(task, REDIS_REPLY_INTEGER);
    if (reply != nullptr) reply->integer = value;
    return reply;
  }

  static void* create_nil(const redisReadTask* task) {
    self(task);
    return node(task, REDIS_REPLY_NIL);
  }

  static void free_object(void* root) { delete static_cast<redis_reply*>(root); }

  static redisReplyObjectFunctions functions;
};

redisReplyObjectFunctions redis_reader::impl::functions = {
    &impl::create_string, &impl::create_array, &impl::create_integer, &impl::create_nil,
    &impl::free_object};

redis_reader::redis_reader(redis_reader_limits limits) : impl_(std::make_unique<impl>()) {
  impl_->limits = limits;
  impl_->reader = redisReaderCreateWithFunctions(&impl::functions);
  if (impl_->reader == nullptr) throw std::bad_alloc();
  impl_->reader->privdata = impl_.get();
}

redis_reader::~redis_reader() {
  redisReaderFree(impl_->reader);
}

std::size_t redis_reader::buffered() const {
  return impl_->reader->len - impl_->reader->pos;
}

bool redis_reader::feed(const char* data, std::size_t size) {
  if (!error_.empty()) return false;
  if (redisReaderFeed(impl_->reader, data, size) != REDIS_OK) {
    error_ = impl_->reader->errstr;
    return false;
  }
  return true;
}

std::optional<redis_reply> redis_reader::next() {
  if (!error_.empty()) return std::nullopt;
  void* root = nullptr;
  if (redisReaderGetReply(impl_->reader, &root) != REDIS_OK) {
    error_ = impl_->limit_error.empty() ? std::string(impl_->reader->errstr) : impl_->limit_error;
    return std::nullopt;
  }
  if (root == nullptr) {
    if (buffered() > impl_->limits.max_buffered_bytes) {
      error_ = fmt::format("a reply larger than {} bytes", impl_->limits.max_buffered_bytes);
    }
    return std::nullopt;
  }
  std::unique_ptr<redis_reply> owned(static_cast<redis_reply*>(root));
  return std::move(*owned);
}

}  // namespace chorus::server::cluster
