#include "store/sqlite/json_fields.h"

#include <nlohmann/json.hpp>
#include <utility>

namespace tessera::store::sqlite {
namespace {

using nlohmann::json;

// nlohmann::json reports errors by throwing; they stop here and become a Status.
template <typename Build>
Result<std::string> Encode(std::string_view what, Build build) {
  try {
    json value = build();
    return value.dump();
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string(what) + " cannot be stored: " + e.what());
  }
}

// Decodes a JSON array with `element`, which returns nullopt for an element it rejects.
template <typename T, typename Element>
Result<std::vector<T>> DecodeArray(std::string_view text, std::string_view what, Element element) {
  json value = json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_array()) {
    return Status::Corruption("stored " + std::string(what) +
                              " is not a JSON array: " + std::string(text.substr(0, 80)));
  }
  std::vector<T> out;
  out.reserve(value.size());
  try {
    for (const json& item : value) {
      std::optional<T> decoded = element(item);
      if (!decoded.has_value()) {
        return Status::Corruption("stored " + std::string(what) +
                                  " has an element this version does not know: " + item.dump());
      }
      out.push_back(std::move(*decoded));
    }
  } catch (const json::exception& e) {
    return Status::Corruption("stored " + std::string(what) + " is malformed: " + e.what());
  }
  return out;
}

json NameToJson(const model::PersonName& name) {
  return json{{"given", name.given},
              {"middle", name.middle},
              {"family", name.family},
              {"title", name.title},
              {"suffix", name.suffix}};
}

model::PersonName NameFromJson(const json& item) {
  model::PersonName name;
  name.given = item.at("given").get<std::string>();
  name.middle = item.at("middle").get<std::string>();
  name.family = item.at("family").get<std::string>();
  name.title = item.at("title").get<std::string>();
  name.suffix = item.at("suffix").get<std::string>();
  return name;
}

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

int ToInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

Result<std::string> EncodeIdentifiers(const std::vector<model::Identifier>& identifiers) {
  return Encode("identifiers", [&] {
    json out = json::array();
    for (const model::Identifier& id : identifiers) {
      out.push_back(json{
          {"kind", model::IdentifierKindName(id.kind)}, {"value", id.value}, {"valid", id.valid}});
    }
    return out;
  });
}

Result<std::vector<model::Identifier>> DecodeIdentifiers(std::string_view text) {
  return DecodeArray<model::Identifier>(
      text, "identifiers", [](const json& item) -> std::optional<model::Identifier> {
        std::optional<model::IdentifierKind> kind =
            model::IdentifierKindFromName(item.at("kind").get<std::string>());
        if (!kind.has_value()) return std::nullopt;
        return model::Identifier{*kind, item.at("value").get<std::string>(),
                                 item.at("valid").get<bool>()};
      });
}

Result<std::string> EncodeNames(const std::vector<model::PersonName>& names) {
  return Encode("names", [&] {
    json out = json::array();
    for (const model::PersonName& name : names) out.push_back(NameToJson(name));
    return out;
  });
}

Result<std::vector<model::PersonName>> DecodeNames(std::string_view text) {
  return DecodeArray<model::PersonName>(
      text, "names",
      [](const json& item) -> std::optional<model::PersonName> { return NameFromJson(item); });
}

Result<std::string> EncodeStrings(const std::vector<std::string>& strings) {
  return Encode("list", [&] { return json(strings); });
}

Result<std::vector<std::string>> DecodeStrings(std::string_view text) {
  return DecodeArray<std::string>(text, "list", [](const json& item) -> std::optional<std::string> {
    return item.get<std::string>();
  });
}

Result<std::string> EncodeRawValues(const std::vector<model::RawValue>& raw) {
  return Encode("raw values", [&] {
    json out = json::array();
    for (const model::RawValue& value : raw) {
      out.push_back(json{{"field", value.field}, {"value", value.value}});
    }
    return out;
  });
}

Result<std::vector<model::RawValue>> DecodeRawValues(std::string_view text) {
  return DecodeArray<model::RawValue>(text, "raw values",
                                      [](const json& item) -> std::optional<model::RawValue> {
                                        return model::RawValue{item.at("field").get<std::string>(),
                                                               item.at("value").get<std::string>()};
                                      });
}

Result<std::string> EncodeFlags(const std::vector<model::QualityFlag>& flags) {
  return Encode("quality flags", [&] {
    json out = json::array();
    for (const model::QualityFlag& flag : flags) {
      out.push_back(json{{"field", flag.field}, {"reason", flag.reason}});
    }
    return out;
  });
}

Result<std::vector<model::QualityFlag>> DecodeFlags(std::string_view text) {
  return DecodeArray<model::QualityFlag>(
      text, "quality flags", [](const json& item) -> std::optional<model::QualityFlag> {
        return model::QualityFlag{item.at("field").get<std::string>(),
                                  item.at("reason").get<std::string>()};
      });
}

Result<CivilDate> DecodeIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !AllDigits(text.substr(0, 4)) ||
      !AllDigits(text.substr(5, 2)) || !AllDigits(text.substr(8, 2))) {
    return Status::Corruption("stored date is not YYYY-MM-DD: '" + std::string(text) + "'");
  }
  Result<CivilDate> date =
      CivilDate::FromYmd(ToInt(text.substr(0, 4)), ToInt(text.substr(5, 2)), ToInt(text.substr(8)));
  if (!date.ok()) {
    return Status::Corruption("stored date '" + std::string(text) +
                              "' is not a calendar date: " + date.status().message());
  }
  return date;
}

std::optional<model::Sex> SexFromName(std::string_view name) {
  for (model::Sex sex : {model::Sex::kUnknown, model::Sex::kMale, model::Sex::kFemale}) {
    if (model::SexName(sex) == name) return sex;
  }
  return std::nullopt;
}

std::optional<model::ObjectKind> ObjectKindFromName(std::string_view name) {
  for (model::ObjectKind kind :
       {model::ObjectKind::kVehicle, model::ObjectKind::kPhone, model::ObjectKind::kEmail}) {
    if (model::ObjectKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace tessera::store::sqlite
