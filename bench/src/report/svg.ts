// A hand-written SVG bar chart of one run (no dependencies): one panel per scenario, bars
// scaled per panel, values and p99 printed beside each bar, the machine in the footer.
import type { ResultRow, SuiteResult, System } from '../results.js';
import { machineLine } from './machine.js';

const WIDTH = 820;
const LABEL_W = 250;
const BAR_MAX = 340;
const BAR_H = 18;
const GAP = 6;
const PANEL_HEAD = 30;
const COLOURS: Record<System, string> = { strands: '#2b6fd6', ws: '#98a2ad', pystrands: '#e07b39' };
const NAMES: Record<System, string> = { strands: 'Strands', ws: 'bare ws', pystrands: 'PyStrands' };

interface Panel {
  title: string;
  rows: ResultRow[];
  /** Value shown and scaled (memory shows KB). */
  value: (r: ResultRow) => number;
  unit: string;
  label: (r: ResultRow) => string;
}

/** Marks a --baseline run's baseline bars. */
const tree = (r: ResultRow) => (r.tree === 'baseline' ? ' (baseline)' : '');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

const clusterLabel = (r: ResultRow) =>
  `${r.id.includes('/single-') ? 'one broker' : '2 brokers + Redis'}${r.id.includes('-memory-queue/') ? ', queue in memory' : ''}${r.id.includes('-no-write-delay/') ? ', no write delay' : ''}, ${r.clients.toLocaleString('en-US')} ${r.metric === 'msg/s' ? 'clients' : 'receivers'}`;
/** Round-trip bars: the paired Strands row of the PyStrands scenario and the acks rows say so, or two bars would read alike. */
const tripLabel = (r: ResultRow) =>
  `${NAMES[r.system]}${r.scenario === 'pystrands' && r.system === 'strands' ? ' (paired)' : ''}${r.id.includes('-ack/') ? ', acks' : ''}${tree(r)}, ${r.clients} clients`;

function panels(rows: ResultRow[]): Panel[] {
  const of = (scenario: string) => rows.filter((r) => r.scenario === scenario && r.status === 'ok');
  const trips = [...of('round-trip'), ...of('pystrands')].sort((a, b) => a.clients - b.clients);
  const fan = of('fan-out');
  const history = of('history').filter((r) => r.metric === 'deliveries/s');
  const list: Panel[] = [
    { title: 'Round trips per second (ping-pong), higher is better', rows: trips, value: (r) => r.value, unit: 'msg/s', label: tripLabel },
    { title: `Fan-out deliveries per second, room of ${fan[0]?.clients ?? '?'}, higher is better`, rows: fan, value: (r) => r.value, unit: 'deliveries/s', label: (r) => (r.system === 'ws' ? 'bare ws, naive loop' : `${NAMES[r.system]}${tree(r)}`) },
    { title: `Fan-out with room history, room of ${history[0]?.clients ?? '?'} session clients, higher is better`, rows: history, value: (r) => r.value, unit: 'deliveries/s', label: (r) => `history ${r.id.includes('/on/') ? 'on' : 'off'}${tree(r)}` },
    { title: 'Strands throughput by backend processes (ping-pong)', rows: of('backends'), value: (r) => r.value, unit: 'msg/s', label: (r) => `${r.backends} backend${r.backends === 1 ? '' : 's'}${tree(r)}, ${r.clients} clients` },
    { title: 'Fixed-rate open loop: p99 latency (ms), lower is better', rows: of('fixed-rate'), value: (r) => r.latency?.p99Ms ?? 0, unit: 'ms p99', label: (r) => `${NAMES[r.system]}${tree(r)}, ${r.clients} clients` },
    { title: 'Memory per idle connection (KB), lower is better', rows: of('idle'), value: (r) => r.value / 1024, unit: 'KB', label: (r) => `${NAMES[r.system]}${tree(r)}, ${r.clients.toLocaleString('en-US')} conns` },
    { title: 'Cluster round trips per second: clients on broker A, backend on B', rows: of('cluster').filter((r) => r.metric === 'msg/s'), value: (r) => r.value, unit: 'msg/s', label: clusterLabel },
    { title: 'Cluster fan-out deliveries per second: room over brokers A and B', rows: of('cluster').filter((r) => r.metric === 'deliveries/s'), value: (r) => r.value, unit: 'deliveries/s', label: clusterLabel },
  ];
  return list.filter((p) => p.rows.length > 0);
}

function drawPanel(panel: Panel, top: number): { svg: string; height: number } {
  const max = Math.max(...panel.rows.map(panel.value), 1e-9);
  const parts = [`<text x="16" y="${top + 20}" class="title">${esc(panel.title)}</text>`];
  panel.rows.forEach((r, i) => {
    const y = top + PANEL_HEAD + i * (BAR_H + GAP);
    const v = panel.value(r);
    const w = Math.max(1, Math.round((v / max) * BAR_MAX));
    const p99 = panel.unit !== 'ms p99' && r.latency ? `, p99 ${r.latency.p99Ms.toFixed(1)} ms` : '';
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y + 13}" class="label" text-anchor="end">${esc(panel.label(r))}</text>`,
      `<rect x="${LABEL_W}" y="${y}" width="${w}" height="${BAR_H}" rx="2" fill="${COLOURS[r.system]}"/>`,
      `<text x="${LABEL_W + w + 6}" y="${y + 13}" class="value">${esc(`${fmt(v)} ${panel.unit}${p99}`)}</text>`,
    );
  });
  return { svg: parts.join('\n'), height: PANEL_HEAD + panel.rows.length * (BAR_H + GAP) + 10 };
}

/** Renders the run as a standalone SVG document. */
export function renderSvg(suite: SuiteResult): string {
  let y = 44;
  const body: string[] = [];
  for (const panel of panels(suite.rows)) {
    const drawn = drawPanel(panel, y);
    body.push(drawn.svg);
    y += drawn.height;
  }
  const s = suite.settings;
  const footer = [
    machineLine(suite.machine),
    `${suite.startedAt.slice(0, 10)} · ${s.durationMs / 1000} s windows · ${s.messageBytes}-byte messages · load generator on the same machine (${s.workers} worker threads, ${s.pinning.active ? 'pinned apart from the servers' : 'not pinned'})${suite.quick ? ' · QUICK RUN' : ''}`,
  ];
  const height = y + 46;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    '<style>.title{font-size:14px;font-weight:600;fill:#1f2328}.label{font-size:12px;fill:#1f2328}.value{font-size:12px;fill:#57606a}.foot{font-size:11px;fill:#57606a}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="26" style="font-size:17px;font-weight:700;fill:#1f2328">Strands benchmark: pnpm bench</text>`,
    ...body,
    ...footer.map((line, i) => `<text x="16" y="${y + 14 + i * 16}" class="foot">${esc(line)}</text>`),
    '</svg>',
    '',
  ].join('\n');
}
