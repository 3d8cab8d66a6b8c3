/**
 * Which support contacts to show: the region of the browser's languages (`en-GB` → GB) when the
 * list has contacts there, else only the international ones; emergency numbers first.
 */
import type { ResponseBody } from "../api/types.ts";

export type SupportResource = ResponseBody<"/api/v1/support-resources", "get", 200>["items"][number];

export const INTERNATIONAL = "international";

/** The first region among `languages` (BCP 47 tags, most preferred first) that `known` holds. */
export function regionFor(languages: readonly string[], known: ReadonlySet<string>): string {
  for (const tag of languages) {
    // Only an explicit region counts ("en-GB", "de_DE"); a bare "en" would guess the US for everyone.
    const region = tag.split(/[-_]/).slice(1).find((part) => /^[A-Za-z]{2}$/.test(part))?.toUpperCase();
    if (region && known.has(region)) return region;
  }
  return INTERNATIONAL;
}

const ORDER: Record<SupportResource["kind"], number> = { emergency: 0, helpline: 1, directory: 2 };

/**
 * The region's contacts (emergency first), then the international ones, which are always shown —
 * except the international emergency-number guidance when the region has its own number.
 */
export function contactsFor(items: readonly SupportResource[], region: string): SupportResource[] {
  const local = region === INTERNATIONAL ? [] : items.filter((item) => item.region === region);
  const ownEmergency = local.some((item) => item.kind === "emergency");
  const international = items.filter((item) => item.region === INTERNATIONAL && !(ownEmergency && item.kind === "emergency"));
  const byKind = (a: SupportResource, b: SupportResource) => ORDER[a.kind] - ORDER[b.kind];
  return [...local.sort(byKind), ...international.sort(byKind)];
}

/** The regions to choose from, by display name. */
export function regionsOf(items: readonly SupportResource[], displayLanguage = "en"): { code: string; name: string }[] {
  const names = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames([displayLanguage], { type: "region" }) : null;
  const codes = [...new Set(items.map((item) => item.region).filter((region) => region !== INTERNATIONAL))];
  return codes.map((code) => ({ code, name: names?.of(code) ?? code })).sort((a, b) => a.name.localeCompare(b.name));
}

/** `tel:` / `sms:` targets: digits only (and a leading +). */
export function dialable(number: string): string {
  return number.replace(/[^\d+]/g, "");
}
