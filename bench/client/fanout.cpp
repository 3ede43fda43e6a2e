#include "bench/client/fanout.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "bench/client/proc_stat.hpp"
#include "bench/client/report.hpp"
#include "bench/client/shared_state.hpp"
#include "bench/client/worker.hpp"

namespace chorus::bench {

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

class coordinator {
 public:
  explicit coordinator(const fanout_options& o)
      : o_(o), shared_(o.workers, o.publishers, o.in_flight) {}
  ~coordinator() {
    reap(0s);
    for (int fd : wake_fds_) ::close(fd);
  }

  int run();

 private:
  bool start_workers();
  // Polls every few ms until done() or the deadline; false (with error_ set) on a failure.
  bool wait_until(const std::function<bool()>& done, clock_type::time_point deadline,
                  const char* timeout_message);
  std::uint64_t sum(std::atomic<std::uint64_t> worker_slot::*field);
  bool check_health();
  void reap(std::chrono::milliseconds grace);
  int fail();

  const fanout_options& o_;
  shared_state shared_;
  std::vector<int> wake_fds_;
  std::vector<pid_t> children_;
  std::string error_;
};

std::uint64_t coordinator::sum(std::atomic<std::uint64_t> worker_slot::*field) {
  std::uint64_t total = 0;
  for (unsigned i = 0; i < o_.workers; ++i) total += (shared_.worker(i).*field).load();
  return total;
}

bool coordinator::start_workers() {
  for (unsigned i = 0; i < o_.workers; ++i) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
      error_ = "eventfd failed";
      return false;
    }
    wake_fds_.push_back(fd);
  }
  std::fflush(nullptr);
  for (unsigned i = 0; i < o_.workers; ++i) {
    pid_t pid = fork();
    if (pid < 0) {
      error_ = "fork failed";
      return false;
    }
    if (pid == 0) {
      int code = run_worker(o_, shared_, i, wake_fds_);
      std::fflush(nullptr);
      std::_Exit(code);
    }
    children_.push_back(pid);
  }
  return true;
}

bool coordinator::check_health() {
  for (unsigned i = 0; i < o_.workers; ++i) {
    auto& slot = shared_.worker(i);
    if (slot.failures.load() > 0) {
      // Let the first error be written.
      for (int spin = 0; spin < 100 && slot.error[0] == '\0'; ++spin)
        std::this_thread::sleep_for(1ms);
      error_ = fmt::format("{} connection failure(s); first: {}", sum(&worker_slot::failures),
                           slot.error);
      return false;
    }
  }
  for (pid_t& pid : children_) {
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      error_ = "a worker process ended early";
      return false;
    }
  }
  return true;
}

bool coordinator::wait_until(const std::function<bool()>& done, clock_type::time_point deadline,
                             const char* timeout_message) {
  for (;;) {
    if (!check_health()) return false;
    if (done()) return true;
    if (clock_type::now() >= deadline) {
      error_ = timeout_message;
      return false;
    }
    std::this_thread::sleep_for(2ms);
  }
}

void coordinator::reap(std::chrono::milliseconds grace) {
  auto deadline = clock_type::now() + grace;
  for (pid_t& pid : children_) {
    if (pid <= 0) continue;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (clock_type::now() >= deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(2ms);
    }
    pid = -1;
  }
}

int coordinator::fail() {
  shared_.control().abort.store(1);
  reap(5s);
  std::fprintf(stderr, "chorus-bench: %s\n", error_.c_str());
  return 1;
}

