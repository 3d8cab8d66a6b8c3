/**
 * Postgres text format both ways, as node-postgres does it: `types` (pg-types' parsers for result
 * values) and `prepareValue` (pg's encoding of query parameters).
 */

export type TypeParser = (text: string) => unknown;
type Format = "text" | "binary";

/** What a query may pass as `types`: pg's `types` or a TypeOverrides-like object. */
export interface TypeSource {
  getTypeParser(oid: number, format?: Format): TypeParser;
}

/**
 * Unlike pg-types, date/time types (timestamp[tz], date, interval and their arrays) and geometric
 * types stay strings: drizzle's neon-http driver sets exactly those to strings anyway.
 */
const parsers: Record<Format, Record<number, TypeParser | undefined>> = { text: {}, binary: {} };

const noParse: TypeParser = (text) => String(text);

/** postgres-array's parser: `{a,"b c",NULL,{1,2}}`, with `[1:2]=` dimensions skipped. */
export function parseArray(source: string, transform: TypeParser): unknown[] {
  let pos = source.startsWith("[") ? source.indexOf("=") + 1 || source.length : 0;
  /** One level of braces; `inside` is false only before the outermost `{`. */
  const level = (inside: boolean): unknown[] => {
    const entries: unknown[] = [];
    let recorded: string | undefined;
    let quote = false;
    const entry = (quoted: boolean) => {
      if (recorded === undefined && !quoted) return;
      const text = recorded ?? "";
      entries.push(text === "NULL" && !quoted ? null : transform(text));
      recorded = undefined;
    };
    while (pos < source.length) {
      let char = source.charAt(pos++);
      const escaped = char === "\\";
      if (escaped) char = source.charAt(pos++);
      if (char === "{" && !quote) {
        if (inside) entries.push(level(true));
        inside = true;
      } else if (char === "}" && !quote) {
        entry(false);
        return entries;
      } else if (char === '"' && !escaped) {
        if (quote) entry(true);
        quote = !quote;
      } else if (char === "," && !quote) entry(false);
      else recorded = (recorded ?? "") + char;
    }
    if (inside) throw new Error("array dimension not balanced");
    return entries;
  };
  return level(false);
}

const arrayOf =
  (transform: TypeParser): TypeParser =>
  (text) =>
    text ? parseArray(text, transform) : null;

const parseBool: TypeParser = (text) => ["TRUE", "t", "true", "y", "yes", "on", "1"].includes(text);
const parseInteger: TypeParser = (text) => parseInt(text, 10);
const parseJson: TypeParser = (text) => JSON.parse(text);

