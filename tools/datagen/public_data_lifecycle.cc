#include "datagen/public_data_lifecycle.h"

#include "datagen/vocabulary.h"

namespace datagen {

PublicDataShape draw_public_data_shape(Rng& rng) {
  static const std::vector<std::string> outcomes = {"data.provided", "data.refused", "data.partial",
                                                    "other.withdrawn"};
  PublicDataShape s;
  s.determination = outcomes[rng.weighted({84, 9, 2, 5})];
  s.withdraw_after_acceptance = rng.chance(0.5);
  s.notes = static_cast<int>(rng.weighted({60, 30, 10}));
  s.contacts = static_cast<int>(rng.weighted({70, 30}));
  return s;
}

void build_public_data_path(const PublicDataShape& shape, int handler, PathBuilder& path,
                            Rng& rng) {
  auto archive = [&] { path.add("archive", Role::registrar, rng.between(5, 40)); };
  if (shape.determination == "data.refused" || shape.determination == "data.partial") {
    PlannedStep& s = path.add("refuse", Role::reviewer, rng.between(0, 3));
    s.dated = true;
    s.input["determination"] = shape.determination;
    s.input["reason"] = refusal_reason(rng);
    archive();
    return;
  }
  bool withdrawn = shape.determination == "other.withdrawn";
  if (!withdrawn || shape.withdraw_after_acceptance) {
    // Most within the 3-working-day target; about one in seven late.
    PlannedStep& s = path.add("accept", rng.chance(0.8) ? Role::reviewer : Role::supervisor,
                              static_cast<int>(rng.weighted({30, 35, 20, 8, 4, 3})));
    s.dated = true;
    s.assign_handler = handler;
  }
  if (withdrawn) {
    path.add("withdraw", Role::registrar, rng.between(1, 5)).dated = true;
    archive();
    return;
  }
  PlannedStep& s = path.add("provide", Role::handler, rng.between(2, 15));
  s.dated = true;
  static const std::vector<std::string> means = {"download", "api", "media", "email"};
  s.input["means"] = means[rng.weighted({50, 25, 5, 20})];
  s.input["text"] = provision_note(rng);
  archive();
}

}  // namespace datagen
