#include "statemachine/action_inputs.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace disclose {
namespace {

namespace json = boost::json;

ActionError invalid(const std::string& field, const std::string& message) {
  return {ErrorCode::invalid_input, field + ": " + message, field};
}

std::optional<long long> as_integer(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<unsigned long long>(INT64_MAX)) return std::nullopt;
    return static_cast<long long>(v.get_uint64());
  }
  return std::nullopt;
}

// Checks one present value against its declared type; returns the normalised value.
Result<json::value> check_value(const Workflow& workflow, const InputSpec& spec,
                                const json::value& v) {
  const std::string& field = spec.name;
  switch (spec.type) {
    case InputType::date: {
      if (!v.is_string()) return invalid(field, "expected a date YYYY-MM-DD");
      auto d = Date::parse(v.get_string());
      if (!d) return invalid(field, "not a valid date YYYY-MM-DD");
      return json::value(d->str());
    }
    case InputType::string:
    case InputType::text:
    case InputType::user: {
      if (spec.type == InputType::user) {
        if (auto n = as_integer(v)) return json::value(std::to_string(*n));
      }
      if (!v.is_string()) return invalid(field, "expected a string");
      if (spec.required && v.get_string().empty()) return invalid(field, "must not be empty");
      if (spec.type == InputType::string && v.get_string().size() > 1000)
        return invalid(field, "longer than 1000 bytes");
      if (v.get_string().size() > 100000) return invalid(field, "longer than 100000 bytes");
      return v;
    }
    case InputType::integer: {
      auto n = as_integer(v);
      if (!n) return invalid(field, "expected a whole number");
      if (spec.min && *n < *spec.min)
        return invalid(field, "must be at least " + std::to_string(*spec.min));
      if (spec.max && *n > *spec.max)
        return invalid(field, "must be at most " + std::to_string(*spec.max));
      return json::value(*n);
    }
    case InputType::boolean:
      if (!v.is_bool()) return invalid(field, "expected true or false");
      return v;
    case InputType::choice: {
      if (!v.is_string()) return invalid(field, "expected a string");
      std::string s(v.get_string());
      if (std::find(spec.values.begin(), spec.values.end(), s) == spec.values.end()) {
        std::string allowed;
        for (const auto& value : spec.values) allowed += (allowed.empty() ? "" : ", ") + value;
        return invalid(field, "must be one of: " + allowed);
      }
      return v;
    }
    case InputType::string_list: {
      if (!v.is_array()) return invalid(field, "expected a list of strings");
      const auto& arr = v.get_array();
      if (spec.required && arr.empty()) return invalid(field, "must not be empty");
      for (const auto& item : arr) {
        if (!item.is_string() || item.get_string().empty())
          return invalid(field, "every item must be a non-empty string");
      }
      return v;
    }
    case InputType::determination: {
      if (!v.is_string()) return invalid(field, "expected a determination code");
      if (!workflow.determination(std::string(v.get_string())))
        return invalid(field, "unknown determination code '" + std::string(v.get_string()) + "'");
      return v;
    }
  }
  return invalid(field, "unsupported input type");
}

json::value default_of(const InputSpec& spec) {
  const std::string& text = *spec.default_value;
  if (spec.type == InputType::integer) {
    long long n = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && ptr == text.data() + text.size()) return json::value(n);
  }
  if (spec.type == InputType::boolean) return json::value(text == "true");
  return json::value(text);
}

}  // namespace

Result<json::object> validate_action_input(const Workflow& workflow, const ActionSpec& action,
                                           const json::value& input, const Case& current,
                                           Date today) {
  if (!input.is_null() && !input.is_object())
    return ActionError{ErrorCode::invalid_input, "the input must be a JSON object", ""};
  json::object given = input.is_object() ? input.get_object() : json::object{};

  for (const auto& [key, value] : given) {
    (void)value;
    if (!action.input(std::string(key)))
      return invalid(std::string(key), "not an input of action '" + action.name + "'");
  }

  json::object normalised;
  for (const InputSpec& spec : action.inputs) {
    auto it = given.find(spec.name);
    if (it == given.end() || it->value().is_null()) {
      if (spec.required)
        return ActionError{ErrorCode::missing_input, spec.name + ": required", spec.name};
      if (spec.default_value) normalised[spec.name] = default_of(spec);
      continue;
    }
    auto checked = check_value(workflow, spec, it->value());
    if (!checked) return checked.error();
    normalised[spec.name] = std::move(checked.value());
  }

  for (const auto& group : action.exclusive) {
    std::string first;
    for (const auto& name : group) {
      if (!given.contains(name) || given.at(name).is_null()) continue;
      if (!first.empty())
        return invalid(name, "give either " + first + " or " + name + ", not both");
      first = name;
    }
  }

  if (auto on = date_input(normalised, "on")) {
    if (*on > today)
      return ActionError{ErrorCode::date_in_future, "on: " + on->str() + " is in the future", "on"};
    if (current.last_dated_on && *on < *current.last_dated_on)
      return ActionError{ErrorCode::date_out_of_order,
                         "on: " + on->str() + " is before the case's previous dated event (" +
                             current.last_dated_on->str() + ")",
                         "on"};
  }
  return normalised;
}

std::optional<Date> date_input(const json::object& input, const std::string& name) {
  auto it = input.find(name);
  if (it == input.end() || !it->value().is_string()) return std::nullopt;
  return Date::parse(it->value().get_string());
}

std::string string_input(const json::object& input, const std::string& name) {
  auto it = input.find(name);
  if (it == input.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

std::optional<long long> integer_input(const json::object& input, const std::string& name) {
  auto it = input.find(name);
  if (it == input.end()) return std::nullopt;
  return as_integer(it->value());
}

}  // namespace disclose
