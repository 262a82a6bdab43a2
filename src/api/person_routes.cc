// Search and the single view: every route here serves personal data, so the gate has already
// decided the request and put its Visibility in the context; each handler reads through it
// (src/search, src/view) and records what it showed for the audit event.
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "api/internal.h"
#include "core/ascii.h"
#include "resolve/linkage_model.h"

namespace tessera::api {

namespace {

using nlohmann::json;

Result<std::optional<CivilDate>> DateParam(const serve::Request& request, std::string_view name) {
  const std::string text = QueryParam(request, name);
  if (text.empty()) return std::optional<CivilDate>();
  auto date = ParseDate(text, "yyyy-mm-dd");
  if (!date.ok()) return Status::InvalidArgument(std::string(name) + " must be YYYY-MM-DD");
  return std::optional<CivilDate>(*date);
}

std::vector<std::string> ListParam(const serve::Request& request, std::string_view name) {
  std::vector<std::string> out;
  std::stringstream in(QueryParam(request, name));
  std::string item;
  while (std::getline(in, item, ',')) {
    item = std::string(ascii::TrimBlanks(item));
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// A page as the response: 200 with its body, or 308 to the live nominal for a merged id.
serve::Response PageResponse(const view::Page& page, std::string_view path_after_id) {
  if (page.redirect_to) {
    const std::string location =
        "/api/v1/nominals/" + std::to_string(*page.redirect_to) + std::string(path_after_id);
    serve::Response r =
        JsonResponse(308, {{"redirect_to", *page.redirect_to}, {"location", location}});
    r.headers.emplace_back("Location", location);
    return r;
  }
  return JsonResponse(200, page.body);
}

// The chronology's audit action: a chronology leaves the hub for a meeting's papers, so its
// events are found as disclosures rather than among the reads.
constexpr std::string_view kDiscloseAction = "disclose";
constexpr size_t kMaxMeetingChars = 80;

// The "meeting" query parameter: printable text of at most 80 characters, or InvalidArgument.
Result<std::string> MeetingParam(const serve::Request& request) {
  const std::string meeting(ascii::TrimBlanks(QueryParam(request, "meeting")));
  // Printable ASCII and well-formed UTF-8 letters only: it is printed on the document and kept
  // in the audit log.
  if (ascii::EscapedForTerminal(meeting) != meeting) {
    return Status::InvalidArgument("meeting must be printable text");
  }
  const size_t chars = std::count_if(meeting.begin(), meeting.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  if (chars > kMaxMeetingChars) {
    return Status::InvalidArgument("meeting must be at most " + std::to_string(kMaxMeetingChars) +
                                   " characters");
  }
  return meeting;
}

// The best-known value of a profile attribute as shown, with the source records it came from
// added to `seen`; null when nothing of it is visible.
json ShownValue(const json& attribute, view::Seen& seen) {
  const json& values = attribute.value("values", json::array());
  if (values.empty()) return nullptr;
  for (const json& p : values[0].value("provenance", json::array())) {
    seen.AddRecord(p["source_record_id"].get<model::SourceRecordId>());
  }
  return values[0]["value"];
}

// The subject block of a chronology from a profile page: name, date of birth, sex and address,
// each only when a visible record shows it.
json ChronologySubject(const json& profile, view::Seen& seen) {
  const json& a = profile["attributes"];
  json subject = json::object();
  if (json name = ShownValue(a["name"], seen); !name.is_null()) subject["name"] = name["display"];
  if (json dob = ShownValue(a["dob"], seen); !dob.is_null()) subject["dob"] = dob;
  if (json sex = ShownValue(a["sex"], seen); !sex.is_null()) subject["sex"] = sex;
  if (json at = ShownValue(a["address"], seen); !at.is_null()) {
    std::string address = at.value("address", "");
    const std::string postcode = at.value("postcode", "");
    if (!postcode.empty() && address.find(postcode) == std::string::npos) {
      address += (address.empty() ? "" : ", ") + postcode;
    }
    if (address.empty() && at.value("no_fixed_abode", false)) address = "No fixed abode";
    if (!address.empty()) subject["address"] = address;
  }
  return subject;
}

// A timeline event as a chronology entry: what a meeting needs, without the hub's ids.
json ChronologyEntry(const json& event) {
  json entry = json::object();
  for (const char* key : {"date", "agency", "dataset", "source_id", "type", "category", "severity",
                          "reference", "roles", "withheld_fields"}) {
    if (event.contains(key)) entry[key] = event[key];
  }
  if (event.contains("location")) {
    entry["location"] = {{"postcode", event["location"].value("postcode", "")}};
  }
  return entry;
}

}  // namespace

serve::Response HubApi::Impl::WithView(const serve::Request& request, const ViewBody& body) {
  CallContext& ctx = ContextOf(request);
  auto lease = stores.Acquire();
  if (!lease.ok()) return ProblemFromStatus(lease.status());
  view::ViewContext vc{**lease, ctx.visibility(), sources, Today(), clock.NowMicros()};
  Result<serve::Response> response = body(vc, ctx);
  if (!response.ok()) return ProblemFromStatus(response.status());
  return std::move(response).value();
}

serve::Route PersonalGet(std::string id, std::string pattern, serve::Handler handler) {
  return serve::Route{.id = std::move(id),
                      .method = "GET",
                      .pattern = std::move(pattern),
                      .access = serve::Access::kPersonalData,
                      .roles = {"practitioner", "analyst"},
                      .handler = std::move(handler)};
}

Status HubApi::Impl::AddPersonRoutes(serve::Router& router) {
  auto with_view = [this](const serve::Request& request, const ViewBody& body) {
    return WithView(request, body);
  };

  TRY(router.Add(PersonalGet(
      "search", "/api/v1/search", [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        if (!search) {
          return serve::Response::Problem(503, "Service Unavailable", "search is not enabled");
        }
        search::SearchQuery q;
        q.text = QueryParam(request, "q");
        q.postcode = QueryParam(request, "postcode");
        q.sources = ListParam(request, "source");
        auto from = DateParam(request, "dob_from");
        auto to = DateParam(request, "dob_to");
        if (!from.ok()) return ProblemFromStatus(from.status());
        if (!to.ok()) return ProblemFromStatus(to.status());
        q.dob_from = *from;
        q.dob_to = *to;
        auto limit = LimitParam(request, q.limit, search::kMaxLimit);
        if (!limit.ok()) return ProblemFromStatus(limit.status());
        q.limit = *limit;
        auto hits = search->Search(q, ctx.visibility());
        if (!hits.ok()) return ProblemFromStatus(hits.status());
        json out = json::array();
        for (const search::SearchHit& hit : *hits) {
          out.push_back(json::parse(search::HitToJson(hit)));
          ctx.seen.AddNominal(hit.nominal_id);
          for (model::SourceRecordId id : hit.records) ctx.seen.AddRecord(id);
        }
        ctx.resource = "search";
        ctx.detail = "results=" + std::to_string(hits->size());
        return JsonResponse(200, {{"results", out}, {"purpose", ctx.purpose}});
      })));

  TRY(router.Add(PersonalGet(
      "nominals.profile", "/api/v1/nominals/{id}", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              TRY_ASSIGN(view::Page page, view::NominalProfile(vc, id, ctx.seen));
              return PageResponse(page, "");
            });
      })));

