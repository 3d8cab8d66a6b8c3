/** `npm run db:migrate`: applies drizzle/ migrations over Neon's HTTP protocol (idempotent). */
import { neon } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import { migrate } from "drizzle-orm/neon-http/migrator";
import { databaseUrlFromEnv } from "./neon-env.ts";

const db = drizzle({ client: neon(databaseUrlFromEnv()) });
await migrate(db, { migrationsFolder: "drizzle" });
console.log("migrations applied");
