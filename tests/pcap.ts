/**
 * A reader for classic pcap files (the format of the strongSwan and
 * keepalived captures in `tests/vectors/`), with just enough Ethernet, IPv4,
 * IPv6 and UDP parsing to hand test code the datagrams it checks. Test
 * support only: the product never reads pcaps.
 *
 * @module
 */

/** One captured frame. */
export interface PcapRecord {
  /** Capture time in microseconds since the epoch. */
  timeUs: number;
  /** The frame as captured (Ethernet for link type 1). */
  data: Uint8Array;
}

/** An IP packet found inside a frame. */
export interface IpPacket {
  version: 4 | 6;
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  ttl: number;
  /** The whole IP packet, header included. */
  packet: Uint8Array;
  /** The transport payload (after the IP header). */
  payload: Uint8Array;
}

/** A UDP datagram found inside a frame. */
export interface UdpDatagram {
  ip: IpPacket;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/** Reads every record of a classic pcap file (either byte order, µs or ns). */
export function readPcap(file: Uint8Array): { linkType: number; records: PcapRecord[] } {
  if (file.length < 24) throw new Error("Cannot read pcap: shorter than its 24-byte header");
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = dv.getUint32(0, true);
  let little: boolean;
  let nano = false;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) {
    little = true;
    nano = magic === 0xa1b23c4d;
  } else if (dv.getUint32(0, false) === 0xa1b2c3d4 || dv.getUint32(0, false) === 0xa1b23c4d) {
    little = false;
    nano = dv.getUint32(0, false) === 0xa1b23c4d;
  } else {
    throw new Error(`Cannot read pcap: unknown magic 0x${magic.toString(16)}`);
  }
  const linkType = dv.getUint32(20, little);
  const records: PcapRecord[] = [];
  let off = 24;
  while (off + 16 <= file.length) {
    const sec = dv.getUint32(off, little);
    const frac = dv.getUint32(off + 4, little);
    const incl = dv.getUint32(off + 8, little);
    if (off + 16 + incl > file.length) {
      throw new Error(`Cannot read pcap: record at offset ${off} runs past the end`);
    }
    records.push({
      timeUs: sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac),
      data: file.slice(off + 16, off + 16 + incl),
    });
    off += 16 + incl;
  }
  return { linkType, records };
}

/** The IP packet in an Ethernet frame (VLAN tags skipped), if any. */
export function ipOfEthernet(frame: Uint8Array): IpPacket | undefined {
  let off = 12;
  let etherType = (frame[off]! << 8) | frame[off + 1]!;
  while (etherType === 0x8100 || etherType === 0x88a8) {
    off += 4;
    etherType = (frame[off]! << 8) | frame[off + 1]!;
  }
  return parseIp(frame.subarray(off + 2));
}

/** Parses an IPv4 or IPv6 packet (no IPv6 extension headers). */
export function parseIp(p: Uint8Array): IpPacket | undefined {
  const version = p[0]! >> 4;
  if (version === 4) {
    const ihl = (p[0]! & 0x0f) * 4;
    const total = (p[2]! << 8) | p[3]!;
    if (ihl < 20 || total > p.length) return undefined;
    const packet = p.subarray(0, total);
    return {
      version: 4,
      src: packet.slice(12, 16),
      dst: packet.slice(16, 20),
      protocol: packet[9]!,
      ttl: packet[8]!,
      packet,
      payload: packet.subarray(ihl),
    };
  }
  if (version === 6) {
    const plen = (p[4]! << 8) | p[5]!;
    if (40 + plen > p.length) return undefined;
    const packet = p.subarray(0, 40 + plen);
    return {
      version: 6,
      src: packet.slice(8, 24),
      dst: packet.slice(24, 40),
      protocol: packet[6]!,
      ttl: packet[7]!,
      packet,
      payload: packet.subarray(40),
    };
  }
  return undefined;
}

/** The UDP datagram in an Ethernet frame, if any. */
export function udpOfEthernet(frame: Uint8Array): UdpDatagram | undefined {
  const ip = ipOfEthernet(frame);
  if (!ip || ip.protocol !== 17 || ip.payload.length < 8) return undefined;
  const u = ip.payload;
  const len = (u[4]! << 8) | u[5]!;
  if (len < 8 || len > u.length) return undefined;
  return {
    ip,
    srcPort: (u[0]! << 8) | u[1]!,
    dstPort: (u[2]! << 8) | u[3]!,
    payload: u.subarray(8, len),
  };
}

/** Hex string to bytes (whitespace and colons ignored). */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, "");
  if (clean.length % 2) throw new Error(`Cannot parse hex: odd length ${clean.length}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const v = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
    if (Number.isNaN(v)) {
      throw new Error(`Cannot parse hex at ${2 * i}: "${clean.slice(2 * i, 2 * i + 2)}"`);
    }
    out[i] = v;
  }
  return out;
}

/** Bytes to lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
