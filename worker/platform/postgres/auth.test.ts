import { describe, expect, it } from "vitest";
import { md5Password, scramSha256 } from "./auth.ts";

describe("SCRAM-SHA-256", () => {
  // RFC 7677 §3: user "user", password "pencil".
  const nonce = "rOprNGfwEbeRWgbNEkqO";
  const serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

  it("produces the RFC 7677 client messages and accepts the server's signature", async () => {
    const scram = scramSha256("pencil", { user: "user", nonce });
    expect(scram.clientFirst).toBe("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    expect(await scram.clientFinal(serverFirst)).toBe(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    );
    expect(() => scram.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")).not.toThrow();
  });

  it("refuses a server that does not know the password, or reports an error", async () => {
    const scram = scramSha256("pencil", { user: "user", nonce });
    await scram.clientFinal(serverFirst);
    expect(() => scram.verifyServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")).toThrow(/signature does not match/);
    expect(() => scram.verifyServerFinal("e=invalid-proof")).toThrow(/refused: invalid-proof/);
  });

  it("refuses a nonce that does not extend its own, and iterations Workers cannot compute", async () => {
    await expect(scramSha256("pencil", { nonce }).clientFinal("r=someone-else,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")).rejects.toThrow(/nonce/);
    await expect(scramSha256("pencil", { nonce }).clientFinal(`r=${nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=600000`)).rejects.toThrow(
      /at most 100000/,
    );
  });
});

describe("MD5 password authentication", () => {
  it('answers "md5" + md5(md5(password + user) + salt)', () => {
    // Python: "md5" + md5(md5(b"secretpostgres").hexdigest().encode() + bytes([1, 2, 3, 4])).hexdigest()
    expect(md5Password("postgres", "secret", new Uint8Array([1, 2, 3, 4]))).toBe("md5bb41a296aab6baccb36ff243a562abff");
  });
});
