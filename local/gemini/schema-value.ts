/**
 * Fills a Gemini `responseSchema` (OpenAPI subset: type, properties, required, items, enum,
 * minItems) with deterministic values taken from what the prompt said, so structured-output code
 * paths can be exercised offline.
 */
import { isRecord } from "../http/server.ts";
import type { Facts } from "./offline-model.ts";

export function valueForSchema(schema: unknown, facts: Facts, name = ""): unknown {
  if (!isRecord(schema)) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (String(schema.type ?? "").toLowerCase()) {
    case "object": {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, valueForSchema(child, facts, key)]));
    }
    case "array": {
      const count = Math.max(typeof schema.minItems === "number" ? schema.minItems : 1, 1);
      return Array.from({ length: count }, (_, i) => valueForSchema(schema.items, { ...facts, numbers: facts.numbers.slice(i) }, name));
    }
    case "integer":
      return Math.round(facts.numbers[0] ?? facts.words);
    case "number":
      return facts.numbers[0] ?? facts.words;
    case "boolean":
      return true;
    case "string":
      return /step|advice|suggest|recommend/i.test(name) ? facts.nextStep : facts.summary || "(empty prompt)";
    default:
      return null;
  }
}
