// Reports and exports read from the Store, shared by the CLI and the HTTP API so both give the
// same bytes: the annual report with its carry-over check, the bulk case export as a stream of
// pieces (one page of cases at a time), and the supervisors' statistics.
#pragma once

#include <string>

#include "disclose/annual_report.h"
#include "disclose/bulk_export.h"
#include "disclose/case_stats.h"
#include "disclose/engine.h"
#include "disclose/store.h"

namespace disclose {

// The annual report of `workflow` for `year` ("" agency = every agency), with the carry-over
// check against year−1 added to check_failures when that year had any requests.
AnnualReport annual_report_from_store(const Store& store, const Workflow& workflow, int year,
                                      const std::string& agency, const std::string& agency_name);

// A bulk export produced piece by piece: the header, then one piece per page of cases, then the
// manifest (taken after the last page, so every exported event is at or before its global
// head). Memory stays that of one page whatever the number of cases. With a received range,
// the walk in id order is bounded by the range's id span, taken with the header: a case
// registered after that is not in the export (one changed later is, as it then stands).
// `store` and `engine` must outlive the stream.
class BulkExportStream {
 public:
  BulkExportStream(const Store& store, const Engine& engine, BulkExportInfo info, Date today,
                   int page_size = 100);
  // Puts the next piece in `chunk` (replacing it); false when the export is complete.
  bool next(std::string& chunk);
  const BulkExportTotals& totals() const { return totals_; }

 private:
  enum class Stage { header, cases, manifest, done };
  const Store& store_;
  const Engine& engine_;
  BulkExportInfo info_;
  Date today_;
  int page_size_;
  Stage stage_ = Stage::header;
  CaseId after_ = 0;
  CaseId until_ = 0;  // the last id the walk reads (0 = to the end of the table)
  BulkExportTotals totals_;
};

// Pages through the cases (of query.agency, or all) and aggregates them.
CaseStats case_stats_from_store(const Store& store, const Engine& engine, const StatsQuery& query,
                                Date today);

}  // namespace disclose
