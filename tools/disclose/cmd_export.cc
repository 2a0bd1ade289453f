// disclose export case ID --format json|csv|html [--out FILE]; disclose audit verify-export FILE
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "disclose/case_export.h"
#include "disclose/commands.h"

namespace disclose::cli {
namespace {

namespace json = boost::json;

CaseId parse_case_id(const std::string& text) {
  char* end = nullptr;
  long long id = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || id <= 0) throw CliError(2, "not a case id: '" + text + "'");
  return id;
}

void write_output(const std::string& path, const std::string& content, Io& io) {
  if (path.empty() || path == "-") {
    io.out << content;
    return;
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw CliError(1, "cannot write '" + path + "'");
  file << content;
  file.close();
  if (!file) throw CliError(1, "cannot write '" + path + "'");
}

}  // namespace

void add_export_commands(CLI::App& app, Context& context, Io& io) {
  auto* exporting = app.add_subcommand("export", "audit exports");
  exporting->require_subcommand(1);
  auto* export_case = exporting->add_subcommand("case", "one case's file record (一案一档)");
  auto id = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("json");
  auto out_path = std::make_shared<std::string>();
  export_case->add_option("id", *id, "case id")->required();
  export_case->add_option("--format", *format, "json | csv | html")
      ->check(CLI::IsMember({"json", "csv", "html"}))
      ->capture_default_str();
  export_case->add_option("--out", *out_path, "write to FILE instead of stdout");
  export_case->callback([&context, &io, id, format, out_path] {
    CaseId case_id = parse_case_id(*id);
    auto found = context.store().load_case(case_id);
    // Another agency's case is "not found", never "forbidden".
    if (!found || !context.actor().can_see(found->agency))
      throw CliError(1, "no case " + std::to_string(case_id));
    std::vector<Event> events = context.store().history(case_id);
    const Engine& engine = context.engine();
    Date today = context.now().today;
    std::string content;
    if (*format == "csv") {
      content = export_case_csv(engine, *found, events, today);
    } else if (*format == "html") {
      content = export_case_html(engine, *found, events, today);
    } else {
      std::ostringstream text;
      print_json(text, export_case_json(engine, *found, events, today));
      content = text.str();
    }
    write_output(*out_path, content, io);
  });

  CLI::App* audit = app.get_subcommand("audit");
  auto* verify = audit->add_subcommand(
      "verify-export", "check a case export's hash chain; name the first bad event");
  auto file = std::make_shared<std::string>();
  verify->add_option("file", *file, "FILE made by 'export case --format json', or -")->required();
  verify->callback([&io, file] {
    json::value document = parse_json_input(read_input(*file, io.in), *file);
    VerifyResult result = verify_case_export(document);
    if (!result.ok) {
      io.out << "BROKEN: " << result.message << "\n";
      throw CliError(1, "case export does not verify: " + result.message);
    }
    io.out << result.message << "\n";
  });
}

}  // namespace disclose::cli
