/**
 * Linux errno numbers and their names (asm-generic/errno-base.h and
 * errno.h), and {@linkcode KernelError}, the one error type the kernel
 * layer throws: `Cannot create TUN "t0": EPERM (Operation not permitted)`.
 *
 * @module
 */

const NAMES: Record<number, [string, string]> = {
  1: ["EPERM", "Operation not permitted"],
  2: ["ENOENT", "No such file or directory"],
  3: ["ESRCH", "No such process"],
  4: ["EINTR", "Interrupted system call"],
  5: ["EIO", "Input/output error"],
  6: ["ENXIO", "No such device or address"],
  7: ["E2BIG", "Argument list too long"],
  9: ["EBADF", "Bad file descriptor"],
  11: ["EAGAIN", "Resource temporarily unavailable"],
  12: ["ENOMEM", "Cannot allocate memory"],
  13: ["EACCES", "Permission denied"],
  14: ["EFAULT", "Bad address"],
  16: ["EBUSY", "Device or resource busy"],
  17: ["EEXIST", "File exists"],
  19: ["ENODEV", "No such device"],
  20: ["ENOTDIR", "Not a directory"],
  21: ["EISDIR", "Is a directory"],
  22: ["EINVAL", "Invalid argument"],
  23: ["ENFILE", "Too many open files in system"],
  24: ["EMFILE", "Too many open files"],
  25: ["ENOTTY", "Inappropriate ioctl for device"],
  28: ["ENOSPC", "No space left on device"],
  30: ["EROFS", "Read-only file system"],
  34: ["ERANGE", "Numerical result out of range"],
  36: ["ENAMETOOLONG", "File name too long"],
  38: ["ENOSYS", "Function not implemented"],
  39: ["ENOTEMPTY", "Directory not empty"],
  61: ["ENODATA", "No data available"],
  62: ["ETIME", "Timer expired"],
  71: ["EPROTO", "Protocol error"],
  77: ["EBADFD", "File descriptor in bad state"],
  88: ["ENOTSOCK", "Socket operation on non-socket"],
  89: ["EDESTADDRREQ", "Destination address required"],
  90: ["EMSGSIZE", "Message too long"],
  91: ["EPROTOTYPE", "Protocol wrong type for socket"],
  92: ["ENOPROTOOPT", "Protocol not available"],
  93: ["EPROTONOSUPPORT", "Protocol not supported"],
  95: ["EOPNOTSUPP", "Operation not supported"],
  97: ["EAFNOSUPPORT", "Address family not supported by protocol"],
  98: ["EADDRINUSE", "Address already in use"],
  99: ["EADDRNOTAVAIL", "Cannot assign requested address"],
  100: ["ENETDOWN", "Network is down"],
  101: ["ENETUNREACH", "Network is unreachable"],
  105: ["ENOBUFS", "No buffer space available"],
  107: ["ENOTCONN", "Transport endpoint is not connected"],
  110: ["ETIMEDOUT", "Connection timed out"],
  111: ["ECONNREFUSED", "Connection refused"],
  113: ["EHOSTUNREACH", "No route to host"],
  114: ["EALREADY", "Operation already in progress"],
  115: ["EINPROGRESS", "Operation now in progress"],
};

export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EAGAIN = 11;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const EADDRNOTAVAIL = 99;
export const EMSGSIZE = 90;
export const EOPNOTSUPP = 95;
export const ENOBUFS = 105;
export const ESRCH = 3;
export const ETIMEDOUT = 110;

/** `EEXIST`, or `errno 200` for numbers outside the table. */
export function errnoName(errno: number): string {
  return NAMES[errno]?.[0] ?? `errno ${errno}`;
}

/** The glibc message for an errno (`File exists`). */
export function errnoMessage(errno: number): string {
  return NAMES[errno]?.[1] ?? "Unknown error";
}

/**
 * A failed system call or netlink request. `operation` says what was being
 * done (`create TUN "t0"`), `errno` why; the message reads
 * `Cannot create TUN "t0": EPERM (Operation not permitted)`, with the
 * kernel's extended-ack text appended when netlink gave one.
 */
export class KernelError extends Error {
  override name = "KernelError";
  readonly code: string;

  constructor(readonly operation: string, readonly errno: number, detail?: string) {
    const d = detail ? `: ${detail}` : "";
    super(`Cannot ${operation}: ${errnoName(errno)} (${errnoMessage(errno)})${d}`);
    this.code = errnoName(errno);
  }
}

/** Whether `e` is a {@linkcode KernelError} carrying `errno`. */
export function isErrno(e: unknown, errno: number): boolean {
  return e instanceof KernelError && e.errno === errno;
}
