/**
 * The template every database is cloned from: drizzle-kit's migrations applied by drizzle's own
 * neon-http migrator (statement by statement, no transaction: exactly what production runs, and
 * recorded in `drizzle.__drizzle_migrations`, so a later `migrate()` is a no-op), then the seed.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import { migrate } from "drizzle-orm/neon-http/migrator";
import type { TemplateRecipe } from "./backend.ts";

/** Seeds a freshly migrated database; runs with `neonConfig.fetchEndpoint` pointed at the stand-in. */
export type Seed = (connectionString: string) => Promise<void>;

export interface RecipeOptions {
  migrationsFolder: string;
  seed?: Seed;
  /** The stand-in's `/sql` URL. */
  sqlUrl: string;
}

export function templateRecipe(options: RecipeOptions): TemplateRecipe {
  const hasJournal = existsSync(join(options.migrationsFolder, "meta", "_journal.json"));
  return {
    key: recipeKey(options.migrationsFolder, options.seed),
    apply: (connectionString) =>
      withFetchEndpoint(options.sqlUrl, async () => {
        // An empty drizzle/ (no schema generated yet) gives an empty template, not an error.
        if (hasJournal) await migrate(drizzle({ client: neon(connectionString) }), { migrationsFolder: options.migrationsFolder });
        await options.seed?.(connectionString);
      }),
  };
}

/**
 * Hashes every file under the migrations folder (SQL, journal, and seed data kept beside them)
 * plus the seed function's source: any change builds a new template.
 */
function recipeKey(folder: string, seed: Seed | undefined): string {
  const hash = createHash("sha256");
  for (const file of filesUnder(folder)) {
    hash.update(relative(folder, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  hash.update(seed?.toString() ?? "no seed");
  return hash.digest("hex").slice(0, 16);
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .sort()
    .flatMap((name) => {
      const path = join(folder, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/**
 * The Neon driver only has a global endpoint setting; point it at the stand-in for the duration of
 * the build and put back whatever the process had set.
 */
async function withFetchEndpoint<T>(sqlUrl: string, run: () => Promise<T>): Promise<T> {
  const previous = neonConfig.fetchEndpoint;
  neonConfig.fetchEndpoint = sqlUrl;
  try {
    return await run();
  } finally {
    neonConfig.fetchEndpoint = previous;
  }
}
