/**
 * The Encrypted payload SK (RFC 7296 §3.14) and its protection, shared with
 * the Encrypted Fragment payload (RFC 7383 §2.5):
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * |         (length is block size for encryption algorithm)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Encrypted IKE Payloads                     ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |             Padding (0-255 octets)            |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * |                                               |  Pad Length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * Next Payload names the first inner payload. Payloads, Padding and Pad
 * Length together are a multiple of the cipher's block size. With a
 * separate integrity transform the ICV covers the message from the first
 * octet of the IKE header to the last of the Pad Length (ciphertext, not
 * plaintext); with an AEAD (RFC 5282 §5.1) the associated data is the
 * message from the IKE header up to and including the SK (or SKF) payload
 * header, and the AEAD's tag is the ICV. Either way the ICV is checked
 * before anything inside is parsed.
 *
 * @module
 */
import type {
  Cipher,
  EncryptionAlgorithm,
  Integrity,
  IntegrityAlgorithm,
} from "../../crypto/types.ts";
import { fail, IkeEncodeError, ok, syntaxError } from "./bytes.ts";
import type { Result } from "./types.ts";

/** One direction's SK protection: SK_ei/SK_ai or SK_er/SK_ar made into objects. */
export interface SkProtection {
  readonly cipher: Cipher;
  /** Octets of IV in each SK/SKF payload. */
  readonly ivLength: number;
  /** Plaintext plus padding must be a multiple of this. */
  readonly blockSize: number;
  /** Octets of ICV: the AEAD's tag, or the integrity transform's output. */
  readonly icvLength: number;
  /** The separate integrity transform; undefined with an AEAD. */
  readonly integrity: Integrity | undefined;
}

/**
 * Binds keys to transforms for one direction. An AEAD takes no integrity
 * transform; any other cipher needs one (RFC 7296 §3.3.3).
 */
export function createSkProtection(
  encryption: EncryptionAlgorithm,
  encryptionKey: Uint8Array,
  integrity?: IntegrityAlgorithm,
  integrityKey?: Uint8Array,
): SkProtection {
  if (encryption.aead === (integrity !== undefined)) {
    throw new IkeEncodeError(
      encryption.aead
        ? `Cannot combine AEAD ${encryption.name} with integrity ${integrity?.name}`
        : `Cannot use ${encryption.name} without an integrity transform`,
    );
  }
  if (integrity && !integrityKey) {
    throw new IkeEncodeError(`Cannot use ${integrity.name} without a key`);
  }
  return {
    cipher: encryption.create(encryptionKey),
    ivLength: encryption.ivLength,
    blockSize: encryption.blockSize,
    icvLength: integrity ? integrity.icvLength : encryption.icvLength,
    integrity: integrity && integrityKey ? integrity.create(integrityKey) : undefined,
  };
}

/**
 * Padding length for `plainLength` octets of payloads: the fewest octets
 * that, with the Pad Length octet, reach a multiple of the block size.
 */
export function padLengthFor(plainLength: number, blockSize: number): number {
  return (blockSize - ((plainLength + 1) % blockSize)) % blockSize;
}

/**
 * Completes a protected message. `message` holds the IKE header, any
 * outer payloads and the SK or SKF header, with all length fields final,
 * followed by room for the body; `bodyOffset` is where the IV goes.
 * `plain` is the inner payload chain; `padding` the padding octets (their
 * length must align the block). Writes IV, ciphertext and ICV in place.
 */
export function sealBody(
  message: Uint8Array,
  bodyOffset: number,
  plain: Uint8Array,
  padding: Uint8Array,
  iv: Uint8Array,
  sk: SkProtection,
): void {
  const paddedLength = plain.length + padding.length + 1;
  if (paddedLength % sk.blockSize !== 0 || padding.length > 255) {
    throw new IkeEncodeError(
      `Cannot pad ${plain.length} bytes with ${padding.length} to a ${sk.blockSize}-byte block`,
    );
  }
  if (iv.length !== sk.ivLength) {
    throw new IkeEncodeError(`Cannot use a ${iv.length}-byte IV, the cipher takes ${sk.ivLength}`);
  }
  if (message.length !== bodyOffset + sk.ivLength + paddedLength + sk.icvLength) {
    throw new IkeEncodeError(`Cannot seal: the message buffer has the wrong size`);
  }
  const padded = new Uint8Array(paddedLength);
  padded.set(plain, 0);
  padded.set(padding, plain.length);
  padded[paddedLength - 1] = padding.length;
  message.set(iv, bodyOffset);
  const aad = message.subarray(0, bodyOffset);
  const sealed = sk.cipher.encrypt(iv, aad, padded);
  padded.fill(0);
  message.set(sealed, bodyOffset + sk.ivLength);
  if (sk.integrity) {
    const end = message.length - sk.icvLength;
    message.set(sk.integrity.mac(message.subarray(0, end)), end);
  }
}

/** What {@linkcode openBody} found inside. */
export interface OpenedBody {
  /** The inner payload chain, padding removed. */
  plain: Uint8Array;
  /** The padding octets (without the Pad Length octet), for exact re-encoding. */
  padding: Uint8Array;
}

/**
 * Checks the ICV, then decrypts the body of the SK or SKF payload that
 * starts at `bodyOffset` and runs to the end of `message`. Never throws.
 */
export function openBody(
  message: Uint8Array,
  bodyOffset: number,
  sk: SkProtection,
): Result<OpenedBody> {
  const bodyLength = message.length - bodyOffset;
  const cipherLength = bodyLength - sk.ivLength - sk.icvLength;
  if (cipherLength < 1 || cipherLength % sk.blockSize !== 0) {
    return syntaxError(
      bodyOffset,
      `encrypted body of ${bodyLength} bytes does not fit IV ${sk.ivLength}, ICV ${sk.icvLength}, block ${sk.blockSize}`,
      "length",
    );
  }
  const iv = message.subarray(bodyOffset, bodyOffset + sk.ivLength);
  const icvOffset = message.length - sk.icvLength;
  let padded: Uint8Array | null;
  try {
    if (sk.integrity) {
      if (!sk.integrity.verify(message.subarray(0, icvOffset), message.subarray(icvOffset))) {
        return fail("integrity", icvOffset, "ICV does not verify");
      }
      padded = sk.cipher.decrypt(
        iv,
        new Uint8Array(0),
        message.subarray(bodyOffset + sk.ivLength, icvOffset),
      );
    } else {
      padded = sk.cipher.decrypt(
        iv,
        message.subarray(0, bodyOffset),
        message.subarray(bodyOffset + sk.ivLength),
      );
    }
  } catch (e) {
    return fail(
      "syntax",
      bodyOffset,
      `cipher refused the body: ${e instanceof Error ? e.message : e}`,
    );
  }
  if (!padded) return fail("integrity", icvOffset, "AEAD tag does not verify");
  const padLength = padded[padded.length - 1]!;
  if (padLength + 1 > padded.length) {
    return syntaxError(
      icvOffset - 1,
      `pad length ${padLength} exceeds the ${padded.length}-byte plaintext`,
    );
  }
  const plainLength = padded.length - padLength - 1;
  return ok({
    plain: padded.subarray(0, plainLength),
    padding: padded.slice(plainLength, plainLength + padLength),
  });
}
