/**
 * The API's shapes as the SPA sees them, read off the generated OpenAPI types by route rather than
 * by component name, so they follow the contract of the route that serves them.
 */
import type { paths } from "./schema";

type Method = "get" | "post" | "put" | "patch" | "delete";
type JsonOf<R> = R extends { content: { "application/json": infer B } } ? B : never;
type ResponsesOf<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]> extends { responses: infer R } ? R : never;
/** The JSON body of response `S` of `M P`. */
export type ResponseBody<P extends keyof paths, M extends Method, S extends keyof ResponsesOf<P, M>> = JsonOf<ResponsesOf<P, M>[S]>;
/** The JSON request body of `M P`. */
export type RequestBody<P extends keyof paths, M extends Method> =
  NonNullable<paths[P][M]> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

export type User = ResponseBody<"/api/v1/me", "get", 200>;
export type Session = ResponseBody<"/api/v1/auth/login", "post", 200>;
export type TemplateSummary = ResponseBody<"/api/v1/templates", "get", 200>["items"][number];
export type Template = ResponseBody<"/api/v1/templates/{slug}", "get", 200>;
export type Question = Template["questions"][number];
export type Scale = Template["scales"][number];
export type Assessment = ResponseBody<"/api/v1/assessments/{id}", "get", 200>;
export type Answers = Assessment["answers"];
export type AnswerValue = Answers[string];
export type Job = ResponseBody<"/api/v1/jobs/{id}", "get", 200>;
export type JobStatus = Job["status"];
export type Conversation = ResponseBody<"/api/v1/conversations/{id}", "get", 200>;
export type Message = ResponseBody<"/api/v1/conversations/{id}/messages", "get", 200>["items"][number];
export type TemplateInput = RequestBody<"/api/v1/templates", "post">;
export type TemplateVersionInput = RequestBody<"/api/v1/templates/{slug}", "put">;
export type Trend = ResponseBody<"/api/v1/me/trends", "get", 200>;
export type TrendScale = Trend["scales"][number];
export type TrendPoint = TrendScale["points"][number];
export type Usage = ResponseBody<"/api/v1/admin/usage", "get", 200>;
export type UsageDay = Usage["days"][number];
