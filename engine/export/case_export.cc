// Case history exports (case_export.h).
#include "disclose/case_export.h"

#include <boost/json.hpp>
#include <exception>
#include <sstream>
#include <stdexcept>

#include "disclose/audit.h"
#include "disclose/case_json.h"
#include "disclose/escape.h"

namespace disclose {
namespace json = boost::json;

namespace {

const char* const kAlgorithm = "sha256(prev_hash || body)";
// The chain fields an exported event carries beside the fields of its body.
const char* const kChainFields[] = {"prev_hash",   "hash", "global_seq", "global_prev_hash",
                                    "global_hash", "body", "redacted"};

bool is_chain_field(std::string_view key) {
  for (const char* f : kChainFields)
    if (key == f) return true;
  return false;
}

json::object step_json(const ClockStep& s) {
  json::object out{{"event_version", s.event_version},
                   {"what", s.what},
                   {"on", s.on.str()},
                   {"working_days", s.working_days}};
  if (s.due_on) out["due_on"] = s.due_on->str();
  if (!s.note.empty()) out["note"] = s.note;
  return out;
}

json::object deadline_json(const Engine& engine, const Case& a_case, const DeadlineView& v,
                           Date today) {
  json::object out{{"kind", v.kind},
                   {"status", to_string(v.status)},
                   {"provisional", v.provisional},
                   {"overdue", v.overdue},
                   {"epoch", v.epoch}};
  out["due_on"] = v.due_on ? json::value(v.due_on->str()) : json::value(nullptr);
  out["remaining_wd"] = v.remaining_wd ? json::value(*v.remaining_wd) : json::value(nullptr);
  if (auto e = engine.explain(a_case, v.kind, today)) {
    json::object x{{"start", e->start.str()},
                   {"working_days", e->working_days},
                   {"extension_wd", e->extension_wd},
                   {"paused_wd", e->paused_wd},
                   {"calendar_version", e->calendar_version}};
    if (e->override_due) x["override_due"] = e->override_due->str();
    json::array steps;
    for (const ClockStep& s : e->steps) steps.push_back(step_json(s));
    x["steps"] = std::move(steps);
    out["explanation"] = std::move(x);
  }
  return out;
}

std::string head_hash(const std::vector<Event>& events) {
  return events.empty() ? genesis_hash() : events.back().hash;
}

// A short human line for a deadline's explanation.
std::string explain_text(const DeadlineExplanation& e) {
  std::ostringstream out;
  out << "自 " << e.start.str() << " 起算 " << e.working_days << " 个工作日";
  if (e.extension_wd) out << "，延长 " << e.extension_wd << " 个工作日";
  if (e.paused_wd) out << "，中止 " << e.paused_wd << " 个工作日";
  if (e.override_due) out << "，依第三十五条改为 " << e.override_due->str();
  out << "（日历 " << e.calendar_version << "）";
  return out.str();
}

std::string step_text(const ClockStep& s) {
  std::string out = "v" + std::to_string(s.event_version) + " " + s.on.str() + " " + s.what;
  if (s.working_days) out += " " + std::to_string(s.working_days) + " 工作日";
  if (s.due_on) out += " → " + s.due_on->str();
  if (!s.note.empty()) out += "（" + s.note + "）";
  return out;
}

// The input as shown to a reader of the printed record: ID numbers and phones masked.
json::value masked(const json::value& value) {
  if (value.is_array()) {
    json::array out;
    for (const json::value& v : value.get_array()) out.push_back(masked(v));
    return out;
  }
  if (!value.is_object()) return value;
  json::object out;
  for (const auto& kv : value.get_object()) {
    if (kv.value().is_string() && kv.key() == "id_number") {
      out[kv.key()] = mask_id_number(std::string(kv.value().get_string()));
    } else if (kv.value().is_string() && kv.key() == "phone") {
      out[kv.key()] = mask_phone(std::string(kv.value().get_string()));
    } else {
      out[kv.key()] = masked(kv.value());
    }
  }
  return out;
}

VerifyResult failed(int64_t checked, const std::string& message) {
  return VerifyResult{false, checked, 0, message};
}

const json::value* member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = member(o, key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

namespace {

// The chain fields after an event's visible fields, then its body (or null, redacted).
void append_chain_fields(std::string& out, const Event& e, std::string_view body) {
  out += ",\"prev_hash\":";
  out += json::serialize(std::string_view(e.prev_hash));
  out += ",\"hash\":";
  out += json::serialize(std::string_view(e.hash));
  out += ",\"global_seq\":";
  out += std::to_string(e.global_seq);
  out += ",\"global_prev_hash\":";
  out += json::serialize(std::string_view(e.global_prev_hash));
  out += ",\"global_hash\":";
  out += json::serialize(std::string_view(e.global_hash));
  if (body.empty()) {
    out += ",\"body\":null,\"redacted\":true}";
  } else {
    out += ",\"body\":";
    out += json::serialize(body);
    out += '}';
  }
}

// One exported event: the members of its canonical body (in the body's order), the chain
// fields and the body itself. With PII shown the row is the stored body's text with the chain
// fields spliced in before its closing brace, so a bulk export never rebuilds each event as a
// tree; masking needs the tree. Returns whether the event was redacted.
bool append_event_row(std::string& out, const Event& e, const ExportOptions& options) {
  const std::string derived = e.body.empty() ? event_body(e) : std::string();
  const std::string& body = e.body.empty() ? derived : e.body;
  // A canonical body is a non-empty object without blanks around it or before its closing
  // brace; anything else (a hand-edited row) goes through the tree, which still writes valid
  // JSON.
  const auto before_close = [&] { return body[body.size() - 2]; };
  const bool spliceable = body.size() > 2 && body.front() == '{' && body.back() == '}' &&
                          before_close() != '{' && before_close() != ' ' &&
                          before_close() != '\n' && before_close() != '\t' &&
                          before_close() != '\r';
  if (options.show_pii && spliceable) {
    out.append(body, 0, body.size() - 1);
    append_chain_fields(out, e, body);
    return false;
  }
  json::object row;
  if (spliceable) {
    row = json::parse(body).as_object();
  } else if (!e.type.empty()) {
    row = to_json(e);
  } else {
    // Read with EventDecoding::sealed_only (an empty type, store.h): the fields are in the body.
    try {
      row = to_json(event_from_text(body));
    } catch (const std::exception& error) {
      throw std::runtime_error("case " + std::to_string(e.case_id) + " event seq " +
                               std::to_string(e.seq) + ": stored body unreadable: " + error.what());
    }
  }
  bool redacted = false;
  if (!options.show_pii) {
    json::value shown = masked(row);
    if (shown != json::value(row)) {
      // The body would carry what masking hides; only its hash goes out.
      row = std::move(shown.as_object());
      redacted = true;
    }
  }
  std::string text = json::serialize(row);
  text.pop_back();  // the closing brace: the chain fields follow
  out += text;
  append_chain_fields(out, e, redacted ? std::string_view() : std::string_view(body));
  return redacted;
}

}  // namespace

std::string export_case_text(const Engine& engine, const Case& a_case,
                             const std::vector<Event>& events, Date today,
                             const ExportOptions& options, int64_t* redacted_events) {
  json::object head{{"format", kCaseExportFormat}, {"version", kCaseExportVersion}};
  head["exported_on"] = today.str();
  head["pii"] = options.show_pii ? "shown" : "masked";
  if (options.show_pii) {
    head["case"] = to_json(a_case);
  } else {
    head["case"] = masked(to_json(a_case));
  }
  json::array deadlines;
  for (const DeadlineView& v : engine.deadlines(a_case, today))
    deadlines.push_back(deadline_json(engine, a_case, v, today));
  head["deadlines"] = std::move(deadlines);
  // The members above, then "events" and "verification" appended as text.
  std::string out = json::serialize(head);
  out.pop_back();
  out += ",\"events\":[";
  int64_t redacted = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i != 0) out += ',';
    if (append_event_row(out, events[i], options)) ++redacted;
  }
  out += "],\"verification\":";
  out += json::serialize(json::object{{"algorithm", kAlgorithm},
                                      {"genesis", genesis_hash()},
                                      {"head_hash", head_hash(events)},
                                      {"events", static_cast<int64_t>(events.size())},
                                      {"redacted", redacted}});
  out += '}';
  if (redacted_events) *redacted_events = redacted;
  return out;
}

json::object export_case_json(const Engine& engine, const Case& a_case,
                              const std::vector<Event>& events, Date today,
                              const ExportOptions& options) {
  return json::parse(export_case_text(engine, a_case, events, today, options)).as_object();
}

std::string export_case_csv(const Engine&, const Case&, const std::vector<Event>& events, Date,
                            const ExportOptions& options) {
  std::string out = "\xEF\xBB\xBF";
  out += "序号,日期,记录时间,事项,操作人,原状态,新状态,内容,哈希\r\n";
  out += case_csv_rows(events, options);
  return out;
}

std::string case_csv_rows(const std::vector<Event>& events, const ExportOptions& options,
                          const std::vector<std::string>& prefix) {
  std::string out;
  for (const Event& e : events) {
    json::value input = options.show_pii ? json::value(e.input) : masked(e.input);
    const std::string fields[] = {std::to_string(e.seq),
                                  e.on ? e.on->str() : std::string(),
                                  format_instant(e.recorded_at, 0),
                                  e.type,
                                  e.actor,
                                  e.from_state,
                                  e.to_state,
                                  canonical_json(input),
                                  e.hash};
    bool first = true;
    for (const std::string& f : prefix) {
      if (!first) out += ',';
      first = false;
      out += csv_field(f);
    }
    for (const std::string& f : fields) {
      if (!first) out += ',';
      first = false;
      out += csv_field(f);
    }
    out += "\r\n";
  }
  return out;
}

namespace {

// 中文 names for the codes a printed file shows; the code follows in brackets so the record
// still matches the JSON export. Workflow terms come from the workflow file.
std::string labelled(const std::string& label, const std::string& code) {
  if (code.empty()) return "";
  return label.empty() || label == code ? code : label + "（" + code + "）";
}

std::string channel_label(const std::string& channel) {
  if (channel == "in_person") return "当面提交";
  if (channel == "mail_signed") return "邮寄（需签收）";
  if (channel == "mail_plain") return "平邮";
  if (channel == "online") return "网络平台";
  if (channel == "fax") return "传真";
  return "";
}

std::string delivery_label(const std::string& method) {
  if (method == "direct") return "直接送达";
  if (method == "post") return "邮寄送达";
  if (method == "electronic") return "电子送达";
  if (method == "entrusted") return "委托送达";
  return "";
}

std::string clock_status_label(ClockStatus status) {
  switch (status) {
    case ClockStatus::running:
      return "计时中";
    case ClockStatus::paused:
      return "暂停";
    case ClockStatus::stopped:
      return "已停止";
    case ClockStatus::met:
      return "按期完成";
    case ClockStatus::missed:
      return "逾期完成";
  }
  return "";
}

}  // namespace

std::string export_case_html(const Engine& engine, const Case& c, const std::vector<Event>& events,
                             Date today) {
  auto h = [](const std::string& s) { return html_escape(s); };
  const Workflow* workflow = engine.workflows().find(c.workflow);
  auto state_name = [&](const std::string& state) {
    return labelled(workflow ? workflow->state_label(state) : "", state);
  };
  auto action_name = [&](const std::string& action) {
    return labelled(workflow ? workflow->action_label(action) : "", action);
  };
  auto deadline_name = [&](const std::string& kind) {
    return labelled(workflow ? workflow->deadline_label(kind) : "", kind);
  };
  auto determination_name = [&](const std::string& code) {
    return labelled(workflow ? workflow->determination_label(code) : "", code);
  };
  const Registration& r = c.registration;
  std::ostringstream o;
  auto row = [&](const std::string& label, const std::string& value) {
    o << "<tr><th>" << h(label) << "</th><td>" << h(value) << "</td></tr>\n";
  };
  o << "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<title>政府信息公开申请案卷 " << h(c.number) << "</title>\n<style>\n"
    << "@page { size: A4; margin: 20mm 18mm; }\n"
    << "body { font-family: \"SimSun\", \"Songti SC\", serif; font-size: 11pt; color: #000; }\n"
    << "h1 { text-align: center; font-size: 18pt; margin: 0 0 12pt; }\n"
    << "h2 { font-size: 13pt; border-bottom: 1px solid #000; margin: 16pt 0 6pt; }\n"
    << "table { width: 100%; border-collapse: collapse; margin-bottom: 8pt; }\n"
    << "th, td { border: 1px solid #000; padding: 3pt 5pt; vertical-align: top; "
       "text-align: left; }\n"
    << "th { background: #eee; white-space: nowrap; }\n"
    << ".cover th { width: 25%; }\n"
    << ".cover { page-break-after: always; }\n"
    << ".hash { font-family: monospace; font-size: 8pt; word-break: break-all; }\n"
    << "tr { page-break-inside: avoid; }\n"
    << "</style>\n</head>\n<body>\n";

  o << "<section class=\"cover\">\n<h1>政府信息公开申请案卷</h1>\n<table>\n";
  row("案件编号", c.number);
  row("机关", c.agency);
  row("申请人", r.applicant.name);
  row("证件号码", mask_id_number(r.applicant.id_number));
  row("联系电话", mask_phone(r.applicant.phone));
  row("收到日期", r.received_on.str());
  row("渠道", labelled(channel_label(r.channel), r.channel));
  row("收到凭证", r.receipt_evidence);
  row("申请内容", r.request.description);
  if (!r.request.purpose.empty()) row("用途", r.request.purpose);
  row("当前状态", state_name(c.state));
  row("办结日期", c.closed_on ? c.closed_on->str() : "");
  o << "</table>\n</section>\n";

  o << "<h2>期限</h2>\n<table>\n<tr><th>期限</th><th>届满日</th><th>状态</th><th>说明</th></"
       "tr>\n";
  for (const DeadlineView& v : engine.deadlines(c, today)) {
    std::string explanation;
    if (auto e = engine.explain(c, v.kind, today)) {
      explanation = h(explain_text(*e));
      for (const ClockStep& s : e->steps) explanation += "<br>" + h(step_text(s));
    }
    std::string status = labelled(clock_status_label(v.status), to_string(v.status));
    if (v.overdue) status += "（已逾期）";
    if (v.provisional) status += "（暂定）";
    o << "<tr><td>" << h(deadline_name(v.kind)) << "</td><td>"
      << h(v.due_on ? v.due_on->str() : "—") << "</td><td>" << h(status) << "</td><td>"
      << explanation << "</td></tr>\n";
  }
  o << "</table>\n";

  o << "<h2>办理过程</h2>\n<table>\n<tr><th>序号</th><th>日期</th><th>记录时间</th><th>事项</th>"
       "<th>操作人</th><th>状态</th><th>内容</th></tr>\n";
  for (const Event& e : events) {
    o << "<tr><td>" << e.seq << "</td><td>" << h(e.on ? e.on->str() : "") << "</td><td>"
      << h(format_instant(e.recorded_at, 0)) << "</td><td>" << h(action_name(e.type)) << "</td><td>"
      << h(e.actor) << "</td><td>" << h(e.from_state.empty() ? "—" : state_name(e.from_state))
      << " → " << h(state_name(e.to_state)) << "</td><td>" << h(canonical_json(masked(e.input)))
      << "</td></tr>\n";
  }
  o << "</table>\n";

  o << "<h2>答复</h2>\n<table>\n";
  row("答复类型", c.outcome ? determination_name(c.outcome->determination) : "尚未答复");
  row("法律依据", c.outcome ? c.outcome->basis : "");
  row("理由", c.outcome ? c.outcome->reasons : "");
  o << "</table>\n";

  o << "<h2>送达</h2>\n<table>\n";
  row("送达方式",
      c.delivery ? labelled(delivery_label(c.delivery->method), c.delivery->method) : "尚未送达");
  row("送达日期", c.delivery ? c.delivery->on.str() : "");
  row("送达凭证（单号）", c.delivery ? c.delivery->tracking_no : "");
  o << "</table>\n";

  o << "<h2>校验</h2>\n<table>\n";
  row("事件数", std::to_string(events.size()));
  row("算法", kAlgorithm);
  o << "<tr><th>末条哈希</th><td class=\"hash\">" << h(head_hash(events)) << "</td></tr>\n";
  row("导出日期", today.str());
  o << "</table>\n</body>\n</html>\n";
  return o.str();
}

VerifyResult verify_case_export(const json::value& document) {
  if (!document.is_object()) return failed(0, "not a case export: not a JSON object");
  const json::object& doc = document.get_object();
  if (text_of(doc, "format") != kCaseExportFormat)
    return failed(0, std::string("not a case export: format is not '") + kCaseExportFormat + "'");
  const json::value* version = member(doc, "version");
  if (!version || !version->is_int64() || version->get_int64() != kCaseExportVersion)
    return failed(0, "unsupported export version");
  const json::value* case_doc = member(doc, "case");
  const json::value* events = member(doc, "events");
  const json::value* verification = member(doc, "verification");
  if (!case_doc || !case_doc->is_object()) return failed(0, "missing 'case'");
  if (!events || !events->is_array()) return failed(0, "missing 'events'");
  if (!verification || !verification->is_object()) return failed(0, "missing 'verification'");
  const json::object& c = case_doc->get_object();
  const json::object& v = verification->get_object();
  if (text_of(v, "algorithm") != kAlgorithm) return failed(0, "unknown verification algorithm");
  if (text_of(v, "genesis") != genesis_hash()) return failed(0, "unexpected genesis hash");
  const json::value* case_id = member(c, "id");
  const json::value* case_version = member(c, "version");
  if (!case_id || !case_id->is_int64() || !case_version || !case_version->is_int64())
    return failed(0, "case has no id or version");

  std::string prev = genesis_hash();
  int64_t checked = 0;
  int64_t redacted_count = 0;
  for (const json::value& item : events->get_array()) {
    int64_t position = checked + 1;
    ++checked;
    std::string where = "event #" + std::to_string(position);
    if (!item.is_object()) return failed(checked, where + ": not an object");
    const json::object& e = item.get_object();
    const json::value* seq = member(e, "seq");
    if (seq && seq->is_int64()) where = "event seq " + std::to_string(seq->get_int64());
    if (seq && seq->is_int64()) where += " (position " + std::to_string(position) + ")";
    const json::value* body = member(e, "body");
    const json::value* redacted_flag = member(e, "redacted");
    const bool is_redacted = redacted_flag && redacted_flag->is_bool() &&
                             redacted_flag->get_bool() && body && body->is_null();
    if (!is_redacted && (!body || !body->is_string())) return failed(checked, where + ": no body");
    if (!seq || !seq->is_int64()) return failed(checked, where + ": no seq");
    if (seq->get_int64() != position)
      return failed(checked, where + ": seq " + std::to_string(seq->get_int64()) + " follows " +
                                 std::to_string(position - 1) + " (expected " +
                                 std::to_string(position) +
                                 "; event inserted, removed or reordered)");
    if (text_of(e, "prev_hash") != prev)
      return failed(checked, where + ": prev_hash does not match the previous event's hash");
    if (is_redacted) {
      // Without its body the hash cannot be recomputed; it must still look like one, and the next
      // event's prev_hash (inside that event's hashed body's chain) must name it.
      std::string hash = text_of(e, "hash");
      if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos)
        return failed(checked, where + ": redacted event has no valid hash");
      if (const json::value* id = member(e, "case_id"); !id || *id != *case_id)
        return failed(checked, where + ": belongs to another case");
      ++redacted_count;
      prev = hash;
      continue;
    }
    std::string body_text(body->get_string());
    if (chain_hash(prev, body_text) != text_of(e, "hash"))
      return failed(checked, where + ": hash does not match the body (event edited)");
    json::value parsed;
    try {
      parsed = json::parse(body_text);
    } catch (const std::exception& ex) {
      return failed(checked, where + ": body is not JSON: " + ex.what());
    }
    if (!parsed.is_object()) return failed(checked, where + ": body is not an object");
    const json::object& b = parsed.get_object();
    for (const auto& kv : b) {
      const json::value* shown = member(e, kv.key());
      if (!shown || *shown != kv.value())
        return failed(checked, where + ": field '" + std::string(kv.key()) +
                                   "' differs from the hashed body (event edited)");
    }
    for (const auto& kv : e) {
      if (!is_chain_field(kv.key()) && !b.contains(kv.key()))
        return failed(checked,
                      where + ": field '" + std::string(kv.key()) + "' is not in the hashed body");
    }
    if (const json::value* id = member(b, "case_id"); !id || *id != *case_id)
      return failed(checked, where + ": belongs to another case");
    prev = text_of(e, "hash");
  }
  if (checked == 0) return failed(0, "no events");
  int64_t version_number = case_version->get_int64();
  if (version_number > checked)
    return failed(checked, "event seq " + std::to_string(checked + 1) +
                               ": missing (the case is at version " +
                               std::to_string(version_number) + " but the last event is seq " +
                               std::to_string(checked) + ")");
  if (version_number < checked)
    return failed(checked, "event seq " + std::to_string(checked) + ": beyond the case version " +
                               std::to_string(version_number));
  if (text_of(v, "head_hash") != prev)
    return failed(checked, "event seq " + std::to_string(checked) +
                               ": its hash is not verification.head_hash");
  std::string message = "ok: " + std::to_string(checked) + " events";
  if (redacted_count)
    message += " (" + std::to_string(redacted_count) + " redacted: hash taken as given)";
  return VerifyResult{true, checked, redacted_count, message};
}

}  // namespace disclose
