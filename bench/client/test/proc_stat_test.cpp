#include "bench/client/proc_stat.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace chorus::bench {
namespace {

TEST(ProcStat, SumsUtimeAndStime) {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  EXPECT_EQ(parse_stat_cpu_ticks("42 (chorus) S 1 42 42 0 -1 4194560 100 0 0 0 1234 567 0 0 20"),
            1801u);
}

TEST(ProcStat, CommandNamesWithSpacesAndParentheses) {
  EXPECT_EQ(parse_stat_cpu_ticks("7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 10 20 0 0"), 30u);
}

TEST(ProcStat, RefusesTruncatedOrMalformedText) {
  EXPECT_EQ(parse_stat_cpu_ticks(""), std::nullopt);
  EXPECT_EQ(parse_stat_cpu_ticks("1 (x) S 1 2 3"), std::nullopt);
  EXPECT_EQ(parse_stat_cpu_ticks("1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 5"), std::nullopt);
}

TEST(ProcStat, ReadsThisProcess) {
  volatile double sink = 0;
  for (int i = 0; i < 1'000'000; ++i) sink = sink + i;
  auto cpu = process_cpu_us(getpid());
  ASSERT_TRUE(cpu.has_value());
  EXPECT_GE(*cpu, 0.0);
  EXPECT_GT(self_cpu_us(), 0.0);
  EXPECT_EQ(process_cpu_us(-5), std::nullopt);
}

TEST(ProcStat, ParsesVmRss) {
  EXPECT_EQ(parse_status_rss_kib("Name:\tchorus\nVmPeak:\t  99 kB\nVmRSS:\t   12345 kB\n"), 12345u);
  EXPECT_EQ(parse_status_rss_kib("VmRSS: 7 kB\n"), 7u);
  EXPECT_EQ(parse_status_rss_kib("Name:\tx\nVmHWM:\t 5 kB\n"), std::nullopt);
  EXPECT_EQ(parse_status_rss_kib("VmRSS:\t  abc kB\n"), std::nullopt);
  EXPECT_EQ(parse_status_rss_kib("VmRSS:\t  12 MB\n"), std::nullopt);
}

TEST(ProcStat, ReadsThisProcessRss) {
  auto rss = process_rss_kib(getpid());
  ASSERT_TRUE(rss.has_value());
  EXPECT_GT(*rss, 0u);
  EXPECT_EQ(process_rss_kib(-5), std::nullopt);
  EXPECT_EQ(process_rss_kib(0), std::nullopt);
}

}  // namespace
}  // namespace chorus::bench
