// The default Backplane: one broker alone, every command carried out on its own clients at once.
import type { Backplane, BackplaneHealth, LocalClientInfo, LocalNode, MemberInfo } from './backplane.js';
import { BrokerStateError } from '../errors.js';
import type { HistoryPosition } from './history-store.js';

const UP: BackplaneHealth = { up: true };

/** Passes every call to the local clients: no allocation and no promise on the way. */
export class LocalBackplane implements Backplane {
  readonly nodeId = 'local';
  readonly clustered = false;
  private local: LocalNode | undefined;

  bind(local: LocalNode): void {
    if (this.local !== undefined) throw new BrokerStateError('a LocalBackplane serves one broker');
    this.local = local;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  toRoom(roomId: string, message: string, binary: boolean): void {
    this.node.toRoom(roomId, message, binary);
  }

  toRoomAt(roomId: string, message: string, binary: boolean, position: HistoryPosition): void {
    const node = this.node;
    if (node.toRoomAt !== undefined) node.toRoomAt(roomId, message, binary, position);
    else node.toRoom(roomId, message, binary);
  }

  toConnection(clientId: string, message: string, binary: boolean): void {
    this.node.toConnection(clientId, message, binary);
  }

  broadcast(message: string, binary: boolean): void {
    this.node.broadcast(message, binary);
  }

  join(clientId: string, roomId: string): boolean {
    return this.node.join(clientId, roomId);
  }

  leave(clientId: string, roomId: string): boolean {
    return this.node.leave(clientId, roomId);
  }

  disconnect(clientId: string, code: number, reason: string): boolean {
    return this.node.disconnect(clientId, code, reason);
  }

  members(roomId: string): MemberInfo[] {
    return this.node.members(roomId);
  }

  clientAttached(_client: LocalClientInfo): void {
    // One broker: the gateway already replaced any older connection with this id.
  }

  clientDetached(_client: LocalClientInfo): void {}

  health(): BackplaneHealth {
    return UP;
  }

  private get node(): LocalNode {
    if (this.local === undefined) throw new BrokerStateError('LocalBackplane used before bind()');
    return this.local;
  }
}
