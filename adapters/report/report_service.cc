// Reports and exports from the Store (report_service.h).
#include "report/report_service.h"

#include "disclose/audit.h"

// GCC 12 at -O2 reports the disengaged std::optional<std::string> members of a copied
// CaseFilter as "may be used uninitialized" (a known false positive of libstdc++'s inlined
// string copy); the release build stays warnings-clean without hiding anything real.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace disclose {

namespace {

constexpr int kPage = 500;

// Every case of the filter, page by page (after_id keyset), handed to `fn`.
template <class Fn>
void for_each_case(const Store& store, CaseFilter filter, Fn&& fn) {
  filter.sort = "id";
  filter.limit = kPage;
  for (;;) {
    std::vector<Case> page = store.list_cases(filter);
    for (const Case& c : page) fn(c);
    if (static_cast<int>(page.size()) < filter.limit) break;
    filter.after_id = page.back().id;
  }
}

}  // namespace

AnnualReport annual_report_from_store(const Store& store, const Workflow& workflow, int year,
                                      const std::string& agency, const std::string& agency_name) {
  // One pass over the cases that can count in either year: this year's report and last year's,
  // for the carry-over check, side by side.
  AnnualReportTally current(workflow, year, agency);
  AnnualReportTally last_year(workflow, year - 1, agency);
  store.for_each_report_case(workflow.name, agency, year, [&](const ReportCase& c) {
    current.add(c);
    last_year.add(c);
  });
  AnnualReport report = std::move(current).finish();
  report.agency_name = agency_name;
  ChainHead head = store.global_head();
  report.audit_anchor = AuditAnchor{head.global_seq, head.global_hash}.str();
  // 二 must continue last year's 四; only meaningful when last year had any requests.
  AnnualReport previous = std::move(last_year).finish();
  if (previous.has_cases()) {
    for (std::string& failure : check_carry_over(previous, report))
      report.check_failures.push_back(std::move(failure));
  }
  return report;
}

BulkExportStream::BulkExportStream(const Store& store, const Engine& engine, BulkExportInfo info,
                                   Date today, int page_size)
    : store_(store),
      engine_(engine),
      info_(std::move(info)),
      today_(today),
      page_size_(page_size > 0 ? page_size : 100) {}

bool BulkExportStream::next(std::string& chunk) {
  chunk.clear();
  const bool csv = info_.format == "csv";
  ExportOptions options;
  options.show_pii = info_.show_pii;
  switch (stage_) {
    case Stage::header: {
      chunk = csv ? bulk_csv_header() : bulk_jsonl_header(info_);
      stage_ = Stage::cases;
      const BulkExportFilter& filter = info_.filter;
      if (filter.received_from || filter.received_to) {
        // Outside this span no case can match; without it the walk would read the whole table.
        std::optional<CaseIdSpan> span =
            store_.received_id_span(filter.received_from, filter.received_to);
        if (span) {
          after_ = span->first - 1;
          until_ = span->last;
        } else {
          stage_ = Stage::manifest;
        }
      }
      return true;
    }
    case Stage::cases: {
      // JSON Lines hands each event's stored body over as it is (masking parses the body
      // itself); only the CSV's columns need the decoded fields.
      const EventDecoding decoding = csv ? EventDecoding::full : EventDecoding::sealed_only;
      std::vector<CaseHistory> page = store_.case_histories(
          bulk_case_filter(info_.filter, after_, until_, page_size_), decoding);
      for (const CaseHistory& h : page) {
        chunk += csv ? bulk_csv_case(h.a_case, h.events, totals_, options)
                     : bulk_jsonl_case(engine_, h.a_case, h.events, today_, totals_, options);
      }
      if (!page.empty()) after_ = page.back().a_case.id;
      if (static_cast<int>(page.size()) < page_size_) stage_ = Stage::manifest;
      if (!chunk.empty()) return true;
      // An empty page is always the last (shorter than page_size_): the manifest follows.
      [[fallthrough]];
    }
    case Stage::manifest: {
      ChainHead head = store_.global_head();
      chunk =
          csv ? bulk_csv_manifest(info_, totals_, head) : bulk_jsonl_manifest(info_, totals_, head);
      stage_ = Stage::done;
      return true;
    }
    case Stage::done:
      return false;
  }
  return false;
}

CaseStats case_stats_from_store(const Store& store, const Engine& engine, const StatsQuery& query,
                                Date today) {
  CaseFilter filter;
  if (!query.agency.empty()) filter.agency = query.agency;
  CaseStatsBuilder builder(engine, query, today);
  for_each_case(store, filter, [&](const Case& c) { builder.add(c); });
  return builder.finish();
}

}  // namespace disclose
