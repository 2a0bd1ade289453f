// Runs one load scenario against a Disclose server: sets up its own agency and staff through the
// API with an admin token, fills the database when the scenario reads, then drives N keep-alive
// connections on one io_context (one or two threads) and reports what it saw.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "loadgen/connection.h"

namespace loadgen {

struct Options {
  std::string scenario = "lifecycle";  // lifecycle | read | overdue | mixed
  Target target{"http://127.0.0.1:8080", ""};
  std::string token;  // an admin token with scope all
  int connections = 16;
  int threads = 1;
  double duration_seconds = 10;  // used when requests == 0
  int64_t requests = 0;          // stop after this many requests instead
  double rate = 0;               // reads per second on a fixed timetable; 0: closed loop
  uint64_t seed = 1;
  std::string record_file;
  int64_t cases = 1000;             // cases registered before a read, overdue or mixed run
  double correction_share = 0.2;    // lifecycle cases that go through a 补正 request
  double extension_share = 0.2;     // lifecycle cases that get an extension
  double overdue_share = 0;         // lifecycle cases received 60 days ago (deadlines long past)
  bool expect_disconnects = false;  // connection failures are expected (crash test)
  std::chrono::milliseconds timeout{10000};
};

// Exit status: 0 a clean run; 1 the run saw a 5xx or another unexpected status, or (without
// expect_disconnects) a connection failure; 2 setup failed (the message says which request).
int run(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace loadgen
