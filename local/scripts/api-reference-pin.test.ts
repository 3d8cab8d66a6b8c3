import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { currentPin, pinModule } from "./api-reference-pin.ts";

describe("the /api/docs script pin", () => {
  it("matches the installed @scalar/api-reference (run `npm run gen:docs` after upgrading it)", async () => {
    const committed = await readFile(new URL("../../worker/ops/api-reference.pin.ts", import.meta.url), "utf8");

    expect(committed).toBe(pinModule(await currentPin()));
  });

  it("names an exact version and a sha384 integrity", async () => {
    const pin = await currentPin();

    expect(pin.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pin.url).toContain(`@${pin.version}/`);
    expect(pin.integrity).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
  });
});
