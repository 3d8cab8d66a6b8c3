/**
 * The one support panel, used by the chat and the results page: crisis and support contacts for the
 * person's region (from the browser's languages, changeable, with the international contacts always
 * listed), as `tel:` / `sms:` links. It can be collapsed and always reopened; `urgent` opens it.
 */
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useSupportResources } from "./queries.ts";
import { contactsFor, dialable, INTERNATIONAL, regionFor, regionsOf, type SupportResource } from "./regions.ts";

const linkClass =
  "inline-flex min-h-11 items-center rounded-lg bg-white px-3 py-2 text-sm font-semibold text-brand-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50";

function Contact({ item }: { item: SupportResource }) {
  return (
    <li className="rounded-lg bg-white/70 p-3 ring-1 ring-slate-200" data-testid="support-contact">
      <p className="font-semibold text-slate-900">{item.name}</p>
      {item.hours && <p className="text-sm text-slate-700">{item.hours}</p>}
      {(item.phone || item.sms || item.url) && (
        <div className="mt-2 flex flex-wrap gap-2">
          {item.phone && (
            <a className={linkClass} href={`tel:${dialable(item.phone)}`}>
              Call {item.phone}
              <span className="sr-only"> ({item.name})</span>
            </a>
          )}
          {item.sms && (
            <a className={linkClass} href={`sms:${dialable(item.sms)}`}>
              Text {item.sms}
              <span className="sr-only"> ({item.name})</span>
            </a>
          )}
          {item.url && (
            <a className={linkClass} href={item.url} target="_blank" rel="noopener noreferrer">
              {new URL(item.url).hostname.replace(/^www\./, "")}
              <span className="sr-only"> (opens in a new tab)</span>
            </a>
          )}
        </div>
      )}
    </li>
  );
}

/** Shown when the list cannot be loaded (offline): the panel is never empty. */
const FALLBACK: SupportResource[] = [
  {
    region: INTERNATIONAL,
    language: "en",
    kind: "emergency",
    name: "In immediate danger: call your local emergency number (112 in the EU, 911 in North America, 999 in the UK, 000 in Australia)",
  },
  { region: INTERNATIONAL, language: "en", kind: "directory", name: "Find A Helpline", url: "https://findahelpline.com" },
];

export function SupportPanel({ urgent = false, context }: { urgent?: boolean; context: "chat" | "results" }) {
  const resources = useSupportResources();
  const items = resources.data?.items ?? FALLBACK;
  const regions = useMemo(() => regionsOf(items), [items]);
  const detected = useMemo(() => regionFor(navigator.languages ?? [navigator.language], new Set(regions.map((r) => r.code))), [regions]);
  const [chosen, setChosen] = useState<string | null>(null);
  const region = chosen ?? detected;
  const [open, setOpen] = useState(urgent);
  const panelRef = useRef<HTMLElement>(null);
  const ids = { body: useId(), heading: useId(), region: useId() };

  // Urgency opens the panel the moment it is known (the person can close it again) and brings it into view.
  const [wasUrgent, setWasUrgent] = useState(urgent);
  if (urgent !== wasUrgent) {
    setWasUrgent(urgent);
    if (urgent) setOpen(true);
  }
  useEffect(() => {
    if (urgent) panelRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [urgent]);

  const lead =
    context === "results"
      ? "Scores in this range are worth talking over with someone. You don't have to wait: these services are free and confidential."
      : "If things feel hard right now, you don't have to face it alone. These services are free and confidential.";

  return (
    <section
      ref={panelRef}
      aria-labelledby={ids.heading}
      data-testid="support-panel"
      data-open={open}
      className={`rounded-xl border px-4 py-3 ${urgent ? "border-amber-300 bg-amber-50" : "border-slate-200 bg-white"}`}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={ids.heading} className="text-base font-semibold text-slate-900">
          {urgent ? "Support is available right now" : "Need to talk to someone?"}
        </h2>
        <button
          type="button"
          aria-expanded={open}
          aria-controls={ids.body}
          onClick={() => setOpen((o) => !o)}
          className="inline-flex min-h-11 items-center rounded-lg px-3 text-sm font-semibold text-brand-700 underline underline-offset-2 hover:bg-brand-50"
        >
          {open ? "Hide support contacts" : "Show support contacts"}
        </button>
      </div>
      <div id={ids.body} hidden={!open} className="mt-2 space-y-3">
        <p role={urgent ? "status" : undefined} className="text-sm text-slate-800">
          {lead}
        </p>
        {regions.length > 0 && (
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <label htmlFor={ids.region} className="font-medium text-slate-800">
              Contacts for
            </label>
            <select
              id={ids.region}
              value={region}
              onChange={(e) => setChosen(e.target.value)}
              className="min-h-11 rounded-lg border border-slate-400 bg-white px-2 text-base"
            >
              <option value={INTERNATIONAL}>Anywhere (international)</option>
              {regions.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <ul className="grid gap-2 sm:grid-cols-2">
          {contactsFor(items, region).map((item) => (
            <Contact key={`${item.region}:${item.name}`} item={item} />
          ))}
        </ul>
      </div>
    </section>
  );
}
