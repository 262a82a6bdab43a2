#include "model/model.h"

#include <array>
#include <utility>

namespace tessera::model {
namespace {

template <typename E, size_t N>
std::optional<E> FromName(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view name) {
  for (const auto& [value, text] : table) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view ToName(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, text] : table) {
    if (v == value) return text;
  }
  return "unknown";
}

constexpr std::array<std::pair<Agency, std::string_view>, 13> kAgencies = {{
    {Agency::kPolice, "police"},
    {Agency::kFireRescue, "fire_rescue"},
    {Agency::kAmbulance, "ambulance"},
    {Agency::kChildrensSocialCare, "childrens_social_care"},
    {Agency::kAdultSocialCare, "adult_social_care"},
    {Agency::kEducation, "education"},
    {Agency::kHousing, "housing"},
    {Agency::kHealth, "health"},
    {Agency::kMentalHealth, "mental_health"},
    {Agency::kSubstanceMisuse, "substance_misuse"},
    {Agency::kProbation, "probation"},
    {Agency::kDwp, "dwp"},
    {Agency::kYouthJustice, "youth_justice"},
}};

constexpr std::array<std::pair<Role, std::string_view>, 13> kRoles = {{
    {Role::kSubject, "subject"},
    {Role::kVictim, "victim"},
    {Role::kSuspect, "suspect"},
    {Role::kOffender, "offender"},
    {Role::kWitness, "witness"},
    {Role::kMissingPerson, "missing_person"},
    {Role::kPatient, "patient"},
    {Role::kChild, "child"},
    {Role::kParent, "parent"},
    {Role::kCarer, "carer"},
    {Role::kOccupant, "occupant"},
    {Role::kPupil, "pupil"},
    {Role::kClient, "client"},
}};

constexpr std::array<std::pair<IdentifierKind, std::string_view>, 7> kIdentifierKinds = {{
    {IdentifierKind::kNhsNumber, "nhs_number"},
    {IdentifierKind::kPncId, "pnc_id"},
    {IdentifierKind::kCroNumber, "cro_number"},
    {IdentifierKind::kNiNumber, "ni_number"},
    {IdentifierKind::kUprn, "uprn"},
    {IdentifierKind::kLocalId, "local_id"},
    {IdentifierKind::kOtherId, "other_id"},
}};

constexpr std::array<std::pair<Sex, std::string_view>, 3> kSexes = {{
    {Sex::kUnknown, "unknown"},
    {Sex::kMale, "male"},
    {Sex::kFemale, "female"},
}};

constexpr std::array<std::pair<ObjectKind, std::string_view>, 3> kObjectKinds = {{
    {ObjectKind::kVehicle, "vehicle"},
    {ObjectKind::kPhone, "phone"},
    {ObjectKind::kEmail, "email"},
}};

}  // namespace

std::string_view AgencyName(Agency a) { return ToName(kAgencies, a); }
std::string AgencyNames() {
  std::string out;
  for (const auto& [agency, name] : kAgencies) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}
std::string RoleNames() {
  std::string out;
  for (const auto& [role, name] : kRoles) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}
std::optional<Agency> AgencyFromName(std::string_view name) { return FromName(kAgencies, name); }
std::string_view SexName(Sex s) { return ToName(kSexes, s); }
std::string_view RoleName(Role r) { return ToName(kRoles, r); }
std::optional<Role> RoleFromName(std::string_view name) { return FromName(kRoles, name); }
std::string_view IdentifierKindName(IdentifierKind k) { return ToName(kIdentifierKinds, k); }
std::optional<IdentifierKind> IdentifierKindFromName(std::string_view name) {
  return FromName(kIdentifierKinds, name);
}
std::string_view ObjectKindName(ObjectKind k) { return ToName(kObjectKinds, k); }

}  // namespace tessera::model