/** bytea in hex (Postgres' default) or escape format; pg returns a Buffer, this a Uint8Array. */
function parseBytea(text: string): Uint8Array {
  if (text.startsWith("\\x")) return Uint8Array.from(text.slice(2).match(/../g) ?? [], (byte) => parseInt(byte, 16));
  const binary = text.replace(/\\([0-7]{3}|\\)/g, (_, code: string) => (code === "\\" ? code : String.fromCharCode(parseInt(code, 8))));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

const defaults: [TypeParser, number[]][] = [
  [parseInteger, [21, 23, 26]],
  [parseFloat, [700, 701]],
  [parseBool, [16]],
  [parseJson, [114, 3802]],
  [parseBytea, [17]],
  [arrayOf(parseBool), [1000]],
  [arrayOf(parseBytea), [1001]],
  [arrayOf(parseInteger), [1005, 1007, 1028]],
  [arrayOf((text) => text.trim()), [1016]],
  [arrayOf(parseFloat), [1021, 1022, 1231]],
  [arrayOf(parseJson), [199, 3807]],
  [arrayOf((text) => text), [651, 791, 1008, 1009, 1014, 1015, 1040, 1041, 1183, 1270, 2951, 3907]],
];
for (const [parser, oids] of defaults) for (const oid of oids) parsers.text[oid] = parser;

/** pg-types' type OIDs. */
const builtins = {
  BOOL: 16, BYTEA: 17, CHAR: 18, INT8: 20, INT2: 21, INT4: 23, REGPROC: 24, TEXT: 25, OID: 26, TID: 27, XID: 28,
  CID: 29, JSON: 114, XML: 142, PG_NODE_TREE: 194, SMGR: 210, PATH: 602, POLYGON: 604, CIDR: 650, FLOAT4: 700,
  FLOAT8: 701, ABSTIME: 702, RELTIME: 703, TINTERVAL: 704, CIRCLE: 718, MACADDR8: 774, MONEY: 790, MACADDR: 829,
  INET: 869, ACLITEM: 1033, BPCHAR: 1042, VARCHAR: 1043, DATE: 1082, TIME: 1083, TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184, INTERVAL: 1186, TIMETZ: 1266, BIT: 1560, VARBIT: 1562, NUMERIC: 1700, REFCURSOR: 1790,
  REGPROCEDURE: 2202, REGOPER: 2203, REGOPERATOR: 2204, REGCLASS: 2205, REGTYPE: 2206, UUID: 2950,
  TXID_SNAPSHOT: 2970, PG_LSN: 3220, PG_NDISTINCT: 3361, PG_DEPENDENCIES: 3402, TSVECTOR: 3614, TSQUERY: 3615,
  GTSVECTOR: 3642, REGCONFIG: 3734, REGDICTIONARY: 3769, JSONB: 3802, REGNAMESPACE: 4089, REGROLE: 4096,
} as const;

/** pg's global `types`: what drizzle's neon-http driver imports to make date/time values strings. */
export const types = {
  builtins,
  getTypeParser(oid: number, format: Format = "text"): TypeParser {
    return parsers[format][oid] ?? noParse;
  },
  setTypeParser(oid: number, format: Format | TypeParser, parser?: TypeParser): void {
    if (typeof format === "function") [format, parser] = ["text", format];
    parsers[format][oid] = parser;
  },
};

const pad = (value: number | string, length = 2) => String(value).padStart(length, "0");

/** pg's dateToString: local time with its UTC offset, years before 1 as BC. */
function dateToString(date: Date): string {
  let offset = -date.getTimezoneOffset();
  let year = date.getFullYear();
  const bc = year < 1;
  if (bc) year = Math.abs(year) + 1;
  let text = `${pad(year, 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}${offset < 0 ? "-" : "+"}`;
  offset = Math.abs(offset);
  text += `${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
  return bc ? `${text} BC` : text;
}

const hex = (view: ArrayBufferView) =>
  Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), (byte) => pad(byte.toString(16))).join("");

/** A Postgres array literal; binary elements become unquoted `\\x..` as pg writes Buffers. */
function arrayLiteral(values: unknown[]): string {
  const elements = values.map((value) => {
    if (value == null) return "NULL";
    if (Array.isArray(value)) return arrayLiteral(value);
    if (ArrayBuffer.isView(value)) return `\\\\x${hex(value)}`;
    return `"${String(prepareValue(value)).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${elements.join(",")}}`;
}

interface ToPostgres {
  toPostgres(prepare: (value: unknown) => unknown): unknown;
}
const hasToPostgres = (value: object): value is ToPostgres => typeof Reflect.get(value, "toPostgres") === "function";

/** One query parameter in Postgres text format (null stays null; binary becomes bytea `\x..`). */
export function prepareValue(value: unknown, seen: object[] = []): string | null {
  if (value == null) return null;
  if (ArrayBuffer.isView(value)) return `\\x${hex(value)}`;
  if (value instanceof Date) return dateToString(value);
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value !== "object") return String(value);
  if (!hasToPostgres(value)) return JSON.stringify(value);
  if (seen.includes(value)) throw new Error(`circular reference detected while preparing "${String(value)}" for query`);
  seen.push(value);
  return prepareValue(value.toPostgres(prepareValue), seen);
}
