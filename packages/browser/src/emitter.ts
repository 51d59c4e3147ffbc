// A minimal typed event emitter: the client's five events need no more.

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/** Listener sets per event name, typed by an event map. */
export class Emitter<Events> {
  private listeners: { [K in keyof Events]?: Set<(payload: Events[K]) => void> } = {};

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): Unsubscribe {
    const set = (this.listeners[event] ??= new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  // A throwing listener must not break the connection's state machine or starve the other
  // listeners: its exception is rethrown on its own, as EventTarget reports it.
  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of [...(this.listeners[event] ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
