#pragma once

#include <span>

#include "server/fanout/broadcast_job.hpp"

namespace chorus::server::fanout {

class shard_hub;

// What numbers broadcasts on their way to the hubs (connection state recovery's log,
// recovery::state_recovery): a numbered broadcast must reach every hub in number order, so the
// numbering side also posts it. Any thread.
class broadcast_numbering {
 public:
  // Whether `job` is numbered here; the adapter delivers any other as it is.
  virtual bool numbers(const broadcast_job& job) const = 0;
  // Numbers `job` and hands it to every hub; `origin` (the caller's hub, or null) may deliver it
  // at once.
  virtual void deliver_numbered(const broadcast_job& job, shard_hub* origin,
                                std::span<shard_hub* const> hubs) = 0;

 protected:
  ~broadcast_numbering() = default;  // not owned through this interface
};

}  // namespace chorus::server::fanout
