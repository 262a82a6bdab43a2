#include "core/identifiers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace tessera {
namespace {

using ::testing::HasSubstr;

// The value of a Result, or the test fails with its message.
template <typename T>
T Ok(const Result<T>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : T{};
}

// The message of a failed Result; the test fails if it succeeded.
template <typename T>
std::string Err(const Result<T>& r) {
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

// ---------------------------------------------------------------------------------------------
// NHS number (vectors from NHS Digital's published examples; check digits recomputed by hand:
// 9434765919: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299, 299 mod 11 = 2, 11 - 2 = 9.)

TEST(NhsNumberTest, PublishedValidNumbers) {
  EXPECT_TRUE(IsValidNhsNumber("9434765919"));
  EXPECT_TRUE(IsValidNhsNumber("4010232137"));
  EXPECT_TRUE(IsValidNhsNumber("9876543210"));  // a run, but its check digit is right
}

TEST(NhsNumberTest, InvalidNumbers) {
  EXPECT_FALSE(IsValidNhsNumber("9434765918"));  // wrong check digit
  EXPECT_FALSE(IsValidNhsNumber("4010232138"));
  EXPECT_FALSE(IsValidNhsNumber("1234567890"));  // check value 10: never issued
  EXPECT_FALSE(IsValidNhsNumber("943476591"));
  EXPECT_FALSE(IsValidNhsNumber("94347659190"));
  EXPECT_FALSE(IsValidNhsNumber("943 476 5919"));  // the raw check takes digits only
  EXPECT_FALSE(IsValidNhsNumber("94347659x9"));
  EXPECT_FALSE(IsValidNhsNumber(""));
}

TEST(NhsNumberTest, CheckDigit) {
  EXPECT_EQ(NhsNumberCheckDigit("943476591"), 9);
  EXPECT_EQ(NhsNumberCheckDigit("401023213"), 7);
  EXPECT_EQ(NhsNumberCheckDigit("987654321"), 0);             // 11 - 0 = 11 -> 0
  EXPECT_EQ(NhsNumberCheckDigit("123456789"), std::nullopt);  // 10: no such number
  EXPECT_EQ(NhsNumberCheckDigit("12345678"), std::nullopt);
  EXPECT_EQ(NhsNumberCheckDigit("12345678a"), std::nullopt);
  // Every nine digits either have a check digit that validates, or none at all.
  for (int i = 0; i < 100000; i += 7) {
    std::string nine = std::to_string(100000000 + i * 8999);
    nine.resize(9);
    const std::optional<int> check = NhsNumberCheckDigit(nine);
    for (int d = 0; d <= 9; ++d) {
      EXPECT_EQ(IsValidNhsNumber(nine + static_cast<char>('0' + d)), check == d) << nine << d;
    }
  }
}

TEST(NhsNumberTest, NormaliseAcceptsUsualLayouts) {
  EXPECT_EQ(Ok(NormaliseNhsNumber("943 476 5919")), "9434765919");
  EXPECT_EQ(Ok(NormaliseNhsNumber("943-476-5919")), "9434765919");
  EXPECT_EQ(Ok(NormaliseNhsNumber("9434765919")), "9434765919");
  EXPECT_EQ(Ok(NormaliseNhsNumber("  401 023 2137\t")), "4010232137");
}

TEST(NhsNumberTest, NormaliseSaysWhy) {
  EXPECT_EQ(Err(NormaliseNhsNumber("943 476 591")),
            "NHS number '943 476 591' has 9 digits; expected 10");
  EXPECT_EQ(Err(NormaliseNhsNumber("94347659190")),
            "NHS number '94347659190' has 11 digits; expected 10");
  EXPECT_THAT(Err(NormaliseNhsNumber("943/476/5919")), HasSubstr("'/' at position 4"));
  EXPECT_THAT(Err(NormaliseNhsNumber("943476591O")), HasSubstr("'O' at position 10"));
  EXPECT_EQ(Err(NormaliseNhsNumber("9434765918")),
            "NHS number '9434765918' has check digit 8; expected 9");
  EXPECT_THAT(Err(NormaliseNhsNumber("1234567890")), HasSubstr("check value 10"));
  EXPECT_EQ(Err(NormaliseNhsNumber("")), "empty NHS number");
  EXPECT_THAT(Err(NormaliseNhsNumber(std::string(100000, '9'))), HasSubstr("100000 digits"));
}

TEST(NhsNumberTest, TestRange) {
  EXPECT_TRUE(IsTestRangeNhsNumber("9990000018"));
  EXPECT_TRUE(IsTestRangeNhsNumber("9999999999"));
  EXPECT_FALSE(IsTestRangeNhsNumber("9434765919"));
  EXPECT_FALSE(IsTestRangeNhsNumber("999"));
  EXPECT_FALSE(IsTestRangeNhsNumber("999abcdefg"));
}

TEST(NhsNumberTest, Placeholders) {
  for (const char* n : {"0000000000", "1111111111", "9999999999", "0123456789", "1234567890",
                        "9876543210", "0987654321"}) {
    EXPECT_TRUE(IsPlaceholderNhsNumber(n)) << n;
  }
  // All repeated-digit numbers pass the modulus 11 check, which is why they need catching.
  EXPECT_TRUE(IsValidNhsNumber("0000000000"));
  EXPECT_TRUE(IsValidNhsNumber("5555555555"));
  EXPECT_FALSE(IsPlaceholderNhsNumber("9434765919"));
  EXPECT_FALSE(IsPlaceholderNhsNumber("4010232137"));
  EXPECT_FALSE(IsPlaceholderNhsNumber("000000000"));
  EXPECT_FALSE(IsPlaceholderNhsNumber("aaaaaaaaaa"));
}

// ---------------------------------------------------------------------------------------------
// Postcodes

TEST(PostcodeTest, EveryShapeWithRealPostcodes) {
  const Postcode p = Ok(ParsePostcode("SW1A 1AA"));  // AA9A 9AA: Buckingham Palace
  EXPECT_EQ(p.normalised, "SW1A 1AA");
  EXPECT_EQ(p.outward, "SW1A");
  EXPECT_EQ(p.inward, "1AA");
  EXPECT_EQ(p.area, "SW");
  EXPECT_EQ(p.district, "SW1A");
  EXPECT_EQ(p.sector, "SW1A 1");
  EXPECT_FALSE(p.pseudo);

  EXPECT_EQ(Ok(ParsePostcode("EC1A 1BB")).sector, "EC1A 1");  // AA9A
  const Postcode w1a = Ok(ParsePostcode("W1A 0AX"));          // A9A: BBC Broadcasting House
  EXPECT_EQ(w1a.area, "W");
  EXPECT_EQ(w1a.district, "W1A");
  const Postcode m1 = Ok(ParsePostcode("M1 1AE"));  // A9
  EXPECT_EQ(m1.area, "M");
  EXPECT_EQ(m1.sector, "M1 1");
  EXPECT_EQ(Ok(ParsePostcode("B33 8TH")).district, "B33");  // A99
  EXPECT_EQ(Ok(ParsePostcode("CR2 6XH")).area, "CR");       // AA9
  const Postcode dn = Ok(ParsePostcode("DN55 1PT"));        // AA99
  EXPECT_EQ(dn.area, "DN");
  EXPECT_EQ(dn.district, "DN55");
  EXPECT_EQ(dn.sector, "DN55 1");
  EXPECT_EQ(Ok(ParsePostcode("BL0 9AA")).district, "BL0");  // district 0 exists
}

TEST(PostcodeTest, CaseAndSpacing) {
  for (const char* text :
       {"sw1a1aa", " SW1A  1AA ", "Sw1A 1aA", "SW1A1AA", "\tsw1a 1aa\n", "S W 1 A 1 A A"}) {
    EXPECT_EQ(Ok(ParsePostcode(text)).normalised, "SW1A 1AA") << text;
  }
  EXPECT_EQ(Ok(ParsePostcode("b338th")).normalised, "B33 8TH");
  EXPECT_EQ(Ok(ParsePostcode("m11ae")).normalised, "M1 1AE");
}

TEST(PostcodeTest, SpecialCases) {
  const Postcode gir = Ok(ParsePostcode("gir0aa"));
  EXPECT_EQ(gir.normalised, "GIR 0AA");
  EXPECT_EQ(gir.district, "GIR");
  EXPECT_FALSE(gir.pseudo);
  EXPECT_THAT(Err(ParsePostcode("GIR 1AA")), HasSubstr("GIR 0AA"));

  for (const char* text : {"ZZ99 3VZ", "ZZ99 3WZ", "ZZ99 3CZ", "zz993gz"}) {
    const Postcode p = Ok(ParsePostcode(text));
    EXPECT_TRUE(p.pseudo) << text;
    EXPECT_EQ(p.area, "ZZ");
    EXPECT_EQ(p.district, "ZZ99");
  }
  EXPECT_EQ(Ok(ParsePostcode("zz993vz")).normalised, "ZZ99 3VZ");
  EXPECT_FALSE(ParsePostcode("ZZ98 3VZ").ok());  // Z is never a second letter otherwise
}

TEST(PostcodeTest, LetterRules) {
  EXPECT_THAT(Err(ParsePostcode("QA1 1AA")), HasSubstr("first letter"));
  EXPECT_FALSE(ParsePostcode("V1 1AA").ok());
  EXPECT_FALSE(ParsePostcode("X1 1AA").ok());
  EXPECT_THAT(Err(ParsePostcode("AI1 1AA")), HasSubstr("second letter"));
  EXPECT_FALSE(ParsePostcode("BJ1 1AA").ok());
  EXPECT_FALSE(ParsePostcode("SZ1 1AA").ok());
  EXPECT_THAT(Err(ParsePostcode("W1I 0AX")), HasSubstr("third character"));
  EXPECT_FALSE(ParsePostcode("W1L 0AX").ok());
  EXPECT_TRUE(ParsePostcode("W1U 0AX").ok());
  EXPECT_THAT(Err(ParsePostcode("EC1C 1BB")), HasSubstr("fourth character"));
  EXPECT_TRUE(ParsePostcode("SE1P 5LX").ok());
  for (const char* text :
       {"SW1A 1CA", "SW1A 1AI", "SW1A 1KA", "SW1A 1AM", "SW1A 1OA", "SW1A 1AV"}) {
    EXPECT_THAT(Err(ParsePostcode(text)), HasSubstr("inward")) << text;
  }
}

TEST(PostcodeTest, Shapes) {
  EXPECT_EQ(Err(ParsePostcode("")), "empty postcode");
  EXPECT_THAT(Err(ParsePostcode("S1")), HasSubstr("5 to 7"));
  EXPECT_THAT(Err(ParsePostcode("SW1A 1AAA")), HasSubstr("5 to 7"));
  EXPECT_THAT(Err(ParsePostcode(std::string(5000, 'A'))), HasSubstr("5 to 7"));
  EXPECT_THAT(Err(ParsePostcode("SW1A-1AA")), HasSubstr("unexpected character '-'"));
  EXPECT_THAT(Err(ParsePostcode("SW1A AAA")), HasSubstr("inward code"));
  EXPECT_THAT(Err(ParsePostcode("SWAA 1AA")), HasSubstr("not A9"));
  EXPECT_FALSE(ParsePostcode("1W1A 1AA").ok());
  EXPECT_FALSE(ParsePostcode("SW1AA 1AA").ok());
  EXPECT_FALSE(ParsePostcode(std::string("SW1A\0 1AA", 9)).ok());
  EXPECT_FALSE(ParsePostcode("SW1A 1A\xC3\x84").ok());
}

TEST(PostcodeTest, NormalisedFormReparsesToItself) {
  for (const char* text : {"sw1a1aa", "ec1a1bb", "w1a0ax", "m11ae", "b338th", "cr26xh", "dn551pt",
                           "gir0aa", "zz993vz"}) {
    const Postcode p = Ok(ParsePostcode(text));
    EXPECT_EQ(Ok(ParsePostcode(p.normalised)), p) << text;
  }
}

TEST(PostcodeDistrictTest, Normalise) {
  EXPECT_EQ(Ok(NormalisePostcodeDistrict("sw1a")), "SW1A");
  EXPECT_EQ(Ok(NormalisePostcodeDistrict(" b33 ")), "B33");
  EXPECT_EQ(Ok(NormalisePostcodeDistrict("M1")), "M1");
  EXPECT_EQ(Ok(NormalisePostcodeDistrict("dn55")), "DN55");
  EXPECT_EQ(Ok(NormalisePostcodeDistrict("zz99")), "ZZ99");
  EXPECT_EQ(Ok(NormalisePostcodeDistrict("gir")), "GIR");
  EXPECT_FALSE(NormalisePostcodeDistrict("").ok());
  EXPECT_FALSE(NormalisePostcodeDistrict("SW1A1AA").ok());
  EXPECT_FALSE(NormalisePostcodeDistrict("Q1").ok());
  EXPECT_FALSE(NormalisePostcodeDistrict("SW").ok());
  EXPECT_FALSE(NormalisePostcodeDistrict("S-1").ok());
  EXPECT_FALSE(NormalisePostcodeDistrict("SW 1A").ok());
}

// ---------------------------------------------------------------------------------------------
// UPRN

TEST(UprnTest, Normalise) {
  EXPECT_EQ(Ok(NormaliseUprn("100023336956")), "100023336956");  // 10 Downing Street
  EXPECT_EQ(Ok(NormaliseUprn("000010033544614")), "10033544614");
  EXPECT_EQ(Ok(NormaliseUprn(" 42 ")), "42");
  EXPECT_EQ(Ok(NormaliseUprn("1")), "1");
  EXPECT_EQ(Ok(NormaliseUprn("999999999999")), "999999999999");
}

TEST(UprnTest, Rejects) {
  EXPECT_THAT(Err(NormaliseUprn("0")), HasSubstr("zero"));
  EXPECT_THAT(Err(NormaliseUprn("0000")), HasSubstr("zero"));
  EXPECT_THAT(Err(NormaliseUprn("1000000000000")), HasSubstr("13 significant digits"));
  EXPECT_THAT(Err(NormaliseUprn("12a")), HasSubstr("digits only"));
  EXPECT_FALSE(NormaliseUprn("-1").ok());
  EXPECT_FALSE(NormaliseUprn("1.00023336956E+11").ok());  // Excel's doing
  EXPECT_FALSE(NormaliseUprn("1 2").ok());
  EXPECT_EQ(Err(NormaliseUprn("")), "empty UPRN");
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

TEST(PhoneTest, NormalisesUkNumbersToE164) {
  EXPECT_EQ(Ok(NormalisePhone("07911 123456")), "+447911123456");
  EXPECT_EQ(Ok(NormalisePhone("+44 (0) 7911 123456")), "+447911123456");
  EXPECT_EQ(Ok(NormalisePhone("0044 7911 123456")), "+447911123456");
  EXPECT_EQ(Ok(NormalisePhone("(0161) 496 0000")), "+441614960000");
  EXPECT_EQ(Ok(NormalisePhone("020 7946 0123")), "+442079460123");
  EXPECT_EQ(Ok(NormalisePhone("0800 123 4567")), "+448001234567");
  EXPECT_EQ(Ok(NormalisePhone("07911 123456 ext. 123")), "+447911123456");  // extension dropped
}

TEST(PhoneTest, OfcomDramaNumbersAreAccepted) {
  // libphonenumber 8.12 calls 07700 900xxx and 01632 960xxx invalid (no operator holds them);
  // they are reserved for drama, which makes them the right numbers for test data.
  EXPECT_EQ(Ok(NormalisePhone("07700 900123")), "+447700900123");
  EXPECT_EQ(Ok(NormalisePhone("07700900000")), "+447700900000");
  EXPECT_EQ(Ok(NormalisePhone("07700 900999")), "+447700900999");
  EXPECT_EQ(Ok(NormalisePhone("01632 960123")), "+441632960123");
  EXPECT_EQ(Ok(NormalisePhone("0115 496 0999")), "+441154960999");
  EXPECT_FALSE(NormalisePhone("07700 901000").ok());  // just outside the range
  EXPECT_TRUE(IsOfcomDramaNumber("+447700900123"));
  EXPECT_TRUE(IsOfcomDramaNumber("07700 900123"));
  EXPECT_TRUE(IsOfcomDramaNumber("+442079460999"));
  EXPECT_TRUE(IsOfcomDramaNumber("+443069990500"));
  EXPECT_FALSE(IsOfcomDramaNumber("+447700901000"));
  EXPECT_FALSE(IsOfcomDramaNumber("+447911123456"));
  EXPECT_FALSE(IsOfcomDramaNumber("+17700900123"));
  EXPECT_FALSE(IsOfcomDramaNumber(""));
}

TEST(PhoneTest, OtherRegions) {
  EXPECT_EQ(Ok(NormalisePhone("+1 202 555 0123")), "+12025550123");
  EXPECT_EQ(Ok(NormalisePhone("202 555 0123", "US")), "+12025550123");
  EXPECT_EQ(Ok(NormalisePhone("01 23 45 67 89", "FR")), "+33123456789");
}

TEST(PhoneTest, Rejects) {
  EXPECT_EQ(Err(NormalisePhone("")), "empty phone number");
  EXPECT_THAT(Err(NormalisePhone("abc")), HasSubstr("not a phone number"));
  EXPECT_THAT(Err(NormalisePhone("999")), HasSubstr("not a valid number"));
  EXPECT_THAT(Err(NormalisePhone("00000000000")), HasSubstr("not a valid number"));
  EXPECT_FALSE(NormalisePhone("07700").ok());
  EXPECT_FALSE(NormalisePhone("0791112345678901").ok());
  EXPECT_THAT(Err(NormalisePhone("07911 123456", "gb")), HasSubstr("default region"));
  EXPECT_THAT(Err(NormalisePhone("07911 123456", "")), HasSubstr("default region"));
  EXPECT_THAT(Err(NormalisePhone(std::string(1000, '7'))), HasSubstr("too long"));
  EXPECT_FALSE(NormalisePhone("\xff\xfe\x00", "GB").ok());
}

TEST(PhoneTest, DummyNumbers) {
  for (const char* n :
       {"00000000000", "+440000000000", "07000000000", "+447000000000", "01234567890",
        "+441234567890", "07777777777", "+447777777777", "07123456789", "+447123456789",
        "07911111111", "09876543210", "+11111111111"}) {
    EXPECT_TRUE(IsDummyPhone(n)) << n;
  }
  for (const char* n : {"+447911123456", "+447700900123", "+447700900000", "+441632960000",
                        "+442079460000", "+12025550123", "", "garbage", "+44", "07"}) {
    EXPECT_FALSE(IsDummyPhone(n)) << n;
  }
}

TEST(PhoneTest, NormalisedNumbersRenormaliseToThemselves) {
  for (const char* text : {"07911 123456", "07700 900123", "+1 202 555 0123", "01632 960001"}) {
    const std::string e164 = Ok(NormalisePhone(text));
    EXPECT_EQ(Ok(NormalisePhone(e164)), e164);
  }
}

// ---------------------------------------------------------------------------------------------
// Email

TEST(EmailTest, Normalise) {
  EXPECT_EQ(Ok(NormaliseEmail("  Jane.Smith@Example.NHS.uk ")), "jane.smith@example.nhs.uk");
  EXPECT_EQ(Ok(NormaliseEmail("a.b+tag@sub-domain.example.co.uk")),
            "a.b+tag@sub-domain.example.co.uk");
  EXPECT_EQ(Ok(NormaliseEmail("o'brien@example.ie")), "o'brien@example.ie");
  EXPECT_EQ(Ok(NormaliseEmail("x@a1.io")), "x@a1.io");
}

TEST(EmailTest, Rejects) {
  EXPECT_THAT(Err(NormaliseEmail("a@b")), HasSubstr("no dot"));
  EXPECT_THAT(Err(NormaliseEmail("@x.com")), HasSubstr("nothing before"));
  EXPECT_THAT(Err(NormaliseEmail("a@@x.com")), HasSubstr("more than one '@'"));
  EXPECT_THAT(Err(NormaliseEmail("a b@x.com")), HasSubstr("' '"));
  EXPECT_THAT(Err(NormaliseEmail("ab@x .com")), HasSubstr("' '"));
  EXPECT_THAT(Err(NormaliseEmail("jane.example.com")), HasSubstr("no '@'"));
  EXPECT_THAT(Err(NormaliseEmail("jane@")), HasSubstr("nothing after"));
  EXPECT_THAT(Err(NormaliseEmail("jane@-x.com")), HasSubstr("'-'"));
  EXPECT_THAT(Err(NormaliseEmail("jane@x-.com")), HasSubstr("'-'"));
  EXPECT_THAT(Err(NormaliseEmail("jane@x..com")), HasSubstr("empty label"));
  EXPECT_THAT(Err(NormaliseEmail("jane@x.com.")), HasSubstr("empty label"));
  EXPECT_THAT(Err(NormaliseEmail("jane@x_y.com")), HasSubstr("'_'"));
  EXPECT_THAT(Err(NormaliseEmail(".jane@x.com")), HasSubstr("dot"));
  EXPECT_THAT(Err(NormaliseEmail("jane.@x.com")), HasSubstr("dot"));
  EXPECT_THAT(Err(NormaliseEmail("ja..ne@x.com")), HasSubstr("dot"));
  EXPECT_THAT(Err(NormaliseEmail("jane@10.0.0.1")), HasSubstr("all digits"));
  EXPECT_THAT(Err(NormaliseEmail("j\xC3\xA9@x.com")), HasSubstr("\\xC3"));
  EXPECT_THAT(Err(NormaliseEmail("\"jane\"@x.com")), HasSubstr("not allowed"));
  EXPECT_EQ(Err(NormaliseEmail("   ")), "empty email address");
}

TEST(EmailTest, Lengths) {
  const std::string local64(64, 'a');
  EXPECT_TRUE(NormaliseEmail(local64 + "@x.com").ok());
  EXPECT_THAT(Err(NormaliseEmail(local64 + "a@x.com")), HasSubstr("64"));
  const std::string label63(63, 'b');
  EXPECT_TRUE(NormaliseEmail("a@" + label63 + ".com").ok());
  EXPECT_THAT(Err(NormaliseEmail("a@" + label63 + "b.com")), HasSubstr("63"));
  // 254 in all: "a@", three labels of 63, their dots and a last label of 60.
  const std::string domain = label63 + "." + label63 + "." + label63 + "." + std::string(60, 'c');
  ASSERT_EQ(("a@" + domain).size(), 254u);
  EXPECT_TRUE(NormaliseEmail("a@" + domain).ok());
  EXPECT_THAT(Err(NormaliseEmail("a@" + domain + "c")), HasSubstr("254"));
}

// ---------------------------------------------------------------------------------------------
// Police identifiers. Published vectors: the Ministry of Justice's hmpps-person-record tests
// (PNCIdentifierTest.kt, CROIdentifierTest.kt); the algorithm is also described by the
// Criminal Justice Hub's jargon buster ("Police National Computer Id").

TEST(PncTest, CheckLetterMatchesPublishedExamples) {
  EXPECT_EQ(PncCheckLetter(8, 56560), 'Z');   // 2008/0056560Z
  EXPECT_EQ(PncCheckLetter(1, 171310), 'W');  // 2001/0171310W
  EXPECT_EQ(PncCheckLetter(81, 154257), 'C');
  EXPECT_EQ(PncCheckLetter(79, 163001), 'B');
  EXPECT_EQ(PncCheckLetter(2, 73319), 'Z');
  EXPECT_EQ(PncCheckLetter(81, 34), 'U');
  EXPECT_EQ(PncCheckLetter(3, 3), 'Y');
  EXPECT_EQ(PncCheckLetter(23, 583843), 'L');
  EXPECT_EQ(PncCheckLetter(-1, 5), '\0');
  EXPECT_EQ(PncCheckLetter(100, 5), '\0');
  EXPECT_EQ(PncCheckLetter(5, 10000000), '\0');
}

TEST(PncTest, NormalisePublishedExamples) {
  EXPECT_EQ(Ok(NormalisePncId("2008/0056560Z")), "2008/0056560Z");
  EXPECT_EQ(Ok(NormalisePncId("1981/0154257C")), "1981/0154257C");
  EXPECT_EQ(Ok(NormalisePncId("20030011985X")), "2003/0011985X");
  EXPECT_EQ(Ok(NormalisePncId("81/34U")), "1981/0000034U");
  EXPECT_EQ(Ok(NormalisePncId("02/73319Z")), "2002/0073319Z");
  EXPECT_EQ(Ok(NormalisePncId("00/223R")), "2000/0000223R");
  EXPECT_EQ(Ok(NormalisePncId("79/163001B")), "1979/0163001B");
  EXPECT_EQ(Ok(NormalisePncId("0273319Z")), "2002/0073319Z");
  EXPECT_EQ(Ok(NormalisePncId(" 2008/0056560z ")), "2008/0056560Z");
}

TEST(PncTest, WrongCheckLetters) {
  // The brief's example 2001/0012345X does not check: (01 * 10^7 + 12345) mod 23 = 8 -> 'H'.
  EXPECT_EQ(Err(NormalisePncId("2001/0012345X")),
            "PNC ID '2001/0012345X' has check letter X; expected H");
  EXPECT_EQ(Ok(NormalisePncId("2001/0012345H")), "2001/0012345H");
  EXPECT_FALSE(NormalisePncId("20030011985Z").ok());
  EXPECT_FALSE(NormalisePncId("2001/0171310S").ok());
  EXPECT_FALSE(NormalisePncId("2012/0052494O").ok());
}

TEST(PncTest, Shapes) {
  EXPECT_EQ(Err(NormalisePncId("")), "empty PNC ID");
  for (const char* text : {"TOTALLYINVALID", "1X23/1234567A", "1923[1234567A", "1923/1Z34567A",
                           "1923/1234567AA", "2008/00565600Z", "208/0056560Z", "2008/Z",
                           "2008//0056560Z", "01", "0123", "2008005656Z"}) {
    EXPECT_THAT(Err(NormalisePncId(text)), HasSubstr("not in the form")) << text;
  }
  EXPECT_THAT(Err(NormalisePncId("1850/0000034U")), HasSubstr("year 1850"));
  EXPECT_THAT(Err(NormalisePncId("81/0000000Z")), HasSubstr("serial 0"));
}

TEST(PncTest, EveryLetterRoundTripsAndNoOtherLetterPasses) {
  for (int yy = 0; yy <= 99; yy += 3) {
    for (int serial = 1; serial <= 9'999'999; serial = serial * 7 + 3) {
      const char letter = PncCheckLetter(yy, serial);
      ASSERT_NE(letter, '\0');
      const int year = yy >= 40 ? 1900 + yy : 2000 + yy;
      std::string serial7 = std::to_string(serial);
      serial7.insert(0, 7 - serial7.size(), '0');
      const std::string canonical = std::to_string(year) + "/" + serial7 + letter;
      const std::string yy2 = {static_cast<char>('0' + yy / 10), static_cast<char>('0' + yy % 10)};
      ASSERT_EQ(Ok(NormalisePncId(canonical)), canonical);
      ASSERT_EQ(Ok(NormalisePncId(yy2 + "/" + std::to_string(serial) + letter)), canonical);
      for (char other = 'A'; other <= 'Z'; ++other) {
        if (other != letter) {
          ASSERT_FALSE(NormalisePncId(canonical.substr(0, 12) + other).ok()) << other;
        }
      }
    }
  }
}

TEST(CroTest, PublishedExamples) {
  EXPECT_EQ(Ok(NormaliseCroNumber("265416/21G")), "265416/21G");
  EXPECT_EQ(Ok(NormaliseCroNumber("65656/91H")), "065656/91H");
  EXPECT_EQ(Ok(NormaliseCroNumber("012345/01Z")), "012345/01Z");
  EXPECT_EQ(Ok(NormaliseCroNumber("12345/01z")), "012345/01Z");
  EXPECT_EQ(Ok(NormaliseCroNumber("SF05/482703J")), "SF05/482703J");
  // Short form: the check is over "83" + "50058" as written (gives Z); padding the serial to
  // six digits would give B. This example is what pins that down.
  EXPECT_EQ(Ok(NormaliseCroNumber("sf83/50058z")), "SF83/50058Z");
  EXPECT_FALSE(NormaliseCroNumber("SF83/50058B").ok());
}

TEST(CroTest, Rejects) {
  EXPECT_EQ(Err(NormaliseCroNumber("85227/65G")),
            "CRO number '85227/65G' has check letter G; expected L");
  EXPECT_EQ(Err(NormaliseCroNumber("")), "empty CRO number");
  for (const char* text : {"265416/2G", "1265416/21G", "265416-21G", "26541621G", "/21G",
                           "265416/21", "SF05482703J", "SF5/482703J", "SF05/1234567A"}) {
    EXPECT_THAT(Err(NormaliseCroNumber(text)), HasSubstr("not in the form")) << text;
  }
  EXPECT_THAT(Err(NormaliseCroNumber("000000/21Z")), HasSubstr("serial 0"));
}

// ---------------------------------------------------------------------------------------------
// National Insurance number

TEST(NiNumberTest, Normalise) {
  EXPECT_EQ(Ok(NormaliseNiNumber("AB123456C")), "AB123456C");
  EXPECT_EQ(Ok(NormaliseNiNumber("ab 12 34 56 c")), "AB123456C");
  EXPECT_EQ(Ok(NormaliseNiNumber(" JG 10 37 59 A ")), "JG103759A");
  EXPECT_EQ(Ok(NormaliseNiNumber("OA123456D")), "OA123456D");
}

TEST(NiNumberTest, PrefixAndSuffixRules) {
  // HMRC's own example QQ 12 34 56 C is deliberately invalid: Q is never the first letter.
  EXPECT_THAT(Err(NormaliseNiNumber("QQ 12 34 56 C")), HasSubstr("first letter"));
  for (const char first : std::string("DFIQUV")) {
    EXPECT_FALSE(NormaliseNiNumber(std::string(1, first) + "A123456A").ok()) << first;
  }
  for (const char second : std::string("DFIOQUV")) {
    EXPECT_THAT(Err(NormaliseNiNumber(std::string("A") + second + "123456A")),
                HasSubstr("second letter"));
  }
  for (const char* prefix : {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}) {
    EXPECT_THAT(Err(NormaliseNiNumber(std::string(prefix) + "123456A")), HasSubstr("never issued"));
  }
  EXPECT_THAT(Err(NormaliseNiNumber("AB123456E")), HasSubstr("suffix"));
  EXPECT_TRUE(NormaliseNiNumber("AB123456D").ok());
}

TEST(NiNumberTest, Shapes) {
  for (const char* text : {"AB12345C", "AB1234567C", "A1234567C", "AB123456", "AB12345XC",
                           "AB-12-34-56-C", "123456789"}) {
    EXPECT_THAT(Err(NormaliseNiNumber(text)), HasSubstr("AA999999A")) << text;
  }
  EXPECT_EQ(Err(NormaliseNiNumber("")), "empty National Insurance number");
}

}  // namespace
}  // namespace tessera
