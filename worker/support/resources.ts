/**
 * Crisis and support contacts, as data: `resources.json` (sources in docs/SUPPORT.md). Bundled with
 * the Worker on purpose: the list must be there when the database or the cache is not, and it
 * costs no round trip to serve or to put into a prompt. Checked against its schema when loaded.
 */
import { z } from "@hono/zod-openapi";
import data from "./resources.json" with { type: "json" };

export const SupportResourceSchema = z
  .object({
    region: z
      .string()
      .regex(/^(?:[A-Z]{2}|international)$/)
      .openapi({ description: 'ISO 3166-1 alpha-2 country code, or "international" (always present)', example: "GB" }),
    language: z.string().regex(/^[a-z]{2,3}$/).openapi({ description: "BCP 47 primary language tag", example: "en" }),
    kind: z
      .enum(["emergency", "helpline", "directory"])
      .openapi({ description: "emergency services, a crisis helpline, or a directory of helplines" }),
    name: z.string().min(1).max(200),
    phone: z.string().regex(/^[0-9 ]{3,20}$/).optional().openapi({ description: "As dialled in that country (a `tel:` link)" }),
    sms: z.string().regex(/^[0-9 ]{3,20}$/).optional().openapi({ description: "A number that takes text messages (an `sms:` link)" }),
    url: z.url({ protocol: /^https$/ }).optional(),
    hours: z.string().max(100).optional(),
  })
  .openapi("SupportResource");

export const SupportResourceListSchema = z
  .object({ items: z.array(SupportResourceSchema) })
  .refine((list) => list.items.some((item) => item.region === "international"), "An international item must be present")
  .openapi("SupportResourceList");

export type SupportResource = z.infer<typeof SupportResourceSchema>;

/** The configured list, validated once per isolate (a bad edit fails every test that loads it). */
export const supportResources: SupportResource[] = SupportResourceListSchema.parse({ items: data.items }).items;

/** One line per contact, for a prompt: the model may only point to these. */
export function describeResources(items: SupportResource[] = supportResources): string {
  return items
    .map((item) => {
      const ways = [item.phone && `call ${item.phone}`, item.sms && `text ${item.sms}`, item.url].filter(Boolean).join(", ");
      const where = item.region === "international" ? "anywhere" : item.region;
      return `- [${where}, ${item.language}] ${item.name}${ways ? `: ${ways}` : ""}${item.hours ? ` (${item.hours})` : ""}`;
    })
    .join("\n");
}
