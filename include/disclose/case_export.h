// Audit exports of one case's history (一案一档): a complete machine-readable JSON document that
// carries every event's canonical body and chain fields, so it can be verified away from the
// database; a CSV timeline for spreadsheets; and a printable A4 HTML file record.
//
// A single case's export carries only its own chain: verify_case_export checks the per-case links
// (hash = SHA-256(prev_hash ‖ body)), not the global chain, which needs every other case too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "disclose/case.h"
#include "disclose/date.h"
#include "disclose/engine.h"

namespace disclose {

inline constexpr const char* kCaseExportFormat = "disclose.case-export";
inline constexpr int kCaseExportVersion = 1;

struct ExportOptions {
  // false (auditors, DESIGN.md §1): applicants' ID numbers and phones are masked everywhere in
  // the export, as the API masks them for auditors. An event whose hashed body holds them (the
  // registering event) is then exported without its body, marked "redacted": its hash is kept,
  // the chain still links through it, and verification takes that one hash as given.
  bool show_pii = true;
};

// {"format": "disclose.case-export", "version": 1, "case", "deadlines" (with explanations),
//  "events" (with chain fields and the canonical `body` as hashed), "verification"}.
boost::json::object export_case_json(const Engine& engine, const Case& a_case,
                                     const std::vector<Event>& events, Date today,
                                     const ExportOptions& options = {});
// The same document as compact JSON text, written without building each event as a tree (an
// event's row is its stored canonical body with the chain fields added): what bulk exports
// write, one per line. Its events' members come in their body's (canonical) order.
// `redacted_events`, when given, receives verification.redacted.
std::string export_case_text(const Engine& engine, const Case& a_case,
                             const std::vector<Event>& events, Date today,
                             const ExportOptions& options = {}, int64_t* redacted_events = nullptr);

// One row per event after a header row; UTF-8 with BOM, CRLF line ends, RFC 4180 quoting.
std::string export_case_csv(const Engine& engine, const Case& a_case,
                            const std::vector<Event>& events, Date today,
                            const ExportOptions& options = {});
// The data rows of export_case_csv (no BOM, no header), each prefixed with `prefix` fields —
// the bulk CSV export puts the case id and number in front.
std::string case_csv_rows(const std::vector<Event>& events, const ExportOptions& options,
                          const std::vector<std::string>& prefix = {});

// A printable A4 file record (一案一档) with inline CSS; every text is HTML-escaped.
std::string export_case_html(const Engine& engine, const Case& a_case,
                             const std::vector<Event>& events, Date today);

struct VerifyResult {
  bool ok = false;
  int64_t events_checked = 0;
  int64_t redacted = 0;  // events exported without their body (hash taken as given)
  std::string message;   // "ok: N events", or the first bad event: "event seq N: reason"
};

// Checks a document made by export_case_json: each hash recomputed from its body and prev_hash,
// prev links, seq consecutive from 1, visible fields equal to the body, the last hash equal to
// verification.head_hash and the case version equal to the last seq.
VerifyResult verify_case_export(const boost::json::value& document);

}  // namespace disclose
