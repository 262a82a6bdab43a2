// libFuzzer harness for identifier normalisation: the input goes to every parser, and whatever
// one accepts must come back unchanged when normalised again.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/check.h"
#include "core/identifiers.h"

namespace {

bool AllDigits(std::string_view s) {
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Normalising a normalised value gives it back.
template <typename Fn>
void CheckIdempotent(std::string_view text, Fn normalise) {
  const tessera::Result<std::string> first = normalise(text);
  if (!first.ok()) {
    CHECK(first.status().code() == tessera::StatusCode::kInvalidArgument);
    CHECK(!first.status().message().empty());
    return;
  }
  const tessera::Result<std::string> second = normalise(*first);
  CHECK(second.ok());
  CHECK(*second == *first);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // NHS number
  CheckIdempotent(text, [](std::string_view t) { return tessera::NormaliseNhsNumber(t); });
  if (const auto nhs = tessera::NormaliseNhsNumber(text); nhs.ok()) {
    CHECK(nhs->size() == 10 && tessera::IsValidNhsNumber(*nhs));
  }
  if (tessera::IsValidNhsNumber(text)) {
    const auto check = tessera::NhsNumberCheckDigit(text.substr(0, 9));
    CHECK(check.has_value() && *check == text[9] - '0');
  }
  (void)tessera::NhsNumberCheckDigit(text);
  (void)tessera::IsTestRangeNhsNumber(text);
  (void)tessera::IsPlaceholderNhsNumber(text);

  // Postcodes
  if (const auto postcode = tessera::ParsePostcode(text); postcode.ok()) {
    const auto again = tessera::ParsePostcode(postcode->normalised);
    CHECK(again.ok() && *again == *postcode);
    CHECK(postcode->normalised == postcode->outward + " " + postcode->inward);
    CHECK(postcode->sector == postcode->outward + " " + postcode->inward.substr(0, 1));
    const auto district = tessera::NormalisePostcodeDistrict(postcode->outward);
    CHECK(district.ok() && *district == postcode->district);
  } else {
    CHECK(postcode.status().code() == tessera::StatusCode::kInvalidArgument);
  }
  CheckIdempotent(text, [](std::string_view t) { return tessera::NormalisePostcodeDistrict(t); });

  // UPRN
  CheckIdempotent(text, [](std::string_view t) { return tessera::NormaliseUprn(t); });
  if (const auto uprn = tessera::NormaliseUprn(text); uprn.ok()) {
    CHECK(!uprn->empty() && uprn->size() <= 12 && AllDigits(*uprn) && (*uprn)[0] != '0');
  }

  // Phone numbers (libphonenumber underneath)
  CheckIdempotent(text, [](std::string_view t) { return tessera::NormalisePhone(t); });
  if (const auto phone = tessera::NormalisePhone(text); phone.ok()) {
    CHECK(phone->size() >= 2 && (*phone)[0] == '+' && AllDigits(phone->substr(1)));
    (void)tessera::IsDummyPhone(*phone);
  }
  if (size >= 2) {
    // The first two bytes as a default region, the rest as the number.
    (void)tessera::NormalisePhone(text.substr(2), text.substr(0, 2));
  }
  (void)tessera::IsDummyPhone(text);
  (void)tessera::IsOfcomDramaNumber(text);

  // Email
  CheckIdempotent(text, [](std::string_view t) { return tessera::NormaliseEmail(t); });
  if (const auto email = tessera::NormaliseEmail(text); email.ok()) {
    CHECK(email->size() <= 254 && email->find('@') != std::string::npos);
  }

  // Police identifiers
  CheckIdempotent(text, [](std::string_view t) { return tessera::NormalisePncId(t); });
  if (const auto pnc = tessera::NormalisePncId(text); pnc.ok()) {
    CHECK(pnc->size() == 13 && (*pnc)[4] == '/');
  }
  CheckIdempotent(text, [](std::string_view t) { return tessera::NormaliseCroNumber(t); });
  if (size >= 8) {
    int32_t args[2];
    std::memcpy(args, data, sizeof(args));
    const char letter = tessera::PncCheckLetter(args[0], args[1]);
    const bool in_range = args[0] >= 0 && args[0] <= 99 && args[1] >= 0 && args[1] <= 9999999;
    CHECK((letter != '\0') == in_range);
  }

  // National Insurance number
  CheckIdempotent(text, [](std::string_view t) { return tessera::NormaliseNiNumber(t); });
  if (const auto ni = tessera::NormaliseNiNumber(text); ni.ok()) CHECK(ni->size() == 9);

  return 0;
}
