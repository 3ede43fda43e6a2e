#include "bench/client/coordinator.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "bench/client/html_report.hpp"
#include "bench/client/proc_stat.hpp"
#include "bench/client/progress.hpp"
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

clock_type::duration seconds(double s) {
  return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

bool has_setup(scenario s) {
  return s == scenario::fanout || s == scenario::echo || s == scenario::churn;
}

class coordinator {
 public:
  explicit coordinator(const bench_options& o)
      : o_(o),
        shared_(o.workers, o.kind == scenario::fanout ? o.publishers : 0, o.in_flight),
        progress_(o.progress) {}
  ~coordinator() {
    reap(0s);
    for (int fd : wake_fds_) ::close(fd);
  }

  int run();

 private:
  bool start_workers();
  // Polls every few ms until done() or the deadline; false (with error_ set) on a failure.
  bool wait_until(const std::function<bool()>& done, clock_type::time_point deadline,
                  std::string_view timeout_message);
  void tick();
  std::optional<double> fraction();
  std::uint64_t sum(std::atomic<std::uint64_t> worker_slot::*field);
  bool all(std::atomic<int> worker_slot::*flag);
  std::uint64_t expected_for(std::uint64_t sent, std::uint64_t received) const;
  std::uint64_t setup_connections() const;
  bool measure();
  bool measure_idle();
  bool collect();
  bool check_health();
  bool has_pids() const { return !o_.server_pids.empty(); }
  // Reads every server process's RSS into `field` of its server_report (each reading also
  // raises the server's rss_max_kib; the per-second samples write rss_end_kib, which the last
  // reading overwrites); returns the sum, or nullopt when a process could not be read.
  std::optional<unsigned long long> read_rss(
      std::optional<unsigned long long> server_report::*field);
  std::vector<std::optional<double>> read_cpu() const;
  void reap(std::chrono::milliseconds grace);
  int fail();

  const bench_options& o_;
  shared_state shared_;
  std::vector<int> wake_fds_;
  std::vector<pid_t> children_;
  std::string error_;
  progress_bar progress_;
  run_report report_;
  std::string phase_ = "connect";
  bool measuring_ = false;
  clock_type::time_point start_{}, next_sample_{}, hold_from_{};
};

std::uint64_t coordinator::sum(std::atomic<std::uint64_t> worker_slot::*field) {
  std::uint64_t total = 0;
  for (unsigned i = 0; i < o_.workers; ++i) total += (shared_.worker(i).*field).load();
  return total;
}

bool coordinator::all(std::atomic<int> worker_slot::*flag) {
  for (unsigned i = 0; i < o_.workers; ++i) {
    if (!(shared_.worker(i).*flag).load(std::memory_order_acquire)) return false;
  }
  return true;
}

std::uint64_t coordinator::expected_for(std::uint64_t sent, std::uint64_t received) const {
  switch (o_.kind) {
    case scenario::fanout:
    case scenario::churn:
      return sent * o_.subscribers;
    case scenario::echo:
      return sent;
    case scenario::idle:
      return o_.connections;
    case scenario::connect:
      return received;  // every handshake begun either completes or fails the run
  }
  return 0;
}

std::uint64_t coordinator::setup_connections() const {
  switch (o_.kind) {
    case scenario::churn:
      return std::uint64_t{o_.rooms} * o_.subscribers + o_.publishers;
    case scenario::fanout:
    case scenario::echo:
      return o_.connection_count();
    default:
      return 0;
  }
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
  for (int pid : o_.server_pids) {
    if (kill(pid, 0) != 0 && errno == ESRCH) {
      error_ = fmt::format("the server (pid {}) is gone", pid);
      return false;
    }
  }
  return true;
}

std::optional<unsigned long long> coordinator::read_rss(
    std::optional<unsigned long long> server_report::*field) {
  std::optional<unsigned long long> total = 0;
  for (std::size_t i = 0; i < o_.server_pids.size(); ++i) {
    auto& server = report_.servers[i];
    auto rss = process_rss_kib(o_.server_pids[i]);
    server.*field = rss;
    if (rss) server.rss_max_kib = std::max(server.rss_max_kib.value_or(0), *rss);
    if (!rss) total.reset();
    if (total) *total += *rss;
  }
  return total;
}

std::vector<std::optional<double>> coordinator::read_cpu() const {
  std::vector<std::optional<double>> cpu;
  for (int pid : o_.server_pids) cpu.push_back(process_cpu_us(pid));
  return cpu;
}

std::optional<double> coordinator::fraction() {
  if (!measuring_) {
    auto total = setup_connections();
    if (total == 0) return std::nullopt;
    return static_cast<double>(sum(&worker_slot::joined)) / static_cast<double>(total);
  }
  double elapsed = seconds_since(start_);
  switch (o_.kind) {
    case scenario::idle:
      if (phase_ == "hold") return seconds_since(hold_from_) / o_.hold;
      return static_cast<double>(sum(&worker_slot::received)) / o_.connections;
    case scenario::connect:
      if (o_.duration > 0) return elapsed / o_.duration;
      return static_cast<double>(sum(&worker_slot::received)) / o_.connections;
    default:
      if (o_.duration > 0) return elapsed / o_.duration;
      if (o_.messages > 0) {
        return static_cast<double>(sum(&worker_slot::sent)) / static_cast<double>(o_.messages);
      }
      return std::nullopt;
  }
}

// Once a second during the measured phase: a sample; a few times a second: the progress line.
void coordinator::tick() {
  auto now = clock_type::now();
  if (measuring_ && now >= next_sample_) {
    sample s;
    s.t = std::chrono::duration<double>(now - start_).count();
    s.received = sum(&worker_slot::received);
    s.sent = sum(&worker_slot::sent);
    if (has_pids()) s.server_rss_kib = read_rss(&server_report::rss_end_kib);
    report_.samples.push_back(s);
    next_sample_ += 1s;
  }
  double rate = 0;
  const auto& samples = report_.samples;
  if (samples.size() >= 2) {
    const auto &a = samples[samples.size() - 2], &b = samples.back();
    rate = (b.received - a.received) / (b.t - a.t);
  } else if (measuring_ && seconds_since(start_) > 0) {
    rate = sum(&worker_slot::received) / seconds_since(start_);
  }
  progress_.show(format_progress(phase_, fraction(), measuring_ ? seconds_since(start_) : 0, rate,
                                 measuring_ ? received_label(o_.kind) : "connected"));
}

bool coordinator::wait_until(const std::function<bool()>& done, clock_type::time_point deadline,
                             std::string_view timeout_message) {
  for (;;) {
    if (!check_health()) return false;
    if (done()) return true;
    if (clock_type::now() >= deadline) {
      error_ = timeout_message;
      return false;
    }
    tick();
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
  progress_.clear();
  std::fprintf(stderr, "chorus-bench: %s\n", error_.c_str());
  return 1;
}

// idle: every connection up within --connect-timeout, then --hold seconds.
bool coordinator::measure_idle() {
  auto all_up = [&] { return sum(&worker_slot::received) >= o_.connections; };
  if (!wait_until(all_up, start_ + seconds(o_.connect_timeout),
                  "timed out connecting every connection")) {
    error_ += fmt::format(" ({} of {} up)", sum(&worker_slot::received), o_.connections);
    return false;
  }
  report_.seconds = seconds_since(start_);
  phase_ = "hold";
  hold_from_ = clock_type::now();
  auto held = [&] { return clock_type::now() >= hold_from_ + seconds(o_.hold); };
  if (!wait_until(held, hold_from_ + seconds(o_.hold) + 5s, "hold did not end")) return false;
  if (has_pids()) report_.rss_up_kib = read_rss(&server_report::rss_up_kib);
  return true;
}

// Until the workers stop sending (count reached, --duration over, or no progress for
// --drain-timeout while receipts are outstanding), then until every receipt is in or
// --drain-timeout passes.
bool coordinator::measure() {
  auto& ctl = shared_.control();
  auto send_deadline = start_ + seconds(o_.duration > 0 ? o_.duration : o_.max_time);
  auto stall_limit = seconds(o_.drain_timeout);
  std::uint64_t last_received = 0;
  auto last_progress = start_;
  auto stopped = [&] {
    auto now = clock_type::now();
    std::uint64_t received = sum(&worker_slot::received);
    bool outstanding = received < expected_for(sum(&worker_slot::sent), received);
    if (received != last_received || !outstanding) {
      last_received = received;
      last_progress = now;
    }
    if (now >= send_deadline || now - last_progress >= stall_limit) ctl.stop_sending.store(1);
    return all(&worker_slot::active_done);
  };
  auto bound = send_deadline + stall_limit + seconds(o_.handshake_timeout + o_.lifetime) + 5s;
  if (!wait_until(stopped, bound, "workers did not stop sending")) return false;
  ctl.stop_sending.store(1);
  if (o_.kind == scenario::connect) {
    report_.seconds = seconds_since(start_);
    return true;
  }
  phase_ = "drain";
  auto drained = [&] {
    std::uint64_t received = sum(&worker_slot::received);
    return received >= expected_for(sum(&worker_slot::sent), received);
  };
  bool complete =
      wait_until(drained, clock_type::now() + seconds(o_.drain_timeout), "drain timeout");
  if (!complete && error_ != "drain timeout") return false;
  error_.clear();
  report_.seconds = seconds_since(start_);
  return true;
}

// Stops the workers and gathers what they counted.
bool coordinator::collect() {
  shared_.control().stop.store(1);
  auto finish_deadline = clock_type::now() + 10s;
  while (!all(&worker_slot::finished) && clock_type::now() < finish_deadline) {
    std::this_thread::sleep_for(2ms);
  }
  if (!all(&worker_slot::finished)) {
    error_ = "workers did not report";
    return false;
  }
  for (unsigned i = 0; i < o_.workers; ++i) {
    auto& slot = shared_.worker(i);
    report_.latency_ns.merge(slot.latency_ns);
    report_.bench_cpu_us += slot.cpu_us;
    report_.receives_out_of_buffers += slot.receives_out_of_buffers;
    std::string io(slot.client_io, strnlen(slot.client_io, sizeof slot.client_io));
    if (report_.client_io.find(io) == std::string::npos)
      report_.client_io += report_.client_io.empty() ? io : "+" + io;
  }
  reap(10s);
  for (std::size_t s = 0; s < report_.servers.size(); ++s) {
    for (unsigned i = 0; i < o_.workers; ++i) {
      report_.servers[s].connections += shared_.worker(i).connections_per_server[s].load();
      report_.servers[s].received += shared_.worker(i).received_per_server[s].load();
    }
  }
  report_.sent = sum(&worker_slot::sent);
  report_.received = sum(&worker_slot::received);
  report_.expected = expected_for(report_.sent, report_.received);
  report_.lost = report_.expected > report_.received ? report_.expected - report_.received : 0;
  report_.out_of_order = sum(&worker_slot::out_of_order);
  report_.cycles = sum(&worker_slot::cycles);
  if (o_.kind == scenario::connect || o_.kind == scenario::idle) {
    report_.connections = report_.received;
  }
  for (std::uint64_t id = 0; id < report_.connections; ++id) {
    report_.polling_connections += uses_polling(id, o_.polling_share);
  }
  return true;
}

int coordinator::run() {
  auto& ctl = shared_.control();
  report_.options = o_;
  for (std::size_t i = 0; i < o_.servers.size(); ++i) {
    report_.servers.push_back(
        {.address = o_.servers[i].authority(), .pid = has_pids() ? o_.server_pids[i] : 0});
  }
  if (has_pids()) {
    report_.rss_start_kib = read_rss(&server_report::rss_start_kib);
    if (!report_.rss_start_kib) {
      for (int pid : o_.server_pids) {
        if (!process_rss_kib(pid)) error_ = fmt::format("cannot read /proc/{}/status", pid);
      }
      return fail();
    }
  }
  if (!start_workers()) return fail();

  auto begin = clock_type::now();
  if (has_setup(o_.kind)) {
    report_.connections = setup_connections();
    if (!wait_until([&] { return all(&worker_slot::ready); }, begin + seconds(o_.connect_timeout),
                    "timed out connecting and joining")) {
      error_ += fmt::format(" ({} of {} connected, {} joined)", sum(&worker_slot::connected),
                            report_.connections, sum(&worker_slot::joined));
      return fail();
    }
    report_.connect_seconds = seconds_since(begin);
    if (has_pids()) report_.rss_up_kib = read_rss(&server_report::rss_up_kib);
  }

  auto server_cpu_start = read_cpu();
  start_ = clock_type::now();
  next_sample_ = start_;  // a sample at 0 s
  measuring_ = true;
  phase_ = std::string(to_string(o_.kind));
  ctl.start.store(1);
  if (!(o_.kind == scenario::idle ? measure_idle() : measure())) return fail();

  auto server_cpu_end = read_cpu();
  double cpu_total = 0;
  bool cpu_of_all = has_pids();
  for (std::size_t i = 0; i < server_cpu_end.size(); ++i) {
    if (!server_cpu_start[i] || !server_cpu_end[i]) {
      cpu_of_all = false;
      continue;
    }
    report_.servers[i].cpu_us = *server_cpu_end[i] - *server_cpu_start[i];
    cpu_total += *report_.servers[i].cpu_us;
  }
  if (cpu_of_all) report_.server_cpu_us = cpu_total;
  next_sample_ = clock_type::now();
  tick();  // the last, partial second
  if (has_pids()) {
    report_.rss_end_kib = read_rss(&server_report::rss_end_kib);
    for (const auto& s : report_.samples) {
      if (s.server_rss_kib)
        report_.rss_max_kib = std::max(report_.rss_max_kib.value_or(0), *s.server_rss_kib);
    }
  }
  if (!collect()) return fail();

  progress_.clear();
  std::string text = o_.json ? format_json(report_) : format_text(report_);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (!o_.html.empty()) {
    std::string html = format_html(report_);
    std::FILE* f = std::fopen(o_.html.c_str(), "w");
    if (!f || std::fwrite(html.data(), 1, html.size(), f) != html.size() || std::fclose(f) != 0) {
      std::fprintf(stderr, "chorus-bench: cannot write %s\n", o_.html.c_str());
      return 1;
    }
  }
  if (report_.lost > 0) {
    std::fprintf(stderr, "chorus-bench: %llu %s lost\n",
                 static_cast<unsigned long long>(report_.lost), received_label(o_.kind));
    return 1;
  }
  return 0;
}

}  // namespace

int run_bench(const bench_options& options) {
  if (!options.html.empty()) {
    // Fail before the run, not after it, when the report cannot be written.
    std::FILE* f = std::fopen(options.html.c_str(), "a");
    if (!f) {
      std::fprintf(stderr, "chorus-bench: cannot write --html %s: %s\n", options.html.c_str(),
                   std::strerror(errno));
      return 2;
    }
    std::fclose(f);
  }
  raise_open_file_limit();
  signal(SIGPIPE, SIG_IGN);
  coordinator c(options);
  return c.run();
}

}  // namespace chorus::bench
