/**
 * Parameters written into a statement as literals: only the `$n` tokens are replaced, never a `$n`
 * inside a string, identifier, comment or dollar quote; every value becomes a literal Postgres
 * reads back unchanged whatever standard_conforming_strings says. (The contract test,
 * local/neon/hyperdrive-transport.contract.test.ts, sends hostile values through a real server.)
 */
import { describe, expect, it } from "vitest";
import { inlineParameters, scanPlaceholders, sqlLiteral } from "./inline-parameters.ts";

const inline = (query: string, params: (string | null)[]) => inlineParameters(query, params)?.text ?? null;

describe("sqlLiteral", () => {
  it("writes an escape string with quotes doubled and backslashes escaped", () => {
    expect(sqlLiteral("plain")).toBe("E'plain'");
    expect(sqlLiteral("it's")).toBe("E'it''s'");
    expect(sqlLiteral("back\\slash")).toBe("E'back\\\\slash'");
    expect(sqlLiteral("\\'; DROP TABLE items; --")).toBe("E'\\\\''; DROP TABLE items; --'");
    expect(sqlLiteral("\\x00ff")).toBe("E'\\\\x00ff'");
  });

  it("keeps unicode, newlines and an empty string as they are", () => {
    expect(sqlLiteral("Ünïcode 🙂\n\ttab")).toBe("E'Ünïcode 🙂\n\ttab'");
    expect(sqlLiteral("")).toBe("E''");
  });

  it("writes null as NULL and refuses a value holding NUL", () => {
    expect(sqlLiteral(null)).toBe("NULL");
    expect(sqlLiteral("a\0b")).toBeNull();
  });
});

describe("scanPlaceholders", () => {
  const indexes = (query: string) => scanPlaceholders(query)?.map((p) => p.index) ?? null;

  it("finds the $n tokens, with their extent", () => {
    expect(scanPlaceholders("select $1, $12::int")).toEqual([
      { start: 7, end: 9, index: 1 },
      { start: 11, end: 14, index: 12 },
    ]);
    expect(indexes("insert into t values ($1,$2) limit $3")).toEqual([1, 2, 3]);
  });

  it("skips $n inside string constants, with '' and E'' backslash escapes", () => {
    expect(indexes("select '$1', 'it''s $2', $3")).toEqual([3]);
    expect(indexes("select E'\\' $1', $2")).toEqual([2]);
    expect(indexes("select e'\\\\', $1")).toEqual([1]);
    expect(indexes("select U&'$1', B'01', X'$2', $3")).toEqual([3]);
  });

  it("skips $n inside quoted identifiers and identifiers that contain $", () => {
    expect(indexes('select "a""$1" from t where x$1 = $2')).toEqual([2]);
  });

  it("skips $n inside -- comments and nested /* */ comments", () => {
    expect(indexes("select $1 -- $2\n, $3")).toEqual([1, 3]);
    expect(indexes("select /* $1 /* $2 */ $3 */ $4")).toEqual([4]);
  });

  it("skips $n inside dollar-quoted strings, tagged or not", () => {
    expect(indexes("select $$ $1 ' $$, $fn$ $2 $$ $3 $fn$, $4")).toEqual([4]);
  });

  it("refuses several statements, and a string with no statement", () => {
    expect(scanPlaceholders("select 1; select 2")).toBeNull();
    expect(scanPlaceholders("select 1; -- done\n")).toEqual([]);
    expect(scanPlaceholders("select ';'; ")).toEqual([]);
    expect(scanPlaceholders("")).toBeNull();
    expect(scanPlaceholders("  -- nothing\n")).toBeNull();
    expect(scanPlaceholders(";")).toBeNull();
  });
});

describe("inlineParameters", () => {
  it("replaces each placeholder by its value's literal, reused as often as it appears", () => {
    expect(inline("select $1, $2, $1 where $3 is null", ["a", "b'c", null])).toBe("select E'a', E'b''c', E'a' where NULL is null");
  });

  it("leaves the $n in strings, comments and dollar quotes as they were", () => {
    const query = "select '$1' /* $1 */, $$ $1 $$, $1 -- $1";
    expect(inline(query, ["x"])).toBe("select '$1' /* $1 */, $$ $1 $$, E'x' -- $1");
  });

  it("writes a value holding quotes, backslashes or $1 as inert text", () => {
    expect(inline("select $1, $2", ["$2", "'; select 1; --"])).toBe("select E'$2', E'''; select 1; --'");
  });

  it("declines (the extended protocol answers) a missing parameter, NUL, or several statements", () => {
    expect(inlineParameters("select $2", ["only one"])).toBeNull();
    expect(inlineParameters("select $0", [])).toBeNull();
    expect(inlineParameters("select $1", ["a\0"])).toBeNull();
    expect(inlineParameters("select $1; select 2", ["a"])).toBeNull();
  });

  it("maps an error position in the sent text back to the statement's own", () => {
    const query = "select $1, 🙂 $2 bogus";
    const inlined = inlineParameters(query, ["a long value", "b"]);
    if (!inlined) throw new Error("not inlined");
    const position = (text: string, of: string) => Array.from(text.slice(0, text.indexOf(of))).length + 1;
    expect(inlined.originalPosition(position(inlined.text, "bogus"))).toBe(position(query, "bogus"));
    expect(inlined.originalPosition(position(inlined.text, "long"))).toBe(position(query, "$1"));
    expect(inlined.originalPosition(position(inlined.text, "select"))).toBe(1);
  });
});
