/**
 * Counters of one VRF's I/O loop (`show ipsec counters`, next to the
 * dataplane's drop reasons): plain numbers bumped on the packet path.
 *
 * @module
 */

export interface IoCounters {
  /** Completed `Poller.wait`s. */
  wakeups: number;
  /** Plaintext packets read from TUNs / decrypted packets written to TUNs. */
  tunIn: number;
  tunOut: number;
  tunWriteErrors: number;
  /** Decrypted packets for an SVTI (or the policy TUN) that has no TUN here. */
  noTun: number;
  /** ICMP errors (path MTU) written back into a TUN. */
  icmpOut: number;
  /** Datagrams received / sent on UDP 4500 (ESP, IKE, keepalives) and raw protocol 50. */
  udpIn: number;
  udpOut: number;
  rawIn: number;
  rawOut: number;
  /** ESP packets the kernel did not take (socket buffer full or an error). */
  sendDropped: number;
  /** Datagrams handed to the kernel (a UDP GSO datagram carries several ESP packets). */
  txDatagrams: number;
  /** Changes of a socket's UDP GSO segment size. */
  gsoChanges: number;
  /** ESP packets whose SA's local address has no socket here. */
  noSocket: number;
  /** Datagrams longer than a batch slot. */
  truncated: number;
  /** IKE datagrams received (500 and 4500) / sent. */
  ikeIn: number;
  ikeOut: number;
  /** IKE sends from a local endpoint without a socket. */
  ikeNoSocket: number;
}

export function newIoCounters(): IoCounters {
  return {
    wakeups: 0,
    tunIn: 0,
    tunOut: 0,
    tunWriteErrors: 0,
    noTun: 0,
    icmpOut: 0,
    udpIn: 0,
    udpOut: 0,
    rawIn: 0,
    rawOut: 0,
    sendDropped: 0,
    txDatagrams: 0,
    gsoChanges: 0,
    noSocket: 0,
    truncated: 0,
    ikeIn: 0,
    ikeOut: 0,
    ikeNoSocket: 0,
  };
}
