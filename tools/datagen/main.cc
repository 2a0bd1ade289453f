// datagen: fills a Disclose database with N realistic cases in every state, through the real
// engine and store, for the scale figures of issue #6. See README.md, "Data generator".
#include <iostream>
#include <optional>

#include "datagen/generator.h"
#include "datagen/options.h"
#include "datagen/summary.h"
#include "disclose/cli_context.h"

int main(int argc, char** argv) {
  int status = 0;
  disclose::Date today = disclose::SystemTimeSource(8 * 60).now().today;
  std::optional<datagen::CommandLine> line =
      datagen::parse_command_line(argc, argv, today, std::cout, std::cerr, status);
  if (!line) return status;

  disclose::cli::GlobalOptions global;
  global.db_path = line->db_path;
  global.workflows_dir = line->workflows_dir;
  global.synchronous = line->synchronous;
  datagen::GenerationSummary summary;
  try {
    disclose::cli::Context context(global);
    summary = datagen::generate(context, line->generator, line->quiet ? nullptr : &std::cerr);
  } catch (const disclose::cli::CliError& e) {
    std::cerr << "datagen: " << e.what() << "\n";
    return e.status;
  } catch (const std::exception& e) {
    std::cerr << "datagen: " << e.what() << "\n";
    return 1;
  }
  // Measured once the store is closed, so the size is the database's own.
  datagen::print_summary(std::cout, summary, line->db_path);
  return summary.problems > 0 || summary.timer_problems > 0 ? 1 : 0;
}
