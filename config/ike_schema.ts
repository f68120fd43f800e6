/**
 * `vrf <name> ike`: the IKEv2 service of a VRF (RFC 7296): pre-shared keys,
 * global options, policy templates (proposals and lifetimes, named as
 * `crypto/types.ts` names the transforms), VPNs with their security
 * policies, and HA IKE.
 *
 * Global option leaves are not in the reference page; they follow
 * strongSwan's charon options (`dos_protection`, `cookie_threshold`,
 * `cookie_threshold_ip`, `block_threshold`, `init_limit_half_open`) and the
 * Linux SPD hash thresholds (`ip xfrm policy set hthresh4/hthresh6`).
 *
 * @module
 */
import { container, leaf, leafList, list, presence } from "./schema.ts";
import { duration } from "./duration.ts";
import { HA_POOL_REF, IKE_TEMPLATE_REF, IPSEC_TEMPLATE_REF } from "./refs.ts";
import { IKE_HA } from "./ike_ha_schema.ts";
import { secret } from "./secret.ts";
import {
  bool,
  enumeration,
  identity,
  int,
  ipAddress,
  ipPrefix,
  name,
  protocol,
} from "./value_types.ts";
import {
  DH_GROUP_NAMES,
  type DhGroupName,
  ENCRYPTION_NAMES,
  INTEGRITY_NAMES,
  PRF_NAMES,
} from "../crypto/types.ts";
import { DH_GROUP_ALIASES } from "../crypto/registry.ts";

const YEAR = 365 * 86_400_000;

export const ENC = enumeration(ENCRYPTION_NAMES, "encryption algorithm");
export const IKE_ENC = enumeration(
  ENCRYPTION_NAMES.filter((n) => n !== "null"),
  "IKE encryption algorithm",
);
export const INTEG = enumeration(INTEGRITY_NAMES, "integrity algorithm");
export const PRF = enumeration(PRF_NAMES, "pseudo-random function");
export const DH = enumeration(
  DH_GROUP_NAMES,
  "key exchange group",
  DH_GROUP_ALIASES as Readonly<Record<string, DhGroupName>>,
);

export const UNIQUE_SA = ["no", "never", "keep", "replace"] as const;

const proposalKey = {
  name: "id",
  type: int(1, 255),
  help: "proposal number (order of preference)",
} as const;

export const PRE_SHARED_KEY = list({ name: "name", type: name, help: "key name" }, {
  id: leafList(identity, { help: "identity this key authenticates" }),
  secret: leaf(secret, {
    help: "the key: 0s+base64, 0x+hex or text",
    secret: true,
    mandatory: true,
  }),
}, { help: "pre-shared key" });

const threshold = (max: number, def: number, help: string) =>
  leaf(int(0, max), { help, default: def });

export const GLOBAL_OPTIONS = container({
  "dos-protection": container({
    enabled: leaf(bool, { help: "cookies and per-peer limits for IKE_SA_INIT", default: true }),
    "cookie-threshold": threshold(1_000_000, 30, "half-open IKE SAs that turn cookies on"),
    "cookie-threshold-ip": threshold(
      1_000_000,
      3,
      "half-open IKE SAs per peer that turn cookies on",
    ),
    "block-threshold": threshold(1_000_000, 5, "half-open IKE SAs allowed per peer"),
    "init-limit-half-open": threshold(
      1_000_000,
      0,
      "half-open IKE SAs beyond which new ones drop (0: no limit)",
    ),
  }, { help: "denial-of-service protection" }),
  "sp-hash-ipv4": container({
    "local-threshold": threshold(32, 32, "local prefix length from which policies are hashed"),
    "remote-threshold": threshold(32, 32, "remote prefix length from which policies are hashed"),
  }, { help: "IPv4 security policy hash thresholds", flat: true }),
  "sp-hash-ipv6": container({
    "local-threshold": threshold(128, 128, "local prefix length from which policies are hashed"),
    "remote-threshold": threshold(128, 128, "remote prefix length from which policies are hashed"),
  }, { help: "IPv6 security policy hash thresholds", flat: true }),
}, { help: "options of the IKE service" });

