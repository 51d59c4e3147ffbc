// The EventStore contract, run against the in-memory store.
import { MemoryEventStore } from '../../src/core/memory-event-store.js';
import type { EventOwner } from '../../src/index.js';
import { runEventStoreContract } from './contract.js';

runEventStoreContract({ name: 'MemoryEventStore', make: (capacity, maxBytes) => new MemoryEventStore<EventOwner>(capacity, 'drop-newest', maxBytes) });