int coordinator::run() {
  auto& ctl = shared_.control();
  if (!start_workers()) return fail();

  auto begin = clock_type::now();
  auto connect_deadline = begin + std::chrono::duration_cast<clock_type::duration>(
                                      std::chrono::duration<double>(o_.connect_timeout));
  auto all_ready = [&] {
    for (unsigned i = 0; i < o_.workers; ++i) {
      if (!shared_.worker(i).ready.load()) return false;
    }
    return true;
  };
  if (!wait_until(all_ready, connect_deadline, "timed out connecting and joining")) {
    error_ += fmt::format(" ({} of {} connected, {} joined)", sum(&worker_slot::connected),
                          o_.connections(), sum(&worker_slot::joined));
    return fail();
  }

  fanout_report report;
  report.options = o_;
  report.connect_seconds = seconds_since(begin);
  std::optional<double> server_cpu_start;
  if (o_.server_pid > 0) {
    server_cpu_start = process_cpu_us(o_.server_pid);
    if (!server_cpu_start) {
      error_ = fmt::format("cannot read /proc/{}/stat", o_.server_pid);
      return fail();
    }
  }
  auto start = clock_type::now();
  ctl.start.store(1);

  auto max_sending = std::chrono::duration<double>(o_.duration > 0 ? o_.duration : o_.max_time);
  auto send_deadline = start + std::chrono::duration_cast<clock_type::duration>(max_sending);
  // A window that stops moving (a message lost on the way) stops the sending after
  // --drain-timeout without progress, so a loss is reported rather than waited out.
  auto stall_limit = std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(o_.drain_timeout));
  std::uint64_t last_deliveries = 0;
  auto last_progress = start;
  auto publishers_done = [&] {
    auto now = clock_type::now();
    std::uint64_t deliveries = sum(&worker_slot::deliveries);
    if (deliveries != last_deliveries) {
      last_deliveries = deliveries;
      last_progress = now;
    }
    if (now >= send_deadline || now - last_progress >= stall_limit) ctl.stop_sending.store(1);
    return sum(&worker_slot::publishers_done) == o_.publishers;
  };
  if (!wait_until(publishers_done, send_deadline + stall_limit + 5s, "publishers did not stop")) {
    return fail();
  }

  auto drain_deadline = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                                std::chrono::duration<double>(o_.drain_timeout));
  auto drained = [&] {
    return sum(&worker_slot::deliveries) >= sum(&worker_slot::sent) * o_.subscribers;
  };
  bool complete = wait_until(drained, drain_deadline, "drain timeout");
  if (!complete && error_ != "drain timeout") return fail();
  report.seconds = seconds_since(start);
  if (o_.server_pid > 0) {
    auto end_cpu = process_cpu_us(o_.server_pid);
    if (end_cpu) report.server_cpu_us = *end_cpu - *server_cpu_start;
  }

  ctl.stop.store(1);
  auto finished = [&] {
    for (unsigned i = 0; i < o_.workers; ++i) {
      if (!shared_.worker(i).finished.load(std::memory_order_acquire)) return false;
    }
    return true;
  };
  auto finish_deadline = clock_type::now() + 10s;
  while (!finished() && clock_type::now() < finish_deadline) std::this_thread::sleep_for(2ms);
  if (!finished()) {
    error_ = "workers did not report";
    return fail();
  }
  for (unsigned i = 0; i < o_.workers; ++i) {
    auto& slot = shared_.worker(i);
    report.latency_ns.merge(slot.latency_ns);
    report.bench_cpu_us += slot.cpu_us;
  }
  reap(10s);

  report.sent = sum(&worker_slot::sent);
  report.deliveries = sum(&worker_slot::deliveries);
  report.expected = report.sent * o_.subscribers;
  report.lost = report.expected > report.deliveries ? report.expected - report.deliveries : 0;
  report.out_of_order = sum(&worker_slot::out_of_order);
  std::string text = o_.json ? format_json(report) : format_text(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (report.lost > 0) {
    std::fprintf(stderr, "chorus-bench: %llu deliveries lost\n",
                 static_cast<unsigned long long>(report.lost));
    return 1;
  }
  return 0;
}

}  // namespace

int run_fanout(const fanout_options& options) {
  raise_open_file_limit();
  signal(SIGPIPE, SIG_IGN);
  coordinator c(options);
  return c.run();
}

}  // namespace chorus::bench
