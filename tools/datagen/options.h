// The datagen command line (CLI11).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "datagen/generator.h"

namespace datagen {

struct CommandLine {
  std::string db_path;
  std::string workflows_dir;  // "" = the disclose binary's default lookup
  std::string synchronous = "FULL";
  bool quiet = false;
  GeneratorOptions generator;
};

// Parses argv. On --help, prints the usage to `out` and returns nullopt with status 0; on bad
// input prints a message naming the option to `err` and returns nullopt with status 2.
// `today` is the default for --today.
std::optional<CommandLine> parse_command_line(int argc, const char* const* argv,
                                              disclose::Date today, std::ostream& out,
                                              std::ostream& err, int& status);

}  // namespace datagen
