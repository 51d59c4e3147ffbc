// The checks of resolved broker options: every value that cannot work is refused, naming the option.
import { OptionsError } from './errors.js';
import { LOG_LEVELS, QUEUE_OVERFLOW_POLICIES } from './option-values.js';
import type { ResolvedOptions } from './options.js';
import { checkTlsOptions } from './tls-files.js';

/** @throws OptionsError naming the first option whose value cannot work. */
export function checkOptions(resolved: ResolvedOptions): void {
  checkInteger('wsPort', resolved.wsPort, 0, 65_535);
  checkInteger('tcpPort', resolved.tcpPort, 0, 65_535);
  checkMetricsPort(resolved);
  checkInteger('queueSize', resolved.queueSize, 0);
  checkInteger('maxQueueBytes', resolved.maxQueueBytes, 1);
  checkInteger('connectionRequestTimeoutMs', resolved.connectionRequestTimeoutMs, 1);
  checkInteger('heartbeatIntervalMs', resolved.heartbeatIntervalMs, 1);
  checkInteger('pingIntervalMs', resolved.pingIntervalMs, 0);
  checkInteger('maxMessageBytes', resolved.maxMessageBytes, 1);
  checkInteger('maxBackendLineBytes', resolved.maxBackendLineBytes, 1);
  checkInteger('maxClientBufferBytes', resolved.maxClientBufferBytes, 1);
  // Past a second it is no longer a write delay but a stall.
  checkInteger('clientWriteDelayMs', resolved.clientWriteDelayMs, 0, 1_000);
  checkInteger('maxBackendBufferBytes', resolved.maxBackendBufferBytes, 1);
  checkInteger('shutdownTimeoutMs', resolved.shutdownTimeoutMs, 0);
  checkInteger('retryAfterSeconds', resolved.retryAfterSeconds, 0);
  checkInteger('maxConnections', resolved.maxConnections, 0);
  checkInteger('maxConnectionsPerIp', resolved.maxConnectionsPerIp, 0);
  checkInteger('maxPendingUpgrades', resolved.maxPendingUpgrades, 1);
  checkInteger('ackTimeoutMs', resolved.ackTimeoutMs, 1);
  checkInteger('maxDeliveries', resolved.maxDeliveries, 1);
  checkInteger('maxUnackedEvents', resolved.maxUnackedEvents, 1);
  checkInteger('clientMessagesPerSecond', resolved.clientMessagesPerSecond, 0);
  checkInteger('clientMessageBurst', resolved.clientMessageBurst, 1);
  checkInteger('clientBytesPerSecond', resolved.clientBytesPerSecond, 0);
  checkInteger('clientByteBurst', resolved.clientByteBurst, 1);
  checkInteger('clientOverLimitCloseMs', resolved.clientOverLimitCloseMs, 0);
  checkInteger('backendProbationMs', resolved.backendProbationMs, 0);
  checkHistory(resolved);
  if (typeof resolved.host !== 'string' || resolved.host === '') throw invalid('host', resolved.host, 'a host name or address');
  if (typeof resolved.tcpHost !== 'string' || resolved.tcpHost === '') {
    throw invalid('tcpHost', resolved.tcpHost, 'a host name or address');
  }
  if (!QUEUE_OVERFLOW_POLICIES.includes(resolved.queueOverflow)) {
    throw invalid('queueOverflow', resolved.queueOverflow, QUEUE_OVERFLOW_POLICIES.join(' or '));
  }
  if (!LOG_LEVELS.includes(resolved.logLevel)) throw invalid('logLevel', resolved.logLevel, LOG_LEVELS.join(', '));
  if (resolved.backendToken !== undefined && (typeof resolved.backendToken !== 'string' || resolved.backendToken === '')) {
    throw invalid('backendToken', resolved.backendToken, 'a non-empty string');
  }
  checkTlsOptions(resolved);
  if (resolved.backendToken === undefined && resolved.backendTlsCa === undefined && !isLoopback(resolved.tcpHost)) {
    // Anyone who can reach the backend port could otherwise broadcast to every client.
    throw new OptionsError(
      `invalid option tcpHost: ${JSON.stringify(resolved.tcpHost)} is not a loopback address, so a backendToken (or backendTokenFile, or client certificates: backendTlsCa) is required`,
      'backendToken',
    );
  }
  checkInteger('handshakeTimeoutMs', resolved.handshakeTimeoutMs, 1);
  if (resolved.allowedOrigins !== undefined) {
    if (!Array.isArray(resolved.allowedOrigins) || resolved.allowedOrigins.some((o) => typeof o !== 'string' || !ORIGIN_PATTERN.test(o))) {
      throw invalid('allowedOrigins', resolved.allowedOrigins, 'a list of origins such as https://app.example.com, https://*.example.com or http://localhost:*');
    }
  }
}

/** `scheme://host[:port]`, where host may start with `*.` and port may be `*`. */
const ORIGIN_PATTERN = /^(https?):\/\/(\*\.)?[A-Za-z0-9.-]+(:(\d{1,5}|\*))?$/;

/** True for addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.') || host === '[::1]';
}

function checkMetricsPort(o: ResolvedOptions): void {
  if (o.metricsPort === undefined) {
    if (o.metricsHost !== undefined) throw new OptionsError('invalid option metricsHost: it needs metricsPort (metrics are served on the WebSocket port otherwise)', 'metricsHost');
    return;
  }
  checkInteger('metricsPort', o.metricsPort, 0, 65_535);
  if (typeof o.metricsHost !== 'string' || o.metricsHost === '') throw invalid('metricsHost', o.metricsHost, 'a host name or address');
  if (o.metricsPort !== 0 && (o.metricsPort === o.wsPort || o.metricsPort === o.tcpPort)) {
    throw invalid('metricsPort', o.metricsPort, 'a port other than wsPort and tcpPort (or 0)');
  }
}

function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw invalid(name, value, range);
  }
}

export function invalid(name: string, value: unknown, expected: string): OptionsError {
  return new OptionsError(`invalid option ${name}: ${JSON.stringify(value) ?? String(value)} (expected ${expected})`, name);
}

function checkHistory(o: ResolvedOptions): void {
  if (!Array.isArray(o.historyRooms) || o.historyRooms.some((r) => typeof r !== 'string' || r === '')) {
    throw invalid('historyRooms', o.historyRooms, 'a list of room name patterns such as chat:* or lobby');
  }
  checkInteger('historySize', o.historySize, 1);
  checkInteger('historyBytes', o.historyBytes, 1);
  checkInteger('historyTtlMs', o.historyTtlMs, 1);
  checkInteger('historyMaxRooms', o.historyMaxRooms, 1);
  checkInteger('maxRecoveryMessages', o.maxRecoveryMessages, 1);
  checkInteger('resumeWindowMs', o.resumeWindowMs, 0);
  if (typeof o.resumeSecret !== 'string' || o.resumeSecret.length < 16) {
    // The value is a secret: never echoed.
    throw new OptionsError('invalid option resumeSecret: expected a string of at least 16 characters', 'resumeSecret');
  }
}