export const IKE_POLICY_TEMPLATE = list({ name: "name", type: name, help: "template name" }, {
  "ike-proposal": list(proposalKey, {
    "enc-alg": leafList(IKE_ENC, { help: "encryption algorithm" }),
    "auth-alg": leafList(INTEG, { help: "integrity algorithm (none with an AEAD enc-alg)" }),
    "prf-alg": leafList(PRF, { help: "pseudo-random function (default: from auth-alg)" }),
    "dh-group": leafList(DH, { help: "key exchange group" }),
  }, { help: "IKE proposal" }),
  "rekey-time": leaf(duration(0, YEAR), {
    help: "IKE SA rekeying interval (0: never)",
    default: 4 * 3_600_000,
  }),
  "reauth-time": leaf(duration(0, YEAR), { help: "IKE SA reauthentication interval" }),
  "keying-tries": leaf(int(0, 1000), { help: "attempts to establish (0: forever)", default: 1 }),
  "unique-sa": leaf(enumeration(UNIQUE_SA, "unique-sa policy"), {
    help: "what to do with a second IKE SA of the same peer",
    default: "no",
  }),
  "dpd-delay": leaf(duration(0, 86_400_000), { help: "dead peer detection interval" }),
}, { help: "IKE SA policy" });

export const IPSEC_POLICY_TEMPLATE = list({ name: "name", type: name, help: "template name" }, {
  "esp-proposal": list(proposalKey, {
    "enc-alg": leafList(ENC, { help: "encryption algorithm" }),
    "auth-alg": leafList(INTEG, { help: "integrity algorithm (none with an AEAD enc-alg)" }),
    "dh-group": leafList(DH, { help: "key exchange group for PFS" }),
    esn: leafList(bool, { help: "extended sequence numbers (RFC 4303)" }),
  }, { help: "ESP proposal" }),
  "rekey-time": leaf(duration(0, YEAR), {
    help: "CHILD SA rekeying interval (0: never)",
    default: 3_600_000,
  }),
  "replay-window": leaf(int(0, 65536), {
    help: "anti-replay window in packets (0: off)",
    default: 32,
  }),
}, { help: "CHILD SA policy" });

const trafficSelector = (side: string) =>
  container({
    subnet: leaf(ipPrefix(), { help: `${side} subnet` }),
    protocol: leaf(protocol, { help: "IP protocol" }),
    port: leaf(int(0, 65535), { help: "port (TCP, UDP, SCTP)" }),
  }, { help: `${side} traffic selector`, flat: true });

export const SECURITY_POLICY = list({ name: "name", type: name, help: "policy name" }, {
  "local-ts": trafficSelector("local"),
  "remote-ts": trafficSelector("remote"),
  mode: leaf(enumeration(["tunnel", "transport"] as const, "mode"), {
    help: "IPsec mode",
    default: "tunnel",
  }),
  "svti-id-in": leaf(int(1, 4294967295), {
    help: "svti-id of the interface receiving decrypted traffic",
  }),
  "svti-id-out": leaf(int(1, 4294967295), {
    help: "svti-id of the interface whose traffic is encrypted",
  }),
}, { help: "CHILD SA (security policy)" });

export const VPN = list({ name: "name", type: name, help: "vpn name" }, {
  "ike-policy": container({
    template: leaf(name, { help: "ike-policy-template", mandatory: true, ref: IKE_TEMPLATE_REF }),
  }, { help: "IKE SA policy" }),
  "ipsec-policy": container({
    template: leaf(name, {
      help: "ipsec-policy-template",
      mandatory: true,
      ref: IPSEC_TEMPLATE_REF,
    }),
  }, { help: "CHILD SA policy" }),
  "local-address": leaf(ipAddress(), { help: "local IKE address" }),
  "remote-address": leaf(ipAddress(), { help: "remote IKE address" }),
  "local-id": leaf(identity, { help: "local identity (default: local-address)" }),
  "remote-id": leaf(identity, { help: "remote identity (default: remote-address)" }),
  vip: presence({}, { help: "request a virtual IP from the peer" }),
  "vip-pool": leaf(name, { help: "ha pool virtual IPs are leased from", ref: HA_POOL_REF }),
  "security-policy": SECURITY_POLICY,
}, { help: "IKE peer" });

export const IKE = presence({
  "pre-shared-key": PRE_SHARED_KEY,
  "global-options": GLOBAL_OPTIONS,
  ha: IKE_HA,
  "ike-policy-template": IKE_POLICY_TEMPLATE,
  "ipsec-policy-template": IPSEC_POLICY_TEMPLATE,
  vpn: VPN,
}, { help: "IKE service of this VRF" });
