// Shared by the fuzz targets: the bundled workflows and calendars behind one Engine (loaded once
// per process; the engine is pure, so inputs cannot change it), a fixed "today", and a way to
// report a finding so libFuzzer saves the input.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "disclose/calendar.h"
#include "disclose/engine.h"
#include "disclose/time_source.h"
#include "disclose/workflow.h"

namespace disclose::fuzz {

inline const std::string kWorkflowDir = DISCLOSE_SOURCE_WORKFLOWS;

// 10:00 at +08:00 on 2025-11-03 (a Monday inside the official calendar data).
inline Moment fixed_moment() {
  Date day = Date::from_ymd(2025, 11, 3);
  return Moment{Instant{std::chrono::seconds{int64_t{day.days()} * 86400 + 2 * 3600}}, day};
}

class BundledEngine {
 public:
  BundledEngine()
      : workflows_(WorkflowRegistry::load_dir(kWorkflowDir)),
        calendar_(load_calendar_dir(kWorkflowDir + "/calendars")),
        engine_(workflows_, calendar_) {}
  BundledEngine(const BundledEngine&) = delete;
  BundledEngine& operator=(const BundledEngine&) = delete;

  static const BundledEngine& shared() {
    static const BundledEngine instance;
    return instance;
  }
  const Engine& engine() const { return engine_; }
  const WorkflowRegistry& workflows() const { return workflows_; }

 private:
  WorkflowRegistry workflows_;
  WorkingCalendar calendar_;
  Engine engine_;
};

// A broken contract (not a crash the sanitizers see): print why and abort, so libFuzzer keeps
// the input as a crash artifact.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::abort();
}

}  // namespace disclose::fuzz
