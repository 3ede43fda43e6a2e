#pragma once

// A self-contained HTML report: the summary, a latency histogram and throughput (and server
// RSS) over time as inline SVG. No scripts, styles or fonts from elsewhere: it works offline.

#include <string>

#include "bench/client/report.hpp"

namespace chorus::bench {

std::string format_html(const run_report& r);

}  // namespace chorus::bench
