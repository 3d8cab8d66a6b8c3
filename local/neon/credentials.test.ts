/**
 * The Neon stand-in checks credentials like Neon: through the official client, a connection string
 * with another user, password or endpoint host than the stack hands out gets Neon's refusal
 * (HTTP 400, NeonDbError with Neon's message; see credentials.ts for the source), and no database.
 */
import { NeonDbError, neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counts, resetCounts, type NeonCount } from "../control.ts";
import { startLocalStack, type LocalStack } from "../stack.ts";
import { TEST_MIGRATIONS, backendVariants } from "../testing/backends.ts";

const DATABASE = "credentials_check";

/** The issued URL with one part replaced. */
function altered(url: string, change: (url: URL) => void): string {
  const copy = new URL(url);
  change(copy);
  return copy.toString();
}

async function refusal(connectionString: string): Promise<NeonDbError> {
  const error = await neon(connectionString)
    .query("select 1 as one")
    .then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(NeonDbError);
  return error as NeonDbError;
}

for (const variant of backendVariants) {
  describe.skipIf(variant.skip)(`Neon credentials on ${variant.name}`, () => {
    let stack: LocalStack;
    let issued: string;

    beforeAll(async () => {
      stack = await startLocalStack({ pgUrl: variant.pgUrl, migrationsFolder: TEST_MIGRATIONS, resetDatabases: true });
      neonConfig.fetchEndpoint = stack.urls.neonSql;
      issued = stack.databaseUrl(DATABASE);
    });
    afterAll(() => stack?.stop());

    it("serves the connection string the stack hands out", async () => {
      expect(await neon(issued).query("select 1 as one")).toEqual([{ one: 1 }]);
    });

    it("refuses a wrong user with Neon's password error, naming that user", async () => {
      const error = await refusal(altered(issued, (url) => (url.username = "intruder")));
      expect(error.message).toBe("password authentication failed for user 'intruder'");
    });

    it("refuses a wrong password with the same words, naming the issued user", async () => {
      const error = await refusal(altered(issued, (url) => (url.password = "not-the-password")));
      expect(error.message).toBe("password authentication failed for user 'assay'");
    });

    it("refuses another endpoint host as an endpoint Neon cannot find", async () => {
      const error = await refusal(altered(issued, (url) => (url.hostname = "ep-someone-else.localtest.me")));
      expect(error.message).toBe("The requested endpoint could not be found, or you don't have access to it. Please check the provided ID and try again.");
    });

    it("answers HTTP 400 with Neon's error body, and runs nothing for a refused string", async () => {
      await resetCounts(stack.urls.neonSql, DATABASE);
      const res = await fetch(stack.urls.neonSql, {
        method: "POST",
        headers: { "Neon-Connection-String": altered(issued, (url) => (url.password = "wrong")), "Content-Type": "application/json" },
        body: JSON.stringify({ query: "select 1", params: [] }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ message: "password authentication failed for user 'assay'", code: "", detail: null, constraint: null });
      expect(await counts<NeonCount>(stack.urls.neonSql, DATABASE)).toEqual({ query: 0, batch: 0, statements: 0 });
    });

    it("refuses a string without a password before anything else", async () => {
      const error = await refusal(altered(issued, (url) => (url.password = "")));
      expect(error.message).toBe("missing authentication credentials: required password");
    });
  });
}
