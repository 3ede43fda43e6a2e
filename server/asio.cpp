#include "server/asio.hpp"

#include <spdlog/spdlog.h>

namespace chorus::server {

void log_coroutine_exception(std::exception_ptr error, const char* what) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::error("{}: {}", what, e.what());
  } catch (...) {
    spdlog::error("{}: unknown exception", what);
  }
}

}  // namespace chorus::server
