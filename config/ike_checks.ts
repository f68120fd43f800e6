/**
 * Cross-checks of `vrf * ike`: proposals complete (RFC 7296 §3.3.3: an
 * IKE proposal needs encryption, a PRF and a key exchange group, and
 * integrity unless its cipher is an AEAD, RFC 5282 §8; an ESP proposal
 * needs integrity unless its cipher is an AEAD, and no integrity with one),
 * one identity per pre-shared key, and VPNs that can actually authenticate
 * and route: addresses of one family, a local address of the VRF, a
 * pre-shared key for the remote identity, SVTI ids matching an interface.
 *
 * @module
 */
import { parseIp, parsePrefix } from "../core/ip.ts";
import type { IkeConfig, TandemConfig, VrfConfig } from "./root_schema.ts";
import type { Check, Report } from "./validate.ts";
import { hasAddress, vrfAddresses } from "./vrf_addresses.ts";
import { encryptionByName } from "../crypto/registry.ts";

/** Whether an encryption algorithm (by its CLI name) is an AEAD, as the crypto registry says. */
export function isAead(enc: string): boolean {
  return encryptionByName(enc)?.aead ?? false;
}

function checkCipherSuite(
  where: string,
  enc: readonly string[],
  auth: readonly string[],
  report: Report,
): void {
  if (enc.length === 0) return report.error(where, "an enc-alg is mandatory");
  const aead = enc.filter(isAead);
  if (aead.length > 0 && aead.length < enc.length) {
    report.error(where, `AEAD (${aead.join(", ")}) and non-AEAD enc-alg cannot share a proposal`);
  } else if (aead.length > 0 && auth.length > 0) {
    report.error(where, `auth-alg must not be set with the AEAD enc-alg ${aead[0]}`);
  } else if (aead.length === 0 && auth.length === 0) {
    report.error(where, `an auth-alg is mandatory with the non-AEAD enc-alg ${enc[0]}`);
  }
}

function checkTemplates(vrf: VrfConfig, ike: IkeConfig, report: Report): void {
  for (const t of ike["ike-policy-template"]) {
    const where = `vrf ${vrf.name} ike ike-policy-template ${t.name}`;
    if (t["ike-proposal"].length === 0) report.error(where, "an ike-proposal is mandatory");
    for (const p of t["ike-proposal"]) {
      const pw = `${where} ike-proposal ${p.id}`;
      checkCipherSuite(pw, p["enc-alg"], p["auth-alg"], report);
      if (p["dh-group"].length === 0) report.error(pw, "a dh-group is mandatory for IKE");
      if (p["enc-alg"].some(isAead) && p["prf-alg"].length === 0 && p["auth-alg"].length === 0) {
        report.error(
          pw,
          "a prf-alg is mandatory with an AEAD enc-alg (no auth-alg to derive it from)",
        );
      }
    }
  }
  for (const t of ike["ipsec-policy-template"]) {
    const where = `vrf ${vrf.name} ike ipsec-policy-template ${t.name}`;
    if (t["esp-proposal"].length === 0) report.error(where, "an esp-proposal is mandatory");
    for (const p of t["esp-proposal"]) {
      checkCipherSuite(`${where} esp-proposal ${p.id}`, p["enc-alg"], p["auth-alg"], report);
    }
  }
}

function checkKeys(vrf: VrfConfig, ike: IkeConfig, report: Report): void {
  const owner = new Map<string, string>();
  for (const k of ike["pre-shared-key"]) {
    for (const id of k.id) {
      const prev = owner.get(id);
      if (prev) {
        report.error(
          `vrf ${vrf.name} ike pre-shared-key ${k.name}`,
          `id ${id} is already in pre-shared-key ${prev}`,
        );
      }
      owner.set(id, k.name);
    }
  }
}

function svtiMatches(cfg: TandemConfig, vrf: string, id: number): boolean {
  return cfg.vrf.some((v) =>
    v.interface.svti.some((s) => s["svti-id"] === id && (s["link-vrf"] ?? v.name) === vrf)
  );
}

function checkVpns(cfg: TandemConfig, vrf: VrfConfig, ike: IkeConfig, report: Report): void {
  const addrs = vrfAddresses(vrf);
  for (const vpn of ike.vpn) {
    const where = `vrf ${vrf.name} ike vpn ${vpn.name}`;
    const local = vpn["local-address"];
    const remote = vpn["remote-address"];
    if (local && !hasAddress(addrs, parseIp(local))) {
      report.error(where, `local-address ${local} is not an address of vrf ${vrf.name}`);
    }
    if (local && remote && parseIp(local).family !== parseIp(remote).family) {
      report.error(
        where,
        `local-address ${local} and remote-address ${remote} are not of the same family`,
      );
    }
    const remoteId = vpn["remote-id"] ?? remote;
    if (remoteId === undefined) {
      report.error(where, "a remote-address or a remote-id is mandatory");
    } else if (!ike["pre-shared-key"].some((k) => k.id.length === 0 || k.id.includes(remoteId))) {
      const source = vpn["remote-id"] ? "remote-id" : "remote-address";
      report.error(where, `no pre-shared-key has id ${remoteId} (the ${source})`);
    }
    for (const sp of vpn["security-policy"]) {
      const sw = `${where} security-policy ${sp.name}`;
      const l = sp["local-ts"].subnet;
      const r = sp["remote-ts"].subnet;
      if (l && r && parsePrefix(l).address.family !== parsePrefix(r).address.family) {
        report.error(
          sw,
          `local-ts subnet ${l} and remote-ts subnet ${r} are not of the same family`,
        );
      }
      const ids = [sp["svti-id-in"], sp["svti-id-out"]];
      if ((ids[0] === undefined) !== (ids[1] === undefined)) {
        report.error(sw, "svti-id-in and svti-id-out go together");
      }
      if (ids[0] !== undefined && sp.mode === "transport") {
        report.error(sw, "an SVTI security-policy must use mode tunnel");
      }
      for (const id of new Set(ids)) {
        if (id !== undefined && !svtiMatches(cfg, vrf.name, id)) {
          report.error(sw, `no svti interface has svti-id ${id} and link-vrf ${vrf.name}`);
        }
      }
    }
  }
}

const checkIke: Check<TandemConfig> = (cfg, report) => {
  for (const vrf of cfg.vrf) {
    const ike = vrf.ike;
    if (!ike) continue;
    checkTemplates(vrf, ike, report);
    checkKeys(vrf, ike, report);
    checkVpns(cfg, vrf, ike, report);
  }
};

export const IKE_CHECKS: readonly Check<TandemConfig>[] = [checkIke];
