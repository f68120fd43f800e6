import { assert, assertEquals } from "../tests/assert.ts";
import type { EspProposalConfig, IkeProposalConfig } from "./config.ts";
import {
  acceptAnswer,
  buildEspProposals,
  buildIkeProposals,
  chosenToWire,
  formatChosen,
  selectProposal,
  wantedKeGroup,
  type WireProposal,
} from "./proposal.ts";
import { ProtocolId, TransformType } from "./constants.ts";

const ike = (p: Partial<IkeProposalConfig>): IkeProposalConfig => ({
  enc: ["aes128-cbc"],
  integ: ["hmac-sha1"],
  prf: [],
  dh: ["modp1024"],
  ...p,
});
const esp = (p: Partial<EspProposalConfig>): EspProposalConfig => ({
  enc: ["aes128-cbc"],
  integ: ["hmac-sha1"],
  dh: [],
  esn: [false],
  ...p,
});

Deno.test("proposal: IKE proposal building (key length, PRF derivation, AEAD without integ)", () => {
  const [p] = buildIkeProposals([
    ike({ enc: ["aes256-cbc", "aes128-cbc"], integ: ["hmac-sha256"] }),
  ]);
  assertEquals(p!.number, 1);
  assertEquals(p!.spi.length, 0);
  assertEquals(p!.transforms, [
    { type: 1, id: 12, keyLength: 256 },
    { type: 1, id: 12, keyLength: 128 },
    { type: 2, id: 5 },
    { type: 3, id: 12 },
    { type: 4, id: 2 },
  ]);
  const [g] = buildIkeProposals([ike({ enc: ["aes256-gcm-128"], integ: [], dh: ["curve25519"] })]);
  assertEquals(g!.transforms, [
    { type: 1, id: 20, keyLength: 256 },
    { type: 2, id: 5 },
    { type: 4, id: 31 },
  ]);
  const [c] = buildIkeProposals([
    ike({ enc: ["chacha20-poly1305"], integ: [], prf: ["hmac-sha512"] }),
  ]);
  assertEquals(c!.transforms[0], { type: 1, id: 28 });
});

Deno.test("proposal: ESP proposal building (ESN, PFS only on request)", () => {
  const spi = new Uint8Array([1, 2, 3, 4]);
  const cfg = [esp({ dh: ["ecp256"], esn: [true, false] })];
  const [a] = buildEspProposals(cfg, spi, false);
  assertEquals(a!.protocol, ProtocolId.ESP);
  assertEquals(a!.transforms.filter((t) => t.type === TransformType.KE), []);
  assertEquals(a!.transforms.filter((t) => t.type === TransformType.ESN).map((t) => t.id), [1, 0]);
  const [b] = buildEspProposals(cfg, spi, true);
  assertEquals(b!.transforms.filter((t) => t.type === TransformType.KE), [{ type: 4, id: 19 }]);
});

Deno.test("proposal: responder prefers its own order across proposals and transforms", () => {
  const ours = buildIkeProposals([
    ike({ enc: ["aes256-gcm-128"], integ: [], dh: ["curve25519"] }),
    ike({ enc: ["aes256-cbc", "aes128-cbc"], integ: ["hmac-sha256", "hmac-sha1"] }),
  ]);
  const theirs = buildIkeProposals([
    ike({ enc: ["aes128-cbc", "aes256-cbc"], integ: ["hmac-sha1", "hmac-sha256"] }),
    ike({ enc: ["aes256-gcm-128"], integ: [], dh: ["curve25519"] }),
  ]);
  const sel = selectProposal(ours, theirs)!;
  assertEquals(sel.number, 2);
  assertEquals(formatChosen(sel.chosen), "aes256-gcm-128/prf-hmac-sha256/curve25519");
  const sel2 = selectProposal(ours.slice(1), theirs)!;
  assertEquals(sel2.number, 1);
  assertEquals(sel2.chosen, {
    protocol: "ike",
    enc: "aes256-cbc",
    integ: "hmac-sha256",
    prf: "hmac-sha256",
    dh: "modp1024",
  });
});

Deno.test("proposal: key length must match (aes128 is not aes256)", () => {
  const ours = buildIkeProposals([ike({ enc: ["aes256-cbc"] })]);
  const theirs = buildIkeProposals([ike({ enc: ["aes128-cbc"] })]);
  assertEquals(selectProposal(ours, theirs), undefined);
});

Deno.test("proposal: table of mismatches gives NO_PROPOSAL_CHOSEN", () => {
  const cases: [string, IkeProposalConfig, IkeProposalConfig][] = [
    ["integ", ike({ integ: ["hmac-sha256"] }), ike({ integ: ["hmac-sha1"] })],
    ["dh", ike({ dh: ["ecp256"] }), ike({ dh: ["modp2048"] })],
    ["prf", ike({ prf: ["hmac-sha512"] }), ike({ prf: ["hmac-sha1"] })],
    ["ctr vs cbc", ike({ enc: ["aes128-ctr"] }), ike({ enc: ["aes128-cbc"] })],
    [
      "gcm icv",
      ike({ enc: ["aes128-gcm-64"], integ: [] }),
      ike({ enc: ["aes128-gcm-128"], integ: [] }),
    ],
  ];
  for (const [label, a, b] of cases) {
    assertEquals(selectProposal(buildIkeProposals([a]), buildIkeProposals([b])), undefined, label);
  }
});

