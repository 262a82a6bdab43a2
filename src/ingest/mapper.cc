#include "ingest/mapper.h"

#include <algorithm>
#include <charconv>
#include <span>

#include "core/ascii.h"
#include "core/identifiers.h"

namespace tessera::ingest {
namespace {

// "9" a digit, "A" a letter, "?" anything, other characters literally.
bool MatchesShape(std::string_view value, std::string_view shape) {
  if (value.size() != shape.size()) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char s = shape[i], v = value[i];
    if (s == '9' ? !ascii::IsDigit(v) : s == 'A' ? !ascii::IsLetter(v) : s != '?' && s != v) {
      return false;
    }
  }
  return true;
}

std::optional<double> ToNumber(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool AllSameDigit(std::string_view raw) {
  char first = 0;
  int digits = 0;
  for (char c : raw) {
    if (!ascii::IsDigit(c)) continue;
    if (!first) first = c;
    if (c != first) return false;
    ++digits;
  }
  return digits >= 6;
}

std::string CollapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void Flag(std::vector<model::QualityFlag>& flags, const std::string& field, std::string reason) {
  flags.push_back(model::QualityFlag{field, std::move(reason)});
}

using FieldOutcome = FieldTally::Outcome;

// Records what became of a field read from the record. `raw` empty: the field was missing,
// whatever `outcome` says. Constants (no fields) are not tallied.
void Tally(std::vector<FieldTally>& tallies, std::string_view attribute, const ValueSpec& spec,
           const std::string& raw, FieldOutcome outcome) {
  if (spec.fields.empty()) return;
  tallies.push_back(
      {attribute, spec.fields.front(), raw.empty() ? FieldOutcome::kMissing : outcome});
}

std::string_view IdentifierAttribute(model::IdentifierKind kind) {
  switch (kind) {
    case model::IdentifierKind::kNhsNumber:
      return "person.identifiers.nhs_number";
    case model::IdentifierKind::kPncId:
      return "person.identifiers.pnc_id";
    case model::IdentifierKind::kCroNumber:
      return "person.identifiers.cro_number";
    case model::IdentifierKind::kNiNumber:
      return "person.identifiers.ni_number";
    case model::IdentifierKind::kUprn:
      return "person.identifiers.uprn";
    case model::IdentifierKind::kLocalId:
      return "person.identifiers.local_id";
    case model::IdentifierKind::kOtherId:
      return "person.identifiers.other_id";
  }
  return "person.identifiers";
}

}  // namespace

bool MappedRecord::Flagged() const {
  if (!flags.empty()) return true;
  for (const auto& p : people) {
    if (!p.person.flags.empty()) return true;
  }
  return false;
}

struct Mapper::Value {
  bool present = false;  // a value after trimming and defaults
  std::string text;      // after case and map
  std::string raw;       // as read, fields joined
  std::string error;     // set: the value is invalid (why)
};

Result<std::unique_ptr<Mapper>> Mapper::Create(const MappingSpec& spec, const Clock& clock) {
  TRY_ASSIGN(auto names, NameStandardiser::Create());
  return std::unique_ptr<Mapper>(new Mapper(spec, clock, std::move(names)));
}

Mapper::Mapper(const MappingSpec& spec, const Clock& clock, std::unique_ptr<NameStandardiser> names)
    : spec_(spec), clock_(clock), names_(std::move(names)) {}

Mapper::Value Mapper::Evaluate(const ValueSpec& spec, const Record& record) const {
  Value v;
  if (spec.constant) {
    v.text = *spec.constant;
    v.present = true;
  } else {
    for (const auto& field : spec.fields) {
      auto got = record.Get(field);
      if (!got) continue;
      const std::string_view trimmed = ascii::TrimBlanks(*got);
      if (trimmed.empty()) continue;
      if (!v.raw.empty()) v.raw += ' ';
      v.raw += trimmed;
    }
    v.text = v.raw;
    v.present = !v.raw.empty();
  }
  if (!v.present && spec.default_value) {
    v.text = *spec.default_value;
    v.present = true;
    return v;  // defaults are trusted: they come from the spec
  }
  if (!v.present) return v;
  if (!spec.one_of.empty()) {
    const std::string upper = ascii::UpperCase(v.text);
    bool ok = false;
    for (const auto& allowed : spec.one_of) ok = ok || ascii::UpperCase(allowed) == upper;
    if (!ok) v.error = "'" + v.text + "' is not one of the allowed values";
  }
  if (!spec.pattern.empty() && !MatchesShape(v.text, spec.pattern)) {
    v.error = "'" + v.text + "' does not have the shape " + spec.pattern;
  }
  if (spec.min || spec.max) {
    const auto n = ToNumber(v.text);
    if (!n) {
      v.error = "'" + v.text + "' is not a number";
    } else if ((spec.min && *n < *spec.min) || (spec.max && *n > *spec.max)) {
      v.error = "'" + v.text + "' is out of range";
    }
  }
  if (spec.text_case == ValueSpec::Case::kUpper) v.text = ascii::UpperCase(v.text);
  if (spec.text_case == ValueSpec::Case::kLower) v.text = ascii::LowerCase(v.text);
  if (!spec.map.empty()) {
    auto it = spec.map.find(ascii::UpperCase(v.text));
    if (it != spec.map.end()) {
      v.text = it->second;
    } else if (spec.unmapped == ValueSpec::Unmapped::kDefault) {
      v.text = *spec.default_value;
    } else if (spec.unmapped == ValueSpec::Unmapped::kInvalid && v.error.empty()) {
      v.error = "'" + v.raw + "' is not a known code";
    }
  }
  return v;
}

std::optional<model::Location> Mapper::MapAddress(const AddressSpec& spec, const Record& record,
                                                  std::vector<model::RawValue>& raw,
                                                  std::vector<model::QualityFlag>& flags,
                                                  const AddressAttributes& attributes,
                                                  std::vector<FieldTally>& tallies) {
  if (!spec.configured()) return std::nullopt;
  model::Location loc;
  std::string text;
  auto add_text = [&](const ValueSpec& vs) {
    if (!vs.configured()) return;
    Value v = Evaluate(vs, record);
    Tally(tallies, attributes.text, vs, v.raw, FieldOutcome::kValid);
    if (!v.raw.empty()) raw.push_back({vs.Name(), v.raw});
    if (!v.present) return;
    if (!text.empty()) text += ", ";
    text += v.text;
  };
  add_text(spec.text);
  for (const auto& line : spec.lines) add_text(line);
  add_text(spec.town);
  loc.address_text = CollapseSpaces(ascii::UpperCase(text));
  if (spec.postcode.configured()) {
    Value v = Evaluate(spec.postcode, record);
    if (!v.raw.empty()) raw.push_back({spec.postcode.Name(), v.raw});
    if (v.present) {
      auto pc = ParsePostcode(v.text);
      if (pc.ok()) {
        loc.postcode = pc->normalised;
        loc.postcode_district = pc->district;
        loc.small_area = pc->sector;
        loc.no_fixed_abode = pc->pseudo;
      } else {
        Flag(flags, spec.postcode.Name(), "invalid postcode: " + pc.status().message());
      }
      Tally(tallies, attributes.postcode, spec.postcode, v.raw,
            pc.ok() ? FieldOutcome::kValid : FieldOutcome::kFlagged);
    } else {
      Tally(tallies, attributes.postcode, spec.postcode, v.raw, FieldOutcome::kMissing);
    }
  }
  if (spec.uprn.configured()) {
    Value v = Evaluate(spec.uprn, record);
    if (!v.raw.empty()) raw.push_back({spec.uprn.Name(), v.raw});
    if (v.present) {
      auto uprn = NormaliseUprn(v.text);
      if (uprn.ok()) {
        loc.uprn = *uprn;
      } else {
        Flag(flags, spec.uprn.Name(), "invalid UPRN: " + uprn.status().message());
      }
      Tally(tallies, attributes.uprn, spec.uprn, v.raw,
            uprn.ok() ? FieldOutcome::kValid : FieldOutcome::kFlagged);
    } else {
      Tally(tallies, attributes.uprn, spec.uprn, v.raw, FieldOutcome::kMissing);
    }
  }
  if (loc.address_text.empty() && loc.postcode.empty() && loc.uprn.empty()) return std::nullopt;
  return loc;
}

bool Mapper::MapEvent(const EventSpec& spec, const Record& record, MappedRecord& out,
                      MapFailure& failure) {
  model::Event e;
  e.type = spec.type;
  e.agency = spec.agency;
  e.source_id = spec_.source_id;
  Value date = Evaluate(spec.date, record);
  if (!date.present) {
    failure = {spec.date.Name(), "the event date is missing"};
    return false;
  }
  auto parsed = ParseDateAny(date.text, spec.date.formats);
  if (!parsed.ok()) {
    failure = {spec.date.Name(), "the event date is invalid: " + parsed.status().message()};
    return false;
  }
  e.date = *parsed;
  Tally(out.tallies, "event.date", spec.date, date.raw, FieldOutcome::kValid);
  if (spec.ref.configured()) {
    Value ref = Evaluate(spec.ref, record);
    e.event_ref = ref.text;
  }
  if (spec.category.configured()) {
    Value cat = Evaluate(spec.category, record);
    Tally(out.tallies, "event.category", spec.category, cat.raw,
          cat.error.empty() ? FieldOutcome::kValid : FieldOutcome::kFlagged);
    if (!cat.error.empty()) {
      if (spec.category.required) {
        failure = {spec.category.Name(), cat.error};
        return false;
      }
      Flag(out.flags, spec.category.Name(), cat.error);
      e.category = "unknown";
    } else {
      e.category = cat.present ? cat.text : "unknown";
    }
  }
  if (spec.severity.configured()) {
    Value sev = Evaluate(spec.severity, record);
    const bool usable =
        sev.present && sev.error.empty() && sev.text.size() == 1 && ascii::IsDigit(sev.text[0]);
    if (usable) {
      e.severity = sev.text[0] - '0';
    } else if (!sev.error.empty()) {
      Flag(out.flags, spec.severity.Name(), sev.error);
    }
    // A value that is neither a known code nor a digit is set aside too, though not flagged.
    Tally(out.tallies, "event.severity", spec.severity, sev.raw,
          usable ? FieldOutcome::kValid : FieldOutcome::kFlagged);
  }
  std::vector<model::RawValue> raw;
  out.event_location = MapAddress(
      spec.location, record, raw, out.flags,
      {"event.location.text", "event.location.postcode", "event.location.uprn"}, out.tallies);
  if (spec.subject.configured()) {
    Value subject = Evaluate(spec.subject, record);
    std::string_view ref = subject.text;
    const size_t slash = ref.rfind('/');
    out.subject_key = std::string(slash == std::string_view::npos ? ref : ref.substr(slash + 1));
  }
  out.event = std::move(e);
  return true;
}

bool Mapper::MapPerson(const PersonSpec& spec, const Record& record, const std::string& key,
                       const std::optional<CivilDate>& event_date, MappedPerson& out,
                       MapFailure& failure) {
  model::PersonRecord& p = out.person;
  p.mention_key = spec.key_suffix.empty() ? key : key + "#" + spec.key_suffix;
  std::vector<model::QualityFlag>& flags = p.flags;
  std::vector<model::RawValue>& raw = p.raw;
  std::vector<FieldTally>& tallies = out.tallies;
  // Missing, flagged by take(), or (otherwise) `otherwise`.
  auto outcome = [](const Value& value, FieldOutcome otherwise) {
    return value.raw.empty()      ? FieldOutcome::kMissing
           : !value.error.empty() ? FieldOutcome::kFlagged
                                  : otherwise;
  };

  // Every value passes through here: raw kept, required enforced, invalid flagged.
  auto take = [&](const ValueSpec& vs, Value& v) -> bool {
    v = Evaluate(vs, record);
    if (!v.raw.empty()) raw.push_back({vs.Name(), v.raw});
    if (vs.required && !v.present) {
      failure = {vs.Name(), "a required field is missing"};
      return false;
    }
    if (!v.error.empty()) {
      if (vs.required) {
        failure = {vs.Name(), v.error};
        return false;
      }
      Flag(flags, vs.Name(), v.error);
      v.present = false;
    }
    return true;
  };

  Value v;
  if (spec.role.configured()) {
    if (!take(spec.role, v)) return false;
    Tally(tallies, "person.role", spec.role, v.raw, outcome(v, FieldOutcome::kValid));
    auto role = v.present ? model::RoleFromName(v.text) : std::nullopt;
    p.role = role.value_or(model::Role::kSubject);
  }

  // Names.
  Value full, given, middle, family;
  if (spec.name.full.configured()) {
    if (!take(spec.name.full, full)) return false;
    v = full;
    if (v.present) {
      NameParts parts;
      switch (spec.name.split) {
        case NameSplit::kSurnameFirst:
          parts = names_->SplitSurnameFirst(v.text);
          break;
        case NameSplit::kForenames:
          parts = names_->SplitForenames(v.text);
          break;
        default:
          parts = names_->SplitFullName(v.text);
          break;
      }
      p.name = {parts.given, parts.middle, parts.family, parts.title, parts.suffix};
    }
  }
  auto name_part = [&](const ValueSpec& vs, std::string& target, bool forenames,
                       Value& part) -> bool {
    if (!vs.configured()) return true;
    if (!take(vs, part)) return false;
    if (!part.present) return true;
    if (forenames) {
      NameParts parts = names_->SplitForenames(part.text);
      target = parts.given;
      if (p.name.middle.empty()) p.name.middle = parts.middle;
      if (p.name.title.empty()) p.name.title = parts.title;
    } else {
      target = names_->Standardise(part.text);
    }
    return true;
  };
  if (!name_part(spec.name.given, p.name.given, true, given)) return false;
  if (!name_part(spec.name.middle, p.name.middle, false, middle)) return false;
  if (!name_part(spec.name.family, p.name.family, false, family)) return false;
  if (!name_part(spec.name.title, p.name.title, false, v)) return false;
  if (!name_part(spec.name.suffix, p.name.suffix, false, v)) return false;
  // Placeholders are missing values, never evidence.
  const PlaceholderRules& ph = spec_.placeholders;
  if (ph.IsPlaceholderName(p.name.given)) p.name.given.clear();
  if (ph.IsPlaceholderName(p.name.family)) p.name.family.clear();
  if (!p.name.given.empty() && ph.IsPlaceholderName(p.name.given + " " + p.name.middle)) {
    p.name.given.clear();
    p.name.middle.clear();
  }
  // A name part read but left empty by the placeholder rules (or by standardising) was a
  // stand-in, not a name.
  Tally(tallies, "person.name", spec.name.full, full.raw,
        outcome(full, p.name.given.empty() && p.name.family.empty() ? FieldOutcome::kPlaceholder
                                                                    : FieldOutcome::kValid));
  Tally(tallies, "person.given", spec.name.given, given.raw,
        outcome(given, p.name.given.empty() ? FieldOutcome::kPlaceholder : FieldOutcome::kValid));
  Tally(tallies, "person.middle", spec.name.middle, middle.raw,
        outcome(middle, p.name.middle.empty() ? FieldOutcome::kPlaceholder : FieldOutcome::kValid));
  Tally(tallies, "person.family", spec.name.family, family.raw,
        outcome(family, p.name.family.empty() ? FieldOutcome::kPlaceholder : FieldOutcome::kValid));

  // Date of birth.
  if (spec.dob.configured()) {
    if (!take(spec.dob, v)) return false;
    FieldOutcome dob_outcome = outcome(v, FieldOutcome::kValid);
    if (v.present) {
      auto dob = ParseDateAny(v.text, spec.dob.formats);
      if (!dob.ok()) {
        if (spec.dob.required) {
          failure = {spec.dob.Name(), dob.status().message()};
          return false;
        }
        Flag(flags, spec.dob.Name(), "invalid date of birth: " + dob.status().message());
        dob_outcome = FieldOutcome::kFlagged;
      } else if (ph.IsPlaceholderDob(*dob)) {
        dob_outcome = FieldOutcome::kPlaceholder;
      } else {
        CivilDate bound = CivilDate::FromMicros(clock_.NowMicros());  // today
        if (event_date) {
          bound = *event_date;
        } else if (spec.recorded_on.configured()) {
          Value recorded = Evaluate(spec.recorded_on, record);
          auto on = recorded.present ? ParseDateAny(recorded.text, spec.recorded_on.formats)
                                     : Result<CivilDate>(Status::NotFound("no date"));
          if (on.ok() && *on < bound) bound = *on;
        }
        const Status plausible = CheckDobPlausible(*dob, bound);
        if (plausible.ok()) {
          p.dob = *dob;
        } else {
          Flag(flags, spec.dob.Name(), "implausible date of birth: " + plausible.message());
          dob_outcome = FieldOutcome::kFlagged;
        }
      }
    }
    Tally(tallies, "person.dob", spec.dob, v.raw, dob_outcome);
  }

  if (spec.sex.configured()) {
    if (!take(spec.sex, v)) return false;
    Tally(tallies, "person.sex", spec.sex, v.raw, outcome(v, FieldOutcome::kValid));
    p.sex = !v.present           ? model::Sex::kUnknown
            : v.text == "male"   ? model::Sex::kMale
            : v.text == "female" ? model::Sex::kFemale
                                 : model::Sex::kUnknown;
  }

  for (const auto& [kind, vs] : spec.identifiers) {
    if (!take(vs, v)) return false;
    if (!v.present) {
      Tally(tallies, IdentifierAttribute(kind), vs, v.raw, outcome(v, FieldOutcome::kMissing));
      continue;
    }
    Result<std::string> normalised = v.text;
    switch (kind) {
      case model::IdentifierKind::kNhsNumber:
        normalised = NormaliseNhsNumber(v.text);
        if (normalised.ok() && ph.IsPlaceholderNhs(*normalised)) {
          Tally(tallies, IdentifierAttribute(kind), vs, v.raw, FieldOutcome::kPlaceholder);
          continue;
        }
        break;
      case model::IdentifierKind::kPncId:
        normalised = NormalisePncId(v.text);
        break;
      case model::IdentifierKind::kCroNumber:
        normalised = NormaliseCroNumber(v.text);
        break;
      case model::IdentifierKind::kNiNumber:
        normalised = NormaliseNiNumber(v.text);
        break;
      case model::IdentifierKind::kUprn:
        normalised = NormaliseUprn(v.text);
        break;
      case model::IdentifierKind::kLocalId:
      case model::IdentifierKind::kOtherId:
        break;
    }
    Tally(tallies, IdentifierAttribute(kind), vs, v.raw,
          normalised.ok() ? FieldOutcome::kValid : FieldOutcome::kFlagged);
    if (!normalised.ok()) {
      if (vs.required) {
        failure = {vs.Name(), normalised.status().message()};
        return false;
      }
      Flag(flags, vs.Name(),
           "invalid " + std::string(model::IdentifierKindName(kind)) + ": " +
               normalised.status().message());
      continue;
    }
    p.identifiers.push_back(model::Identifier{kind, *normalised, true});
  }

  out.location = MapAddress(
      spec.address, record, raw, flags,
      {"person.address.text", "person.address.postcode", "person.address.uprn"}, tallies);

  if (spec.phone.configured()) {
    if (!take(spec.phone, v)) return false;
    FieldOutcome phone_outcome = outcome(v, FieldOutcome::kValid);
    if (v.present) {
      auto e164 = phones_.Standardise(v.text);
      if (e164.ok()) {
        if (!ph.IsPlaceholderPhone(*e164)) {
          p.phones.push_back(*e164);
        } else {
          phone_outcome = FieldOutcome::kPlaceholder;
        }
      } else if (!AllSameDigit(v.text)) {
        Flag(flags, spec.phone.Name(), "invalid phone number: " + e164.status().message());
        phone_outcome = FieldOutcome::kFlagged;
      } else {
        phone_outcome = FieldOutcome::kPlaceholder;  // 0000000000: a stand-in, not a bad number
      }
    }
    Tally(tallies, "person.phone", spec.phone, v.raw, phone_outcome);
  }
  if (spec.email.configured()) {
    if (!take(spec.email, v)) return false;
    FieldOutcome email_outcome = outcome(v, FieldOutcome::kValid);
    if (v.present) {
      auto email = NormaliseEmail(v.text);
      if (!email.ok()) {
        Flag(flags, spec.email.Name(), "invalid email: " + email.status().message());
        email_outcome = FieldOutcome::kFlagged;
      } else if (!ph.IsPlaceholderEmail(*email)) {
        p.emails.push_back(*email);
      } else {
        email_outcome = FieldOutcome::kPlaceholder;
      }
    }
    Tally(tallies, "person.email", spec.email, v.raw, email_outcome);
  }
  return true;
}

Mapper::Outcome Mapper::Map(const Record& record, MappedRecord& out, MapFailure& failure) {
  out = MappedRecord{};
  // Views of the spec itself, never copies: tallies keep views of its field names.
  std::span<const PersonSpec> people = spec_.people;
  const EventSpec* event = spec_.event ? &*spec_.event : nullptr;
  const ValueSpec* key_spec = &spec_.record_key;
  if (spec_.format == "fhir") {
    const ResourceSpec* resource = nullptr;
    for (const auto& r : spec_.resources) {
      if (r.resource_type == record.Kind()) resource = &r;
    }
    if (!resource) return Outcome::kSkipped;
    key_spec = &resource->key;
    people = resource->person ? std::span<const PersonSpec>(&*resource->person, 1)
                              : std::span<const PersonSpec>();
    event = resource->event ? &*resource->event : nullptr;
  }

  Value key = Evaluate(*key_spec, record);
  if (!key.present || !key.error.empty()) {
    failure = {key_spec->Name(), key.present ? key.error : "the record key is missing"};
    return Outcome::kFailed;
  }
  out.key = key.text;

  for (const auto& rule : spec_.validate) {
    Value v = Evaluate(rule, record);
    if (rule.required && !v.present) {
      failure = {rule.Name(), "a required field is missing"};
      return Outcome::kFailed;
    }
    if (!v.error.empty()) {
      if (rule.required) {
        failure = {rule.Name(), v.error};
        return Outcome::kFailed;
      }
      Flag(out.flags, rule.Name(), v.error);
    }
  }

  std::optional<CivilDate> event_date;
  if (event) {
    if (!MapEvent(*event, record, out, failure)) return Outcome::kFailed;
    event_date = out.event->date;
  }
  for (const PersonSpec& ps : people) {
    if (!ps.present_if_any.empty()) {
      bool any = false;
      for (const auto& f : ps.present_if_any) {
        auto got = record.Get(f);
        any = any || (got && !ascii::TrimBlanks(*got).empty());
      }
      if (!any) continue;
    }
    MappedPerson mp;
    if (!MapPerson(ps, record, out.key, event_date, mp, failure)) return Outcome::kFailed;
    out.people.push_back(std::move(mp));
  }
  return Outcome::kMapped;
}

}  // namespace tessera::ingest
