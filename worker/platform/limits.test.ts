import { describe, expect, it } from "vitest";
import { addressKey, combineDecisions, lockoutPolicies, lockSeconds, ratePolicies, UNKNOWN_ADDRESS } from "./limits.ts";

describe("addressKey: what a per-IP limit counts", () => {
  it("keeps an IPv4 address whole (/32)", () => {
    expect(addressKey("192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey(" 192.0.2.7 ")).toBe("192.0.2.7");
  });

  it("keys every address of one IPv6 /64 alike, in any spelling", () => {
    const spellings = [
      "2001:db8:1:2::1",
      "2001:db8:1:2:aaaa:bbbb:cccc:dddd",
      "2001:0DB8:0001:0002:0000:0000:0000:0001",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "[2001:db8:1:2::9]",
      "2001:db8:1:2::9%eth0",
      "2001:db8:1:2::1%25en0",
    ];

    expect(new Set(spellings.map(addressKey))).toEqual(new Set(["2001:db8:1:2::/64"]));
  });

  it("tells neighbouring /64s apart", () => {
    expect(addressKey("2001:db8:1:2::1")).not.toBe(addressKey("2001:db8:1:3::1"));
  });

  it("expands a compressed address before taking its /64", () => {
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("::")).toBe("0:0:0:0::/64");
    expect(addressKey("1:2:3:4:5:6:7::")).toBe("1:2:3:4::/64");
  });

  it("keys an IPv4-mapped IPv6 address as the IPv4 address it carries", () => {
    expect(addressKey("::ffff:1.2.3.4")).toBe("1.2.3.4");
    expect(addressKey("::FFFF:0102:0304")).toBe("1.2.3.4");
    expect(addressKey("0:0:0:0:0:ffff:1.2.3.4")).toBe("1.2.3.4");
  });

  it("reads an IPv4 tail on a plain IPv6 address as its last 32 bits", () => {
    expect(addressKey("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
  });

  it("counts anything unreadable as the one constant address", () => {
    const garbage = ["", "unknown", "not an ip", "256.1.1.1", "1.2.3", "1.2.3.4.5", "2001:db8::1::2", "12345::1", "1:2:3:4:5:6:7:8:9",
      "g::1", ":::", "1.2.3.4:80", "2001:db8:1:2:3:4:5:1.2.3.4", "\u0000", "x".repeat(1000)];

    expect(garbage.map(addressKey)).toEqual(garbage.map(() => UNKNOWN_ADDRESS));
  });
});

describe("combineDecisions", () => {
  it("refuses if any refuses, and reports the refusal that lasts longest", () => {
    const combined = combineDecisions([
      { allowed: true, limit: 10, remaining: 3, resetSeconds: 20 },
      { allowed: false, limit: 5, remaining: 0, resetSeconds: 300 },
      { allowed: false, limit: 20, remaining: 0, resetSeconds: 900 },
    ]);

    expect(combined).toEqual({ allowed: false, limit: 20, remaining: 0, resetSeconds: 900 });
  });

  it("reports the check with the fewest requests left when all allow", () => {
    expect(
      combineDecisions([
        { allowed: true, limit: 10, remaining: 3, resetSeconds: 20 },
        { allowed: true, limit: 5, remaining: 1, resetSeconds: 300 },
      ]),
    ).toEqual({ allowed: true, limit: 5, remaining: 1, resetSeconds: 300 });
  });
});

describe("the policy table", () => {
  it("limits every write route per user and the AI work per user per day and per address", () => {
    expect(Object.keys(ratePolicies)).toEqual(
      expect.arrayContaining([
        "conversations.create.user",
        "assessments.create.user",
        "assessments.answers.user",
        "account.update.user",
        "ai.work.user",
        "ai.work.user.daily",
        "ai.work.ip",
      ]),
    );
  });

  it("doubles a lock with each further failure, up to an hour, for logins and password re-checks alike", () => {
    for (const policy of Object.values(lockoutPolicies)) {
      expect([4, 5, 6, 7, 8, 20].map((failures) => lockSeconds(policy, failures))).toEqual([0, 60, 120, 240, 480, 3600]);
    }
  });
});
