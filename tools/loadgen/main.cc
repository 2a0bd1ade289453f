// loadgen: drives a running `disclose serve` over HTTP and reports throughput and latency
// (issue #6). See README.md, "Load generator".
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "loadgen/driver.h"

int main(int argc, char** argv) {
  loadgen::Options o;
  CLI::App app{"loadgen: load generator for the Disclose HTTP API"};
  app.add_option("--url", o.target.url, "the server, http://HOST:PORT")->capture_default_str();
  app.add_option("--url-file", o.target.url_file,
                 "a file holding the server's URL, read again before every connection attempt "
                 "(a server restarted on another port)");
  app.add_option("--token", o.token, "an admin token with scope all (default: $DISCLOSE_TOKEN)");
  app.add_option("--scenario", o.scenario, "lifecycle | read | overdue | mixed")
      ->check(CLI::IsMember({"lifecycle", "read", "overdue", "mixed"}))
      ->capture_default_str();
  app.add_option("--connections,-c", o.connections, "keep-alive connections")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "threads running the io_context")
      ->check(CLI::Range(1, 2))
      ->capture_default_str();
  auto* duration = app.add_option("--duration", o.duration_seconds, "seconds to run")
                       ->check(CLI::PositiveNumber)
                       ->capture_default_str();
  app.add_option("--requests", o.requests, "stop after this many requests instead of a duration")
      ->check(CLI::PositiveNumber)
      ->excludes(duration);
  app.add_option("--rate", o.rate,
                 "reads per second on a fixed timetable (open loop); latency counts from each "
                 "request's scheduled time. Default: closed loop")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.add_option(
      "--record", o.record_file,
      "append one line per acknowledged case write: method, path, case, version, action");
  app.add_option("--cases", o.cases, "cases registered before a read, overdue or mixed run")
      ->check(CLI::Range(int64_t(1), int64_t(10000000)))
      ->capture_default_str();
  app.add_option("--correction-share", o.correction_share,
                 "share of lifecycle cases with a correction (补正) request")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--extension-share", o.extension_share,
                 "share of lifecycle cases with an extension")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--overdue-share", o.overdue_share,
                 "share of lifecycle cases received 60 days ago (their deadlines long past, so "
                 "the server's timers remind and expire them)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_flag("--expect-disconnects", o.expect_disconnects,
               "connection failures do not fail the run (the server is being killed)");
  int timeout_ms = int(o.timeout.count());
  app.add_option("--timeout-ms", timeout_ms, "per request")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.timeout = std::chrono::milliseconds(timeout_ms);
  if (o.token.empty())
    if (const char* env = std::getenv("DISCLOSE_TOKEN")) o.token = env;
  if (o.token.empty()) {
    std::cerr << "loadgen: --token: required (or set DISCLOSE_TOKEN): an admin token with scope "
                 "all\n";
    return 2;
  }
  if (o.target.url_file.empty()) {
    try {
      loadgen::parse_url(o.target.url);
    } catch (const std::invalid_argument& e) {
      std::cerr << "loadgen: " << e.what() << "\n";
      return 2;
    }
  }
  return loadgen::run(o, std::cout, std::cerr);
}
