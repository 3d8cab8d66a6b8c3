import { it } from "vitest";
import { call } from "../testing/http.ts";
import { registerUser } from "../testing/users.ts";

it("A: register, me with bad token, register", async () => {
  await registerUser();
  await call("GET", "/api/v1/me", { token: "a.b.c" });
  await registerUser();
});
it("B: register, login, register", async () => {
  const a = await registerUser();
  await call("POST", "/api/v1/auth/login", { body: { email: a.email, password: a.password } });
  await registerUser();
});
it("C: register, refresh, register", async () => {
  const a = await registerUser();
  await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: a.refreshToken } });
  await registerUser();
});
it("D: register, me, login", async () => {
  const a = await registerUser();
  await call("GET", "/api/v1/me", { token: a.accessToken });
  await call("POST", "/api/v1/auth/login", { body: { email: a.email, password: a.password } });
});
it("E: register, me, refresh", async () => {
  const a = await registerUser();
  await call("GET", "/api/v1/me", { token: a.accessToken });
  const r = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: a.refreshToken } });
  console.log("E refresh", r.status);
});
