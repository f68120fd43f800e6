/** The firmware version, printed by `tandem --version` and in `show` outputs. */
export const VERSION = "0.1.0";
