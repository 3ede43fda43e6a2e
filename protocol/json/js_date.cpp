#include "protocol/json/js_date.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace chorus::protocol::json {
namespace {

constexpr double max_time_value = 8.64e15;
constexpr std::int64_t ms_per_day = 86'400'000;

struct civil_date {
  std::int64_t year;
  unsigned month;  // 1…12
  unsigned day;    // 1…31
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
civil_date civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
  return {year, month, day};
}

}  // namespace

double js_time_clip(double time_value) {
  if (!std::isfinite(time_value) || std::fabs(time_value) > max_time_value) return NAN;
  return std::trunc(time_value) + 0.0;  // + 0.0 turns -0 into +0
}

void append_js_date_json(std::string& out, double time_value) {
  if (std::isnan(time_value)) {
    out += "null";
    return;
  }
  const auto t = static_cast<std::int64_t>(time_value);
  std::int64_t days = t / ms_per_day;
  std::int64_t ms_of_day = t % ms_per_day;
  if (ms_of_day < 0) {
    ms_of_day += ms_per_day;
    --days;
  }
  const civil_date date = civil_from_days(days);
  out += '"';
  if (date.year >= 0 && date.year <= 9999) {
    fmt::format_to(std::back_inserter(out), "{:04}", date.year);
  } else {
    fmt::format_to(std::back_inserter(out), "{}{:06}", date.year < 0 ? '-' : '+',
                   std::llabs(date.year));
  }
  const std::int64_t ms = ms_of_day % 1000;
  const std::int64_t seconds = ms_of_day / 1000;
  fmt::format_to(std::back_inserter(out), "-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\"", date.month,
                 date.day, seconds / 3600, seconds / 60 % 60, seconds % 60, ms);
}

}  // namespace chorus::protocol::json
