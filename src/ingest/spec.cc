#include "ingest/spec.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/ascii.h"
#include "core/dates.h"
#include "core/yaml_node.h"
#include "ingest/record.h"

namespace tessera::ingest {
namespace {

using Node = YamlNode;

// The parse of one spec, as one object: field names are JSON paths in a jsonl or fhir spec,
// which the parser learns from `format:` before it reads any value.
struct SpecParser {
  bool json_paths = false;

  // The choice `n` names, of `choices`; else an error listing them ("case must be upper, lower
  // or keep, not 'x'").
  template <typename E>
  static E OneOf(const Node& n, std::string_view key,
                 std::initializer_list<std::pair<std::string_view, E>> choices) {
    const std::string s = n.Scalar();
    std::string names;
    size_t i = 0;
    for (const auto& [name, value] : choices) {
      if (s == name) return value;
      names += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + std::string(name);
      ++i;
    }
    n.Fail(std::string(key) + " must be " + names + ", not '" + s + "'");
  }

  static void CheckDatePattern(const Node& where, const std::string& pattern) {
    if (!FormatDate(CivilDate{2000, 1, 2}, pattern).ok()) {
      where.Fail("unknown date pattern '" + pattern + "' (see docs/formats/mapping.md)");
    }
  }

  // A value is either a bare field name, or a mapping with the keys below.
  void CheckField(const Node& where, const std::string& field) {
    if (!json_paths) return;
    const Status s = ValidateJsonPath(field);
    if (!s.ok()) where.Fail("'" + field + "' is not a valid JSON path: " + s.message());
  }

  ValueSpec ParseValue(const Node& n) {
    ValueSpec v;
    v.where = n.Where();
    if (n.IsScalar()) {
      v.fields.push_back(n.Scalar());
      CheckField(n, v.fields.back());
      return v;
    }
    n.AllowOnly({"field", "fields", "value", "default", "case", "map", "unmapped", "formats",
                 "required", "one_of", "pattern", "min", "max"});
    if (auto f = n.Get("field")) {
      v.fields.push_back(f->Scalar());
      CheckField(*f, v.fields.back());
    }
    if (auto f = n.Get("fields")) {
      for (const auto& item : f->Items()) {
        v.fields.push_back(item.Scalar());
        CheckField(item, v.fields.back());
      }
    }
    if (auto c = n.Get("value")) v.constant = c->Scalar();
    if (v.fields.empty() && !v.constant) n.Fail("needs 'field', 'fields' or 'value'");
    if (!v.fields.empty() && v.constant) n.Fail("has both a field and a constant 'value'");
    if (auto d = n.Get("default")) v.default_value = d->Scalar();
    if (auto c = n.Get("case")) {
      v.text_case = OneOf<ValueSpec::Case>(*c, "case",
                                           {{"upper", ValueSpec::Case::kUpper},
                                            {"lower", ValueSpec::Case::kLower},
                                            {"keep", ValueSpec::Case::kKeep}});
    }
    if (auto m = n.Get("map")) {
      for (const auto& [from, to] : m->Entries()) v.map[ascii::UpperCase(from)] = to.Scalar();
    }
    if (auto u = n.Get("unmapped")) {
      v.unmapped = OneOf<ValueSpec::Unmapped>(*u, "unmapped",
                                              {{"invalid", ValueSpec::Unmapped::kInvalid},
                                               {"keep", ValueSpec::Unmapped::kKeep},
                                               {"default", ValueSpec::Unmapped::kDefault}});
      if (v.unmapped == ValueSpec::Unmapped::kDefault && !v.default_value) {
        u->Fail("unmapped: default needs a 'default' value");
      }
    }
    if (auto f = n.Get("formats")) {
      for (const auto& item : f->Items()) {
        const std::string p = item.Scalar();
        CheckDatePattern(item, p);
        v.formats.push_back(p);
      }
    }
    if (auto r = n.Get("required")) v.required = r->Bool();
    if (auto o = n.Get("one_of")) {
      for (const auto& item : o->Items()) v.one_of.push_back(item.Scalar());
    }
    if (auto p = n.Get("pattern")) v.pattern = p->Scalar();
    if (auto m = n.Get("min")) v.min = m->Number();
    if (auto m = n.Get("max")) v.max = m->Number();
    return v;
  }

  ValueSpec ParseDateValue(const Node& n) {
    ValueSpec v = ParseValue(n);
    if (v.formats.empty()) n.Fail("a date needs 'formats', e.g. formats: [dd/mm/yyyy]");
    return v;
  }

