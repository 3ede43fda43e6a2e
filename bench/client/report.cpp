#include "bench/client/report.hpp"

#include <fmt/format.h>

namespace chorus::bench {

namespace {

double per_second(std::uint64_t n, double seconds) {
  return seconds > 0 ? n / seconds : 0;
}
double per_delivery(double us, std::uint64_t deliveries) {
  return deliveries ? us / static_cast<double>(deliveries) : 0;
}
double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

}  // namespace

std::string format_text(const fanout_report& r) {
  const auto& o = r.options;
  const auto& h = r.latency_ns;
  std::string out = fmt::format(
      "fanout: {} rooms × {} subscribers, {} publishers, {} B payload, {} in flight, {} workers\n"
      "connect+join   {:.2f} s ({} connections)\n"
      "measured       {:.3f} s\n"
      "messages sent  {}\n"
      "deliveries     {} of {} expected\n"
      "deliveries/s   {:.0f}\n"
      "lost           {}\n"
      "out of order   {}\n"
      "latency µs     p50 {:.0f}  p90 {:.0f}  p99 {:.0f}  p99.9 {:.0f}  max {:.0f}\n"
      "bench CPU      {:.3f} s ({:.3f} µs per delivery)\n",
      o.rooms, o.subscribers, o.publishers, o.payload, o.in_flight, o.workers, r.connect_seconds,
      o.connections(), r.seconds, r.sent, r.deliveries, r.expected,
      per_second(r.deliveries, r.seconds), r.lost, r.out_of_order, us(h.percentile(50)),
      us(h.percentile(90)), us(h.percentile(99)), us(h.percentile(99.9)), us(h.max()),
      r.bench_cpu_us / 1e6, per_delivery(r.bench_cpu_us, r.deliveries));
  if (r.server_cpu_us) {
    out += fmt::format("server CPU     {:.3f} s ({:.3f} µs per delivery)\n", *r.server_cpu_us / 1e6,
                       per_delivery(*r.server_cpu_us, r.deliveries));
  }
  return out;
}

std::string format_json(const fanout_report& r) {
  const auto& o = r.options;
  const auto& h = r.latency_ns;
  std::string server = r.server_cpu_us ? fmt::format("{:.1f}", *r.server_cpu_us) : "null";
  std::string server_per = r.server_cpu_us
                               ? fmt::format("{:.4f}", per_delivery(*r.server_cpu_us, r.deliveries))
                               : "null";
  return fmt::format(
      "{{\"scenario\":\"fanout\",\"rooms\":{},\"subscribers\":{},\"publishers\":{},"
      "\"payload\":{},\"in_flight\":{},\"workers\":{},\"connections\":{},"
      "\"connect_seconds\":{:.3f},\"seconds\":{:.4f},\"sent\":{},\"deliveries\":{},"
      "\"expected\":{},\"deliveries_per_second\":{:.1f},\"lost\":{},\"out_of_order\":{},"
      "\"latency_us\":{{\"p50\":{:.1f},\"p90\":{:.1f},\"p99\":{:.1f},\"p999\":{:.1f},"
      "\"max\":{:.1f},\"mean\":{:.1f}}},\"bench_cpu_us\":{:.1f},"
      "\"bench_cpu_per_delivery_us\":{:.4f},\"server_cpu_us\":{},"
      "\"server_cpu_per_delivery_us\":{}}}\n",
      o.rooms, o.subscribers, o.publishers, o.payload, o.in_flight, o.workers, o.connections(),
      r.connect_seconds, r.seconds, r.sent, r.deliveries, r.expected,
      per_second(r.deliveries, r.seconds), r.lost, r.out_of_order, us(h.percentile(50)),
      us(h.percentile(90)), us(h.percentile(99)), us(h.percentile(99.9)), us(h.max()),
      h.mean() / 1000.0, r.bench_cpu_us, per_delivery(r.bench_cpu_us, r.deliveries), server,
      server_per);
}

}  // namespace chorus::bench
