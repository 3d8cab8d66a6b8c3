/** The Turnstile stand-in speaks siteverify as Cloudflare documents it, and serves a widget script. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counts, type TurnstileCount } from "../control.ts";
import { startTurnstileStandIn, type TurnstileStandIn } from "./server.ts";
import { TURNSTILE_TEST_KEYS as keys } from "./test-keys.ts";

let standIn: TurnstileStandIn;
beforeAll(async () => {
  standIn = await startTurnstileStandIn();
});
afterAll(() => standIn.close());

/** A siteverify call as Cloudflare's own examples make it: a form POST. */
async function siteverify(fields: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(`${standIn.url}/turnstile/v0/siteverify`, { method: "POST", body: new URLSearchParams(fields) });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("application/json");
  return (await res.json()) as Record<string, unknown>;
}

describe("siteverify", () => {
  it("passes the dummy token under the always-pass secret, with Cloudflare's success fields", async () => {
    const answer = await siteverify({ secret: keys.passSecret, response: keys.dummyToken, remoteip: "203.0.113.7" });

    expect(answer).toMatchObject({ success: true, "error-codes": [], hostname: expect.any(String) });
    expect(Date.parse(String(answer.challenge_ts))).not.toBeNaN();
  });

  it.each([
    [keys.failSecret, "invalid-input-response"],
    [keys.spentSecret, "timeout-or-duplicate"],
    ["0x4AAAAAAA-a-real-looking-secret", "invalid-input-secret"],
  ])("refuses under secret %s with %s", async (secret, code) => {
    expect(await siteverify({ secret, response: keys.dummyToken })).toEqual({ success: false, "error-codes": [code] });
  });

  it("names a missing secret or a missing response", async () => {
    expect(await siteverify({ response: keys.dummyToken })).toEqual({ success: false, "error-codes": ["missing-input-secret"] });
    expect(await siteverify({ secret: keys.passSecret })).toEqual({ success: false, "error-codes": ["missing-input-response"] });
  });

  it("takes JSON bodies too", async () => {
    const res = await fetch(`${standIn.url}/turnstile/v0/siteverify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secret: keys.passSecret, response: keys.dummyToken }),
    });
    expect(((await res.json()) as { success: boolean }).success).toBe(true);
  });

  it("counts calls per secret", async () => {
    const before = await counts<TurnstileCount>(standIn.url, keys.failSecret);
    await siteverify({ secret: keys.failSecret, response: keys.dummyToken });
    const after = await counts<TurnstileCount>(standIn.url, keys.failSecret);

    expect(after.siteverify - before.siteverify).toBe(1);
    expect(after.failure - before.failure).toBe(1);
  });
});

describe("the widget script", () => {
  it("is served as JavaScript at Cloudflare's path and defines the explicit render API", async () => {
    const res = await fetch(`${standIn.url}/turnstile/v0/api.js?render=explicit`);

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/javascript");
    const script = await res.text();
    for (const name of ["render", "reset", "remove", "getResponse"]) expect(script).toContain(`${name}:`);
    expect(script).toContain(keys.dummyToken);
    expect(() => new Function(script)).not.toThrow();
  });
});