  AddressSpec ParseAddress(const Node& n) {
    n.AllowOnly({"text", "lines", "town", "postcode", "uprn"});
    AddressSpec a;
    if (auto t = n.Get("text")) a.text = ParseValue(*t);
    if (auto l = n.Get("lines")) {
      for (const auto& item : l->Items()) a.lines.push_back(ParseValue(item));
    }
    if (auto t = n.Get("town")) a.town = ParseValue(*t);
    if (auto p = n.Get("postcode")) a.postcode = ParseValue(*p);
    if (auto u = n.Get("uprn")) a.uprn = ParseValue(*u);
    return a;
  }

  void CheckMapTargets(const Node& n, const ValueSpec& v, bool (*valid)(std::string_view),
                       const std::string& what) {
    for (const auto& [from, to] : v.map) {
      if (!valid(to)) n.Fail("'" + to + "' is not a " + what);
    }
    if (v.constant && v.map.empty() && !valid(*v.constant)) {
      n.Fail("'" + *v.constant + "' is not a " + what);
    }
    if (v.default_value && !valid(*v.default_value)) {
      n.Fail("'" + *v.default_value + "' is not a " + what);
    }
  }

  static bool IsRole(std::string_view s) { return model::RoleFromName(s).has_value(); }
  static bool IsSex(std::string_view s) { return s == "male" || s == "female" || s == "unknown"; }

  PersonSpec ParsePerson(const Node& n) {
    n.AllowOnly({"key", "role", "name", "given", "middle", "family", "title", "suffix", "dob",
                 "sex", "identifiers", "address", "phone", "email", "recorded_on",
                 "present_if_any"});
    PersonSpec p;
    if (auto k = n.Get("key")) p.key_suffix = k->Scalar();
    if (auto r = n.Get("role")) {
      p.role = ParseValue(*r);
      CheckMapTargets(*r, p.role, &IsRole, "role (one of: " + model::RoleNames() + ")");
    } else {
      p.role.constant = "subject";
    }
    if (auto name = n.Get("name")) {
      if (name->IsScalar()) {
        p.name.full = ParseValue(*name);
        p.name.split = NameSplit::kFullName;
      } else {
        name->AllowOnly({"field", "fields", "split", "case", "default"});
        auto split = name->Require("split");
        const std::string s = split.Scalar();
        if (s == "surname_first")
          p.name.split = NameSplit::kSurnameFirst;
        else if (s == "full_name")
          p.name.split = NameSplit::kFullName;
        else if (s == "forenames")
          p.name.split = NameSplit::kForenames;
        else
          split.Fail("split must be surname_first, full_name or forenames, not '" + s + "'");
        ValueSpec v;
        v.where = name->Where();
        if (auto f = name->Get("field")) v.fields.push_back(f->Scalar());
        if (auto f = name->Get("fields")) {
          for (const auto& item : f->Items()) v.fields.push_back(item.Scalar());
        }
        if (v.fields.empty()) name->Fail("needs 'field' or 'fields'");
        p.name.full = v;
      }
    }
    if (auto g = n.Get("given")) {
      p.name.given = ParseValue(*g);
    }
    if (auto m = n.Get("middle")) p.name.middle = ParseValue(*m);
    if (auto f = n.Get("family")) p.name.family = ParseValue(*f);
    if (auto t = n.Get("title")) p.name.title = ParseValue(*t);
    if (auto s = n.Get("suffix")) p.name.suffix = ParseValue(*s);
    if (auto d = n.Get("dob")) p.dob = ParseDateValue(*d);
    if (auto s = n.Get("sex")) {
      p.sex = ParseValue(*s);
      CheckMapTargets(*s, p.sex, &IsSex, "sex (male, female or unknown)");
    }
    if (auto ids = n.Get("identifiers")) {
      for (const auto& [kind_name, value] : ids->Entries()) {
        auto kind = model::IdentifierKindFromName(kind_name);
        if (!kind) {
          value.Fail("unknown identifier '" + kind_name +
                     "' (nhs_number, pnc_id, cro_number, ni_number, uprn, local_id, other_id)");
        }
        p.identifiers.emplace_back(*kind, ParseValue(value));
      }
    }
    if (auto a = n.Get("address")) p.address = ParseAddress(*a);
    if (auto ph = n.Get("phone")) p.phone = ParseValue(*ph);
    if (auto e = n.Get("email")) p.email = ParseValue(*e);
    if (auto r = n.Get("recorded_on")) p.recorded_on = ParseDateValue(*r);
    if (auto pr = n.Get("present_if_any")) {
      for (const auto& item : pr->Items()) p.present_if_any.push_back(item.Scalar());
    }
    return p;
  }

