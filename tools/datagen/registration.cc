#include "datagen/registration.h"

#include <boost/json/array.hpp>

#include "datagen/vocabulary.h"

namespace datagen {
namespace {

namespace json = boost::json;

// Region codes (行政区划代码) of a few cities' districts, for ID numbers and credit codes.
const std::vector<std::string> kRegions = {"110105", "310104", "440106", "370302", "320102",
                                           "510107", "330106", "420102", "610113", "500103"};

std::string two_digits(int n) {
  return (n < 10 ? "0" : "") + std::to_string(n);
}

std::string resident_id(Rng& rng) {
  std::string id = rng.pick(kRegions);
  id += std::to_string(rng.between(1945, 2005));
  id += two_digits(rng.between(1, 12)) + two_digits(rng.between(1, 28));
  id += rng.digits(3);
  return id + resident_id_check(id);
}

// 统一社会信用代码: the registering authority and kind (9 1 = company, 1 2 = public institution,
// 5 2/5 3 = social organisations, 3 1 = law firm, 5 4 = other), region, organisation code.
std::string credit_code(const std::string& kind, Rng& rng) {
  std::string prefix = "91";
  if (kind == "research") prefix = "12";
  if (kind == "public_welfare") prefix = rng.chance(0.5) ? "52" : "53";
  if (kind == "legal_service") prefix = "31";
  if (kind == "other_org") prefix = "54";
  std::string code = prefix + rng.pick(kRegions);
  static const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  for (int i = 0; i < 9; ++i) code.push_back(alphabet[rng.below(i < 8 ? 10 : alphabet.size())]);
  return code + credit_code_check(code);
}

std::string mobile(Rng& rng) {
  static const std::vector<std::string> prefixes = {
      "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
      "157", "158", "159", "177", "180", "186", "187", "188", "189", "199"};
  return rng.pick(prefixes) + rng.digits(8);
}

std::string address(Rng& rng) {
  return "江城市滨河区" + road_name(rng) + std::to_string(rng.between(1, 388)) + "号" +
         std::to_string(rng.between(1, 30)) + "栋" + std::to_string(rng.between(1, 4)) + "单元" +
         std::to_string(rng.between(1, 32)) + two_digits(rng.between(1, 8)) + "室";
}

std::string email(Rng& rng) {
  static const std::vector<std::string> domains = {"qq.com", "163.com", "126.com", "sina.com",
                                                   "foxmail.com"};
  const std::string& domain = rng.pick(domains);
  std::string user = domain == "qq.com" ? std::to_string(rng.between(1, 9)) + rng.digits(8)
                                        : "user" + rng.digits(6);
  return user + "@" + domain;
}

std::string receipt_evidence(const std::string& channel, disclose::Date on, Rng& rng) {
  std::string day = on.str();
  if (channel == "online") return "政府信息公开申请平台确认回执 " + day;
  if (channel == "in_person") return "当面递交，登记员当场出具回执 " + day;
  if (channel == "mail_signed") return "EMS " + rng.digits(13) + " 签收 " + day;
  if (channel == "mail_plain") return "平信，" + day + " 电话与申请人确认";
  return "传真件，" + day + " 电话确认收到";
}

}  // namespace

char resident_id_check(const std::string& first17) {
  static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17 && i < first17.size(); ++i) sum += (first17[i] - '0') * weights[i];
  return "10X98765432"[sum % 11];
}

char credit_code_check(const std::string& first17) {
  static const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  int sum = 0;
  for (size_t i = 0; i < 17 && i < first17.size(); ++i) {
    size_t value = alphabet.find(first17[i]);
    sum += static_cast<int>(value == std::string::npos ? 0 : value) * weights[i];
  }
  int check = 31 - sum % 31;
  return alphabet[static_cast<size_t>(check == 31 ? 0 : check)];
}

std::string gov_info_applicant_kind(Rng& rng) {
  static const std::vector<std::string> kinds = {"natural_person", "commercial",    "research",
                                                 "public_welfare", "legal_service", "other_org"};
  return kinds[rng.weighted({850, 70, 8, 10, 32, 30})];
}

std::string public_data_applicant_kind(Rng& rng) {
  static const std::vector<std::string> kinds = {"natural_person", "commercial", "research",
                                                 "public_welfare", "other_org"};
  return kinds[rng.weighted({25, 35, 30, 5, 5})];
}

json::object make_applicant(const std::string& kind, Rng& rng) {
  json::object a;
  a["kind"] = kind;
  bool person = kind == "natural_person";
  a["name"] = person ? person_name(rng) : organisation_name(kind, rng);
  a["id_type"] = person ? "resident_id" : "uscc";
  a["id_number"] = person ? resident_id(rng) : credit_code(kind, rng);
  a["phone"] = mobile(rng);
  if (rng.chance(0.85)) a["address"] = address(rng);
  if (rng.chance(person ? 0.35 : 0.7)) a["email"] = email(rng);
  if (!person) a["contact_person"] = person_name(rng);
  return a;
}

std::string receipt_channel(bool working_day, Rng& rng) {
  static const std::vector<std::string> channels = {"online", "in_person", "mail_signed",
                                                    "mail_plain", "fax"};
  if (!working_day) return rng.chance(0.92) ? "online" : "fax";
  return channels[rng.weighted({45, 18, 25, 8, 4})];
}

json::object registration_document(const RegistrationDraft& draft, Rng& rng) {
  bool public_data = draft.workflow == "public-data-open";
  json::object request;
  if (public_data) {
    request["description"] = public_data_description(draft.received_on.year(), rng);
    request["form"] = "electronic";
    request["delivery"] = rng.chance(0.7) ? "online" : "email";
    request["purpose"] = public_data_purpose(rng);
  } else {
    request["description"] = request_description(draft.topic, draft.received_on.year(), rng);
    size_t form = rng.weighted({45, 50, 5});
    if (form == 0) {
      request["form"] = "paper";
      request["delivery"] = rng.chance(0.6) ? "post" : "in_person";
    } else if (form == 1) {
      request["form"] = "electronic";
      request["delivery"] = rng.chance(0.6) ? "email" : "online";
    } else {
      request["form"] = "other";
      request["delivery"] = "other";
    }
    if (rng.chance(0.4)) request["purpose"] = request_purpose(rng);
  }
  json::object doc;
  doc["workflow"] = draft.workflow;
  doc["agency"] = draft.agency;
  doc["channel"] = draft.channel;
  doc["received_on"] = draft.received_on.str();
  doc["receipt_evidence"] = receipt_evidence(draft.channel, draft.received_on, rng);
  doc["applicant"] = draft.applicant;
  doc["request"] = std::move(request);
  doc["tags"] = json::array{json::value(public_data ? "数据开放" : draft.topic)};
  return doc;
}

}  // namespace datagen
