/** Builds the adapters once per `env` (once per isolate in production) and hands them out. */
import { loadConfig, type Env } from "../config.ts";
import type { Services } from "../context.ts";
import { createDatabase } from "./db.ts";
import { createLogger } from "./log.ts";
import { createRedis } from "./redis.ts";

const built = new WeakMap<Env, Services>();

export function servicesFor(env: Env): Services {
  const existing = built.get(env);
  if (existing) return existing;
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, { service: "assay", env: config.ENVIRONMENT, version: config.APP_VERSION });
  const services: Services = {
    config,
    logger,
    db: createDatabase(config, logger),
    redis: createRedis(config),
    env,
  };
  built.set(env, services);
  return services;
}
