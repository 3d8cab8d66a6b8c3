/** Driver outcomes as plain data, so contract tests can compare two drivers with toEqual. */

/** An error as data: class, own fields, message, cause chain; `sourceError` by class and message only. */
export function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return { thrown: error };
  const fields = Object.fromEntries(
    Object.keys(error)
      .filter((key) => key !== "sourceError" && key !== "cause")
      .map((key) => [key, Reflect.get(error, key)]),
  );
  const source: unknown = Reflect.get(error, "sourceError");
  return {
    class: error.constructor.name,
    keys: Object.keys(error),
    message: error.message,
    fields,
    sourceError: source instanceof Error ? { class: source.constructor.name, message: source.message } : source,
    cause: error.cause === undefined ? undefined : describeError(error.cause),
  };
}

/** Results without the parser functions the driver attaches to full results. */
export function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const { _parsers: _p, _types: _t, ...rest } = value as Record<string, unknown>;
    return Object.fromEntries(Object.entries(rest).map(([key, entry]) => [key, comparable(entry)]));
  }
  return value;
}
