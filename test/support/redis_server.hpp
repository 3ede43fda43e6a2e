#pragma once

// A private redis-server for a test: a child process on a free loopback port, no persistence,
// killed when the object goes (and by the kernel if the test process dies first). Never the
// system service.
//
//   chorus::test::redis_server redis;             // started, answering
//   redis.url()  → "redis://127.0.0.1:<port>"
//   redis.stop(); redis.restart();                // same port
//
// The binary is $CHORUS_REDIS_SERVER, else redis-server on the PATH. Its log goes to
// log_path(), removed by the destructor (a start that fails throws and names the file, kept).
// url() does not percent-encode the password: use plain ones in tests.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace chorus::test {

class redis_server {
 public:
  struct options {
    std::string password;                 // --requirepass, and AUTH for the readiness check
    std::vector<std::string> extra_args;  // more redis-server arguments ("--databases", "4")
  };

  redis_server() : redis_server(options{}) {}
  explicit redis_server(options opts) : options_(std::move(opts)) {
    binary_ = find_binary();
    for (int attempt = 0; attempt < 10; ++attempt) {
      port_ = free_port();
      if (spawn_and_wait()) return;
    }
    throw std::runtime_error("redis_server: could not start redis-server on a free port (see " +
                             log_path() + ")");
  }
  ~redis_server() {
    stop();
    std::error_code ignored;
    std::filesystem::remove(log_path(), ignored);
  }
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const {
    std::string auth = options_.password.empty() ? "" : ":" + options_.password + "@";
    return "redis://" + auth + "127.0.0.1:" + std::to_string(port_);
  }
  std::string log_path() const {
    return (std::filesystem::temp_directory_path() /
            ("chorus-redis-" + std::to_string(::getpid()) + "-" + std::to_string(port_) + ".log"))
        .string();
  }
  bool running() const { return pid_ > 0; }

  // SIGTERM, then SIGKILL if it has not exited within 5 s.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (!reap(std::chrono::seconds(5))) {
      ::kill(pid_, SIGKILL);
      reap(std::chrono::seconds(5));
    }
    pid_ = -1;
  }

  // Stops (if running) and starts again on the same port; throws if it does not come back.
  void restart() {
    stop();
    for (int attempt = 0; attempt < 20; ++attempt) {  // the port may linger a moment
      if (spawn_and_wait()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("redis_server: could not restart redis-server on port " +
                             std::to_string(port_) + " (see " + log_path() + ")");
  }

 private:
  static std::string find_binary() {
    if (const char* configured = std::getenv("CHORUS_REDIS_SERVER")) return configured;
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
      auto end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::filesystem::path candidate =
          std::filesystem::path(dirs.substr(start, end - start)) / "redis-server";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      start = end + 1;
    }
    throw std::runtime_error(
        "redis_server: redis-server not found (install redis-server, or "
        "set CHORUS_REDIS_SERVER)");
  }

  // A port the kernel just handed out on 127.0.0.1; someone may take it before redis-server
  // binds it, which spawn_and_wait() notices (the child exits, or another process answers).
  static std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t size = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error(std::string("redis_server: no free port: ") + std::strerror(errno));
    }
    ::close(fd);
    return ntohs(address.sin_port);
  }

  // Starts the child and waits (10 s at most) until it answers INFO with its own process id.
  bool spawn_and_wait() {
    std::vector<std::string> args = {"redis-server",
                                     "--port",
                                     std::to_string(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no",
                                     "--daemonize",
                                     "no",
                                     "--dir",
                                     std::filesystem::temp_directory_path().string(),
                                     "--logfile",
                                     log_path()};
    if (!options_.password.empty()) {
      args.push_back("--requirepass");
      args.push_back(options_.password);
    }
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    pid_t parent = ::getpid();
    pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("redis_server: fork failed");
    if (child == 0) {
      // Only async-signal-safe calls between fork and exec.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      int null = ::open("/dev/null", O_RDWR);
      if (null >= 0) {
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
      }
      ::execv(binary_.c_str(), argv.data());
      ::_exit(127);
    }
    pid_ = child;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: port taken, bad argument…
        pid_ = -1;
        return false;
      }
      if (answers_as_child()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    return false;
  }

  // AUTH (if any) and INFO server over a blocking socket; true when the answer names our child
  // (another process on the port answers with another pid).
  bool answers_as_child() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    timeval bound{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port_);
    bool ours = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      std::string request;
      if (!options_.password.empty()) request += "AUTH " + options_.password + "\r\n";
      request += "INFO server\r\n";
      if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
        std::string answer;
        char chunk[4096];
        const std::string wanted = "process_id:" + std::to_string(pid_) + "\r\n";
        while (answer.find(wanted) == std::string::npos && answer.size() < 64 * 1024) {
          ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
          if (got <= 0) break;
          answer.append(chunk, static_cast<std::size_t>(got));
        }
        ours = answer.find(wanted) != std::string::npos;
      }
    }
    ::close(fd);
    return ours;
  }

  bool reap(std::chrono::milliseconds bound) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_ || (done < 0 && errno == ECHILD)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  options options_;
  std::string binary_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace chorus::test
