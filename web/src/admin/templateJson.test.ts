import { describe, expect, it } from "vitest";
import type { Template } from "../api/types.ts";
import { jsonErrorOffset, newTemplateJson, parseTemplateJson, toEditorJson } from "./templateJson.ts";

describe("template JSON editor", () => {
  it("accepts the starter template", () => {
    expect(parseTemplateJson(newTemplateJson).ok).toBe(true);
  });

  it("points at the JSON syntax error", () => {
    const result = parseTemplateJson('{\n  "slug": "x",\n  "title": oops\n}');
    expect(result.ok).toBe(false);
    expect(result).toEqual({ ok: false, message: "Not valid JSON at line 3, column 12, near “oops”." });
  });

  it("finds syntax errors anywhere", () => {
    expect(jsonErrorOffset('{"a": [1, 2,]}')).toBe(12);
    expect(jsonErrorOffset('{"a": "b"} extra')).toBe(11);
    expect(jsonErrorOffset('{"a": "unterminated')).toBe(19);
    expect(jsonErrorOffset('{"a": -0.5e3, "b": [true, false, null, {"c": "\\"x"}]}')).toBeNull();
  });

  it("names missing fields and wrong shapes", () => {
    expect(parseTemplateJson("[]")).toEqual({ ok: false, message: "The template must be a JSON object." });
    expect(parseTemplateJson('{"slug":"x"}')).toEqual({ ok: false, message: "Missing title, questions, scales." });
    expect(parseTemplateJson('{"slug":"x","title":"t","questions":{},"scales":[]}')).toEqual({ ok: false, message: "`questions` must be an array." });
  });

  it("opens a published template without the server's own fields", () => {
    const template: Template = {
      id: "t1",
      slug: "who-5",
      title: "WHO-5",
      description: "d",
      version: 3,
      questionCount: 1,
      estimatedMinutes: 2,
      questions: [{ id: "q1", text: "t", type: "likert", min: 0, max: 5, required: true }],
      scales: [],
    };
    expect(Object.keys(JSON.parse(toEditorJson(template)) as object)).toEqual(["slug", "title", "description", "estimatedMinutes", "questions", "scales"]);
  });
});
