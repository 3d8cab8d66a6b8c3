import bcryptjs from "bcryptjs";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, type Config, type Env } from "../config.ts";
import { users } from "../db/schema.ts";
import { newId } from "../platform/ids.ts";
import { servicesFor } from "../platform/services.ts";
import { call } from "../testing/http.ts";
import { registerUser, testDb, uniqueEmail } from "../testing/users.ts";
import { hashPassword, isBcryptHash, isCommonPassword, MAX_PBKDF2_ITERATIONS, parsePbkdf2, verifyPassword } from "./passwords.ts";

const config: Config = servicesFor(env as unknown as Env).config;

async function storedHash(userId: string): Promise<string> {
  const [row] = await testDb().select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId));
  return row?.hash ?? "";
}

describe("PBKDF2 parameters", () => {
  it("never exceeds 100,000 iterations, the cap of production Workers", async () => {
    const alice = await registerUser();

    const parsed = parsePbkdf2(await storedHash(alice.user.id));

    expect(parsed?.iterations).toBeLessThanOrEqual(100_000);
    expect(parsed?.iterations).toBe(config.PASSWORD_PBKDF2_ITERATIONS);
    expect(MAX_PBKDF2_ITERATIONS).toBe(100_000);
  });

  it("refuses a configuration above the cap", () => {
    expect(() => loadConfig({ ...(env as unknown as Env), PASSWORD_PBKDF2_ITERATIONS: "100001" })).toThrow(ConfigError);
  });

  it("stores a self-describing hash with a 128-bit salt and a 256-bit hash", async () => {
    const stored = await hashPassword(config, "a sturdy passphrase 42");

    expect(stored).toMatch(/^pbkdf2-sha256\$\d+\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  });

  it("salts: the same password hashes differently twice", async () => {
    expect(await hashPassword(config, "same password")).not.toBe(await hashPassword(config, "same password"));
  });

  it("peppers: the hash does not verify under another pepper", async () => {
    const stored = await hashPassword(config, "a sturdy passphrase 42");

    expect((await verifyPassword(config, "a sturdy passphrase 42", stored)).ok).toBe(true);
    expect((await verifyPassword({ ...config, PASSWORD_PEPPER: "another-pepper-0123456789" }, "a sturdy passphrase 42", stored)).ok).toBe(false);
  });

  it("asks for a rehash when the stored iteration count is outdated", async () => {
    const old = await hashPassword({ ...config, PASSWORD_PBKDF2_ITERATIONS: 50_000 }, "a sturdy passphrase 42");

    expect(await verifyPassword(config, "a sturdy passphrase 42", old)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword(config, "wrong", old)).toEqual({ ok: false, needsRehash: false });
  });

  it("rehashes an outdated hash at login", async () => {
    const alice = await registerUser();
    const old = await hashPassword({ ...config, PASSWORD_PBKDF2_ITERATIONS: 50_000 }, alice.password);
    await testDb().update(users).set({ passwordHash: old }).where(eq(users.id, alice.user.id));

    const res = await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(res.status).toBe(200);
    expect(parsePbkdf2(await storedHash(alice.user.id))?.iterations).toBe(config.PASSWORD_PBKDF2_ITERATIONS);
  });
});

describe("legacy bcrypt hashes", () => {
  it.each([
    ["$2a$", 4],
    ["$2b$", 5],
    ["$2y$", 4],
  ])("verifies %s hashes made by bcryptjs (cost %i) and asks for a rehash", async (prefix, cost) => {
    for (const password of ["correct horse battery", "pässwörd ✓ 密码", "x".repeat(72)]) {
      const hash = bcryptjs.hashSync(password, cost).replace(/^\$2[aby]\$/, prefix);
      expect(isBcryptHash(hash)).toBe(true);
      expect(await verifyPassword(config, password, hash)).toEqual({ ok: true, needsRehash: true });
      expect(await verifyPassword(config, `not ${password}`, hash)).toEqual({ ok: false, needsRehash: false });
    }
  });

  it("verifies a cost-10 hash, the monolith's default", async () => {
    const hash = bcryptjs.hashSync("legacy password 1", 10);

    expect((await verifyPassword(config, "legacy password 1", hash)).ok).toBe(true);
    expect((await verifyPassword(config, "legacy password 2", hash)).ok).toBe(false);
  });

  it("refuses what only looks like bcrypt: a truncated hash, another variant", async () => {
    const hash = bcryptjs.hashSync("legacy password 1", 4);
    for (const broken of [hash.slice(0, -1), hash.replace(/^\$2b\$/, "$2x$")]) {
      expect(isBcryptHash(broken)).toBe(false);
      expect(await verifyPassword(config, "legacy password 1", broken)).toEqual({ ok: false, needsRehash: false });
    }
  });

  it("logs a migrated bcrypt user in and replaces the hash with PBKDF2", async () => {
    const email = uniqueEmail("legacy");
    const id = newId();
    await testDb()
      .insert(users)
      .values({ id, email, displayName: "Legacy", passwordHash: bcryptjs.hashSync("old-monolith-pw", 10) });

    const login = await call("POST", "/api/v1/auth/login", { body: { email, password: "old-monolith-pw" } });
    const rehashed = await storedHash(id);
    const again = await call("POST", "/api/v1/auth/login", { body: { email, password: "old-monolith-pw" } });

    expect(login.status).toBe(200);
    expect(rehashed.startsWith("pbkdf2-sha256$")).toBe(true);
    expect(again.status).toBe(200);
  });

  it("refuses a wrong password for a bcrypt user and keeps the hash", async () => {
    const email = uniqueEmail("legacy");
    const id = newId();
    const hash = bcryptjs.hashSync("old-monolith-pw", 4);
    await testDb().insert(users).values({ id, email, displayName: "Legacy", passwordHash: hash });

    const login = await call("POST", "/api/v1/auth/login", { body: { email, password: "not-it" } });

    expect(login.status).toBe(401);
    expect(await storedHash(id)).toBe(hash);
  });
});

describe("common passwords", () => {
  it.each(["password", "12345678", "iloveyou", "sunshine1", "Football1", "QWERTYUIOP"])("knows %s", (password) => {
    expect(isCommonPassword(password)).toBe(true);
  });

  it.each(["a sturdy passphrase 42", "Tr0ub4dor&3-horse", "zebra-kettle-orbit"])("lets %s through", (password) => {
    expect(isCommonPassword(password)).toBe(false);
  });
});
