/**
 * A statement's `$n` parameters written into its text as SQL literals, so the Hyperdrive transport
 * can send it as one simple-protocol Query (no Parse/Describe exchange before binding: see
 * docs/DATABASE.md, "Another Postgres provider"). The scanner follows PostgreSQL's lexer
 * (src/backend/parser/scan.l) far enough to find the placeholders that are tokens: it skips string
 * constants ('' doubling, E'' with backslash escapes), quoted identifiers, -- and nested /* *\/
 * comments, dollar-quoted strings and identifiers (which may contain `$`).
 *
 * Standard strings are scanned as standard_conforming_strings = on (the transport sets it at
 * startup); the literals written here are escape strings (E'...'), which mean the same whatever
 * that setting says.
 */

/** A statement ready for the simple protocol, and how to map an error position back. */
export interface InlinedStatement {
  text: string;
  /** A 1-based character position in `text` (as Postgres reports it) as a position in the original query. */
  originalPosition(position: number): number;
}

/** A value as an SQL literal: NULL, or an escape string. Null for a value no literal can hold (NUL). */
export function sqlLiteral(value: string | null): string | null {
  if (value === null) return "NULL";
  if (value.includes("\0")) return null;
  return `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

interface Replacement {
  start: number;
  end: number;
  text: string;
}

/** Where the token that starts at `i` ends, for every token that is not a placeholder. */
function skipQuoted(query: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < query.length) {
    const c = query[j];
    if (backslashEscapes && c === "\\") j += 2;
    else if (c === quote) {
      if (query[j + 1] !== quote) return j + 1;
      j += 2;
    } else j += 1;
  }
  return query.length;
}

function skipBlockComment(query: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < query.length) {
    if (query.startsWith("/*", j)) {
      depth += 1;
      j += 2;
    } else if (query.startsWith("*/", j)) {
      depth -= 1;
      j += 2;
      if (depth === 0) return j;
    } else j += 1;
  }
  return query.length;
}

/**
 * The placeholders of `query` (its tokens `$1`, `$2`, ...), or null when `query` holds more than one
 * statement (the extended protocol refuses that, as Neon does) or none.
 */
export function scanPlaceholders(query: string): { start: number; end: number; index: number }[] | null {
  const found: { start: number; end: number; index: number }[] = [];
  let ended = false;
  let tokens = 0;
  let i = 0;
  while (i < query.length) {
    const c = query[i] ?? "";
    let next: number;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    } else if (query.startsWith("--", i)) {
      const newline = query.indexOf("\n", i);
      i = newline === -1 ? query.length : newline + 1;
      continue;
    } else if (query.startsWith("/*", i)) {
      i = skipBlockComment(query, i);
      continue;
    }
    if (ended && c !== ";") return null;
    tokens += 1;
    if (c === ";") {
      ended = true;
      next = i + 1;
    } else if (c === "'") next = skipQuoted(query, i, "'", false);
    else if (c === '"') next = skipQuoted(query, i, '"', false);
    else if (c === "$") {
      const param = /^\$(\d+)/.exec(query.slice(i, i + 12));
      const tag = DOLLAR_TAG.exec(query.slice(i, i + 256));
      if (param?.[1]) {
        next = i + param[0].length;
        found.push({ start: i, end: next, index: Number(param[1]) });
      } else if (tag) {
        const close = query.indexOf(tag[0], i + tag[0].length);
        next = close === -1 ? query.length : close + tag[0].length;
      } else next = i + 1;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < query.length && IDENT_CONT.test(query[j] ?? "")) j += 1;
      const word = query.slice(i, j);
      next = (word === "E" || word === "e") && query[j] === "'" ? skipQuoted(query, j, "'", true) : j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < query.length && /[0-9A-Za-z_.]/.test(query[j] ?? "")) j += 1;
      next = j;
    } else next = i + 1;
    i = next;
  }
  return tokens === 0 || (ended && tokens === 1) ? null : found;
}

/** Characters (code points, as Postgres counts them) in `text` before the UTF-16 index `index`. */
function codePoints(text: string, index: number): number {
  return Array.from(text.slice(0, index)).length;
}

/** UTF-16 index in `text` of the 1-based code point position `position`. */
function utf16Index(text: string, position: number): number {
  let index = 0;
  for (let seen = 1; seen < position && index < text.length; seen += 1) index += (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  return index;
}

/**
 * `query` with each `$n` replaced by the literal of `params[n - 1]`; null when it cannot be sent
 * that way (several statements, a placeholder without a value, a value holding NUL): then the
 * statement goes on the extended protocol and Postgres itself answers with its error.
 */
export function inlineParameters(query: string, params: readonly (string | null)[]): InlinedStatement | null {
  const placeholders = scanPlaceholders(query);
  if (!placeholders) return null;
  const replacements: Replacement[] = [];
  for (const placeholder of placeholders) {
    const value = params[placeholder.index - 1];
    if (placeholder.index < 1 || value === undefined) return null;
    const literal = sqlLiteral(value);
    if (literal === null) return null;
    replacements.push({ start: placeholder.start, end: placeholder.end, text: literal });
  }
  if (replacements.length === 0) return { text: query, originalPosition: (position) => position };

  let text = "";
  let from = 0;
  /** Each replacement's [start, end) in `text`, beside its source range. */
  const spans: { start: number; end: number; source: Replacement }[] = [];
  for (const replacement of replacements) {
    text += query.slice(from, replacement.start);
    spans.push({ start: text.length, end: text.length + replacement.text.length, source: replacement });
    text += replacement.text;
    from = replacement.end;
  }
  text += query.slice(from);

  return {
    text,
    originalPosition(position) {
      const index = utf16Index(text, position);
      let shift = 0;
      for (const span of spans) {
        if (index < span.start) break;
        if (index < span.end) return codePoints(query, span.source.start) + 1;
        shift += span.end - span.start - (span.source.end - span.source.start);
      }
      return codePoints(query, index - shift) + 1;
    },
  };
}
