#include "server/signals.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <thread>

namespace chorus::server {
namespace {

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

int wait_for_signal() {
  sigset_t set = termination_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int received = 0;
  sigwait(&set, &received);
  return received;
}

}  // namespace

void block_termination_signals() {
  sigset_t set = termination_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void wait_for_termination_signal() {
  wait_for_signal();
}

void exit_on_next_termination_signal() {
  // Detached: it outlives main() only while the process is ending anyway.
  std::thread([] {
    int received = wait_for_signal();
    spdlog::warn("second signal ({}): exiting without finishing the shutdown", received);
    spdlog::default_logger()->flush();
    std::_Exit(128 + received);
  }).detach();
}

}  // namespace chorus::server
