// Words and dates as practitioners read them: "children's social care", "12 Mar 2024".

const AGENCY_NAMES: Record<string, string> = {
  police: "Police",
  childrens_social_care: "Children's social care",
  adult_social_care: "Adult social care",
  education: "Education",
  housing: "Housing",
  health: "Health",
  mental_health: "Mental health",
  ambulance: "Ambulance",
  fire_rescue: "Fire and rescue",
  probation: "Probation",
  dwp: "DWP",
  substance_misuse: "Substance misuse",
};

// "childrens_social_care" -> "Children's social care"; unknown codes are de-snaked.
export function agencyName(code: string): string {
  return AGENCY_NAMES[code] ?? humanise(code);
}

// "persistent_absence" -> "Persistent absence"
export function humanise(code: string): string {
  if (!code) return "";
  const s = code.replace(/[_-]+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// "2024-03-12" or an ISO timestamp -> "12 Mar 2024"; anything else is returned as given.
export function formatDate(iso?: string | null): string {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

// An ISO timestamp -> "12 Mar 2024, 14:05" in the viewer's local time.
export function formatDateTime(iso?: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hh = String(d.getHours()).padStart(2, "0");
  const mm = String(d.getMinutes()).padStart(2, "0");
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${hh}:${mm}`;
}

// How often a feed is expected: 24 -> "Daily"; 168 -> "Weekly"; else "Every N days/hours".
export function scheduleText(hours?: number | null): string {
  if (!hours) return "No schedule set";
  if (hours === 24) return "Daily";
  if (hours === 168) return "Weekly";
  if (hours % 24 === 0) return `Every ${hours / 24} days`;
  return `Every ${hours} hours`;
}

// Age in whole years on `on` (default today) from an ISO date of birth.
export function ageFrom(dob?: string | null, on: Date = new Date()): number | null {
  if (!dob) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dob);
  if (!m) return null;
  let age = on.getFullYear() - Number(m[1]);
  const before = on.getMonth() + 1 < Number(m[2]) || (on.getMonth() + 1 === Number(m[2]) && on.getDate() < Number(m[3]));
  if (before) age -= 1;
  return age;
}

// "person.nhs_number" -> "NHS number"
export function fieldName(path: string): string {
  const last = path.split(".").pop() ?? path;
  if (last === "nhs_number") return "NHS number";
  if (last === "dob") return "Date of birth";
  return humanise(last);
}

// One colour per agency, distinct from each other and at least 3:1 against white for marks;
// colour is never the only cue: labels and shapes carry the same information. An agency not
// listed gets one of the spare colours, by its code.
const AGENCY_COLOURS: Record<string, string> = {
  police: "#1d3f91",
  childrens_social_care: "#d4351c",
  adult_social_care: "#942514",
  education: "#00703c",
  housing: "#6f3c97",
  health: "#005a66",
  mental_health: "#912b88",
  ambulance: "#b54b00",
  fire_rescue: "#8a6d00",
  probation: "#505a5f",
  dwp: "#1d70b8",
  substance_misuse: "#4d6b00",
};
const SPARE = ["#0b0c0c", "#7a4419", "#2b6a6c", "#5e3a8c", "#8b1a3a"];
export function agencyColour(code: string): string {
  const c = AGENCY_COLOURS[code];
  if (c) return c;
  let h = 0;
  for (const ch of code) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return SPARE[h % SPARE.length];
}

// Who did something, as the audit names them: "user:igo.wright" -> "igo.wright".
export function actorName(actor?: string | null): string {
  return (actor ?? "").replace(/^user:/, "");
}
