import { ApiRequestError, describeError } from "../api/errors.ts";
import { Alert } from "./Alert.tsx";
import { useNow } from "./useNow.ts";

/** The form-level error, with a live countdown when the server said how long to wait. */
export function FormError({ error, override }: { error: unknown; override?: { title: string; message: string } | null }) {
  const retryAt = error instanceof ApiRequestError ? error.retryAt?.getTime() ?? null : null;
  const now = useNow(1000, retryAt !== null);
  if (!error) return null;
  const copy = override ?? describeError(error, now);
  return (
    <Alert tone="error" title={copy.title}>
      {copy.message}
    </Alert>
  );
}

/** True while a 429/503's Retry-After has not passed: keep the submit button disabled. */
export function useWaiting(error: unknown): boolean {
  const retryAt = error instanceof ApiRequestError ? error.retryAt?.getTime() ?? null : null;
  const now = useNow(1000, retryAt !== null);
  return retryAt !== null && retryAt > now;
}
