#include "disclose/cli.h"

#include <iostream>

#include <boost/json.hpp>

#include "disclose/commands.h"

namespace disclose::cli {

namespace json = boost::json;

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return run(args, std::cin, std::cout, std::cerr);
}

int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err) {
  CLI::App app{"Disclose: requests for government information (政府信息公开申请)", "disclose"};
  app.require_subcommand(1);
  GlobalOptions options;
  app.add_option("--db", options.db_path, "SQLite database file")->capture_default_str();
  app.add_option("--workflows", options.workflows_dir,
                 "directory of workflow files and calendars/ (default: ./workflows, then the "
                 "bundled ones)");
  app.add_option(
      "--now", options.now,
      "pretend the current time is this (YYYY-MM-DD or RFC 3339); for tests and replays");
  app.add_option("--as", options.as_user, "act as this user id instead of the local operator");

  Context context(options);
  Io io{in, out, err};
  add_calendar_commands(app, context, io);
  add_workflow_commands(app, context, io);
  add_case_commands(app, context, io);
  add_admin_commands(app, context, io);
  add_serve_command(app, context, io);
  add_report_commands(app, context, io);
  add_export_commands(app, context, io);
  add_notify_commands(app, context, io);

  std::vector<const char*> argv{"disclose"};
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "disclose: " << e.what() << "\n";
    err << "run 'disclose --help' for usage\n";
    return 2;
  } catch (const CliError& e) {
    err << "disclose: " << e.what() << "\n";
    return e.status;
  } catch (const std::exception& e) {
    err << "disclose: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

namespace {

void pretty(std::ostream& out, const json::value& v, int indent) {
  std::string pad(indent, ' ');
  switch (v.kind()) {
    case json::kind::object: {
      const auto& obj = v.get_object();
      if (obj.empty()) {
        out << "{}";
        return;
      }
      out << "{\n";
      bool first = true;
      for (const auto& [key, value] : obj) {
        if (!first) out << ",\n";
        first = false;
        out << pad << "  " << json::serialize(json::value(key)) << ": ";
        pretty(out, value, indent + 2);
      }
      out << "\n" << pad << "}";
      return;
    }
    case json::kind::array: {
      const auto& arr = v.get_array();
      if (arr.empty()) {
        out << "[]";
        return;
      }
      out << "[\n";
      bool first = true;
      for (const auto& value : arr) {
        if (!first) out << ",\n";
        first = false;
        out << pad << "  ";
        pretty(out, value, indent + 2);
      }
      out << "\n" << pad << "]";
      return;
    }
    default:
      out << json::serialize(v);
  }
}

}  // namespace

void print_json(std::ostream& out, const json::value& value) {
  pretty(out, value, 0);
  out << "\n";
}

json::value parse_json_input(const std::string& text, const std::string& source) {
  json::parse_options opts;
  opts.max_depth = 64;
  json::stream_parser parser({}, opts);
  boost::system::error_code ec;
  size_t used = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < used && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw CliError(2, source + ":" + std::to_string(line) + ":" + std::to_string(column) +
                          ": invalid JSON: " + ec.message());
  }
  return parser.release();
}

}  // namespace disclose::cli
