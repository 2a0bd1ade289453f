#include "datagen/options.h"

#include <ostream>

#include <CLI/CLI.hpp>

namespace datagen {

std::optional<CommandLine> parse_command_line(int argc, const char* const* argv,
                                              disclose::Date today, std::ostream& out,
                                              std::ostream& err, int& status) {
  CommandLine line;
  GeneratorOptions& g = line.generator;
  std::string today_text = today.str();
  CLI::App app{
      "datagen: fills a Disclose database with realistic cases in every state (issue #6).\n"
      "Appends to an existing database; the same seed gives the same cases."};
  app.add_option("--db", line.db_path, "the SQLite database (created when missing)")->required();
  app.add_option("--cases", g.cases, "cases to generate")
      ->check(CLI::Range(int64_t(1), int64_t(100000000)))
      ->capture_default_str();
  app.add_option("--seed", g.seed, "random seed")->capture_default_str();
  app.add_option("--agencies", g.agencies, "agencies the cases are spread over")
      ->check(CLI::Range(1, 200))
      ->capture_default_str();
  app.add_option("--years", g.years, "receipt dates spread over this many years up to --today")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  app.add_option("--today", today_text, "the last day of the generated history (YYYY-MM-DD)")
      ->capture_default_str();
  app.add_option("--batch", g.batch, "cases per transaction")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--synchronous", line.synchronous, "SQLite synchronous mode")
      ->check(CLI::IsMember({"FULL", "NORMAL"}))
      ->capture_default_str();
  app.add_option("--workflows", line.workflows_dir,
                 "workflow files (default: as the disclose binary finds them)");
  app.add_flag("--fire-due,!--no-fire-due", g.fire_due,
               "fire the timers due as of --today at the end (default: on)");
  app.add_flag("--quiet", line.quiet, "no progress lines");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    status = code == 0 ? 0 : 2;
    return std::nullopt;
  }
  std::optional<disclose::Date> parsed = disclose::Date::parse(today_text);
  if (!parsed) {
    err << "datagen: --today: expected a date YYYY-MM-DD, got '" << today_text << "'\n";
    status = 2;
    return std::nullopt;
  }
  g.today = *parsed;
  status = 0;
  return line;
}

}  // namespace datagen
