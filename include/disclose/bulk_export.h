// Bulk audit exports of many cases (JSON Lines or CSV) with a manifest, and the verifier of a
// JSON Lines export. Pure: the caller pages through the store and writes the text these return,
// so an export of any size runs in the memory of one page.
//
// JSON Lines layout (format "disclose.cases-export", version 1), one JSON object per line:
//   line 1      {"header": {"format", "version", "filters", "generated_at", "pii"}}
//   lines 2..n  one case export each, exactly as export_case_json makes it (compact), by case id
//   last line   {"manifest": {"format", "version", "filters", "generated_at", "pii", "cases",
//                "events", "redacted", "global_head": {"global_seq", "global_hash"}}}
// The header says what follows before any case is read; the manifest carries what is known only
// at the end, and a file cut short has none. global_head is the global chain's last link when
// the export finished: every exported event is at or before it, and it is an audit anchor
// (audit.h): `disclose audit verify --anchor SEQ:HASH` with it shows the database was not
// rewritten or cut back since.
//
// CSV layout: a BOM, a header row, one row per event (case id and number first, then the
// columns of the single-case CSV), and a last row whose first field is "#manifest" and second
// the manifest as JSON. Spreadsheets show it as the last row; tools drop it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "disclose/case.h"
#include "disclose/case_export.h"
#include "disclose/date.h"
#include "disclose/engine.h"
#include "disclose/store.h"

namespace disclose {

inline constexpr const char* kCasesExportFormat = "disclose.cases-export";
inline constexpr int kCasesExportVersion = 1;

struct BulkExportFilter {
  std::string agency;  // "" = every agency the caller may see
  std::optional<Date> received_from;
  std::optional<Date> received_to;
  std::optional<Date> closed_from;
  std::optional<Date> closed_to;
};

// {"agency": …, "received_from": …} with null for each filter not given.
boost::json::object bulk_filter_json(const BulkExportFilter& filter);
// The store filter for one page sorted by id, after case `after_id` and up to `until_id`
// (0 = no bound).
CaseFilter bulk_case_filter(const BulkExportFilter& filter, CaseId after_id, CaseId until_id,
                            int limit);

struct BulkExportTotals {
  int64_t cases = 0;
  int64_t events = 0;
  int64_t redacted = 0;
};

struct BulkExportInfo {
  std::string format;  // "jsonl" | "csv"
  BulkExportFilter filter;
  Instant generated_at{};
  bool show_pii = true;
};

// The header line and the manifest line of a JSON Lines export, each ending in "\n".
std::string bulk_jsonl_header(const BulkExportInfo& info);
std::string bulk_jsonl_case(const Engine& engine, const Case& a_case,
                            const std::vector<Event>& events, Date today, BulkExportTotals& totals,
                            const ExportOptions& options);
std::string bulk_jsonl_manifest(const BulkExportInfo& info, const BulkExportTotals& totals,
                                const ChainHead& head);

// The CSV export: BOM and header row; one case's rows; the trailing manifest row.
std::string bulk_csv_header();
std::string bulk_csv_case(const Case& a_case, const std::vector<Event>& events,
                          BulkExportTotals& totals, const ExportOptions& options);
std::string bulk_csv_manifest(const BulkExportInfo& info, const BulkExportTotals& totals,
                              const ChainHead& head);

// Verifies a JSON Lines export fed one line at a time (without its "\n"), in constant memory:
// the header first; each case with verify_case_export, ids strictly ascending (a duplicated or
// reordered case), each event's global link (global_hash = SHA-256(global_prev_hash ‖ hash)) and
// global_seq at or before the manifest's head; the manifest last, with the header's format and
// filters and the counted cases, events and redacted events. The first failure names its line,
// case and event; later lines are ignored.
class BulkExportVerifier {
 public:
  void add_line(std::string_view line);
  // Call once after the last line.
  VerifyResult finish();
  bool failed() const { return failure_.has_value(); }

 private:
  void fail(std::string message);

  int64_t line_ = 0;
  bool have_header_ = false;
  bool have_manifest_ = false;
  boost::json::object header_;
  boost::json::object manifest_;
  CaseId last_case_ = 0;
  int64_t cases_ = 0;
  int64_t events_ = 0;
  int64_t redacted_ = 0;
  int64_t max_global_seq_ = 0;
  std::string max_global_line_;  // where max_global_seq_ was seen, for the message
  std::optional<std::string> failure_;
};

}  // namespace disclose
