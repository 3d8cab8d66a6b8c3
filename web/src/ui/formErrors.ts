import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { fieldErrors, isApiError } from "../api/errors.ts";

/**
 * Puts a 400 `validation_failed` answer's messages beside the fields they name. Returns true when
 * every message found its field (nothing left for the form-level alert).
 */
export function applyServerErrors<T extends FieldValues>(err: unknown, setError: UseFormSetError<T>, fields: readonly Path<T>[]): boolean {
  if (!isApiError(err, "validation_failed") || err.details.length === 0) return false;
  const { byField, other } = fieldErrors(err.details, fields);
  let first = true;
  for (const field of fields) {
    const message = byField[field];
    if (message === undefined) continue;
    setError(field, { type: "server", message }, { shouldFocus: first });
    first = false;
  }
  return other.length === 0 && !first;
}

/** False when the error is a validation failure whose every message sits beside a field already. */
export function needsFormError(err: unknown, fields: readonly string[]): boolean {
  if (!err) return false;
  if (!isApiError(err, "validation_failed") || err.details.length === 0) return true;
  return fieldErrors(err.details, fields).other.length > 0;
}
