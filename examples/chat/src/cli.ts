// The command lines of the chat's programs: flags (and a few environment variables) turned into
// typed options, a usage message on mistakes, and the ready report to the launcher (the clean
// exit on SIGINT/SIGTERM is `runUntilSignal` from @strands/example-shared).
import { parseArgs } from 'node:util';
import { OptionsError } from '@strands/example-shared';

/** `integers`: a comma-separated list (`8080,8082`); `boolean`: a flag without a value (`--cluster`). */
export type FlagKind = 'string' | 'integer' | 'integers' | 'boolean';
/** A flag: its kind, and optionally an environment variable used when the flag is absent. */
export type FlagSpec = FlagKind | { kind: FlagKind; env: string };
interface FlagValues {
  string: string;
  integer: number;
  integers: number[];
  boolean: boolean;
}
type ValueOf<S extends FlagSpec> = FlagValues[S extends { kind: infer K extends FlagKind } ? K : S & FlagKind];

/** `adminToken` -> `--admin-token`. */
export function flagName(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Reads the flags named by `specs` (option names, written `--kebab-case` on the command line).
 * Flags win over environment variables. Throws an OptionsError for unknown flags or bad numbers.
 * @example
 * readFlags({ broker: 'string', historySize: 'integer' }, ['--history-size', '20']); // { historySize: 20 }
 */
export function readFlags<S extends Record<string, FlagSpec>>(
  specs: S,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
): { [K in keyof S]?: ValueOf<S[K]> } {
  const kindOf = (spec: FlagSpec): FlagKind => (typeof spec === 'string' ? spec : spec.kind);
  const names = Object.fromEntries(
    Object.entries(specs).map(([option, spec]) => [flagName(option).slice(2), { type: kindOf(spec) === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: names, strict: true, allowPositionals: false }));
  } catch (cause) {
    throw new OptionsError((cause as Error).message, { cause });
  }
  const out: Record<string, string | number | number[] | boolean> = {};
  for (const [option, spec] of Object.entries(specs)) {
    const kind = kindOf(spec);
    const flag = flagName(option);
    const given = values[flag.slice(2)];
    if (typeof given === 'boolean') {
      out[option] = given;
      continue;
    }
    let text = given;
    let source = flag;
    if (text === undefined && typeof spec !== 'string' && env[spec.env]) {
      text = env[spec.env];
      source = spec.env;
    }
    if (text === undefined) continue;
    if (kind === 'boolean') {
      // Only an environment variable gets here (a flag arrives as a boolean above).
      if (!/^(?:1|0|true|false)$/.test(text.trim())) throw new OptionsError(`${source}: expected 1, 0, true or false (got "${text}")`);
      out[option] = text.trim() === '1' || text.trim() === 'true';
    } else if (kind === 'integer') {
      if (!/^\d+$/.test(text.trim())) throw new OptionsError(`${source}: expected a non-negative integer (got "${text}")`);
      out[option] = Number(text.trim());
    } else if (kind === 'integers') {
      const items = text.split(',').map((item) => item.trim());
      if (!items.every((item) => /^\d+$/.test(item))) throw new OptionsError(`${source}: expected non-negative integers separated by commas (got "${text}")`);
      out[option] = items.map(Number);
    } else {
      out[option] = text;
    }
  }
  return out as { [K in keyof S]?: ValueOf<S[K]> };
}

/** Runs `parse`; on an OptionsError prints it with `usage` and exits 2 (the usual code for bad usage). */
export function parseOrExit<T>(program: string, usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    console.error(`${program}: ${error.message}\n${usage}`);
    process.exit(2);
  }
}

/** Tells the launcher (when there is one: an IPC channel) that this process is ready, and how. */
export function reportReady(part: string, details: Record<string, unknown>): void {
  process.send?.({ ready: part, ...details });
}
