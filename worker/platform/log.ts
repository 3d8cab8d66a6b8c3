/** Structured JSON logs: one object per line, so Workers Logs can index every field. */
import { postgresErrorOf } from "../errors.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(level: LogLevel = "info", base: Record<string, unknown> = {}): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    const line = JSON.stringify({ level: lvl, msg, time: new Date().toISOString(), ...base, ...fields });
    if (lvl === "error") console.error(line);
    else if (lvl === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }),
  };
}

/**
 * Error fields safe for logs (never for responses). A database error says only its SQLSTATE code
 * and constraint: drizzle's message holds the query's parameters (emails, answers, message text)
 * and Postgres' own message quotes the refused value, so neither reaches the log.
 */
export function errorFields(err: unknown): Record<string, unknown> {
  const database = postgresErrorOf(err);
  if (database) return { error: "database error", errorName: "DatabaseError", code: database.code, constraint: database.constraint };
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? { cause: messageOf(err.cause) } : {};
    if (isFailedQuery(err)) return { error: messageOf(err), errorName: "DrizzleQueryError", ...cause };
    return { error: err.message, errorName: err.name, stack: err.stack, ...cause };
  }
  return { error: String(err) };
}

/** drizzle's DrizzleQueryError: its message is the SQL followed by every parameter. */
function isFailedQuery(err: Error): boolean {
  return "query" in err && "params" in err;
}

function messageOf(err: Error): string {
  return isFailedQuery(err) ? "Failed query (parameters withheld)" : err.message;
}
