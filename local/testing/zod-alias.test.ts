/**
 * The Worker bundles zod through a locale-free alias (worker/platform/zod/, wrangler.toml [alias])
 * that mirrors zod's own entry files. These checks fail when an update of zod changes those files,
 * so the alias is brought up to date (or dropped) instead of silently missing an export.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as real from "zod";
import * as alias from "../../worker/platform/zod/index.ts";

const manifest = (path: string): { version?: string; dependencies?: Record<string, string> } =>
  JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { version?: string; dependencies?: Record<string, string> };

/** Names of `real` that `mirror` does not export, and names `mirror` has that `real` lacks. */
function difference(realExports: object, mirrorExports: object): { missing: string[]; extra: string[] } {
  const realNames = new Set(Object.keys(realExports));
  const mirrorNames = new Set(Object.keys(mirrorExports));
  return {
    missing: [...realNames].filter((name) => !mirrorNames.has(name)).sort(),
    extra: [...mirrorNames].filter((name) => !realNames.has(name)).sort(),
  };
}

describe("the locale-free zod alias", () => {
  it("is built for the exact zod version package.json pins", () => {
    const pinned = manifest("../../package.json").dependencies?.zod;
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest("../../node_modules/zod/package.json").version).toBe(pinned);
  });

  it("exports everything zod does, except the locales and the schema compiler it leaves out on purpose", () => {
    expect(difference(real.z, alias.z)).toEqual({
      missing: ["ZodCompileAsyncError", "ZodCompileUnsupportedError", "compile", "deepPartial", "fromJSONSchema", "locales", "withParser"],
      extra: [],
    });
    expect(difference(real.z.core, alias.z.core)).toEqual({
      missing: ["INVALID", "ZodCompileAsyncError", "ZodCompileUnsupportedError", "compile", "compileFn", "locales", "withParser"],
      extra: [],
    });
  });

  it("gives the same schemas: English messages, JSON Schema", () => {
    const schema = alias.z.object({ email: alias.z.email(), age: alias.z.number().int().min(18) });
    const twin = real.z.object({ email: real.z.email(), age: real.z.number().int().min(18) });
    const input = { email: "nope", age: 12.5 };
    expect(schema.safeParse(input).error?.issues.map((issue) => issue.message)).toEqual(twin.safeParse(input).error?.issues.map((issue) => issue.message));
    expect(alias.z.toJSONSchema(schema)).toEqual(real.z.toJSONSchema(twin));
  });
});
