#include "store/sqlite/json_fields.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
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

// The length of the well-formed UTF-8 sequence at s[i] (RFC 3629), or 0.
size_t Utf8Length(std::string_view s, size_t i) {
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

// A reader for the JSON this module writes: arrays of strings, and arrays of flat objects whose
// values are strings or booleans. The resolver reads a million person records at a time, and
// parsing their lists with nlohmann was most of that. It accepts only well-formed JSON of those
// shapes (strings must be valid UTF-8, as nlohmann requires); on anything else it gives up and
// the caller decodes with nlohmann, which reports what is wrong.
class JsonIn {
 public:
  explicit JsonIn(std::string_view text) : s_(text) {}

  bool AtEnd() {
    SkipSpace();
    return i_ == s_.size();
  }

  bool Eat(char c) {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  bool String(std::string& out) {
    out.clear();
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      // Copy the run up to the next quote, escape or byte that needs a look.
      size_t start = i_;
      while (i_ < s_.size()) {
        const auto c = static_cast<unsigned char>(s_[i_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++i_;
      }
      out.append(s_.data() + start, i_ - start);
      if (i_ == s_.size()) return false;
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        const size_t n = Utf8Length(s_, i_);
        if (n == 0) return false;
        out.append(s_.data() + i_, n);
        i_ += n;
        continue;
      }
      if (!Escape(out)) return false;
    }
    return false;
  }

  bool Bool(bool& out) {
    SkipSpace();
    if (s_.substr(i_, 4) == "true") {
      out = true;
      i_ += 4;
      return true;
    }
    if (s_.substr(i_, 5) == "false") {
      out = false;
      i_ += 5;
      return true;
    }
    return false;
  }

 private:
  void SkipSpace() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) {
      ++i_;
    }
  }

  // At a backslash inside a string: appends what the escape stands for.
  bool Escape(std::string& out) {
    if (i_ + 1 >= s_.size()) return false;
    const char e = s_[i_ + 1];
    i_ += 2;
    switch (e) {
      case '"':
        out += '"';
        return true;
      case '\\':
        out += '\\';
        return true;
      case '/':
        out += '/';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    uint32_t code = 0;
    if (!Hex4(code)) return false;
    if (code >= 0xD800 && code <= 0xDBFF) {  // a high surrogate: its low half must follow
      uint32_t low = 0;
      if (s_.substr(i_, 2) != "\\u") return false;
      i_ += 2;
      if (!Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
      return false;
    }
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
    return true;
  }

  bool Hex4(uint32_t& out) {
    if (i_ + 4 > s_.size()) return false;
    out = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      out <<= 4;
      if (c >= '0' && c <= '9') {
        out |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        out |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        out |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// Reads `text` as an array whose elements `element` reads (returning false on anything it does
// not expect); nullopt if the text is not such an array.
template <typename T, typename Element>
std::optional<std::vector<T>> FastArray(std::string_view text, Element element) {
  std::vector<T> out;
  if (text == "[]") return out;
  JsonIn in(text);
  if (!in.Eat('[')) return std::nullopt;
  if (!in.Eat(']')) {
    do {
      T item{};
      if (!element(in, item)) return std::nullopt;
      out.push_back(std::move(item));
    } while (in.Eat(','));
    if (!in.Eat(']')) return std::nullopt;
  }
  if (!in.AtEnd()) return std::nullopt;
  return out;
}

// Reads one flat object into `item`: `field(in, item, key)` reads the value of `key` and returns
// the bit it stands for (0 for an unknown key or a bad value). Every bit of `required` must be
// seen.
template <typename T, typename Field>
bool FastObject(JsonIn& in, T& item, unsigned required, Field field) {
  if (!in.Eat('{')) return false;
  unsigned seen = 0;
  std::string key;
  if (!in.Eat('}')) {
    do {
      if (!in.String(key) || !in.Eat(':')) return false;
      unsigned bit = field(in, item, key);
      if (bit == 0) return false;
      seen |= bit;
    } while (in.Eat(','));
    if (!in.Eat('}')) return false;
  }
  return (seen & required) == required;
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
  std::string kind_name;
  auto fast = FastArray<model::Identifier>(text, [&](JsonIn& array, model::Identifier& item) {
    return FastObject(
        array, item, 7, [&](JsonIn& in, model::Identifier& id, const std::string& key) {
          if (key == "value") return in.String(id.value) ? 1u : 0u;
          if (key == "valid") return in.Bool(id.valid) ? 2u : 0u;
          if (key != "kind" || !in.String(kind_name)) return 0u;
          std::optional<model::IdentifierKind> parsed = model::IdentifierKindFromName(kind_name);
          if (!parsed.has_value()) return 0u;
          id.kind = *parsed;
          return 4u;
        });
  });
  if (fast.has_value()) return std::move(*fast);
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
  if (names.empty()) return std::string("[]");
  return Encode("names", [&] {
    json out = json::array();
    for (const model::PersonName& name : names) out.push_back(NameToJson(name));
    return out;
  });
}

Result<std::vector<model::PersonName>> DecodeNames(std::string_view text) {
  auto fast = FastArray<model::PersonName>(text, [](JsonIn& array, model::PersonName& item) {
    return FastObject(array, item, 31,
                      [](JsonIn& in, model::PersonName& name, const std::string& key) {
                        std::string* part = key == "given"    ? &name.given
                                            : key == "middle" ? &name.middle
                                            : key == "family" ? &name.family
                                            : key == "title"  ? &name.title
                                            : key == "suffix" ? &name.suffix
                                                              : nullptr;
                        if (part == nullptr || !in.String(*part)) return 0u;
                        return part == &name.given    ? 1u
                               : part == &name.middle ? 2u
                               : part == &name.family ? 4u
                               : part == &name.title  ? 8u
                                                      : 16u;
                      });
  });
  if (fast.has_value()) return std::move(*fast);
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
  auto fast =
      FastArray<std::string>(text, [](JsonIn& in, std::string& item) { return in.String(item); });
  if (fast.has_value()) return std::move(*fast);
  return DecodeArray<std::string>(text, "list", [](const json& item) -> std::optional<std::string> {
    return item.get<std::string>();
  });
}

Result<std::string> EncodeRawValues(const std::vector<model::RawValue>& raw) {
  return EncodeFieldPairs("raw values", raw, ",\"value\":", &model::RawValue::value);
}

namespace {

// [{"field": ..., <second_key>: ...}, ...] read into items with `field` and `*second`.
template <typename T>
std::optional<std::vector<T>> FastFieldPairs(std::string_view text, std::string_view second_key,
                                             std::string T::*second) {
  return FastArray<T>(text, [&](JsonIn& array, T& item) {
    return FastObject(array, item, 3, [&](JsonIn& in, T& pair, const std::string& key) {
      if (key == "field") return in.String(pair.field) ? 1u : 0u;
      if (key == second_key) return in.String(pair.*second) ? 2u : 0u;
      return 0u;
    });
  });
}

}  // namespace

Result<std::vector<model::RawValue>> DecodeRawValues(std::string_view text) {
  auto fast = FastFieldPairs(text, "value", &model::RawValue::value);
  if (fast.has_value()) return std::move(*fast);
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
  auto fast = FastFieldPairs(text, "reason", &model::QualityFlag::reason);
  if (fast.has_value()) return std::move(*fast);
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
