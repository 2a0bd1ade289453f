// disclose report annual --year Y [--agency A] --format json|csv|html|xlsx [--out FILE]
#include <fstream>
#include <sstream>

#include "disclose/annual_report.h"
#include "disclose/commands.h"
#include "disclose/report_xlsx.h"

namespace disclose::cli {
namespace {

const std::string kReportWorkflow = "gov-info-disclosure";

struct AnnualOptions {
  int year = 0;
  std::string agency;
  std::string format = "json";
  std::string out;
};

// Every case of the workflow (and agency), page by page so no query holds them all at once.
std::vector<Case> load_cases(Store& store, const std::string& agency) {
  CaseFilter filter;
  filter.workflow = kReportWorkflow;
  if (!agency.empty()) filter.agency = agency;
  filter.limit = 500;
  std::vector<Case> cases;
  for (;;) {
    std::vector<Case> page = store.list_cases(filter);
    for (Case& c : page) cases.push_back(std::move(c));
    if (static_cast<int>(page.size()) < filter.limit) break;
    filter.after_id = cases.back().id;
  }
  return cases;
}

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

  std::vector<Case> cases = load_cases(context.store(), agency);
  AnnualReport report = build_annual_report(*workflow, cases, options.year, agency);
  report.agency_name = agency_name;
  // 二 must continue last year's 四; only meaningful when last year had any requests.
  AnnualReport previous = build_annual_report(*workflow, cases, options.year - 1, agency);
  if (previous.has_cases()) {
    for (std::string& failure : check_carry_over(previous, report))
      report.check_failures.push_back(std::move(failure));
  }

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
}

}  // namespace disclose::cli
