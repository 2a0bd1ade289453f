// Registration of each command group on the CLI11 app. Every command writes its result to `out`
// (JSON unless a table is asked for) and throws CliError for a failure the user must see.
#pragma once

#include <iosfwd>
#include <memory>

#include <CLI/CLI.hpp>
#include <boost/json/value.hpp>

#include "disclose/cli_context.h"

namespace disclose::cli {

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

void add_calendar_commands(CLI::App& app, Context& context, Io& io);
void add_workflow_commands(CLI::App& app, Context& context, Io& io);
void add_case_commands(CLI::App& app, Context& context, Io& io);
void add_admin_commands(CLI::App& app, Context& context, Io& io);
void add_serve_command(CLI::App& app, Context& context, Io& io);
void add_report_commands(CLI::App& app, Context& context, Io& io);
void add_export_commands(CLI::App& app, Context& context, Io& io);
void add_notify_commands(CLI::App& app, Context& context, Io& io);

// Pretty-prints JSON (two-space indent, UTF-8 kept as is) followed by a newline.
void print_json(std::ostream& out, const boost::json::value& value);
// Parses JSON or throws CliError(2) naming the source and position.
boost::json::value parse_json_input(const std::string& text, const std::string& source);

}  // namespace disclose::cli
