// The command lines of the chat's programs: flags (and a few environment variables) turned into
// typed options, a usage message on mistakes, and the ready report to the launcher (the clean
// exit on SIGINT/SIGTERM is `runUntilSignal` from @strands/example-shared).
import { parseArgs } from 'node:util';
import { OptionsError } from '@strands/example-shared';

export type FlagKind = 'string' | 'integer';
/** A flag: its kind, and optionally an environment variable used when the flag is absent. */
export type FlagSpec = FlagKind | { kind: FlagKind; env: string };
type ValueOf<S extends FlagSpec> = (S extends { kind: infer K } ? K : S) extends 'integer' ? number : string;

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
  const names = Object.fromEntries(Object.keys(specs).map((option) => [flagName(option).slice(2), { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: names, strict: true, allowPositionals: false }));
  } catch (cause) {
    throw new OptionsError((cause as Error).message, { cause });
  }
  const out: Record<string, string | number> = {};
  for (const [option, spec] of Object.entries(specs)) {
    const kind = typeof spec === 'string' ? spec : spec.kind;
    const flag = flagName(option);
    let text = values[flag.slice(2)] as string | undefined;
    let source = flag;
    if (text === undefined && typeof spec !== 'string' && env[spec.env]) {
      text = env[spec.env];
      source = spec.env;
    }
    if (text === undefined) continue;
    if (kind === 'integer') {
      if (!/^\d+$/.test(text.trim())) throw new OptionsError(`${source}: expected a non-negative integer (got "${text}")`);
      out[option] = Number(text.trim());
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
