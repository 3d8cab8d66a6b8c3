import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

import { databaseOf, hyperdriveProjects, workerProjects } from "./local/vitest/projects.ts";

/** wrangler.toml's [alias] table, so Worker tests run on what the production bundle contains. */
const workerAliases = [
  { find: /^zod$/, replacement: fileURLToPath(new URL("./worker/platform/zod/index.ts", import.meta.url)) },
];

/**
 * Worker tests run inside workerd against the local stand-ins, started once for the whole run by
 * the root globalSetup. Each project gets its own database, Upstash token scope, key prefix and
 * Gemini key (local/vitest/projects.ts); files inside one project run one at a time.
 */
function workerProject(name: string, include: string[]): TestProjectInlineConfiguration {
  const hyperdrive = hyperdriveProjects.has(name);
  return {
    resolve: { alias: workerAliases },
    plugins: [
      cloudflareTest(({ inject }) => {
        const stack = inject("stack");
        const scope = `${name}_${stack.runId}`;
        const postgresUrl = stack.postgresUrls[name];
        return {
          wrangler: { configPath: "./wrangler.toml" },
          miniflare: {
            bindings: {
              ENVIRONMENT: "test",
              DATABASE_URL: `postgres://assay:local@db.localtest.me/${databaseOf(name)}`,
              NEON_FETCH_ENDPOINT: stack.neonSql,
              UPSTASH_REDIS_REST_URL: stack.upstash,
              UPSTASH_REDIS_REST_TOKEN: `${stack.upstashSecret}:${name}`,
              KEY_PREFIX: `test:${scope}:`,
              GEMINI_API_KEY: `test-${name}`,
              GEMINI_BASE_URL: stack.gemini,
              JWT_SECRET: "test-jwt-secret-0123456789abcdef",
              PASSWORD_PEPPER: "test-pepper-0123456789abcdef",
              // Cloudflare's always-pass test secret, checked by the local siteverify stand-in.
              TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
              TURNSTILE_VERIFY_URL: `${stack.turnstile}/turnstile/v0/siteverify`,
              LOG_LEVEL: "error",
              TEST_SCOPE: name,
              STANDIN_NEON: stack.neonSql.replace(/\/sql$/, ""),
              STANDIN_UPSTASH: stack.upstash,
              STANDIN_GEMINI: stack.gemini,
              STANDIN_WEBHOOK: stack.webhook,
              STANDIN_TURNSTILE: stack.turnstile,
              // Each project names its driver (wrangler would also load a hand-written .dev.vars).
              DB_DRIVER: postgresUrl ? "hyperdrive" : "neon-http",
            },
            ...(postgresUrl && {
              hyperdrives: {
                HYPERDRIVE: postgresUrl,
                // Nothing listens on port 9 (discard): the binding of a database that is down.
                HYPERDRIVE_DOWN: Object.assign(new URL(postgresUrl), { port: "9" }).toString(),
              },
            }),
          },
        };
      }),
    ],
    test: {
      name: `worker-${name}`,
      include,
      exclude: hyperdrive ? [] : ["**/*.hyperdrive.test.ts"],
      fileParallelism: false,
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}

export default defineConfig({
  test: {
    globalSetup: ["./local/vitest/global-setup.ts"],
    projects: [
      {
        test: {
          name: "local",
          include: ["local/**/*.test.ts", "drizzle/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "web",
          include: ["web/src/**/*.test.{ts,tsx}"],
          environment: "node",
        },
      },
      ...Object.entries(workerProjects).map(([name, include]) => workerProject(name, include)),
    ],
  },
});
