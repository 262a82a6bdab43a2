// Cohort definitions and membership (cohort.h).
#include "analytics/cohort.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace tessera::analytics {

namespace {

using nlohmann::json;

constexpr std::string_view kRankNames[] = {"score", "indicators", "agencies", "events"};

Status Bad(const std::string& path, const std::string& what) {
  return Status::InvalidArgument(path + ": " + what);
}

// Every key of `object` must be one of `allowed`.
Status OnlyKeys(const json& object, const std::string& path,
                std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Bad(path.empty() ? key : path + "." + key, "unknown key");
    }
  }
  return Status::Ok();
}

Result<int64_t> WholeNumber(const json& value, const std::string& path, int64_t min, int64_t max) {
  if (!value.is_number_integer()) return Bad(path, "must be a whole number");
  const int64_t n = value.get<int64_t>();
  if (n < min || n > max) {
    return Bad(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

// "M11", "SW1A", "B1": a postcode district (outward code), upper-cased.
Result<std::string> District(const json& value, const std::string& path) {
  if (!value.is_string()) return Bad(path, "must be a postcode district such as \"M11\"");
  std::string d = value.get<std::string>();
  for (char& c : d) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const bool shape =
      d.size() >= 2 && d.size() <= 4 && std::isalpha(static_cast<unsigned char>(d[0])) &&
      std::all_of(d.begin(), d.end(),
                  [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }) &&
      std::any_of(d.begin(), d.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (!shape) return Bad(path, "must be a postcode district such as \"M11\", not '" + d + "'");
  return d;
}

Result<CohortCondition> ParseCondition(const json& c, const std::string& path,
                                       const IndicatorSet& rules) {
  if (!c.is_object() || c.size() != 1) {
    return Bad(path, "must be an object with exactly one of indicator, score, area, agencies, age");
  }
  const json::const_iterator only = c.begin();
  const std::string key = only.key();
  const json& value = only.value();
  const std::string at = path + "." + key;
  CohortCondition out;
  if (key == "indicator") {
    out.kind = CohortCondition::Kind::kIndicator;
    if (!value.is_string()) return Bad(at, "must be an indicator code");
    out.indicator = value.get<std::string>();
    if (rules.Find(out.indicator) == nullptr) {
      return Bad(
          at, "no indicator '" + out.indicator + "' in the hub's rules (" + rules.origin() + ")");
    }
  } else if (key == "score") {
    out.kind = CohortCondition::Kind::kScore;
    if (!value.is_object() || value.size() != 1) {
      return Bad(at, "must be {\"at_least\": probability} or {\"top\": n}");
    }
    TRY(OnlyKeys(value, at, {"at_least", "top"}));
    if (value.contains("at_least")) {
      const json& p = value["at_least"];
      if (!p.is_number()) return Bad(at + ".at_least", "must be a number");
      const double v = p.get<double>();
      if (!(v >= 0 && v <= 1)) return Bad(at + ".at_least", "must be between 0 and 1");
      out.score_at_least = v;
    } else {
      TRY_ASSIGN(out.score_top, WholeNumber(value["top"], at + ".top", 1, 1'000'000));
    }
  } else if (key == "area") {
    out.kind = CohortCondition::Kind::kArea;
    if (!value.is_array() || value.empty() || value.size() > 200) {
      return Bad(at, "must be a list of 1 to 200 postcode districts");
    }
    for (size_t i = 0; i < value.size(); ++i) {
      TRY_ASSIGN(std::string d, District(value[i], at + "[" + std::to_string(i) + "]"));
      if (std::find(out.areas.begin(), out.areas.end(), d) == out.areas.end()) {
        out.areas.push_back(std::move(d));
      }
    }
  } else if (key == "agencies") {
    out.kind = CohortCondition::Kind::kAgencies;
    if (!value.is_object()) return Bad(at, "must be an object");
    TRY(OnlyKeys(value, at, {"at_least", "within_months", "of"}));
    if (!value.contains("at_least")) return Bad(at + ".at_least", "is required");
    TRY_ASSIGN(int64_t n, WholeNumber(value["at_least"], at + ".at_least", 1, 13));
    out.agencies_at_least = static_cast<int>(n);
    if (value.contains("within_months")) {
      TRY_ASSIGN(int64_t m, WholeNumber(value["within_months"], at + ".within_months", 1, 120));
      out.within_months = static_cast<int>(m);
    }
    if (value.contains("of")) {
      const json& of = value["of"];
      if (!of.is_array() || of.empty()) return Bad(at + ".of", "must be a list of agencies");
      for (size_t i = 0; i < of.size(); ++i) {
        const std::string p = at + ".of[" + std::to_string(i) + "]";
        if (!of[i].is_string()) return Bad(p, "must be an agency name");
        std::optional<model::Agency> a = model::AgencyFromName(of[i].get<std::string>());
        if (!a) return Bad(p, "unknown agency '" + of[i].get<std::string>() + "'");
        if (std::find(out.agencies_of.begin(), out.agencies_of.end(), *a) ==
            out.agencies_of.end()) {
          out.agencies_of.push_back(*a);
        }
      }
      if (out.agencies_at_least > static_cast<int>(out.agencies_of.size())) {
        return Bad(at + ".at_least", "is more than the agencies listed in 'of'");
      }
    }
  } else if (key == "age") {
    out.kind = CohortCondition::Kind::kAge;
    if (!value.is_object() || value.empty()) return Bad(at, "must be {\"from\": n, \"to\": n}");
    TRY(OnlyKeys(value, at, {"from", "to"}));
    if (value.contains("from")) {
      TRY_ASSIGN(int64_t f, WholeNumber(value["from"], at + ".from", 0, 130));
      out.age_from = static_cast<int>(f);
    }
    if (value.contains("to")) {
      TRY_ASSIGN(int64_t t, WholeNumber(value["to"], at + ".to", 0, 130));
      out.age_to = static_cast<int>(t);
    }
    if (out.age_from > out.age_to) return Bad(at, "from is more than to");
  } else {
    return Bad(at, "unknown condition: use indicator, score, area, agencies or age");
  }
  return out;
}

json ConditionJson(const CohortCondition& c) {
  switch (c.kind) {
    case CohortCondition::Kind::kIndicator:
      return {{"indicator", c.indicator}};
    case CohortCondition::Kind::kScore:
      if (c.score_at_least) return {{"score", {{"at_least", *c.score_at_least}}}};
      return {{"score", {{"top", c.score_top.value_or(0)}}}};
    case CohortCondition::Kind::kArea:
      return {{"area", c.areas}};
    case CohortCondition::Kind::kAgencies: {
      json a = {{"at_least", c.agencies_at_least}, {"within_months", c.within_months}};
      if (!c.agencies_of.empty()) {
        json of = json::array();
        for (model::Agency ag : c.agencies_of) of.push_back(model::AgencyName(ag));
        a["of"] = std::move(of);
      }
      return {{"agencies", a}};
    }
    case CohortCondition::Kind::kAge:
      return {{"age", {{"from", c.age_from}, {"to", c.age_to}}}};
  }
  return json::object();
}

// The agencies (in `of`, or any) with a dated event from WindowStart(as_of, months) to as_of.
std::set<model::Agency> AgenciesIn(const CohortInputs& in, const CivilDate& as_of, int months,
                                   const std::vector<model::Agency>& of) {
  const CivilDate from = WindowStart(as_of, months);
  std::set<model::Agency> out;
  for (const CohortInputs::AgencyEvent& e : in.events) {
    if (e.date < from || e.date > as_of) continue;
    if (!of.empty() && std::find(of.begin(), of.end(), e.agency) == of.end()) continue;
    out.insert(e.agency);
  }
  return out;
}

int64_t EventsIn(const CohortInputs& in, const CivilDate& as_of, int months) {
  const CivilDate from = WindowStart(as_of, months);
  int64_t n = 0;
  for (const CohortInputs::AgencyEvent& e : in.events) n += (e.date >= from && e.date <= as_of);
  return n;
}

std::string Probability(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", p);
  return buf;
}

std::string ScoreReason(const CohortInputs& in) {
  std::string out = "score " + Probability(*in.probability);
  if (in.rank) out += " (rank " + std::to_string(*in.rank) + ")";
  return out;
}

}  // namespace

std::string_view CohortRankName(CohortRank rank) { return kRankNames[static_cast<int>(rank)]; }

Result<CohortDefinition> CohortDefinition::Parse(std::string_view text, const IndicatorSet& rules) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("definition: not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("definition: must be a JSON object");
  TRY(OnlyKeys(doc, "", {"criteria", "rank_by"}));
  CohortDefinition out;
  if (!doc.contains("criteria")) return Bad("criteria", "is required");
  const json& criteria = doc["criteria"];
  if (!criteria.is_array() || criteria.empty() || criteria.size() > 20) {
    return Bad("criteria", "must be a list of 1 to 20 conditions");
  }
  for (size_t i = 0; i < criteria.size(); ++i) {
    TRY_ASSIGN(CohortCondition c,
               ParseCondition(criteria[i], "criteria[" + std::to_string(i) + "]", rules));
    out.criteria.push_back(std::move(c));
  }
  if (doc.contains("rank_by")) {
    const json& r = doc["rank_by"];
    bool found = false;
    for (int i = 0; i < 4 && r.is_string(); ++i) {
      if (kRankNames[i] == r.get<std::string>()) {
        out.rank_by = static_cast<CohortRank>(i);
        found = true;
      }
    }
    if (!found) return Bad("rank_by", "must be score, indicators, agencies or events");
  }
  return out;
}

std::string CohortDefinition::ToJson() const {
  json criteria_json = json::array();
  for (const CohortCondition& c : criteria) criteria_json.push_back(ConditionJson(c));
  return json{{"criteria", criteria_json}, {"rank_by", CohortRankName(rank_by)}}.dump();
}

bool CohortDefinition::NeedsScore() const {
  if (rank_by == CohortRank::kScore) return true;
  return std::any_of(criteria.begin(), criteria.end(), [](const CohortCondition& c) {
    return c.kind == CohortCondition::Kind::kScore;
  });
}

int CohortDefinition::RankingWindowMonths() const {
  for (const CohortCondition& c : criteria) {
    if (c.kind == CohortCondition::Kind::kAgencies) return c.within_months;
  }
  return 12;
}

int CohortDefinition::WindowMonths(const IndicatorSet& rules) const {
  int months = RankingWindowMonths();
  for (const CohortCondition& c : criteria) {
    if (c.kind == CohortCondition::Kind::kAgencies) months = std::max(months, c.within_months);
  }
  // Any rule may be a component of a composite used: the widest window of the set bounds them.
  for (const IndicatorRule& r : rules.rules()) months = std::max(months, r.window_months);
  return months;
}

CohortVerdict EvaluateCohort(const CohortDefinition& definition, const CohortInputs& in,
                             const CivilDate& as_of) {
  CohortVerdict out;
  out.member = true;
  for (const CohortCondition& c : definition.criteria) {
    switch (c.kind) {
      case CohortCondition::Kind::kIndicator: {
        const bool raised =
            std::find(in.raised.begin(), in.raised.end(), c.indicator) != in.raised.end();
        out.member &= raised;
        if (raised) out.reasons.push_back(c.indicator + " raised");
        break;
      }
      case CohortCondition::Kind::kScore: {
        bool holds = in.probability.has_value();
        if (holds && c.score_at_least) holds = *in.probability >= *c.score_at_least;
        if (holds && c.score_top) holds = in.rank && *in.rank <= *c.score_top;
        out.member &= holds;
        if (holds) out.reasons.push_back(ScoreReason(in));
        break;
      }
      case CohortCondition::Kind::kArea: {
        std::string where;
        for (const std::string& d : in.districts) {
          if (std::find(c.areas.begin(), c.areas.end(), d) != c.areas.end()) {
            where = d;
            break;
          }
        }
        out.member &= !where.empty();
        if (!where.empty()) out.reasons.push_back("address in " + where);
        break;
      }
      case CohortCondition::Kind::kAgencies: {
        std::set<model::Agency> found = AgenciesIn(in, as_of, c.within_months, c.agencies_of);
        const bool holds = static_cast<int>(found.size()) >= c.agencies_at_least;
        out.member &= holds;
        if (holds) {
          std::string names;
          for (model::Agency a : found) {
            names += (names.empty() ? "" : ", ") + std::string(model::AgencyName(a));
          }
          out.reasons.push_back(std::to_string(found.size()) +
                                (found.size() == 1 ? " agency" : " agencies") + " in " +
                                std::to_string(c.within_months) + " months: " + names);
        }
        break;
      }
      case CohortCondition::Kind::kAge: {
        bool holds = in.dob.has_value() && !(as_of < *in.dob);
        int age = holds ? in.dob->AgeOn(as_of) : -1;
        holds = holds && age >= c.age_from && age <= c.age_to;
        out.member &= holds;
        if (holds) out.reasons.push_back("age " + std::to_string(age));
        break;
      }
    }
  }
  if (!out.member) {
    out.reasons.clear();
    return out;
  }
  const int months = definition.RankingWindowMonths();
  std::set<std::string> raised(in.raised.begin(), in.raised.end());
  const double indicators = static_cast<double>(raised.size());
  const double agencies = static_cast<double>(AgenciesIn(in, as_of, months, {}).size());
  const double events = static_cast<double>(EventsIn(in, as_of, months));
  const double probability = in.probability.value_or(-1);
  double primary = indicators;
  switch (definition.rank_by) {
    case CohortRank::kScore:
      primary = probability;
      break;
    case CohortRank::kIndicators:
      break;
    case CohortRank::kAgencies:
      primary = agencies;
      break;
    case CohortRank::kEvents:
      primary = events;
      break;
  }
  out.key = {primary, indicators, agencies, events, probability};
  return out;
}

std::string CsvCell(std::string_view value) {
  std::string out = "\"";
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
                         value[0] == '\t' || value[0] == '\r')) {
    out += '\'';
  }
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace tessera::analytics
