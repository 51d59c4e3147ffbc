// Room history (issue 13): the fan-out load into a room without history and into one with it,
// through a broker that keeps history for `hist*` rooms, with session clients (`strands_session=1`,
// as @strands/browser connects) so that the history room's receivers get `pub` envelopes; and the
// time clients missing messages take to recover them.
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import type { Launch } from '../servers/launch.js';
import { measureLoad, perTree, repeated, withStack, type RowHead, type ScenarioContext } from './measure.js';
import { recoveryRound } from './recovery.js';
import { startStrands } from './stacks.js';

/** The broker child's history patterns: every room of this scenario but `plain`. */
const HISTORY_ROOMS = ['hist*'];
const SESSION = '?strands_session=1';

const pct = (n: number) => `${Math.round(n * 100)}%`;

/** Runs the history scenario: fan-out off and on, interleaved under --repeat, then the recovery row. */
export async function history(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const { log } = context;
  const receivers = options.fanOutReceivers;
  const { recoveryClients: clients, recoveryMissed: missed } = options;
  const start = (launch: Launch) => () => startStrands(1, 'room', options.backendImpl, launch, { historyRooms: HISTORY_ROOMS });
  const fan = (on: boolean): RowHead => ({
    scenario: 'history',
    id: `history/${on ? 'on' : 'off'}/${receivers}`,
    system: 'strands',
    label: on ? 'fan-out, room with history (pub envelopes)' : 'fan-out, room without history (same broker)',
    clients: receivers,
    backends: 1,
    metric: 'deliveries/s',
  });
  const recovery: RowHead = {
    scenario: 'history',
    id: `history/recovery/${clients}`,
    system: 'strands',
    label: `recovery, ${missed} missed messages each`,
    clients,
    backends: 1,
    metric: 'ms',
  };
  const rows = await repeated(options, [
    ...perTree(context, fan(false), (head, launch) => measureLoad(options, head, log, start(launch), 'fan-out', `plain${SESSION}`)),
    ...perTree(context, fan(true), (head, launch) => measureLoad(options, head, log, start(launch), 'fan-out', `hist${SESSION}`)),
    ...perTree(context, recovery, (head, launch) =>
      withStack(head, log, start(launch), async (stack) => {
        // The same reconnects with nothing missed: what reconnecting alone costs.
        const reconnect = await recoveryRound(stack.baseUrl, 'hist-reconnect', clients, 0, options.messageBytes);
        const round = await recoveryRound(stack.baseUrl, 'hist-recover', clients, missed, options.messageBytes);
        return {
          ...head,
          value: round.ms,
          received: round.replayed,
          runs: [{ value: round.ms }],
          status: 'ok',
          note: `${round.replayed.toLocaleString('en-US')} replayed; the same reconnects with nothing missed: ${Math.round(reconnect.ms)} ms`,
        };
      }),
    ),
  ]);
  return withHistoryCost(rows);
}

/** The history-on row of each tree with the share of deliveries/s and the CPU per 1,000 it has against its history-off row. */
export function withHistoryCost(rows: ResultRow[]): ResultRow[] {
  return rows.map((row) => {
    const cost = historyCost(rows, row);
    if (cost === undefined) return row;
    const cpu = cost.cpu === undefined ? '' : `, CPU per 1,000 ${cost.cpu.toFixed(2)}x`;
    return { ...row, note: [`${pct(cost.share)} of history off${cpu}`, row.note].filter(Boolean).join('; ') };
  });
}

/** An ok history-on row's deliveries/s over the ok history-off row's of the same tree, and the same of CPU per 1,000. */
export function historyCost(rows: ResultRow[], on: ResultRow | undefined): { share: number; cpu: number | undefined; off: ResultRow } | undefined {
  if (on === undefined || on.status !== 'ok' || !on.id.startsWith('history/on/')) return undefined;
  const off = rows.find((r) => r.status === 'ok' && r.id === on.id.replace('history/on/', 'history/off/'));
  if (off === undefined || off.value === 0) return undefined;
  const cpuOn = on.cpu?.perThousandMs;
  const cpuOff = off.cpu?.perThousandMs;
  return { share: on.value / off.value, cpu: cpuOn === undefined || cpuOff === undefined || cpuOff === 0 ? undefined : cpuOn / cpuOff, off };
}
