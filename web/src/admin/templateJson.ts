/**
 * The admin's JSON editor: what a template looks like in it, and the checks made before sending
 * (valid JSON, the fields every template needs). The API validates everything else.
 */
import type { Template, TemplateInput } from "../api/types.ts";

export type ParseResult = { ok: true; value: TemplateInput } | { ok: false; message: string };

/**
 * The offset of the first JSON syntax error in `text` (engines' own messages often omit it), found
 * by a small recursive-descent scan; null when the text is valid.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] ?? "")) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if ((text.charCodeAt(i) ?? 0) < 0x20) fail();
      i++;
    }
    if (text[i] !== '"') fail();
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail();
    i += match?.[0].length ?? 0;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    number();
  };
  try {
    value();
    ws();
    return i < text.length ? i : null;
  } catch (offset) {
    return typeof offset === "number" ? offset : 0;
  }
}

function describeSyntaxError(text: string): string {
  const offset = jsonErrorOffset(text) ?? text.length;
  const before = text.slice(0, offset).split("\n");
  const near = text.slice(offset, offset + 12).split("\n")[0] || "the end";
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}, near “${near}”`;
}

export function parseTemplateJson(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: `Not valid JSON at ${describeSyntaxError(text)}.` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, message: "The template must be a JSON object." };
  const missing = ["slug", "title", "questions", "scales"].filter((key) => !(key in value));
  if (missing.length > 0) return { ok: false, message: `Missing ${missing.join(", ")}.` };
  if (!Array.isArray((value as { questions: unknown }).questions)) return { ok: false, message: "`questions` must be an array." };
  if (!Array.isArray((value as { scales: unknown }).scales)) return { ok: false, message: "`scales` must be an array." };
  return { ok: true, value: value as TemplateInput };
}

/** A published template as editable input: the server's own fields (id, version, counts) removed. */
export function toEditorJson(template: Template): string {
  const { id: _id, version: _version, questionCount: _count, ...input } = template;
  return JSON.stringify(input, null, 2);
}

export const newTemplateJson = JSON.stringify(
  {
    slug: "my-questionnaire",
    title: "My questionnaire",
    description: "What it measures, in one sentence.",
    estimatedMinutes: 3,
    questions: [
      {
        id: "q1",
        text: "I feel rested.",
        type: "likert",
        min: 1,
        max: 5,
        required: true,
        options: [
          { value: 1, label: "Not at all" },
          { value: 3, label: "Somewhat" },
          { value: 5, label: "Very much" },
        ],
      },
    ],
    scales: [{ id: "rest", name: "Rest", method: "mean", items: [{ questionId: "q1", reverse: false }] }],
  },
  null,
  2,
);