  EventSpec ParseEvent(const Node& n, model::Agency agency, bool fhir) {
    if (fhir) {
      n.AllowOnly({"type", "ref", "date", "category", "severity", "location", "subject"});
    } else {
      n.AllowOnly({"type", "ref", "date", "category", "severity", "location"});
    }
    EventSpec e;
    e.agency = agency;
    e.type = n.Require("type").Scalar();
    if (auto r = n.Get("ref")) e.ref = ParseValue(*r);
    e.date = ParseDateValue(n.Require("date"));
    if (auto c = n.Get("category")) e.category = ParseValue(*c);
    if (auto s = n.Get("severity")) {
      e.severity = ParseValue(*s);
      for (const auto& [from, to] : e.severity.map) {
        if (to.empty() || to.find_first_not_of("012345") != std::string::npos || to.size() != 1) {
          s->Fail("severity values must be 0 to 5, not '" + to + "'");
        }
      }
    }
    if (auto l = n.Get("location")) e.location = ParseAddress(*l);
    if (auto s = n.Get("subject")) e.subject = ParseValue(*s);
    return e;
  }

  MappingSpec ParseSpec(const YAML::Node& root_node, const std::string& path) {
    Node root(root_node, "", path);
    root.AllowOnly({"source", "agency", "dataset", "description", "format", "encoding", "delimiter",
                    "header", "trim_headers", "mode", "record_key", "event", "people", "validate",
                    "resources", "placeholders", "expected_every"});
    MappingSpec s;
    s.path = path;
    s.source_id = root.Require("source").Scalar();
    if (!IsValidSourceId(s.source_id)) {
      root.Require("source").Fail("source ids are lower case letters, digits and '_': '" +
                                  s.source_id + "'");
    }
    {
      auto a = root.Require("agency");
      s.agency_name = a.Scalar();
      auto agency = model::AgencyFromName(s.agency_name);
      if (!agency)
        a.Fail("unknown agency '" + s.agency_name + "' (one of: " + model::AgencyNames() + ")");
      s.agency = *agency;
    }
    if (auto d = root.Get("dataset")) s.dataset = d->Scalar();
    if (auto d = root.Get("description")) s.description = d->Scalar();
    {
      auto f = root.Require("format");
      s.format = f.Scalar();
      if (s.format != "csv" && s.format != "jsonl" && s.format != "fhir") {
        f.Fail("format must be csv, jsonl or fhir, not '" + s.format + "'");
      }
      json_paths = s.format != "csv";
    }
    if (auto e = root.Get("encoding")) {
      s.encoding = e->Scalar();
      static const std::set<std::string> kKnown = {"utf-8",      "utf8",   "windows-1252", "cp1252",
                                                   "iso-8859-1", "latin1", "latin-1"};
      if (!kKnown.count(s.encoding)) {
        e->Fail("encoding must be utf-8, windows-1252 or iso-8859-1, not '" + s.encoding + "'");
      }
    }
    if (auto d = root.Get("delimiter")) {
      const std::string v = d->Scalar();
      if (v == "\\t" || v == "tab")
        s.delimiter = '\t';
      else if (v.size() == 1)
        s.delimiter = v[0];
      else
        d->Fail("delimiter must be one character (or tab), not '" + v + "'");
    }
    if (auto h = root.Get("header")) s.header = h->Bool();
    if (auto t = root.Get("trim_headers")) s.trim_headers = t->Bool();
    if (auto m = root.Get("mode")) {
      const std::string v = m->Scalar();
      if (v == "full_refresh")
        s.full_refresh = true;
      else if (v != "incremental")
        m->Fail("mode must be incremental or full_refresh, not '" + v + "'");
    }
    if (auto e = root.Get("expected_every")) {
      const std::string v = e->Scalar();
      int amount = 0;
      const char unit = v.empty() ? '\0' : v.back();
      const std::string digits = v.empty() ? "" : v.substr(0, v.size() - 1);
      const bool shaped = (unit == 'h' || unit == 'd') && !digits.empty() && digits.size() <= 5 &&
                          digits.find_first_not_of("0123456789") == std::string::npos;
      if (shaped) amount = std::stoi(digits);
      if (!shaped || amount == 0) {
        e->Fail("expected_every is a whole number of hours or days, such as 24h or 7d, not '" + v +
                "'");
      }
      s.expected_every_hours = unit == 'd' ? amount * 24 : amount;
    }
    if (auto p = root.Get("placeholders")) {
      p->AllowOnly({"names", "name_prefixes", "dobs", "nhs_numbers", "phones", "emails"});
      if (auto x = p->Get("names"))
        for (auto& i : x->Items()) s.placeholders.names.push_back(ascii::UpperCase(i.Scalar()));
      if (auto x = p->Get("name_prefixes"))
        for (auto& i : x->Items())
          s.placeholders.name_prefixes.push_back(ascii::UpperCase(i.Scalar()));
      if (auto x = p->Get("dobs")) {
        for (auto& i : x->Items()) {
          auto d = ParseDate(i.Scalar(), "yyyy-mm-dd");
          if (!d.ok()) i.Fail("placeholder dates are written yyyy-mm-dd: " + d.status().message());
          s.placeholders.dobs.push_back(*d);
        }
      }
      if (auto x = p->Get("nhs_numbers"))
        for (auto& i : x->Items()) s.placeholders.nhs_numbers.push_back(i.Scalar());
      if (auto x = p->Get("phones"))
        for (auto& i : x->Items()) s.placeholders.phones_e164.push_back(i.Scalar());
      if (auto x = p->Get("emails"))
        for (auto& i : x->Items()) s.placeholders.emails.push_back(i.Scalar());
    }

    if (s.format == "fhir") {
      for (const char* key : {"record_key", "event", "people"}) {
        if (auto n = root.Get(key))
          n->Fail("a fhir spec maps 'resources', not '" + std::string(key) + "'");
      }
      auto resources = root.Require("resources");
      for (const auto& [type, r] : resources.Entries()) {
        r.AllowOnly({"key", "person", "event"});
        ResourceSpec rs;
        rs.resource_type = type;
        if (auto k = r.Get("key")) {
          rs.key = ParseValue(*k);
        } else {
          rs.key.fields = {"id"};
          rs.key.where = r.Where();
        }
        rs.key.required = true;
        if (auto p = r.Get("person")) rs.person = ParsePerson(*p);
        if (auto e = r.Get("event")) rs.event = ParseEvent(*e, s.agency, true);
        if (!rs.person && !rs.event) r.Fail("a resource needs a 'person' or an 'event' mapping");
        s.resources.push_back(std::move(rs));
      }
    } else {
      if (root.Get("resources")) root.Require("resources").Fail("only fhir specs map 'resources'");
      s.record_key = ParseValue(root.Require("record_key"));
      s.record_key.required = true;
      if (auto e = root.Get("event")) s.event = ParseEvent(*e, s.agency, false);
      const auto people = root.Get("people");
      if (people) {
        for (const auto& item : people->Items()) s.people.push_back(ParsePerson(item));
      }
      if (s.people.empty() && !s.event) root.Fail("a spec needs 'people', an 'event', or both");
      if (s.people.size() > 1) {
        std::set<std::string> suffixes;
        for (size_t i = 0; i < s.people.size(); ++i) {
          PersonSpec& p = s.people[i];
          if (p.key_suffix.empty() && p.role.constant && p.role.map.empty())
            p.key_suffix = *p.role.constant;
          if (p.key_suffix.empty()) {
            people->Items()[i].Fail(
                "a row naming several people needs 'key' for each (its mention key is <row "
                "key>#<key>)");
          }
          if (!suffixes.insert(p.key_suffix).second) {
            people->Items()[i].Fail("duplicate person key '" + p.key_suffix + "'");
          }
        }
      }
    }
    if (auto v = root.Get("validate")) {
      for (const auto& item : v->Items()) {
        ValueSpec rule = ParseValue(item);
        if (rule.fields.empty()) item.Fail("a validation rule needs a 'field'");
        s.validate.push_back(std::move(rule));
      }
    }
    return s;
  }
};

}  // namespace

bool IsValidSourceId(std::string_view source_id) {
  if (source_id.empty()) return false;
  for (char c : source_id) {
    if (!(ascii::IsLower(c) || ascii::IsDigit(c) || c == '_')) return false;
  }
  return true;
}

Result<MappingSpec> ParseMappingSpec(const std::string& yaml_text, const std::string& path) {
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (!root.IsMap())
      return Status::InvalidArgument(path + ":1: a mapping spec is a YAML mapping");
    return SpecParser{}.ParseSpec(root, path);
  } catch (const YamlError& e) {
    return Status::InvalidArgument(e.message);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
}

Result<MappingSpec> LoadMappingSpec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read mapping spec " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseMappingSpec(text.str(), path);
}

}  // namespace tessera::ingest
