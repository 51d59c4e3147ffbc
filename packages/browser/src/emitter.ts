// A minimal typed event emitter: the client's five events and a contract's events need no more.

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/**
 * Listener sets per event name, typed by an event map: `Events` are what the class emits itself,
 * `Listened` what listeners may subscribe to (also the events emitted by name, e.g. a contract's).
 */
export class Emitter<Events, Listened = Events> {
  // No prototype: an event a backend pushes may be named `constructor` or `__proto__`.
  private listeners: Record<PropertyKey, Set<(payload: never) => void> | undefined> = Object.create(null);

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Listened>(event: K, listener: (payload: Listened[K]) => void): Unsubscribe {
    const set = (this.listeners[event] ??= new Set());
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  // A throwing listener must not break the connection's state machine or starve the other
  // listeners: its exception is rethrown on its own, as EventTarget reports it.
  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of [...(this.listeners[event] ?? [])]) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
