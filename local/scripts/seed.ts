/** `npm run db:seed`: loads the reference templates (idempotent). */
import { seedDatabase } from "../../drizzle/seed.ts";
import { databaseUrlFromEnv } from "./neon-env.ts";

await seedDatabase(databaseUrlFromEnv());
console.log("seeded: mini-ipip, who-5");
