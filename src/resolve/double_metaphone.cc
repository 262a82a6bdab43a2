#include "resolve/double_metaphone.h"

#include <initializer_list>
#include <utility>

#include "core/ascii.h"

namespace tessera::resolve {
namespace {

constexpr size_t kInlineName = 64;

// The encoder walks the upper-cased name with a cursor and, letter by letter, appends to the
// primary and alternate keys according to the letter's context. Positions past the end read as
// spaces (Philips padded the word with five), so that a rule can look for " " to mean "end of
// word"; positions before the start read as NUL and match nothing.
class Encoder {
 public:
  Encoder(std::string_view word, size_t max_length)
      : word_(word),
        length_(static_cast<int>(word.size())),
        last_(length_ - 1),
        max_length_(max_length),
        slavo_germanic_(word.find_first_of("WK") != std::string_view::npos ||
                        word.find("CZ") != std::string_view::npos) {}

  MetaphoneCodes Run();

 private:
  char At(int i) const {
    if (i < 0) return '\0';
    if (i < length_) return word_[static_cast<size_t>(i)];
    return i < length_ + 5 ? ' ' : '\0';
  }
  bool IsVowel(int i) const {
    if (i < 0 || i >= length_) return false;
    switch (word_[static_cast<size_t>(i)]) {
      case 'A':
      case 'E':
      case 'I':
      case 'O':
      case 'U':
      case 'Y':
        return true;
      default:
        return false;
    }
  }
  // Whether the text at `start` is one of `targets` (which all have the same length).
  bool StringAt(int start, std::initializer_list<std::string_view> targets) const {
    if (start < 0) return false;
    for (std::string_view target : targets) {
      bool equal = true;
      for (size_t k = 0; k < target.size() && equal; ++k) {
        equal = At(start + static_cast<int>(k)) == target[k];
      }
      if (equal) return true;
    }
    return false;
  }
  // Appends to both keys.
  void Add(std::string_view both) {
    primary_ += both;
    alternate_ += both;
  }
  // Appends different codes to the two keys.
  void Add(std::string_view main, std::string_view alternate) {
    primary_ += main;
    alternate_ += alternate;
  }
  bool Done() const { return primary_.size() >= max_length_ && alternate_.size() >= max_length_; }

  int C(int i);
  int D(int i);
  int G(int i);
  int J(int i);
  int L(int i);
  int S(int i);
  int T(int i);
  int W(int i);

