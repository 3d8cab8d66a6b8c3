/**
 * Cloudflare Turnstile's documented test keys ("Testing" page of the Turnstile docs). Secrets:
 * `1x…AA` always passes, `2x…AA` always fails, `3x…AA` answers "token already spent". Sitekeys:
 * `1x…AA` passes, `2x…AB` fails, `3x…FF` asks the visitor to click. Test sitekeys yield the dummy
 * token, which production secrets refuse. No Node imports: Worker tests use these too.
 */
export const TURNSTILE_TEST_KEYS = {
  passSecret: "1x0000000000000000000000000000000AA",
  failSecret: "2x0000000000000000000000000000000AA",
  spentSecret: "3x0000000000000000000000000000000AA",
  passSitekey: "1x00000000000000000000AA",
  failSitekey: "2x00000000000000000000AB",
  interactiveSitekey: "3x00000000000000000000FF",
  dummyToken: "XXXX.DUMMY.TOKEN.XXXX",
} as const;