  TRY(router.Add(PersonalGet(
      "nominals.timeline", "/api/v1/nominals/{id}/timeline",
      [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              view::TimelineFilter filter;
              for (const std::string& a : ListParam(request, "agency")) {
                std::optional<model::Agency> agency = model::AgencyFromName(a);
                if (!agency) return Status::InvalidArgument("unknown agency '" + a + "'");
                filter.agencies.push_back(*agency);
              }
              filter.categories = ListParam(request, "category");
              TRY_ASSIGN(filter.from, DateParam(request, "from"));
              TRY_ASSIGN(filter.to, DateParam(request, "to"));
              TRY_ASSIGN(std::optional<int64_t> limit, WholeQueryParam(request, "limit"));
              if (limit && *limit > 99'999) {
                return Status::InvalidArgument("limit must be at most 99999 (0: no limit)");
              }
              filter.limit = static_cast<int>(limit.value_or(0));
              TRY_ASSIGN(view::Page page, view::NominalTimeline(vc, id, filter, ctx.seen));
              return PageResponse(page, "/timeline");
            });
      })));

  // A chronology for a MASH or MARAC meeting: the timeline oldest first, with who asked, why,
  // and how it may be handled. It leaves the hub, so it is audited as a disclosure.
  audit_actions["nominals.chronology"] = std::string(kDiscloseAction);
  TRY(router.Add(PersonalGet(
      "nominals.chronology", "/api/v1/nominals/{id}/chronology",
      [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              TRY_ASSIGN(std::string meeting, MeetingParam(request));
              view::TimelineFilter filter;
              TRY_ASSIGN(filter.from, DateParam(request, "from"));
              TRY_ASSIGN(filter.to, DateParam(request, "to"));
              if (filter.from && filter.to && *filter.to < *filter.from) {
                return Status::InvalidArgument("from must not be after to");
              }
              const std::string after_id =
                  "/chronology" + (request.query.empty() ? "" : "?" + request.query);
              // The subject as the profile shows it; only the records behind the values shown
              // count as seen.
              view::Seen profile_seen;
              TRY_ASSIGN(view::Page profile, view::NominalProfile(vc, id, profile_seen));
              if (profile.redirect_to) return PageResponse(profile, after_id);
              TRY_ASSIGN(view::Page timeline, view::NominalTimeline(vc, id, filter, ctx.seen));
              if (timeline.redirect_to) return PageResponse(timeline, after_id);

              // The timeline is newest first with undated events last: a chronology reads
              // oldest first, and an event whose date is withheld stays at the end.
              std::vector<json> dated, undated;
              for (const json& event : timeline.body["events"]) {
                (event.contains("date") ? dated : undated).push_back(ChronologyEntry(event));
              }
              std::reverse(dated.begin(), dated.end());
              json entries = json::array();
              std::set<std::string> agencies;
              for (std::vector<json>* part : {&dated, &undated}) {
                for (json& entry : *part) {
                  agencies.insert(entry["agency"].get<std::string>());
                  entries.push_back(std::move(entry));
                }
              }

              std::string purpose_name = ctx.purpose;
              TRY_ASSIGN(std::vector<store::StoredPurpose> purposes, vc.store.ListPurposes());
              for (const store::StoredPurpose& p : purposes) {
                if (p.code == ctx.purpose && !p.name.empty()) purpose_name = p.name;
              }
              const model::NominalId live = timeline.body["nominal_id"].get<model::NominalId>();
              json subject = ChronologySubject(profile.body, ctx.seen);
              ctx.seen.Normalise();
              const json withheld = timeline.body["withheld"];
              json body = {
                  {"nominal_id", live},
                  {"classification", "OFFICIAL-SENSITIVE"},
                  {"title", "Multi-agency chronology"},
                  {"meeting", meeting},
                  {"generated_at", IsoTime(vc.now_micros)},
                  {"generated_by",
                   {{"username", ctx.user.username},
                    {"display_name", ctx.user.display_name},
                    {"agency", model::AgencyName(ctx.user.agency)}}},
                  {"purpose", ctx.purpose},
                  {"justification", ctx.justification},
                  {"subject", std::move(subject)},
                  {"agencies", agencies},
                  {"entries", entries},
                  {"withheld", withheld},
                  {"handling", "Shared under " + ctx.decision->AgreementList() + " for " +
                                   purpose_name +
                                   ". Do not share further without the originating agencies' "
                                   "agreement."}};
              ctx.resource = "nominal/" + std::to_string(live) + "/chronology";
              ctx.detail = "meeting=" + json(meeting).dump() +
                           "; entries=" + std::to_string(entries.size()) +
                           "; withheld=" + std::to_string(withheld.value("total", 0));
              return JsonResponse(200, body);
            });
      })));

  TRY(router.Add(PersonalGet(
      "nominals.graph", "/api/v1/nominals/{id}/graph", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              TRY_ASSIGN(view::Page page, view::NominalGraph(vc, id, ctx.seen));
              return PageResponse(page, "/graph");
            });
      })));

  TRY(router.Add(PersonalGet(
      "nominals.map", "/api/v1/nominals/{id}/map", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              TRY_ASSIGN(view::Page page, view::NominalMapPoints(vc, id, ctx.seen));
              return PageResponse(page, "/map");
            });
      })));

  TRY(router.Add(PersonalGet(
      "nominals.explain", "/api/v1/nominals/{id}/records/{record}/explanation",
      [this, with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(int64_t record, IdParam(request, "record"));
              ctx.seen.AddNominal(id);
              const std::string path =
                  (std::filesystem::path(options.hub_dir) / "models" / "linkage.json").string();
              TRY_ASSIGN(resolve::LinkageModel model, resolve::LinkageModel::Load(path));
              TRY_ASSIGN(view::Page page, view::RecordExplanation(vc, model, id, record, ctx.seen));
              return PageResponse(page, "/records/" + std::to_string(record) + "/explanation");
            });
      })));

  TRY(router.Add(PersonalGet(
      "households.view", "/api/v1/households/{id}", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(view::Page page, view::HouseholdView(vc, id, ctx.seen));
              ctx.resource = "household/" + std::to_string(id);
              return PageResponse(page, "");
            });
      })));

  TRY(router.Add(PersonalGet(
      "households.graph", "/api/v1/households/{id}/graph",
      [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(view::Page page, view::HouseholdGraph(vc, id, ctx.seen));
              return PageResponse(page, "");
            });
      })));

  TRY(router.Add(PersonalGet(
      "households.map", "/api/v1/households/{id}/map", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(view::Page page, view::HouseholdMapPoints(vc, id, ctx.seen));
              return PageResponse(page, "");
            });
      })));

  TRY(router.Add(PersonalGet(
      "addresses.view", "/api/v1/addresses/{id}", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              TRY_ASSIGN(view::Page page, view::AddressView(vc, id, ctx.seen));
              return PageResponse(page, "");
            });
      })));

  // How current each source is: not personal data, so any signed-in user.
  serve::Route sources_route{
      .id = "sources.list",
      .method = "GET",
      .pattern = "/api/v1/sources",
      .access = serve::Access::kUser,
      .handler = [this](const serve::Request&) -> serve::Response {
        govern::Visibility all;
        all.ShareAllDatasets();
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        view::ViewContext vc{**lease, all, sources, Today(), clock.NowMicros()};
        auto freshness = view::SourceFreshness(vc);
        if (!freshness.ok()) return ProblemFromStatus(freshness.status());
        return JsonResponse(200, {{"sources", *freshness}});
      }};
  TRY(router.Add(std::move(sources_route)));
  return Status::Ok();
}

}  // namespace tessera::api