  std::string_view word_;
  int length_;
  int last_;
  size_t max_length_;
  bool slavo_germanic_;
  std::string primary_;
  std::string alternate_;
};

// Each letter handler is given the cursor and returns where the next letter starts.

int Encoder::C(int i) {
  // Germanic "-ACH-" as in "Bacher", "Macher", but not "-ACHI-", "-ACHE-".
  if (i > 1 && !IsVowel(i - 2) && StringAt(i - 1, {"ACH"}) && At(i + 2) != 'I' &&
      (At(i + 2) != 'E' || StringAt(i - 2, {"BACHER", "MACHER"}))) {
    Add("K");
    return i + 2;
  }
  if (i == 0 && StringAt(i, {"CAESAR"})) {
    Add("S");
    return i + 2;
  }
  if (StringAt(i, {"CHIA"})) {  // Italian "Chianti"
    Add("K");
    return i + 2;
  }
  if (StringAt(i, {"CH"})) {
    if (i > 0 && StringAt(i, {"CHAE"})) {  // "Michael"
      Add("K", "X");
      return i + 2;
    }
    // Greek roots at the start: "Chemistry", "Chorus", "Character", "Charisma", not "Chore".
    if (i == 0 &&
        (StringAt(i + 1, {"HARAC", "HARIS"}) || StringAt(i + 1, {"HOR", "HYM", "HIA", "HEM"})) &&
        !StringAt(0, {"CHORE"})) {
      Add("K");
      return i + 2;
    }
    // Germanic and Greek "ch" said "k": "Van Ch-", "Sch-", "Orchestra", "Architect",
    // "Orchid", "-CHT-", "-CHS-", and "ch" before a consonant or the end after a vowel
    // ("Wachtler", "Wechsler", but not "Tichner").
    if (StringAt(0, {"VAN ", "VON "}) || StringAt(0, {"SCH"}) ||
        StringAt(i - 2, {"ORCHES", "ARCHIT", "ORCHID"}) || StringAt(i + 2, {"T", "S"}) ||
        ((StringAt(i - 1, {"A", "O", "U", "E"}) || i == 0) &&
         StringAt(i + 2, {"L", "R", "N", "M", "B", "H", "F", "V", "W", " "}))) {
      Add("K");
    } else if (i > 0) {
      if (StringAt(0, {"MC"})) {  // "McHugh"
        Add("K");
      } else {
        Add("X", "K");
      }
    } else {
      Add("X");
    }
    return i + 2;
  }
  if (StringAt(i, {"CZ"}) && !StringAt(i - 2, {"WICZ"})) {  // "Czerny"
    Add("S", "X");
    return i + 2;
  }
  if (StringAt(i + 1, {"CIA"})) {  // "Focaccia"
    Add("X");
    return i + 3;
  }
  if (StringAt(i, {"CC"}) && !(i == 1 && At(0) == 'M')) {  // but not "McClellan"
    if (StringAt(i + 2, {"I", "E", "H"}) && !StringAt(i + 2, {"HU"})) {
      if ((i == 1 && At(i - 1) == 'A') || StringAt(i - 1, {"UCCEE", "UCCES"})) {
        Add("KS");  // "Accident", "Accede", "Succeed"
      } else {
        Add("X");  // "Bacci", "Bertucci", "Bellocchio"
      }
      return i + 3;
    }
    Add("K");  // "Bacchus", "Accra"
    return i + 2;
  }
  if (StringAt(i, {"CK", "CG", "CQ"})) {
    Add("K");
    return i + 2;
  }
  if (StringAt(i, {"CI", "CE", "CY"})) {
    if (StringAt(i, {"CIO", "CIE", "CIA"})) {  // Italian
      Add("S", "X");
    } else {
      Add("S");
    }
    return i + 2;
  }
  Add("K");
  if (StringAt(i + 1, {" C", " Q", " G"})) return i + 3;  // "Mac Caffrey", "Mac Gregor"
  if (StringAt(i + 1, {"C", "K", "Q"}) && !StringAt(i + 1, {"CE", "CI"})) return i + 2;
  return i + 1;
}

int Encoder::D(int i) {
  if (StringAt(i, {"DG"})) {
    if (StringAt(i + 2, {"I", "E", "Y"})) {  // "Edge"
      Add("J");
      return i + 3;
    }
    Add("TK");  // "Edgar"
    return i + 2;
  }
  Add("T");
  return StringAt(i, {"DT", "DD"}) ? i + 2 : i + 1;
}

int Encoder::G(int i) {
  if (At(i + 1) == 'H') {
    if (i > 0 && !IsVowel(i - 1)) {
      Add("K");
      return i + 2;
    }
    if (i == 0) {  // "Ghislane", "Ghiradelli"
      Add(At(i + 2) == 'I' ? "J" : "K");
      return i + 2;
    }
    // Parker's rule: silent after B, H or D two to four letters back ("Hugh", "Bough").
    if ((i > 1 && StringAt(i - 2, {"B", "H", "D"})) ||
        (i > 2 && StringAt(i - 3, {"B", "H", "D"})) || (i > 3 && StringAt(i - 4, {"B", "H"}))) {
      return i + 2;
    }
    if (i > 2 && At(i - 1) == 'U' && StringAt(i - 3, {"C", "G", "L", "R", "T"})) {
      Add("F");  // "Laugh", "McLaughlin", "Cough", "Gough", "Rough", "Tough"
    } else if (i > 0 && At(i - 1) != 'I') {
      Add("K");
    }
    return i + 2;
  }
  if (At(i + 1) == 'N') {
    if (i == 1 && IsVowel(0) && !slavo_germanic_) {
      Add("KN", "N");
    } else if (!StringAt(i + 2, {"EY"}) && At(i + 1) != 'Y' && !slavo_germanic_) {
      Add("N", "KN");  // not "Cagney"
    } else {
      Add("KN");
    }
    return i + 2;
  }
  if (StringAt(i + 1, {"LI"}) && !slavo_germanic_) {  // "Tagliaro"
    Add("KL", "L");
    return i + 2;
  }
  // "-GES-", "-GEP-", "-GEL-", "-GIE-" at the start.
  if (i == 0 && (At(i + 1) == 'Y' || StringAt(i + 1, {"ES", "EP", "EB", "EL", "EY", "IB", "IL",
                                                      "IN", "IE", "EI", "ER"}))) {
    Add("K", "J");
    return i + 2;
  }
  // "-GER-", "-GY-", but not "Danger", "Ranger", "Manger", "-EGER-", "-IGY-", "-RGY-", "-OGY-".
  if ((StringAt(i + 1, {"ER"}) || At(i + 1) == 'Y') &&
      !StringAt(0, {"DANGER", "RANGER", "MANGER"}) && !StringAt(i - 1, {"E", "I"}) &&
      !StringAt(i - 1, {"RGY", "OGY"})) {
    Add("K", "J");
    return i + 2;
  }
  // Italian "Biaggi", and soft G before E, I, Y.
  if (StringAt(i + 1, {"E", "I", "Y"}) || StringAt(i - 1, {"AGGI", "OGGI"})) {
    if (StringAt(0, {"VAN ", "VON "}) || StringAt(0, {"SCH"}) || StringAt(i + 1, {"ET"})) {
      Add("K");  // obviously Germanic
    } else if (StringAt(i + 1, {"IER "})) {
      Add("J");  // French ending
    } else {
      Add("J", "K");
    }
    return i + 2;
  }
  Add("K");
  return At(i + 1) == 'G' ? i + 2 : i + 1;
}

int Encoder::J(int i) {
  // Spanish "Jose", "San Jacinto".
  if (StringAt(i, {"JOSE"}) || StringAt(0, {"SAN "})) {
    if ((i == 0 && At(i + 4) == ' ') || StringAt(0, {"SAN "})) {
      Add("H");
    } else {
      Add("J", "H");
    }
    return i + 1;
  }
  if (i == 0 && !StringAt(i, {"JOSE"})) {
    Add("J", "A");  // "Yankelovich" / "Jankelowicz"
  } else if (IsVowel(i - 1) && !slavo_germanic_ && (At(i + 1) == 'A' || At(i + 1) == 'O')) {
    Add("J", "H");  // Spanish "Bajador"
  } else if (i == last_) {
    Add("J", "");
  } else if (!StringAt(i + 1, {"L", "T", "K", "S", "N", "M", "B", "Z"}) &&
             !StringAt(i - 1, {"S", "K", "L"})) {
    Add("J");
  }
  return At(i + 1) == 'J' ? i + 2 : i + 1;
}

int Encoder::L(int i) {
  if (At(i + 1) == 'L') {
    // Spanish "Cabrillo", "Gallegos": the double L is silent in the alternate.
    if ((i == length_ - 3 && StringAt(i - 1, {"ILLO", "ILLA", "ALLE"})) ||
        ((StringAt(last_ - 1, {"AS", "OS"}) || StringAt(last_, {"A", "O"})) &&
         StringAt(i - 1, {"ALLE"}))) {
      Add("L", "");
      return i + 2;
    }
    Add("L");
    return i + 2;
  }
  Add("L");
  return i + 1;
}

int Encoder::S(int i) {
  if (StringAt(i - 1, {"ISL", "YSL"})) return i + 1;  // "Island", "Isle", "Carlisle", "Carlysle"
  if (i == 0 && StringAt(i, {"SUGAR"})) {
    Add("X", "S");
    return i + 1;
  }
  if (StringAt(i, {"SH"})) {
    // Germanic "-SHEIM", "-SHOEK", "-SHOLM", "-SHOLZ".
    Add(StringAt(i + 1, {"HEIM", "HOEK", "HOLM", "HOLZ"}) ? "S" : "X");
    return i + 2;
  }
  if (StringAt(i, {"SIO", "SIA"}) || StringAt(i, {"SIAN"})) {  // Italian and Armenian
    if (slavo_germanic_) {
      Add("S");
    } else {
      Add("S", "X");
    }
    return i + 3;
  }
  // German and anglicisations ("Smith" / "Schmidt", "Snider" / "Schneider"), and Slavic "-SZ-".
  if ((i == 0 && StringAt(i + 1, {"M", "N", "L", "W"})) || StringAt(i + 1, {"Z"})) {
    Add("S", "X");
    return StringAt(i + 1, {"Z"}) ? i + 2 : i + 1;
  }
  if (StringAt(i, {"SC"})) {
    if (At(i + 2) == 'H') {                                         // Schlesinger's rule
      if (StringAt(i + 3, {"OO", "ER", "EN", "UY", "ED", "EM"})) {  // Dutch "School", "Schooner"
        if (StringAt(i + 3, {"ER", "EN"})) {
          Add("X", "SK");  // "Schermerhorn", "Schenker"
        } else {
          Add("SK");
        }
        return i + 3;
      }
      if (i == 0 && !IsVowel(3) && At(3) != 'W') {
        Add("X", "S");
      } else {
        Add("X");
      }
      return i + 3;
    }
    if (StringAt(i + 2, {"I", "E", "Y"})) {
      Add("S");
      return i + 3;
    }
    Add("SK");
    return i + 3;
  }
  if (i == last_ && StringAt(i - 2, {"AI", "OI"})) {
    Add("", "S");  // French "Resnais", "Artois"
  } else {
    Add("S");
  }
  return StringAt(i + 1, {"S", "Z"}) ? i + 2 : i + 1;
}

int Encoder::T(int i) {
  if (StringAt(i, {"TION"})) {
    Add("X");
    return i + 3;
  }
  if (StringAt(i, {"TIA", "TCH"})) {
    Add("X");
    return i + 3;
  }
  if (StringAt(i, {"TH"}) || StringAt(i, {"TTH"})) {
    // "Thomas", "Thames", and Germanic names.
    if (StringAt(i + 2, {"OM", "AM"}) || StringAt(0, {"VAN ", "VON "}) || StringAt(0, {"SCH"})) {
      Add("T");
    } else {
      Add("0", "T");
    }
    return i + 2;
  }
  Add("T");
  return StringAt(i + 1, {"T", "D"}) ? i + 2 : i + 1;
}

int Encoder::W(int i) {
  if (StringAt(i, {"WR"})) {
    Add("R");
    return i + 2;
  }
  if (i == 0 && (IsVowel(i + 1) || StringAt(i, {"WH"}))) {
    // "Wasserman" should match "Vasserman"; "Uomo" should match "Womo".
    if (IsVowel(i + 1)) {
      Add("A", "F");
    } else {
      Add("A");
    }
  }
  // "Arnow" should match "Arnoff".
  if ((i == last_ && IsVowel(i - 1)) || StringAt(i - 1, {"EWSKI", "EWSKY", "OWSKI", "OWSKY"}) ||
      StringAt(0, {"SCH"})) {
    Add("", "F");
    return i + 1;
  }
  if (StringAt(i, {"WICZ", "WITZ"})) {  // Polish "Filipowicz"
    Add("TS", "FX");
    return i + 4;
  }
  return i + 1;
}

MetaphoneCodes Encoder::Run() {
  int i = 0;
  if (StringAt(0, {"GN", "KN", "PN", "WR", "PS"})) i = 1;  // silent first letter
  if (At(0) == 'X') {  // "Xavier": initial X sounds as Z, which is coded S
    Add("S");
    i = 1;
  }
  while (!Done() && i < length_) {
    switch (At(i)) {
      case 'A':
      case 'E':
      case 'I':
      case 'O':
      case 'U':
      case 'Y':
        if (i == 0) Add("A");  // every initial vowel is coded A
        i += 1;
        break;
      case 'B':
        Add("P");
        i = At(i + 1) == 'B' ? i + 2 : i + 1;
        break;
      case 'C':
        i = C(i);
        break;
      case 'D':
        i = D(i);
        break;
      case 'F':
        Add("F");
        i = At(i + 1) == 'F' ? i + 2 : i + 1;
        break;
      case 'G':
        i = G(i);
        break;
      case 'H':
        // Kept only at the start or between vowels, and before a vowel.
        if ((i == 0 || IsVowel(i - 1)) && IsVowel(i + 1)) {
          Add("H");
          i += 2;
        } else {
          i += 1;
        }
        break;
      case 'J':
        i = J(i);
        break;
      case 'K':
        Add("K");
        i = At(i + 1) == 'K' ? i + 2 : i + 1;
        break;
      case 'L':
        i = L(i);
        break;
      case 'M':
        // "Dumb", "Thumb", "Plumber": the B is silent.
        Add("M");
        i = (StringAt(i - 1, {"UMB"}) && (i + 1 == last_ || StringAt(i + 2, {"ER"}))) ||
                    At(i + 1) == 'M'
                ? i + 2
                : i + 1;
        break;
      case 'N':
        Add("N");
        i = At(i + 1) == 'N' ? i + 2 : i + 1;
        break;
      case 'P':
        if (At(i + 1) == 'H') {
          Add("F");
          i += 2;
        } else {
          Add("P");  // "Campbell", "Raspberry": the B is not sounded
          i = StringAt(i + 1, {"P", "B"}) ? i + 2 : i + 1;
        }
        break;
      case 'Q':
        Add("K");
        i = At(i + 1) == 'Q' ? i + 2 : i + 1;
        break;
      case 'R':
        // French "Rogier", but not "Hochmeier".
        if (i == last_ && !slavo_germanic_ && StringAt(i - 2, {"IE"}) &&
            !StringAt(i - 4, {"ME", "MA"})) {
          Add("", "R");
        } else {
          Add("R");
        }
        i = At(i + 1) == 'R' ? i + 2 : i + 1;
        break;
      case 'S':
        i = S(i);
        break;
      case 'T':
        i = T(i);
        break;
      case 'V':
        Add("F");
        i = At(i + 1) == 'V' ? i + 2 : i + 1;
        break;
      case 'W':
        i = W(i);
        break;
      case 'X':
        // French "Breaux": a final X after "IAU", "EAU", "AU" or "OU" is silent.
        if (!(i == last_ && (StringAt(i - 3, {"IAU", "EAU"}) || StringAt(i - 2, {"AU", "OU"})))) {
          Add("KS");
        }
        i = StringAt(i + 1, {"C", "X"}) ? i + 2 : i + 1;
        break;
      case 'Z':
        if (At(i + 1) == 'H') {  // Chinese pinyin "Zhao"
          Add("J");
          i += 2;
          break;
        }
        if (StringAt(i + 1, {"ZO", "ZI", "ZA"}) || (slavo_germanic_ && i > 0 && At(i - 1) != 'T')) {
          Add("S", "TS");
        } else {
          Add("S");
        }
        i = At(i + 1) == 'Z' ? i + 2 : i + 1;
        break;
      default:  // the space between words
        i += 1;
        break;
    }
  }
  MetaphoneCodes codes{std::move(primary_), std::move(alternate_)};
  if (codes.primary.size() > max_length_) codes.primary.resize(max_length_);
  if (codes.alternate.size() > max_length_) codes.alternate.resize(max_length_);
  return codes;
}

// Upper-case letters, one space between words, nothing else. Writes to `out` (capacity at
// least name.size()) and returns the length.
size_t NormaliseName(std::string_view name, char* out) {
  size_t n = 0;
  bool pending_space = false;
  for (char c : name) {
    if (ascii::IsLetter(c)) {
      if (pending_space && n > 0) out[n++] = ' ';
      pending_space = false;
      out[n++] = ascii::ToUpper(c);
    } else if (ascii::IsBlank(c) || c == '-') {
      pending_space = true;
    }
  }
  return n;
}

}  // namespace

MetaphoneCodes DoubleMetaphone(std::string_view name, size_t max_length) {
  char inline_buffer[kInlineName];
  std::string heap_buffer;
  char* buffer = inline_buffer;
  if (name.size() > kInlineName) {
    heap_buffer.resize(name.size());
    buffer = heap_buffer.data();
  }
  const size_t length = NormaliseName(name, buffer);
  return Encoder(std::string_view(buffer, length), max_length).Run();
}

}  // namespace tessera::resolve
