#include "datagen/summary.h"

#include <filesystem>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace datagen {
namespace {

uintmax_t size_of(const std::string& path) {
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

std::string megabytes(uintmax_t bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << double(bytes) / (1024.0 * 1024.0) << " MiB";
  return out.str();
}

}  // namespace

void print_summary(std::ostream& out, const GenerationSummary& s, const std::string& db_path) {
  out << "cases written:  " << s.cases;
  if (s.cases > 0) out << " (ids " << s.first_id << "–" << s.last_id << ")";
  out << "\nevents:         " << s.events + s.fired.expiries << " (" << s.events
      << " from the plans, " << s.fired.expiries << " expiries fired at the end)\n";
  out << "timers fired:   " << s.fired.cases << " cases, " << s.fired.reminders
      << " reminders sent, " << s.fired.expiries << " expiries applied\n";
  out << "resting:        " << s.resting_before_end
      << " cases with a step still to come after --today\n";
  for (const auto& [workflow, states] : s.states) {
    out << workflow << ":\n";
    for (const auto& [state, count] : states)
      out << "  " << std::left << std::setw(22) << state << std::right << count << "\n";
  }
  double total = s.generate_seconds + s.fire_seconds;
  out << std::fixed << std::setprecision(1) << "elapsed:        " << total << " s (cases "
      << s.generate_seconds << " s, timers " << s.fire_seconds << " s)\n";
  if (s.generate_seconds > 0) {
    out << std::setprecision(0) << "rate:           " << double(s.cases) / s.generate_seconds
        << " cases/s, " << double(s.events) / s.generate_seconds << " events/s\n";
  }
  uintmax_t db = size_of(db_path);
  uintmax_t wal = size_of(db_path + "-wal");
  out << "database:       " << db_path << " " << megabytes(db);
  if (wal > 0) out << " + WAL " << megabytes(wal);
  out << "\n";
  if (s.problems > 0 || s.timer_problems > 0) {
    out << "PROBLEMS:       " << s.problems << " refused steps, " << s.timer_problems
        << " timer problems; first:\n";
    for (const std::string& p : s.first_problems) out << "  " << p << "\n";
  }
}

}  // namespace datagen