Deno.test("proposal: AEAD offered with an integrity transform is refused", () => {
  const ours = buildIkeProposals([ike({ enc: ["aes128-gcm-128"], integ: [] })]);
  const bad: WireProposal = {
    ...ours[0]!,
    transforms: [...ours[0]!.transforms, { type: TransformType.INTEG, id: 2 }],
  };
  assertEquals(selectProposal(ours, [bad]), undefined);
});

Deno.test("proposal: KE group preference and INVALID_KE_PAYLOAD", () => {
  const ours = buildIkeProposals([ike({ dh: ["curve25519", "modp2048"] })]);
  const theirs = buildIkeProposals([ike({ dh: ["modp2048", "curve25519"] })]);
  // The KE payload's group wins when both allow it: no INVALID_KE round trip.
  const a = selectProposal(ours, theirs, { keGroup: 14 })!;
  assertEquals(a.chosen.dh, "modp2048");
  assertEquals(wantedKeGroup(a.chosen, 14), undefined);
  // A KE group that is not acceptable: our first common group is asked for.
  const b = selectProposal(ours, theirs, { keGroup: 19 })!;
  assertEquals(b.chosen.dh, "curve25519");
  assertEquals(wantedKeGroup(b.chosen, 19), 31);
});

Deno.test("proposal: ESP selection with ESN, PFS and IKE_AUTH's DH stripping", () => {
  const spi = new Uint8Array(4);
  const cases: [string, EspProposalConfig, EspProposalConfig, boolean, string | undefined][] = [
    ["plain", esp({}), esp({}), false, "aes128-cbc/hmac-sha1"],
    [
      "esn both sides",
      esp({ esn: [true] }),
      esp({ esn: [true, false] }),
      false,
      "aes128-cbc/hmac-sha1/esn",
    ],
    ["esn mismatch", esp({ esn: [true] }), esp({ esn: [false] }), false, undefined],
    [
      "our esn order",
      esp({ esn: [false, true] }),
      esp({ esn: [true, false] }),
      false,
      "aes128-cbc/hmac-sha1",
    ],
    [
      "pfs agreed",
      esp({ dh: ["ecp256"] }),
      esp({ dh: ["ecp256"] }),
      true,
      "aes128-cbc/hmac-sha1/ecp256",
    ],
    ["pfs required by us", esp({ dh: ["ecp256"] }), esp({}), true, undefined],
    ["pfs required by peer", esp({}), esp({ dh: ["ecp256"] }), true, undefined],
    [
      "ike_auth ignores dh",
      esp({ dh: ["ecp256"] }),
      esp({ dh: ["modp2048"] }),
      false,
      "aes128-cbc/hmac-sha1",
    ],
    [
      "gcm",
      esp({ enc: ["aes256-gcm-128"], integ: [] }),
      esp({ enc: ["aes256-gcm-128"], integ: [] }),
      false,
      "aes256-gcm-128",
    ],
    [
      "chacha",
      esp({ enc: ["chacha20-poly1305"], integ: [] }),
      esp({ enc: ["chacha20-poly1305"], integ: [] }),
      false,
      "chacha20-poly1305",
    ],
  ];
  for (const [label, o, t, pfs, want] of cases) {
    const sel = selectProposal(buildEspProposals([o], spi, pfs), buildEspProposals([t], spi, pfs), {
      ignoreDh: !pfs,
    });
    assertEquals(sel ? formatChosen(sel.chosen) : undefined, want, label);
  }
});

Deno.test("proposal: initiator accepts only a subset of what it offered", () => {
  const ours = buildIkeProposals([
    ike({ enc: ["aes128-cbc", "aes256-cbc"], integ: ["hmac-sha1", "hmac-sha256"] }),
  ]);
  const sel = selectProposal(ours, ours)!;
  const answer = chosenToWire(sel.chosen, sel.number, new Uint8Array(0));
  const back = acceptAnswer(ours, [answer])!;
  assertEquals(back.chosen, sel.chosen);
  assert(acceptAnswer(ours, [answer, answer]) === undefined, "two proposals");
  const foreign = chosenToWire({ ...sel.chosen, enc: "aes192-cbc" }, 1, new Uint8Array(0));
  assertEquals(acceptAnswer(ours, [foreign]), undefined);
  const two = {
    ...answer,
    transforms: [...answer.transforms, { type: 1, id: 12, keyLength: 256 }],
  };
  assertEquals(acceptAnswer(ours, [two]), undefined);
  const wrongNumber = { ...answer, number: 2 };
  assertEquals(acceptAnswer(ours, [wrongNumber]), undefined);
});
