// disclose export case ID --format json|csv|html [--out FILE];
// disclose export cases [filters] --format jsonl|csv [--out FILE];
// disclose audit verify-export FILE (one case's JSON, or a JSON Lines bulk export)
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/json.hpp>

#include "disclose/bulk_export.h"
#include "disclose/case_export.h"
#include "disclose/commands.h"
#include "report/report_service.h"

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

// Applicants' ID numbers and phones are for the roles that handle cases; an auditor's export is
// masked, as the API masks them (README.md, "Case exports").
bool shows_pii(const Actor& actor) {
  for (const std::string& role : case_roles())
    if (actor.has_role(role)) return true;
  return false;
}

std::optional<Date> date_option(const std::string& text, const char* name) {
  if (text.empty()) return std::nullopt;
  auto d = Date::parse(text);
  if (!d) throw CliError(2, std::string(name) + ": expected YYYY-MM-DD, got '" + text + "'");
  return d;
}

struct BulkOptions {
  std::string agency;
  std::string received_from, received_to, closed_from, closed_to;
  std::string format = "jsonl";
  std::string out;
};

void run_export_cases(Context& context, Io& io, const BulkOptions& o) {
  BulkExportInfo info;
  info.format = o.format;
  info.filter.agency = o.agency;
  info.filter.received_from = date_option(o.received_from, "--received-from");
  info.filter.received_to = date_option(o.received_to, "--received-to");
  info.filter.closed_from = date_option(o.closed_from, "--closed-from");
  info.filter.closed_to = date_option(o.closed_to, "--closed-to");
  Actor actor = context.actor();
  if (!actor.scope_all) {
    // Confined to one agency: it alone is exported; another agency does not exist.
    if (info.filter.agency.empty()) info.filter.agency = actor.agency;
    if (info.filter.agency != actor.agency)
      throw CliError(2, "--agency: no agency '" + info.filter.agency + "'");
  }
  if (!info.filter.agency.empty() && !context.store().find_agency(info.filter.agency))
    throw CliError(2, "--agency: no agency '" + info.filter.agency + "'");
  Moment now = context.now();
  info.generated_at = now.at;
  info.show_pii = shows_pii(actor);

  std::ofstream file;
  std::ostream* out = &io.out;
  if (!o.out.empty() && o.out != "-") {
    file.open(o.out, std::ios::binary | std::ios::trunc);
    if (!file) throw CliError(1, "cannot write '" + o.out + "'");
    out = &file;
  }
  BulkExportStream stream(context.store(), context.engine(), info, now.today);
  std::string chunk;
  while (stream.next(chunk)) *out << chunk;
  out->flush();
  if (!*out) throw CliError(1, "cannot write '" + (o.out.empty() ? "stdout" : o.out) + "'");
  if (file.is_open()) {
    file.close();
    if (!file) throw CliError(1, "cannot write '" + o.out + "'");
  }
  io.err << "exported " << stream.totals().cases << " cases, " << stream.totals().events
         << " events\n";
}

// Verifies `first_line` and the rest of `in` as a JSON Lines export, line by line.
VerifyResult verify_jsonl(const std::string& first_line, std::istream& in) {
  BulkExportVerifier verifier;
  verifier.add_line(first_line);
  std::string line;
  while (!verifier.failed() && std::getline(in, line)) verifier.add_line(line);
  return verifier.finish();
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
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
    ExportOptions options;
    options.show_pii = shows_pii(context.actor());
    std::string content;
    if (*format == "csv") {
      content = export_case_csv(engine, *found, events, today, options);
    } else if (*format == "html") {
      content = export_case_html(engine, *found, events, today);
    } else {
      std::ostringstream text;
      print_json(text, export_case_json(engine, *found, events, today, options));
      content = text.str();
    }
    write_output(*out_path, content, io);
  });

  auto* export_cases = exporting->add_subcommand(
      "cases", "many cases with a manifest, streamed (JSON Lines: one case export per line)");
  auto bulk = std::make_shared<BulkOptions>();
  export_cases->add_option("--agency", bulk->agency, "only this agency");
  export_cases->add_option("--received-from", bulk->received_from, "received on or after DATE");
  export_cases->add_option("--received-to", bulk->received_to, "received on or before DATE");
  export_cases->add_option("--closed-from", bulk->closed_from, "closed on or after DATE");
  export_cases->add_option("--closed-to", bulk->closed_to, "closed on or before DATE");
  export_cases->add_option("--format", bulk->format, "jsonl | csv")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
  export_cases->add_option("--out", bulk->out, "write to FILE instead of stdout");
  export_cases->callback([&context, &io, bulk] { run_export_cases(context, io, *bulk); });

  CLI::App* audit = app.get_subcommand("audit");
  auto* verify = audit->add_subcommand(
      "verify-export",
      "check a case export (JSON) or a bulk export (JSON Lines); name the first bad event");
  auto file = std::make_shared<std::string>();
  verify
      ->add_option("file", *file,
                   "FILE made by 'export case --format json' or 'export cases', or -")
      ->required();
  verify->callback([&io, file] {
    // A bulk export is read a line at a time (constant memory); it starts with a one-line
    // header. Anything else is read whole as one case's document.
    std::ifstream stream;
    std::istream* in = &io.in;
    if (*file != "-") {
      stream.open(*file, std::ios::binary);
      if (!stream) throw CliError(2, "cannot read '" + *file + "'");
      in = &stream;
    }
    std::string first;
    std::getline(*in, first);
    VerifyResult result;
    if (first.rfind("{\"header\"", 0) == 0) {
      result = verify_jsonl(first, *in);
    } else {
      std::ostringstream rest;
      rest << in->rdbuf();
      std::string text = first + "\n" + rest.str();
      if (is_blank(text)) throw CliError(2, *file + ": empty");
      json::value document = parse_json_input(text, *file);
      result = verify_case_export(document);
    }
    if (!result.ok) {
      io.out << "BROKEN: " << result.message << "\n";
      throw CliError(1, "case export does not verify: " + result.message);
    }
    io.out << result.message << "\n";
  });
}

}  // namespace disclose::cli
