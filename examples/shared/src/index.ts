// What the examples share, run from source with tsx (no build): see the README.
export { DEFAULT_ROOM, roomFromPath } from './room.js';
export { runUntilSignal } from './signals.js';
export { OptionsError, checkBrokerAddress, checkPort } from './checks.js';
