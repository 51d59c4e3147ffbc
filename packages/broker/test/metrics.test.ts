// GET /metrics: prom-client's runtime metrics, build info and decision latency beside the broker's own counters.
import { afterEach, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { startBroker, type Harness } from './support/harness.js';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

async function broker(): Promise<Harness> {
  const h = await startBroker();
  harnesses.push(h);
  return h;
}

/** The names a `# TYPE` line declares, in order. */
function declared(body: string): string[] {
  return [...body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string);
}

describe('/metrics', () => {
  it('has the runtime metrics Node dashboards expect, under their standard names', async () => {
    const h = await broker();
    const { body, headers } = await h.http('/metrics');
    expect(headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'process_cpu_seconds_total',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'process_open_fds',
      'process_max_fds',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_size_total_bytes',
      'nodejs_gc_duration_seconds',
      'nodejs_version_info',
    ]) {
      expect(declared(body), name).toContain(name);
    }
    expect(body).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(body).toMatch(/^process_open_fds \d+$/m);
  });

  it('says the build: strands_build_info{version,node_version} 1', async () => {
    const h = await broker();
    const { body } = await h.http('/metrics');
    expect(body).toContain(`strands_build_info{version="${VERSION}",node_version="${process.version}"} 1`);
  });

  it('keeps every metric name once, the broker counters included', async () => {
    const h = await broker();
    const names = declared((await h.http('/metrics')).body);
    expect(names.length).toBe(new Set(names).size);
    for (const name of ['strands_node_info', 'strands_connections', 'strands_messages_in_total', 'strands_rejected_connections_total', 'strands_slow_client_closes_total']) {
      expect(names).toContain(name);
    }
  });

  it('times connection decisions from the upgrade to the decision, by outcome', async () => {
    const h = await broker();
    await h.attempt('/ws/r'); // no backend yet: refused at once
    const backend = await h.backend();
    await h.client('/ws/r?id=a');
    backend.decide = () => ({ accepted: false });
    await h.attempt('/ws/r?id=b');
    const { body } = await h.http('/metrics');
    expect(declared(body)).toContain('strands_connection_decision_seconds');
    expect(body).toMatch(/^strands_connection_decision_seconds_count\{outcome="accepted"\} 1$/m);
    expect(body).toMatch(/^strands_connection_decision_seconds_count\{outcome="rejected"\} 1$/m);
    expect(body).toMatch(/^strands_connection_decision_seconds_count\{outcome="no_backend"\} 1$/m);
    expect(body).toMatch(/^strands_connection_decision_seconds_bucket\{le="10",outcome="accepted"\} 1$/m);
    const sum = /^strands_connection_decision_seconds_sum\{outcome="accepted"\} (\S+)$/m.exec(body);
    expect(Number(sum?.[1])).toBeGreaterThan(0);
    expect(Number(sum?.[1])).toBeLessThan(5);
  });

  it('serves two brokers in one process, each with the runtime metrics and its own histograms', async () => {
    const a = await broker();
    const b = await broker();
    await a.backend();
    await a.client('/ws/r?id=a');
    const [bodyA, bodyB] = await Promise.all([a.http('/metrics'), b.http('/metrics')]).then((r) => r.map((x) => x.body));
    for (const body of [bodyA, bodyB]) {
      expect(body).toMatch(/^process_resident_memory_bytes \d+$/m);
      expect(body).toContain('strands_build_info{');
    }
    expect(bodyA).toMatch(/^strands_connection_decision_seconds_count\{outcome="accepted"\} 1$/m);
    expect(bodyB).not.toMatch(/strands_connection_decision_seconds_count\{outcome="accepted"\}/);
  });
});
