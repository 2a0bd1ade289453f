// The Chinese text of generated cases: names of people, places and organisations, what requests
// ask for, and what staff write (correction items, reasons, notes, replies). Varied enough that
// searches, lists and exports look like a real district's, never meant to be about anyone real.
#pragma once

#include <string>
#include <vector>

#include "datagen/random.h"

namespace datagen {

std::string person_name(Rng& rng);   // 王秀英, 李强
std::string place_name(Rng& rng);    // 东湖村, 柳河湾社区
std::string road_name(Rng& rng);     // 建设路, 滨江大道
std::string company_name(Rng& rng);  // 鑫源置业有限公司
// An organisation's name for an applicant kind other than natural_person.
std::string organisation_name(const std::string& kind, Rng& rng);

// What a gov-info request asks for, on one of the agency's topics (agency_catalogue.h); `year`
// is the year of receipt (requests ask about that year or a few before).
std::string request_description(const std::string& topic, int year, Rng& rng);
// A public-data-open request (公共数据开放申请) and the use the data is for.
std::string public_data_description(int year, Rng& rng);
std::string public_data_purpose(Rng& rng);
// Why a person asks (申请用途), optional on the form.
std::string request_purpose(Rng& rng);

// The legal basis and the reasons a reply gives for a determination code of
// gov-info-disclosure.yaml ("" basis for unknown codes).
std::string reply_basis(const std::string& determination);
std::string reply_reasons(const std::string& determination);

// What staff write in the detours.
std::vector<std::string> correction_items(Rng& rng);  // 补正 items, one or two
std::string extension_reason(Rng& rng);
std::string delay_reason(Rng& rng);
std::string return_reason(Rng& rng);
std::string note_text(Rng& rng);
std::string contact_text(Rng& rng);
std::string attachment_name(Rng& rng);
std::string consulted_party(bool third_party, Rng& rng);
std::string reopen_order(const std::string& remedy_kind, Rng& rng);
std::string refusal_reason(Rng& rng);  // public-data-open refuse
std::string provision_note(Rng& rng);  // public-data-open provide

}  // namespace datagen
