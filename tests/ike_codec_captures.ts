/**
 * The IKE messages of the strongSwan captures in `tests/vectors/strongswan/`
 * (see SOURCES.md), with the non-ESP marker stripped on port 4500, paired
 * with the capture checker's record of each message (exchange, direction,
 * SPIs, decrypted payload chain) and the keys of its IKE SA.
 *
 * @module
 */
import { hex, readPcap, toHex, udpOfEthernet } from "./pcap.ts";

export const CAPTURES = ["ref-noesn-encap_no", "gcm-encap_no", "ref-encap_no"] as const;
export type CaptureName = typeof CAPTURES[number];

/** One IKE SA's keys as the vectors file gives them (hex). */
export interface CaptureSa {
  spi_i: string;
  spi_r: string;
  Sk_ei: string;
  Sk_er: string;
  Sk_ai: string;
  Sk_ar: string;
}

/** One message as the vectors file describes it. */
export interface CaptureRecord {
  exchange: string;
  response: boolean;
  msgid: number;
  spi_i: string;
  spi_r: string;
  /** e.g. `IDi N(INITIAL_CONTACT) IDr AUTH SA TSi TSr` or `D(proto 3, 1 SPIs)`. */
  payloads: string;
  icv?: string;
}

export interface CapturedIke {
  capture: CaptureName;
  index: number;
  srcPort: number;
  dstPort: number;
  /** The IKE message, marker stripped. */
  bytes: Uint8Array;
  record: CaptureRecord;
  /** The IKE SA the message belongs to. */
  sa: CaptureSa;
}

const DIR = new URL("./vectors/strongswan/", import.meta.url);

/** A UDP datagram carrying IKE (port 500, or 4500 behind the non-ESP marker, which is stripped). */
export interface IkeDatagram {
  srcPort: number;
  dstPort: number;
  bytes: Uint8Array;
}

/** The IKE datagrams of a pcap, in order (ESP-in-UDP skipped). */
export function ikeDatagrams(pcapFile: Uint8Array): IkeDatagram[] {
  const out: IkeDatagram[] = [];
  for (const r of readPcap(pcapFile).records) {
    const u = udpOfEthernet(r.data);
    if (!u) continue;
    let bytes = u.payload;
    if (u.dstPort === 4500 || u.srcPort === 4500) {
      const marker = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 &&
        bytes[3] === 0;
      if (!marker) continue; // ESP
      bytes = bytes.subarray(4);
    }
    out.push({ srcPort: u.srcPort, dstPort: u.dstPort, bytes: bytes.slice() });
  }
  return out;
}

/** Every IKE message of a capture, in capture order. */
export function loadCapture(name: CaptureName): CapturedIke[] {
  const vectors = JSON.parse(Deno.readTextFileSync(new URL(`${name}.vectors.json`, DIR))) as {
    ike_sas: CaptureSa[];
    messages: CaptureRecord[];
  };
  const datagrams = ikeDatagrams(Deno.readFileSync(new URL(`${name}.pcap`, DIR)));
  if (datagrams.length !== vectors.messages.length) {
    throw new Error(
      `Cannot pair ${name}: ${datagrams.length} IKE messages, ${vectors.messages.length} records`,
    );
  }
  return datagrams.map((d, index) => {
    const record = vectors.messages[index]!;
    const spiI = toHex(d.bytes.subarray(0, 8));
    const sa = vectors.ike_sas.find((s) => s.spi_i === spiI);
    if (!sa || record.spi_i !== spiI) {
      throw new Error(`Cannot pair IKE message ${index} of ${name}`);
    }
    return { capture: name, index, ...d, record, sa };
  });
}

/** The SK_e and SK_a keys protecting a message (from the original initiator when the I flag is set). */
export function keysOf(m: CapturedIke): { enc: Uint8Array; integ: Uint8Array } {
  const fromInitiator = (m.bytes[19]! & 0x08) !== 0;
  return {
    enc: hex(fromInitiator ? m.sa.Sk_ei : m.sa.Sk_er),
    integ: hex(fromInitiator ? m.sa.Sk_ai : m.sa.Sk_ar),
  };
}
