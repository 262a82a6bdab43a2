#include "cli/household_commands.h"

#include <fmt/format.h>

#include <string>

#include "cli/cli_common.h"
#include "core/ascii.h"
#include "core/clock.h"
#include "resolve/households.h"
#include "store/store.h"

namespace tessera::cli {

struct HouseholdCommands::Args {
  std::string data;
  resolve::HouseholdOptions options;
  bool no_family_links = false;
  int64_t id = 0;
  std::string reason;

  CLI::App* resolve = nullptr;
  CLI::App* show = nullptr;
};

HouseholdCommands::HouseholdCommands(CLI::App& app) : args_(new Args) {
  Args& a = *args_;
  a.resolve = app.add_subcommand(
      "households",
      "Find households: the nominals seen at one address over overlapping periods, with "
      "children linked to their parents by referrals (run `tessera resolve` first)");
  a.resolve->add_option("--data", a.data, "Hub directory")->required();
  a.resolve
      ->add_option("--gap-days", a.options.gap_days,
                   "Stays at one address at most this many days apart are one household")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
  a.resolve
      ->add_option("--max-members", a.options.max_members,
                   "A larger group at one address is communal, not a household")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  a.resolve->add_flag("--no-family-links", a.no_family_links,
                      "Do not place a record without an address at its parent's or child's");

  auto* household = app.add_subcommand("household", "One household");
  household->require_subcommand(1);
  a.show =
      household->add_subcommand("show", "Show a household's address, period and members (audited)");
  a.show->add_option("--data", a.data, "Hub directory")->required();
  a.show->add_option("--id", a.id, "Household id")->required();
  a.show->add_option("--reason", a.reason, "Why you need to see this household (audited)")
      ->required();
}

HouseholdCommands::~HouseholdCommands() { delete args_; }

namespace {

std::string DateOr(const std::optional<CivilDate>& date, std::string_view otherwise) {
  return date.has_value() ? date->ToIso() : std::string(otherwise);
}

int RunHouseholds(const std::string& hub, const resolve::HouseholdOptions& options) {
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  auto summary = resolve::ResolveHouseholds(**store, options);
  if (!summary.ok()) return Fail(summary.status());
  const resolve::HouseholdSummary& s = *summary;
  fmt::print(
      "households: {} ({} memberships) found in {:.2f} s: read {:.2f} s, build {:.2f} s, "
      "write {:.2f} s\n",
      s.households, s.memberships, s.read_seconds + s.build_seconds + s.write_seconds,
      s.read_seconds, s.build_seconds, s.write_seconds);
  fmt::print(
      "evidence: {} person records; {} not resolved, {} without an address, {} in no "
      "event\n",
      s.records, s.records_unresolved, s.records_without_address, s.records_undated);
  fmt::print(
      "placed at a home by a postcode alone: {}; by a family link: {} ({} parent/carer "
      "and child pairs); placed nowhere (no fixed abode, postcode alone): {}\n",
      s.addresses_from_postcode, s.addresses_from_family, s.family_links,
      s.records_skipped_address);
  fmt::print("nominals in a household: {}; in more than one over time: {}\n", s.nominals_housed,
             s.nominals_in_several);
  fmt::print("communal groups (over {} members, not households): {} with {} nominals\n",
             options.max_members, s.communal_groups, s.communal_nominals);
  fmt::print("{:>8} {:>10}\n", "members", "households");
  for (const auto& [size, count] : s.sizes) fmt::print("{:>8} {:>10}\n", size, count);
  fmt::print("ids: {} new, {} kept and changed, {} kept unchanged, {} dissolved\n", s.write.created,
             s.write.changed, s.write.unchanged, s.write.dissolved);
  return 0;
}

int RunShow(const std::string& hub, int64_t id, const std::string& reason) {
  if (auto s = RequireReason(reason); !s.ok()) return Fail(s);
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  auto household = (*store)->GetHousehold(id);
  if (!household.ok()) return Fail(household.status());
  auto location = (*store)->GetLocation(household->location_id);
  if (!location.ok()) return Fail(location.status());
  if (auto s = AuditAccess(**store, "household.show", fmt::format("household/{}", id), reason,
                           static_cast<int64_t>(household->members.size()));
      !s.ok()) {
    return Fail(s);
  }
  const model::Household& h = *household;
  fmt::print("household {}{}\n", h.id, h.dissolved ? " (dissolved: no longer found)" : "");
  std::string address = location->address_text;
  if (!location->postcode.empty()) address += (address.empty() ? "" : ", ") + location->postcode;
  fmt::print("address: {} (location {}{})\n", ascii::EscapedForTerminal(address), location->id,
             location->uprn.empty() ? "" : ", UPRN " + location->uprn);
  fmt::print("period: {} to {}\n", DateOr(h.from, "?"), DateOr(h.to, "now"));
  fmt::print("{:>10}  {:<36} {:<10} {:<10} {:<10}\n", "nominal", "name", "born", "from", "to");
  for (const model::HouseholdMembership& m : h.members) {
    auto nominal = (*store)->GetNominal(m.nominal_id);
    if (!nominal.ok()) return Fail(nominal.status());
    std::string name = nominal->name.given;
    if (!nominal->name.family.empty()) name += (name.empty() ? "" : " ") + nominal->name.family;
    fmt::print("{:>10}  {:<36} {:<10} {:<10} {:<10}\n", m.nominal_id,
               ascii::EscapedForTerminal(name).substr(0, 36), DateOr(nominal->dob, "-"),
               DateOr(m.from, "?"), DateOr(m.to, "now"));
  }
  return 0;
}

}  // namespace

std::optional<int> HouseholdCommands::Dispatch() {
  Args& a = *args_;
  if (a.resolve->parsed()) {
    a.options.family_links = !a.no_family_links;
    return RunHouseholds(a.data, a.options);
  }
  if (a.show->parsed()) return RunShow(a.data, a.id, a.reason);
  return std::nullopt;
}

}  // namespace tessera::cli
