#pragma once

// CPU time of a process from /proc/<pid>/stat, and of this process from getrusage; resident
// memory from /proc/<pid>/status.

#include <sys/types.h>

#include <optional>
#include <string_view>

namespace chorus::bench {

// utime + stime in clock ticks from the text of /proc/<pid>/stat (fields 14 and 15, counted
// after the parenthesised command name, which may itself hold spaces and parentheses).
std::optional<unsigned long long> parse_stat_cpu_ticks(std::string_view stat);

// utime + stime of `pid` in microseconds; nullopt if the process is gone or unreadable.
std::optional<double> process_cpu_us(pid_t pid);

// This process's user + system CPU time in microseconds.
double self_cpu_us();

// The VmRSS line of /proc/<pid>/status, in KiB ("VmRSS:\t  12345 kB").
std::optional<unsigned long long> parse_status_rss_kib(std::string_view status);

// VmRSS of `pid` in KiB; nullopt if the process is gone or unreadable.
std::optional<unsigned long long> process_rss_kib(pid_t pid);

}  // namespace chorus::bench
