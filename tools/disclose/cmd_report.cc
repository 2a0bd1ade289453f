// disclose report annual --year Y [--agency A] --format json|csv|html|xlsx [--out FILE];
// disclose report stats [--from D] [--to D] [--agency A] [--format json|text]
#include <fstream>
#include <sstream>
#include <tuple>

#include "disclose/annual_report.h"
#include "disclose/case_stats.h"
#include "disclose/commands.h"
#include "report/report_service.h"
#include "report/report_xlsx.h"

namespace disclose::cli {
namespace {

const std::string kReportWorkflow = "gov-info-disclosure";

struct AnnualOptions {
  int year = 0;
  std::string agency;
  std::string format = "json";
  std::string out;
};

void run_annual(Context& context, Io& io, const AnnualOptions& options) {
  if (options.format == "xlsx" && options.out.empty())
    throw CliError(2, "--format xlsx needs --out FILE (a workbook is not written to stdout)");
  const Workflow* workflow = context.workflows().find(kReportWorkflow);
  if (!workflow) throw CliError(1, "workflow '" + kReportWorkflow + "' is not loaded");

  // A user confined to one agency reports on it alone; another agency is "not found".
  Actor actor = context.actor();
  std::string agency = options.agency;
  if (!actor.scope_all) {
    if (agency.empty()) agency = actor.agency;
    if (agency != actor.agency) throw CliError(2, "no agency '" + agency + "'");
  }
  std::string agency_name;
  if (!agency.empty()) {
    auto found = context.store().find_agency(agency);
    if (!found) throw CliError(2, "no agency '" + agency + "'");
    agency_name = found->name;
  }

  AnnualReport report =
      annual_report_from_store(context.store(), *workflow, options.year, agency, agency_name);

  std::string body;
  if (options.format == "xlsx") {
    try {
      write_annual_report_xlsx(report, options.out);
    } catch (const std::runtime_error& e) {
      throw CliError(1, "cannot write " + options.out + ": " + e.what());
    }
  } else if (options.format == "csv") {
    body = render_annual_report_csv(report);
  } else if (options.format == "html") {
    body = render_annual_report_html(report);
  } else {
    std::ostringstream text;
    print_json(text, annual_report_json(report));
    body = text.str();
  }
  if (options.out.empty()) {
    io.out << body;
  } else if (options.format != "xlsx") {
    std::ofstream file(options.out, std::ios::binary | std::ios::trunc);
    file << body;
    file.close();
    if (!file) throw CliError(1, "cannot write " + options.out);
  }

  // The report is still written, so staff can see the numbers the checks refer to.
  for (const std::string& failure : report.check_failures)
    io.err << "check failed: " << failure << "\n";
  if (!report.ok())
    throw CliError(1, "annual report " + std::to_string(options.year) + ": " +
                          std::to_string(report.check_failures.size()) + " check(s) failed");
}

struct StatsOptions {
  std::string from, to, agency;
  std::string format = "json";
};

void run_stats(Context& context, Io& io, const StatsOptions& options) {
  StatsQuery query;
  for (auto [text, target, name] : {std::tuple{&options.from, &query.from, "--from"},
                                    std::tuple{&options.to, &query.to, "--to"}}) {
    if (text->empty()) continue;
    *target = Date::parse(*text);
    if (!*target)
      throw CliError(2, std::string(name) + ": expected YYYY-MM-DD, got '" + *text + "'");
  }
  if (query.from && query.to && *query.to < *query.from) throw CliError(2, "--to: before --from");
  Actor actor = context.actor();
  query.agency = options.agency;
  if (!actor.scope_all) {
    if (query.agency.empty()) query.agency = actor.agency;
    if (query.agency != actor.agency)
      throw CliError(2, "--agency: no agency '" + query.agency + "'");
  }
  if (!query.agency.empty() && !context.store().find_agency(query.agency))
    throw CliError(2, "--agency: no agency '" + query.agency + "'");
  CaseStats stats =
      case_stats_from_store(context.store(), context.engine(), query, context.now().today);
  if (options.format == "text") {
    io.out << case_stats_text(stats);
  } else {
    print_json(io.out, case_stats_json(stats));
  }
}

}  // namespace

void add_report_commands(CLI::App& app, Context& context, Io& io) {
  auto* report = app.add_subcommand("report", "statutory reports");
  report->require_subcommand(1);

  auto* annual = report->add_subcommand(
      "annual", "annual report tables 三 and 四 and fees (国办公开办函〔2021〕30号)");
  auto options = std::make_shared<AnnualOptions>();
  annual->add_option("--year", options->year, "calendar year, e.g. 2025")
      ->required()
      ->check(CLI::Range(1900, 9999));
  annual->add_option("--agency", options->agency, "only this agency (default: every agency)");
  annual->add_option("--format", options->format, "json | csv | html | xlsx (xlsx needs --out)")
      ->check(CLI::IsMember({"json", "csv", "html", "xlsx"}))
      ->capture_default_str();
  annual->add_option("--out", options->out, "write to FILE instead of stdout");
  annual->callback([&context, &io, options] { run_annual(context, io, *options); });

  auto* stats = report->add_subcommand(
      "stats", "on-time rate, response time, overdue now, channels, top tags (Art. 44)");
  auto stats_options = std::make_shared<StatsOptions>();
  stats->add_option("--from", stats_options->from, "period start YYYY-MM-DD (inclusive)");
  stats->add_option("--to", stats_options->to, "period end YYYY-MM-DD (inclusive)");
  stats->add_option("--agency", stats_options->agency, "only this agency (default: every agency)");
  stats->add_option("--format", stats_options->format, "json | text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  stats->callback([&context, &io, stats_options] { run_stats(context, io, *stats_options); });
}

}  // namespace disclose::cli
