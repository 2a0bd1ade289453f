// What a run prints at the end: cases and events written, timers fired, cases per state, time,
// rate and the database's size on disk.
#pragma once

#include <iosfwd>
#include <string>

#include "datagen/generator.h"

namespace datagen {

// `db_path` is measured as it is now (call after the store is closed, so the WAL is merged).
void print_summary(std::ostream& out, const GenerationSummary& summary, const std::string& db_path);

}  // namespace datagen
