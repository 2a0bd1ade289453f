// Bulk exports with a manifest, and the JSON Lines verifier (bulk_export.h).
#include "disclose/bulk_export.h"

#include <boost/json.hpp>
#include <exception>

#include "disclose/audit.h"
#include "disclose/escape.h"

namespace disclose {
namespace json = boost::json;

namespace {

json::value date_or_null(const std::optional<Date>& d) {
  return d ? json::value(d->str()) : json::value(nullptr);
}

json::object info_json(const BulkExportInfo& info) {
  return json::object{{"format", kCasesExportFormat},
                      {"version", kCasesExportVersion},
                      {"encoding", info.format},
                      {"filters", bulk_filter_json(info.filter)},
                      {"generated_at", format_instant(info.generated_at, 0)},
                      {"pii", info.show_pii ? "shown" : "masked"}};
}

json::object manifest_json(const BulkExportInfo& info, const BulkExportTotals& totals,
                           const ChainHead& head) {
  json::object m = info_json(info);
  m["cases"] = totals.cases;
  m["events"] = totals.events;
  m["redacted"] = totals.redacted;
  m["global_head"] =
      json::object{{"global_seq", head.global_seq}, {"global_hash", head.global_hash}};
  return m;
}

const json::value* member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

std::optional<int64_t> int_member(const json::object& o, std::string_view key) {
  const json::value* v = member(o, key);
  if (!v || !v->is_int64()) return std::nullopt;
  return v->get_int64();
}

std::string text_member(const json::object& o, std::string_view key) {
  const json::value* v = member(o, key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

json::object bulk_filter_json(const BulkExportFilter& filter) {
  return json::object{
      {"agency", filter.agency.empty() ? json::value(nullptr) : json::value(filter.agency)},
      {"received_from", date_or_null(filter.received_from)},
      {"received_to", date_or_null(filter.received_to)},
      {"closed_from", date_or_null(filter.closed_from)},
      {"closed_to", date_or_null(filter.closed_to)}};
}

CaseFilter bulk_case_filter(const BulkExportFilter& filter, CaseId after_id, CaseId until_id,
                            int limit) {
  CaseFilter f;
  if (!filter.agency.empty()) f.agency = filter.agency;
  f.received_from = filter.received_from;
  f.received_to = filter.received_to;
  f.closed_from = filter.closed_from;
  f.closed_to = filter.closed_to;
  f.sort = "id";
  f.after_id = after_id;
  f.until_id = until_id;
  f.limit = limit;
  return f;
}

std::string bulk_jsonl_header(const BulkExportInfo& info) {
  return json::serialize(json::object{{"header", info_json(info)}}) + "\n";
}

std::string bulk_jsonl_case(const Engine& engine, const Case& a_case,
                            const std::vector<Event>& events, Date today, BulkExportTotals& totals,
                            const ExportOptions& options) {
  int64_t redacted = 0;
  std::string line = export_case_text(engine, a_case, events, today, options, &redacted);
  ++totals.cases;
  totals.events += static_cast<int64_t>(events.size());
  totals.redacted += redacted;
  line += '\n';
  return line;
}

std::string bulk_jsonl_manifest(const BulkExportInfo& info, const BulkExportTotals& totals,
                                const ChainHead& head) {
  return json::serialize(json::object{{"manifest", manifest_json(info, totals, head)}}) + "\n";
}

std::string bulk_csv_header() {
  return "\xEF\xBB\xBF"
         "案件ID,案件编号,序号,日期,记录时间,事项,操作人,原状态,新状态,内容,哈希\r\n";
}

std::string bulk_csv_case(const Case& a_case, const std::vector<Event>& events,
                          BulkExportTotals& totals, const ExportOptions& options) {
  ++totals.cases;
  totals.events += static_cast<int64_t>(events.size());
  return case_csv_rows(events, options, {std::to_string(a_case.id), a_case.number});
}

std::string bulk_csv_manifest(const BulkExportInfo& info, const BulkExportTotals& totals,
                              const ChainHead& head) {
  // The CSV carries no bodies, so nothing is redacted; masked inputs are shown masked.
  return "#manifest," + csv_field(json::serialize(manifest_json(info, totals, head))) + "\r\n";
}

void BulkExportVerifier::fail(std::string message) {
  if (!failure_) failure_ = "line " + std::to_string(line_) + ": " + std::move(message);
}

void BulkExportVerifier::add_line(std::string_view line) {
  ++line_;
  if (failure_) return;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return fail("empty line");
  if (have_manifest_) return fail("content after the manifest");
  json::value value;
  try {
    value = json::parse(line);
  } catch (const std::exception& e) {
    return fail(std::string("not JSON: ") + e.what());
  }
  if (!value.is_object()) return fail("not a JSON object");
  json::object& o = value.as_object();

  if (!have_header_) {
    const json::value* h = member(o, "header");
    if (!h || !h->is_object()) return fail("the first line must be the export's header");
    header_ = h->as_object();
    if (text_member(header_, "format") != kCasesExportFormat)
      return fail(std::string("header: format is not '") + kCasesExportFormat + "'");
    if (int_member(header_, "version") != kCasesExportVersion)
      return fail("header: unsupported version");
    have_header_ = true;
    return;
  }
  if (const json::value* m = member(o, "manifest")) {
    if (!m->is_object()) return fail("manifest is not an object");
    manifest_ = m->as_object();
    have_manifest_ = true;
    return;
  }

  VerifyResult r = verify_case_export(value);
  const json::value* case_doc = member(o, "case");
  std::optional<int64_t> id;
  if (case_doc && case_doc->is_object()) id = int_member(case_doc->as_object(), "id");
  std::string where = id ? "case " + std::to_string(*id) : std::string("a case");
  if (!r.ok) return fail(where + ": " + r.message);
  if (*id <= last_case_)
    return fail(where + " after case " + std::to_string(last_case_) +
                " (cases must ascend by id: duplicated or reordered)");
  last_case_ = *id;
  ++cases_;
  events_ += r.events_checked;
  redacted_ += r.redacted;
  // verify_case_export checked each case's own chain; the global link of each event is local too.
  for (const json::value& item : o["events"].as_array()) {
    const json::object& e = item.as_object();
    auto seq = int_member(e, "seq");
    auto global_seq = int_member(e, "global_seq");
    std::string event_where = where + " event seq " + std::to_string(seq.value_or(0));
    if (!global_seq) return fail(event_where + ": no global_seq");
    if (chain_hash(text_member(e, "global_prev_hash"), text_member(e, "hash")) !=
        text_member(e, "global_hash"))
      return fail(event_where + ": global_hash does not match global_prev_hash and hash");
    if (*global_seq > max_global_seq_) {
      max_global_seq_ = *global_seq;
      max_global_line_ = event_where;
    }
  }
}

VerifyResult BulkExportVerifier::finish() {
  auto done = [&](bool ok, std::string message) {
    return VerifyResult{ok, events_, redacted_, std::move(message)};
  };
  if (failure_) return done(false, *failure_);
  if (!have_header_) return done(false, "empty export: no header line");
  if (!have_manifest_)
    return done(false,
                "no manifest after line " + std::to_string(line_) + " (the export is cut short)");
  for (const char* key : {"format", "version", "encoding", "filters", "generated_at", "pii"}) {
    const json::value* a = member(header_, key);
    const json::value* b = member(manifest_, key);
    if (!a || !b || *a != *b)
      return done(false, std::string("manifest: '") + key + "' differs from the header");
  }
  auto count = [&](const char* key, int64_t seen) -> std::optional<std::string> {
    auto stated = int_member(manifest_, key);
    if (!stated) return std::string("manifest: no '") + key + "'";
    if (*stated != seen)
      return std::string("manifest: ") + key + " is " + std::to_string(*stated) + " but " +
             std::to_string(seen) + " were found (a case or event was added or removed)";
    return std::nullopt;
  };
  if (auto e = count("cases", cases_)) return done(false, *e);
  if (auto e = count("events", events_)) return done(false, *e);
  if (auto e = count("redacted", redacted_)) return done(false, *e);
  const json::value* head = member(manifest_, "global_head");
  if (!head || !head->is_object()) return done(false, "manifest: no 'global_head'");
  auto head_seq = int_member(head->as_object(), "global_seq");
  if (!head_seq) return done(false, "manifest: global_head has no global_seq");
  if (max_global_seq_ > *head_seq)
    return done(false, max_global_line_ + ": global_seq " + std::to_string(max_global_seq_) +
                           " is after the manifest's global head " + std::to_string(*head_seq));
  return done(true,
              "ok: " + std::to_string(cases_) + " cases, " + std::to_string(events_) + " events" +
                  (redacted_ ? " (" + std::to_string(redacted_) + " redacted: hash taken as given)"
                             : std::string()) +
                  "; global head " + std::to_string(*head_seq) + " " +
                  text_member(head->as_object(), "global_hash"));
}

}  // namespace disclose
