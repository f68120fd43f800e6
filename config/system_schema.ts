/**
 * `system`: appliance-wide settings. The host name appears in the CLI
 * prompt (`ha1 running config#`).
 *
 * @module
 */
import { container, leaf } from "./schema.ts";
import { hostname } from "./value_types.ts";

/** The host name before an operator sets one. */
export const DEFAULT_HOSTNAME = "tandem";

export const SYSTEM = container({
  hostname: leaf(hostname, { help: "host name of this appliance", default: DEFAULT_HOSTNAME }),
}, { help: "appliance-wide settings" });
