#include "cli/indicator_commands.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "analytics/analytics.h"
#include "cli/cli_common.h"
#include "core/ascii.h"
#include "core/clock.h"
#include "govern/identity.h"
#include "govern/policy.h"
#include "store/store.h"
#include "view/view.h"

namespace tessera::cli {

namespace {

using nlohmann::json;

// Derived data is shown only for this purpose (issue 7; as the API's analytics routes).
constexpr std::string_view kRiskAssessment = "risk_assessment";

}  // namespace

struct IndicatorCommands::Args {
  std::string data, as, purpose, reason, as_of, file;
  int64_t nominal = 0;
  int64_t household = 0;
  bool json = false;

  CLI::App* show = nullptr;
  CLI::App* check = nullptr;
};

IndicatorCommands::IndicatorCommands(CLI::App& app) : args_(new Args) {
  Args& a = *args_;
  a.show = app.add_subcommand(
      "indicators",
      "Show a person's or a household's indicator flags and the events that raised them, as a "
      "user under the purpose risk_assessment (audited); `indicators check FILE` validates a "
      "rule file (docs/formats/indicators.md)");
  a.show->require_subcommand(0, 1);
  a.show->add_option("--data", a.data, "Hub directory");
  a.show->add_option("--as", a.as, "The user reading (a username): their agreements apply");
  a.show->add_option("--purpose", a.purpose, "Purpose code: indicators need risk_assessment");
  a.show->add_option("--reason", a.reason, "Why you need to see this (audited)");
  auto* nominal = a.show->add_option("--nominal", a.nominal, "Nominal id");
  auto* household = a.show->add_option("--household", a.household, "Household id");
  nominal->excludes(household);
  a.show->add_option("--as-of", a.as_of, "Evaluate as of this day, YYYY-MM-DD (default: today)");
  a.show->add_flag("--json", a.json, "Print the API's JSON document");
  a.check = a.show->add_subcommand("check", "Check an indicator rule file and list its rules");
  a.check->add_option("file", a.file, "YAML rule file")->required();
}

IndicatorCommands::~IndicatorCommands() { delete args_; }

namespace {

int RunCheck(const std::string& file) {
  auto set = analytics::IndicatorSet::Load(file);
  if (!set.ok()) return Fail(set.status());
  fmt::print("{}: {} rules\n", ascii::EscapedForTerminal(file), set->rules().size());
  for (const analytics::IndicatorRule& r : set->rules()) {
    std::string what;
    if (r.composite) {
      what = fmt::format("at least {} of {}", r.at_least, r.of.size());
    } else {
      what = fmt::format("{} in {} months", r.min_events, r.window_months);
      if (r.min_distinct_days > 0) what += fmt::format(" on {}+ days", r.min_distinct_days);
      if (r.scope == analytics::Scope::kHousehold && !r.any_member) what += ", one member alone";
    }
    fmt::print("  {:<28} {:<9} {:<28} {}\n", ascii::EscapedForTerminal(r.code),
               analytics::ScopeName(r.scope), what, ascii::EscapedForTerminal(r.title));
  }
  return 0;
}

// One listed event on a line: "2024-11-02  police  police_domestic_abuse  domestic_abuse /
// domestic_abuse_incident  victim  (event 5561)".
std::string EventLine(const json& e) {
  auto text = [&](const char* key) {
    return ascii::EscapedForTerminal(e.value(key, std::string("-")));
  };
  std::string roles;
  for (const json& r : e.value("roles", json::array())) {
    roles += (roles.empty() ? "" : ",") + r.get<std::string>();
  }
  std::string line = fmt::format("{}  {}  {}  {} / {}  {}  (event {})", text("date"),
                                 text("agency"), text("source_id"), text("type"), text("category"),
                                 roles.empty() ? "-" : roles, e["event_id"].get<int64_t>());
  if (e.contains("nominal_ids")) {
    std::string who;
    for (const json& n : e["nominal_ids"]) who += (who.empty() ? "" : ",") + n.dump();
    line += "  nominal " + who;
  }
  return line;
}

// "1 event", "3 events".
std::string Counted(int64_t n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

void PrintPage(const json& body, const std::string& subject) {
  int raised = 0;
  for (const json& i : body["indicators"]) raised += i["raised"].get<bool>() ? 1 : 0;
  fmt::print("{} as of {} ({} rules): {} of {} indicators raised\n", subject,
             body["as_of"].get<std::string>(), body["rule_set"].get<std::string>(), raised,
             body["indicators"].size());
  std::map<int64_t, const json*> events;
  for (const json& e : body["events"]) events[e["event_id"].get<int64_t>()] = &e;
  for (const json& i : body["indicators"]) {
    const bool up = i["raised"].get<bool>();
    fmt::print("\n{} {}  {}\n", up ? "RAISED " : "not met",
               ascii::EscapedForTerminal(i["code"].get<std::string>()),
               ascii::EscapedForTerminal(i["title"].get<std::string>()));
    const json& t = i["threshold"];
    if (t.contains("at_least")) {
      std::string parts;
      for (const json& c : i["components"]) {
        parts +=
            fmt::format("{}{}{}", parts.empty() ? "" : ", ", c["raised"].get<bool>() ? "+" : "-",
                        ascii::EscapedForTerminal(c["code"].get<std::string>()));
      }
      fmt::print("        {} raised, {} needed: {}\n", i["count"].get<int64_t>(),
                 t["at_least"].get<int>(), parts);
    } else {
      const int64_t count = i["count"].get<int64_t>();
      const int days = t["min_distinct_days"].get<int>();
      fmt::print("        {} ({} on {}) from {} to {}; needs {}{}\n", Counted(count, "occurrence"),
                 Counted(static_cast<int64_t>(i["events"].size()), "event"),
                 Counted(i["distinct_days"].get<int64_t>(), "day"),
                 i["window"]["from"].get<std::string>(), i["window"]["to"].get<std::string>(),
                 t["min_events"].get<int>(), days > 0 ? fmt::format(" on {}+ days", days) : "");
    }
    for (const json& id : i["events"]) {
      auto it = events.find(id.get<int64_t>());
      if (it != events.end()) fmt::print("          {}\n", EventLine(*it->second));
    }
  }
  const json& withheld = body["withheld"];
  if (withheld.value("total", 0) > 0) {
    fmt::print("\nwithheld from you: {} records", withheld["total"].get<int64_t>());
    for (const json& r : withheld["by_reason"]) {
      fmt::print("; {} {}", r["count"].get<int64_t>(),
                 ascii::EscapedForTerminal(r["reason"].get<std::string>()));
    }
    fmt::print("\n");
  }
  fmt::print(
      "\nIndicators are advisory: they say which published criteria the records you may see "
      "meet, not what will happen.\n");
}

int RunShow(const std::string& hub, const std::string& as, const std::string& purpose,
            const std::string& reason, int64_t nominal, int64_t household,
            const std::string& as_of_text, bool as_json) {
  if (hub.empty()) return Fail(Status::InvalidArgument("--data is required"));
  if (as.empty()) return Fail(Status::InvalidArgument("--as is required: the user reading"));
  if (purpose.empty()) {
    return Fail(Status::InvalidArgument("--purpose is required (indicators need risk_assessment)"));
  }
  if ((nominal > 0) == (household > 0)) {
    return Fail(Status::InvalidArgument("give one of --nominal ID or --household ID"));
  }
  if (auto s = RequireReason(reason); !s.ok()) return Fail(s);
  const Clock& clock = SystemClock::Instance();
  CivilDate as_of = CivilDate::FromMicros(clock.NowMicros());
  if (!as_of_text.empty()) {
    auto parsed = ParseDate(as_of_text, "yyyy-mm-dd");
    if (!parsed.ok()) return Fail(Status::InvalidArgument("--as-of must be YYYY-MM-DD"));
    as_of = *parsed;
  }
  auto rules = analytics::IndicatorSet::ForHub(hub);
  if (!rules.ok()) return Fail(rules.status());

  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  govern::Identity identity(**store, clock);
  auto user = identity.GetUser(as);
  if (!user.ok()) {
    return Fail(Status::PermissionDenied("--as '" + as + "' is not a user of this hub"));
  }
  const std::string action = nominal > 0 ? "nominals.indicators" : "households.indicators";
  store::AuditEvent event;
  event.actor = CliActor() + " as user:" + user->username;
  event.agency = std::string(model::AgencyName(user->agency));
  event.action = action;
  event.purpose = purpose;
  event.justification = reason;
  event.resource = nominal > 0 ? fmt::format("nominal/{}/indicators", nominal)
                               : fmt::format("household/{}/indicators", household);
  if (nominal > 0) event.nominals = {nominal};
  // A refusal is audited too.
  auto refuse = [&](const std::string& why) {
    event.outcome = "denied";
    event.detail = why;
    if (auto appended = (*store)->AppendAudit(event); !appended.ok()) {
      return Fail(appended.status());
    }
    return Fail(Status::PermissionDenied(why));
  };

  // As the API's routes: practitioners and analysts only.
  if (!user->HasRole(govern::UserRole::kPractitioner) &&
      !user->HasRole(govern::UserRole::kAnalyst)) {
    return refuse("this needs one of the roles: practitioner, analyst");
  }
  govern::PolicyEngine policy(clock);
  auto decision = policy.Decide(**store, *user, {purpose, reason, 0});
  if (!decision.ok()) return Fail(decision.status());
  if (!decision->allowed) return refuse(decision->denial);
  event.role = decision->role;
  event.agreement = decision->AgreementList();
  if (purpose != kRiskAssessment) {
    return refuse(
        "indicators are derived data, shown only for the purpose 'risk_assessment' "
        "under an agreement for it; this request states '" +
        purpose + "'");
  }

  view::SourceCatalog sources;
  const std::string mappings = (std::filesystem::path(hub) / "mappings").string();
  if (std::filesystem::is_directory(mappings)) {
    auto loaded = view::SourceCatalog::Load(mappings);
    if (!loaded.ok()) return Fail(loaded.status());
    sources = std::move(*loaded);
  }
  view::ViewContext vc{**store, *decision->visibility, sources,
                       CivilDate::FromMicros(clock.NowMicros()), clock.NowMicros()};
  view::Seen seen;
  Result<view::Page> page = Status::Internal("unreachable");
  std::string subject;
  if (nominal > 0) {
    page = view::NominalIndicators(vc, *rules, nominal, as_of, seen);
    if (page.ok() && page->redirect_to) {
      fmt::print(stderr, "nominal {} was merged into {}: showing {}\n", nominal, *page->redirect_to,
                 *page->redirect_to);
      nominal = *page->redirect_to;
      page = view::NominalIndicators(vc, *rules, nominal, as_of, seen);
    }
    subject = fmt::format("nominal {}", nominal);
  } else {
    page = view::HouseholdIndicators(vc, *rules, household, as_of, seen);
    subject = fmt::format("household {}", household);
  }
  if (!page.ok()) {
    event.outcome = page.status().code() == StatusCode::kNotFound ? "not_found" : "error";
    event.detail = page.status().message();
    if (auto appended = (*store)->AppendAudit(event); !appended.ok()) {
      return Fail(appended.status());
    }
    return Fail(page.status());
  }
  // Audited before anything is shown.
  seen.Normalise();
  event.outcome = "allowed";
  event.nominals = seen.nominals;
  event.records = seen.records;
  std::string raised;
  for (const json& i : page->body["indicators"]) {
    if (i["raised"].get<bool>())
      raised += (raised.empty() ? "" : ",") + i["code"].get<std::string>();
  }
  event.detail = "as_of=" + as_of.ToIso() + "; raised=" + raised;
  if (auto appended = (*store)->AppendAudit(event); !appended.ok()) {
    return Fail(Status(appended.status().code(),
                       "refusing to show personal data: the audit event could not be written: " +
                           appended.status().message()));
  }
  if (as_json) {
    fmt::print("{}\n", page->body.dump(2));
  } else {
    PrintPage(page->body, subject);
  }
  return 0;
}

}  // namespace

std::optional<int> IndicatorCommands::Dispatch() {
  Args& a = *args_;
  if (a.check->parsed()) return RunCheck(a.file);
  if (a.show->parsed()) {
    return RunShow(a.data, a.as, a.purpose, a.reason, a.nominal, a.household, a.as_of, a.json);
  }
  return std::nullopt;
}

}  // namespace tessera::cli
