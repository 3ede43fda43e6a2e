#pragma once

namespace chorus::server {

// Blocks SIGINT and SIGTERM in the calling thread; threads started afterwards inherit the mask,
// so the signals wait for wait_for_termination_signal() instead of killing a shard thread.
void block_termination_signals();
// Waits until SIGINT or SIGTERM arrives.
void wait_for_termination_signal();
// From now on the next SIGINT or SIGTERM ends the process at once (exit code 128 + signal),
// e.g. during a graceful shutdown that an operator wants cut short.
void exit_on_next_termination_signal();

}  // namespace chorus::server
