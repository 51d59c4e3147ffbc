// The package version, kept in step with package.json (a test checks it).

/** Version of @strands/broker. */
export const VERSION = '0.1.0';
