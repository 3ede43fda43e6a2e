#include "server/http/access_log.hpp"

#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/sink.h>

#include <array>

#include "server/http/query.hpp"
#include "server/log_format.hpp"

namespace chorus::server::http {

namespace {

constexpr std::size_t queue_lines = 8192;

}  // namespace

std::string loggable_target(std::string_view target) {
  std::string out(path_of(target));
  char separator = '?';
  for (std::string_view name : std::array<std::string_view, 3>{"EIO", "transport", "sid"}) {
    auto at = target.find('?');
    if (at == std::string_view::npos) break;
    // Only a parameter that is present (query_param gives "" both for absent and empty).
    std::string_view query = target.substr(at);
    std::string key = fmt::format("{}=", name);
    if (query.find("?" + key) == std::string_view::npos &&
        query.find("&" + key) == std::string_view::npos)
      continue;
    out += separator;
    out += key;
    out += query_param(target, name);
    separator = '&';
  }
  return out;
}

access_log::access_log(spdlog::sink_ptr sink, bool json)
    : pool_(std::make_shared<spdlog::details::thread_pool>(queue_lines, 1)), json_(json) {
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));  // lines come whole
  logger_ = std::make_shared<spdlog::async_logger>("access", std::move(sink), pool_,
                                                   spdlog::async_overflow_policy::overrun_oldest);
  logger_->set_level(spdlog::level::info);
  logger_->flush_on(spdlog::level::info);  // on the background thread: a tail -f sees each line
}

access_log::~access_log() {
  logger_->flush();
  // Drains the queue and joins the writer thread before the logger and its sink are destroyed
  // here: the thread's last use of them then happens before (a join, which ThreadSanitizer sees;
  // the reference it drops inside libspdlog is not instrumented).
  pool_.reset();
}

void access_log::write(const access_entry& entry) const {
  std::string line;
  line.reserve(256);
  std::string target = loggable_target(entry.target);
  if (json_) {
    line += "{\"ts\":\"";
    append_utc_timestamp(line, std::chrono::system_clock::now());
    line += "\",\"level\":\"info\",\"msg\":\"http request\",\"remote\":";
    append_json_string(line, entry.remote);
    line += ",\"method\":";
    append_json_string(line, entry.method);
    line += ",\"target\":";
    append_json_string(line, target);
    fmt::format_to(std::back_inserter(line), ",\"status\":{},\"bytes\":{},\"duration_us\":{}",
                   entry.status, entry.bytes, entry.duration.count());
    line += ",\"transport\":";
    append_json_string(line, entry.transport);
    line += '}';
  } else {
    append_utc_timestamp(line, std::chrono::system_clock::now());
    // The target goes in quotes with its own quotes and backslashes escaped, as in JSON.
    line += ' ';
    line += entry.remote;
    line += ' ';
    line += entry.method;
    line += ' ';
    append_json_string(line, target);
    fmt::format_to(std::back_inserter(line), " {} {} {}us {}", entry.status, entry.bytes,
                   entry.duration.count(), entry.transport);
  }
  logger_->info(line);
}

}  // namespace chorus::server::http
