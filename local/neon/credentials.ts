/**
 * The credentials the Neon stand-in issues, and Neon's refusal of any others, so a wrong
 * `DATABASE_URL` fails on a laptop as it does in production. What Neon's proxy does (sources in
 * docs/DATABASE.md, "Local stand-ins"):
 * - takes the endpoint from the first label of the connection string's host; an endpoint it does
 *   not know answers "The requested endpoint could not be found, or you don't have access to it. ...";
 * - then checks the role's password; a wrong password or an unknown role answers
 *   `password authentication failed for user '<user>'` (the same words for both: no role probing);
 * - a URL without user or password is refused before that ("missing username", "missing
 *   authentication credentials: required password").
 * Each is HTTP 400 with the JSON error body of a failed query, `code` and `severity` empty
 * (no Postgres error behind it): @neondatabase/serverless throws it as NeonDbError(message).
 */
import { ERROR_FIELDS } from "./protocol.ts";

export const ISSUED = { user: "assay", password: "local", host: "db.localtest.me" } as const;

/** The connection string the stand-in maps to database `name`: issued credentials, endpoint host and name. */
export function connectionStringFor(name: string): string {
  return `postgres://${ISSUED.user}:${ISSUED.password}@${ISSUED.host}/${encodeURIComponent(name)}`;
}

const ENDPOINT_NOT_FOUND = "The requested endpoint could not be found, or you don't have access to it. Please check the provided ID and try again.";

/** Neon's 400 body when `connectionString` does not carry the issued credentials; undefined when it does. */
export function refusalOf(connectionString: string): Record<string, unknown> | undefined {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return undefined; // the request parser answers a malformed URL
  }
  const user = decodeURIComponent(url.username);
  const message =
    url.username === ""
      ? "missing username"
      : url.password === ""
        ? "missing authentication credentials: required password"
        : url.hostname !== ISSUED.host
          ? ENDPOINT_NOT_FOUND
          : user !== ISSUED.user || decodeURIComponent(url.password) !== ISSUED.password
            ? `password authentication failed for user '${user}'`
            : undefined;
  if (message === undefined) return undefined;
  const body: Record<string, unknown> = { message };
  for (const field of ERROR_FIELDS) body[field] = field === "code" || field === "severity" ? "" : null;
  return body;
}
