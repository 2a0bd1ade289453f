// /api/v1 reports and exports: the annual report, supervisors' statistics, one case's export and
// the bulk case export (streamed). The same code as the CLI builds every body
// (adapters/report/report_service.h and the engine's renderers).
#include <boost/json.hpp>
#include <memory>

#include "disclose/annual_report.h"
#include "disclose/bulk_export.h"
#include "disclose/case_export.h"
#include "disclose/case_stats.h"
#include "http/api/api_impl.h"
#include "report/report_service.h"
#include "report/report_xlsx.h"

namespace disclose::http {

namespace json = boost::json;

namespace {

const std::string kReportWorkflow = "gov-info-disclosure";
// Cases fetched per piece of a streamed bulk export.
constexpr int kExportPage = 100;

const char* const kCsvType = "text/csv; charset=utf-8";
const char* const kHtmlType = "text/html; charset=utf-8";
const char* const kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const char* const kJsonlType = "application/x-ndjson";

// A file name safe in a quoted header value whatever the agency code holds.
std::string safe_name(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  return out;
}

void disposition(Response& r, bool attachment, const std::string& filename) {
  r.headers.emplace_back("Content-Disposition", std::string(attachment ? "attachment" : "inline") +
                                                    "; filename=\"" + safe_name(filename) + "\"");
}

std::string format_of(const Call& call, std::initializer_list<const char*> allowed,
                      const char* fallback) {
  std::string format = query_text(call, "format").value_or(fallback);
  std::string list;
  for (const char* f : allowed) {
    if (format == f) return format;
    list += (list.empty() ? "" : ", ") + std::string(f);
  }
  throw ApiError{400, "invalid_query", "format: expected one of " + list, "format", {}};
}

}  // namespace

void Api::Impl::add_report_routes() {
  const std::string v1 = "/api/v1";
  router.add("GET", v1 + "/reports/annual", &Impl::annual_report);
  router.add("GET", v1 + "/reports/stats", &Impl::report_stats);
  router.add("GET", v1 + "/cases/{id}/export", &Impl::export_case);
  router.add("GET", v1 + "/exports/cases", &Impl::export_cases);
}

std::string Api::Impl::report_agency(const Call& call) const {
  std::string agency = query_text(call, "agency").value_or("");
  // An agency-scoped caller reports on its own agency alone; another one does not exist for it
  // (as another agency's case is a 404).
  if (!call.actor.scope_all) {
    if (agency.empty()) agency = call.actor.agency;
    if (agency != call.actor.agency)
      throw ApiError{404, "not_found", "agency: no agency '" + agency + "'", "agency", {}};
  }
  if (!agency.empty() && !store.find_agency(agency))
    throw ApiError{404, "not_found", "agency: no agency '" + agency + "'", "agency", {}};
  return agency;
}

Response Api::Impl::annual_report(Call& call) {
  require_role(call, {"supervisor", "auditor", "admin"});
  auto year = query_integer(call, "year", 1900, 9999);
  if (!year) throw ApiError{400, "missing_query", "year: required (e.g. 2025)", "year", {}};
  std::string format = format_of(call, {"json", "csv", "html", "xlsx"}, "json");
  std::string agency = report_agency(call);
  const Workflow* workflow = engine.workflows().find(kReportWorkflow);
  if (!workflow)
    throw ApiError{500, "internal", "workflow '" + kReportWorkflow + "' is not loaded", "", {}};
  std::string agency_name;
  if (!agency.empty()) agency_name = store.find_agency(agency)->name;
  AnnualReport report = annual_report_from_store(store, *workflow, int(*year), agency, agency_name);
  if (!report.ok()) {
    // The CLI still writes a failing report for staff to inspect; over HTTP a report that does
    // not add up is not handed out as a document to publish. The failures name the cells.
    json::array failures(report.check_failures.begin(), report.check_failures.end());
    throw ApiError{422, "report_check_failed",
                   "the annual report does not add up: " + report.check_failures.front(), "",
                   json::object{{"failures", std::move(failures)}}};
  }
  std::string base =
      "annual-report-" + std::to_string(*year) + (agency.empty() ? "" : "-" + agency);
  Response r;
  if (format == "csv") {
    r.content_type = kCsvType;
    r.body = render_annual_report_csv(report);
    disposition(r, true, base + ".csv");
  } else if (format == "html") {
    r.content_type = kHtmlType;
    r.body = render_annual_report_html(report);
    disposition(r, false, base + ".html");
  } else if (format == "xlsx") {
    r.content_type = kXlsxType;
    r.body = annual_report_xlsx_bytes(report);
    disposition(r, true, base + ".xlsx");
  } else {
    r = json_response(200, annual_report_json(report));
    disposition(r, false, base + ".json");
  }
  return r;
}

Response Api::Impl::report_stats(Call& call) {
  require_role(call, {"supervisor", "auditor", "admin"});
  StatsQuery query;
  query.from = query_date(call, "from");
  query.to = query_date(call, "to");
  if (query.from && query.to && *query.to < *query.from)
    throw ApiError{400, "invalid_query", "to: before from", "to", {}};
  query.agency = report_agency(call);
  CaseStats stats = case_stats_from_store(store, engine, query, call.now.today);
  return json_response(200, case_stats_json(stats));
}

Response Api::Impl::export_case(Call& call) {
  Case c = visible_case(call);
  std::string format = format_of(call, {"json", "csv", "html"}, "json");
  std::vector<Event> events = store.history(c.id);
  // Consistent with GET /cases/{id}: auditors get masked PII (README.md, "Case exports").
  ExportOptions options;
  options.show_pii = handles_cases(call.actor);
  std::string base = "case-" + std::to_string(c.id);
  Response r;
  if (format == "csv") {
    r.content_type = kCsvType;
    r.body = export_case_csv(engine, c, events, call.now.today, options);
    disposition(r, true, base + ".csv");
  } else if (format == "html") {
    r.content_type = kHtmlType;
    r.body = export_case_html(engine, c, events, call.now.today);
    disposition(r, false, base + ".html");
  } else {
    r = json_response(200, export_case_json(engine, c, events, call.now.today, options));
    disposition(r, true, base + ".json");
  }
  r.headers.emplace_back("ETag", "\"" + std::to_string(c.version) + "\"");
  return r;
}

Response Api::Impl::export_cases(Call& call) {
  require_role(call, {"supervisor", "auditor"});
  BulkExportInfo info;
  info.format = format_of(call, {"jsonl", "csv"}, "jsonl");
  info.filter.agency = report_agency(call);
  info.filter.received_from = query_date(call, "received_from");
  info.filter.received_to = query_date(call, "received_to");
  info.filter.closed_from = query_date(call, "closed_from");
  info.filter.closed_to = query_date(call, "closed_to");
  info.generated_at = call.now.at;
  info.show_pii = handles_cases(call.actor);
  Response r;
  r.content_type = info.format == "csv" ? kCsvType : kJsonlType;
  disposition(r, true, std::string("cases-export.") + info.format);
  // The store and engine outlive the server (api.h), so the stream may page through them after
  // this handler returns, one page per chunk.
  auto stream =
      std::make_shared<BulkExportStream>(store, engine, info, call.now.today, kExportPage);
  r.body_stream = [stream](std::string& chunk) { return stream->next(chunk); };
  return r;
}

}  // namespace disclose::http
