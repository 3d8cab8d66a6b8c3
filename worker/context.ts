/** The typed Hono environment every router and middleware shares. */
import type { Config, Env } from "./config.ts";
import type { Database } from "./platform/db.ts";
import type { Logger } from "./platform/log.ts";
import type { Metrics } from "./platform/metrics.ts";
import type { Redis } from "./platform/redis.ts";

/** The authenticated caller, set by the auth middleware on (auth) routes. */
export interface Principal {
  userId: string;
  role: "user" | "admin";
}

export interface Services {
  config: Config;
  logger: Logger;
  db: Database;
  redis: Redis;
  env: Env;
}

export interface AppVariables {
  requestId: string;
  services: Services;
  logger: Logger;
  metrics: Metrics;
  principal?: Principal;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
