import { describe, expect, it } from "vitest";
import { contactsFor, dialable, INTERNATIONAL, regionFor, regionsOf, type SupportResource } from "./regions.ts";

const item = (region: string, kind: SupportResource["kind"], name: string): SupportResource => ({ region, language: "en", kind, name });
const items = [
  item(INTERNATIONAL, "directory", "Find A Helpline"),
  item(INTERNATIONAL, "emergency", "Local emergency number"),
  item("GB", "helpline", "Samaritans"),
  item("GB", "emergency", "999"),
  item("DE", "helpline", "TelefonSeelsorge"),
];
const known = new Set(["GB", "DE"]);

describe("regionFor", () => {
  it("takes the region of the first browser language that has contacts", () => {
    expect(regionFor(["en-GB", "en"], known)).toBe("GB");
    expect(regionFor(["fr-FR", "de-DE"], known)).toBe("DE");
    expect(regionFor(["de_DE"], known)).toBe("DE");
  });

  it("falls back to the international contacts without an explicit, known region", () => {
    expect(regionFor(["en"], known)).toBe(INTERNATIONAL);
    expect(regionFor(["pt-BR"], known)).toBe(INTERNATIONAL);
    expect(regionFor([], known)).toBe(INTERNATIONAL);
    expect(regionFor(["not a tag!"], known)).toBe(INTERNATIONAL);
  });
});

describe("contactsFor", () => {
  it("lists the region's contacts, emergency first, then the international ones (their emergency guidance only without a local number)", () => {
    expect(contactsFor(items, "GB").map((i) => i.name)).toEqual(["999", "Samaritans", "Find A Helpline"]);
    expect(contactsFor(items, "DE").map((i) => i.name)).toEqual(["TelefonSeelsorge", "Local emergency number", "Find A Helpline"]);
    expect(contactsFor(items, INTERNATIONAL).map((i) => i.name)).toEqual(["Local emergency number", "Find A Helpline"]);
  });
});

describe("regionsOf and dialable", () => {
  it("names the regions to choose from, and dials numbers without spaces", () => {
    expect(regionsOf(items)).toEqual([
      { code: "DE", name: "Germany" },
      { code: "GB", name: "United Kingdom" },
    ]);
    expect(dialable("0800 111 0 111")).toBe("08001110111");
    expect(dialable("116 123")).toBe("116123");
  });
});
