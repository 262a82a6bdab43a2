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

// A writer for the fixed shapes below, on the load path where nlohmann's object building was a
// tenth of a load's time. Output is what nlohmann's dump() gives for the same values (keys in
// sorted order, the same escapes), and invalid UTF-8 is refused as nlohmann refuses it.
class JsonOut {
 public:
  explicit JsonOut(std::string_view what) : what_(what) { out_.reserve(128); }

  void Raw(std::string_view text) { out_ += text; }

  // A quoted string; false (and an error) on invalid UTF-8.
  bool String(std::string_view s) {
    out_ += '"';
    for (size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        switch (c) {
          case '"':
            out_ += "\\\"";
            break;
          case '\\':
            out_ += "\\\\";
            break;
          case '\b':
            out_ += "\\b";
            break;
          case '\f':
            out_ += "\\f";
            break;
          case '\n':
            out_ += "\\n";
            break;
          case '\r':
            out_ += "\\r";
            break;
          case '\t':
            out_ += "\\t";
            break;
          default:
            if (c < 0x20) {
              static constexpr char kHex[] = "0123456789abcdef";
              out_ += "\\u00";
              out_ += kHex[c >> 4];
              out_ += kHex[c & 0xf];
            } else {
              out_ += static_cast<char>(c);
            }
        }
        ++i;
        continue;
      }
      const size_t n = Utf8Length(s, i);
      if (n == 0) {
        error_ = true;
        return false;
      }
      out_.append(s.data() + i, n);
      i += n;
    }
    out_ += '"';
    return true;
  }

  Result<std::string> Finish() {
    if (error_) {
      return Status::InvalidArgument(std::string(what_) +
                                     " cannot be stored: a value is not valid UTF-8");
    }
    return std::move(out_);
  }

 private:
  // The length of the well-formed UTF-8 sequence at s[i] (RFC 3629), or 0.
  static size_t Utf8Length(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
    const unsigned char c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return 0;
      if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
      if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogates
      return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
      if (c == 0xF4 && b(1) >= 0x90) return 0;  // beyond U+10FFFF
      return 4;
    }
    return 0;
  }

  std::string_view what_;
  std::string out_;
  bool error_ = false;
};

// [{"field": item.field, <second>: item.*second}, ...]: the shape of raw values and flags.
// `second_key` is the separator and key as written, e.g. `,"value":`, in sorted key order.
template <typename T>
Result<std::string> EncodeFieldPairs(std::string_view what, const std::vector<T>& items,
                                     std::string_view second_key, std::string T::*second) {
  JsonOut out(what);
  out.Raw("[");
  for (size_t i = 0; i < items.size(); ++i) {
    out.Raw(i ? ",{\"field\":" : "{\"field\":");
    out.String(items[i].field);
    out.Raw(second_key);
    out.String(items[i].*second);
    out.Raw("}");
  }
  out.Raw("]");
  return out.Finish();
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
  JsonOut out("identifiers");
  out.Raw("[");
  for (size_t i = 0; i < identifiers.size(); ++i) {
    out.Raw(i ? ",{\"kind\":" : "{\"kind\":");
    out.String(model::IdentifierKindName(identifiers[i].kind));
    out.Raw(identifiers[i].valid ? ",\"valid\":true,\"value\":" : ",\"valid\":false,\"value\":");
    out.String(identifiers[i].value);
    out.Raw("}");
  }
  out.Raw("]");
  return out.Finish();
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
  JsonOut out("list");
  out.Raw("[");
  for (size_t i = 0; i < strings.size(); ++i) {
    if (i) out.Raw(",");
    out.String(strings[i]);
  }
  out.Raw("]");
  return out.Finish();
}

Result<std::vector<std::string>> DecodeStrings(std::string_view text) {
  return DecodeArray<std::string>(text, "list", [](const json& item) -> std::optional<std::string> {
    return item.get<std::string>();
  });
}

Result<std::string> EncodeRawValues(const std::vector<model::RawValue>& raw) {
  return EncodeFieldPairs("raw values", raw, ",\"value\":", &model::RawValue::value);
}

Result<std::vector<model::RawValue>> DecodeRawValues(std::string_view text) {
  return DecodeArray<model::RawValue>(text, "raw values",
                                      [](const json& item) -> std::optional<model::RawValue> {
                                        return model::RawValue{item.at("field").get<std::string>(),
                                                               item.at("value").get<std::string>()};
                                      });
}

Result<std::string> EncodeFlags(const std::vector<model::QualityFlag>& flags) {
  return EncodeFieldPairs("quality flags", flags, ",\"reason\":", &model::QualityFlag::reason);
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
