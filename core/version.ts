/** The version of envknit: the CLI, the TypeScript API and the embedded Python runtime share it. */
export const ENVKNIT_VERSION = "0.1.0";
