// One sample of a broker's /metrics, read over HTTP from its WebSocket address (process tests).

/** The value of the unlabelled sample `name` on the broker at `wsUrl`, NaN when it has none. */
export async function readMetric(wsUrl: string, name: string): Promise<number> {
  const body = await (await fetch(`${wsUrl.replace('ws://', 'http://')}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}
