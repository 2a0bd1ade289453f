// One data-generation run: agencies and staff, N planned cases applied through the engine and
// store in batches (Store::batch: one transaction per batch instead of one per write), then
// the timers already due as of today fired (reminders sent, expiries applied), as a running
// server would have done.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "disclose/cli_context.h"
#include "disclose/date.h"
#include "disclose/timer_service.h"

namespace datagen {

struct GeneratorOptions {
  int64_t cases = 1000000;
  uint64_t seed = 1;
  int agencies = 12;
  int years = 3;
  disclose::Date today;
  int batch = 1000;      // cases per transaction
  bool fire_due = true;  // fire the timers due as of today at the end
};

struct GenerationSummary {
  int64_t cases = 0;
  int64_t events = 0;  // written by the plans (expiries fired at the end are in `fired`)
  disclose::CaseId first_id = 0;
  disclose::CaseId last_id = 0;
  int64_t resting_before_end = 0;  // cases whose next step falls after today
  int64_t problems = 0;            // steps the engine refused (a bug in the model)
  std::vector<std::string> first_problems;
  disclose::FireReport fired;
  int64_t timer_problems = 0;
  // workflow → state → cases of this run, after the timers fired.
  std::map<std::string, std::map<std::string, int64_t>> states;
  double generate_seconds = 0;
  double fire_seconds = 0;
};

// Writes into context's store (which must be open for writing). Progress lines go to
// `progress` when it is not null. Throws disclose::StoreError when the store fails.
GenerationSummary generate(disclose::cli::Context& context, const GeneratorOptions& options,
                           std::ostream* progress);

}  // namespace datagen
