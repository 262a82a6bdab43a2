// How the structured fields of model values (identifiers, names, phones, raw values, flags)
// are written to and read from JSON text columns. Private to the store module.
//
// Encoding fails with InvalidArgument when a value cannot be stored (text that is not UTF-8);
// decoding fails with Corruption, since the store wrote the text itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dates.h"
#include "core/status.h"
#include "model/model.h"

namespace tessera::store::sqlite {

Result<std::string> EncodeIdentifiers(const std::vector<model::Identifier>& identifiers);
Result<std::vector<model::Identifier>> DecodeIdentifiers(std::string_view json);

Result<std::string> EncodeNames(const std::vector<model::PersonName>& names);
Result<std::vector<model::PersonName>> DecodeNames(std::string_view json);

Result<std::string> EncodeStrings(const std::vector<std::string>& strings);
Result<std::vector<std::string>> DecodeStrings(std::string_view json);

Result<std::string> EncodeRawValues(const std::vector<model::RawValue>& raw);
Result<std::vector<model::RawValue>> DecodeRawValues(std::string_view json);

Result<std::string> EncodeFlags(const std::vector<model::QualityFlag>& flags);
Result<std::vector<model::QualityFlag>> DecodeFlags(std::string_view json);

// Dates are ISO 8601 text, "YYYY-MM-DD". Decoding anything else is Corruption.
Result<CivilDate> DecodeIsoDate(std::string_view text);

// Vocabulary the model has names for in one direction only.
std::optional<model::Sex> SexFromName(std::string_view name);
std::optional<model::ObjectKind> ObjectKindFromName(std::string_view name);

}  // namespace tessera::store::sqlite
