// The chat page: joins a room through @strands/browser, renders what the backend sends, and uses
// the contract's routes for "who is here" (a stream) and `/who` (a request).
import { isStrandsClientError, type RejectedError } from '@strands/browser';
import { connectWithContract, type ContractClient } from '@strands/browser/contract';
import { recovery } from '@strands/browser/recovery';
import { chatContract, type ChatContract, type PrivateMessage } from '../src/contract.js';
import type { ServerMessage, User } from '../src/messages.js';
import { chooseBroker } from './broker-choice.js';
import { addChatLine, addLine, addServerMessage, els, showBroker, showChat, showJoin, showMe, showMembers, showStatus, span } from './view.js';

interface PageConfig {
  wsUrl: string;
  /** Every broker; several for a cluster (absent from an older page server). */
  brokers?: string[];
}

const TYPING_SEND_EVERY_MS = 2000;
const TYPING_SHOWN_MS = 3000;
// Per tab, like the client id: a second tab must not start with the first one's name (names are unique).
const NAME_KEY = 'strands-chat-name';

let client: ContractClient<ChatContract> | undefined;
/** The `messages.incoming` stream while "listen for private messages" is on. */
let incoming: AsyncIterator<PrivateMessage> | undefined;
let you: User | undefined;
let lastTypingSent = 0;
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
const typingNames = new Map<string, string>();

/** A per-tab client id: a reload is the same person (the broker replaces the old connection). */
function clientId(): string {
  let id = sessionStorage.getItem('strands-chat-id');
  if (id === null) {
    // crypto.randomUUID needs a secure context; a page opened over the LAN is not one.
    id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
    sessionStorage.setItem('strands-chat-id', id);
  }
  return id;
}

async function join(config: PageConfig): Promise<void> {
  const name = els.name.value.trim();
  const room = els.room.value.trim() || 'lobby';
  sessionStorage.setItem(NAME_KEY, name);
  history.replaceState(null, '', `#${encodeURIComponent(room)}`);
  const query = new URLSearchParams({ id: clientId(), name });
  if (els.token.value !== '') query.set('token', els.token.value);
  const url = `${config.wsUrl}/ws/${encodeURIComponent(room)}?${query.toString()}`;

  showChat(room);
  showStatus('connecting');
  // A session: after a drop the page keeps its rooms and gets what it missed (the backend resends the history lines too; shown once by id).
  const current = connectWithContract(url, chatContract, { maxBackoffMs: 5000, session: recovery() });
  client = current;
  current.on('open', () => {
    showStatus('open');
    void watchPresence(current);
    if (els.listen.checked && incoming === undefined) void listenPrivately(current);
  });
  current.on('close', ({ willReconnect }) => showStatus(willReconnect ? 'reconnecting' : 'idle'));
  current.on('error', (error) => {
    if (client !== current) return;
    client = undefined;
    const rejected = error.code === 'rejected' ? (error as RejectedError) : undefined;
    showJoin(rejected ? `Rejected: ${rejected.reason || 'the backend refused the connection'}` : `Disconnected: ${error.message}`);
  });
  current.on('message', (data) => {
    if (typeof data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return console.warn('ignored a message that is not JSON', data);
    }
    receive(message);
  });
}

function receive(message: ServerMessage): void {
  switch (message.type) {
    case 'history':
      you = message.you;
      showMe(message.you);
      for (const line of message.messages) addChatLine(line);
      return;
    case 'typing':
      if (message.from.id !== you?.id) showTyping(message.from);
      return;
    case 'chat':
    case 'dm':
      clearTyping(message.from.id);
      return addServerMessage(message, you);
    default:
      return addServerMessage(message, you);
  }
}

/** "Who is here", live: the backend's `room.presence` stream, reopened after each reconnect. */
async function watchPresence(current: ContractClient<ChatContract>): Promise<void> {
  try {
    for await (const members of current.stream('room.presence', {})) {
      if (client !== current) break;
      showMembers(members, you?.id);
    }
  } catch (error) {
    // The connection dropped: `open` starts a new stream once it is back.
    if (!isStrandsClientError(error) || (error.code !== 'disconnected' && error.code !== 'closed')) console.warn(error);
  }
}

/**
 * Private messages, the reactive way: the `messages.incoming` stream, read while the toggle is on.
 * Its iterator's return() (the toggle turned off, or leaving) cancels it on the backend at once.
 */
async function listenPrivately(current: ContractClient<ChatContract>): Promise<void> {
  const items = current.stream('messages.incoming', {})[Symbol.asyncIterator]();
  incoming = items;
  try {
    for (;;) {
      const step = await items.next();
      if (step.done) break;
      addLine('private', [span('from', `${step.value.user} → you (private)`), step.value.content]);
    }
  } catch (error) {
    // The connection dropped: `open` listens again if the toggle is still on.
    if (!isStrandsClientError(error) || (error.code !== 'disconnected' && error.code !== 'closed')) console.warn(error);
  } finally {
    if (incoming === items) incoming = undefined;
  }
}

function stopListening(): void {
  const items = incoming;
  incoming = undefined;
  void items?.return?.();
}

function listenToggled(): void {
  if (!els.listen.checked) return stopListening();
  if (client !== undefined && incoming === undefined) void listenPrivately(client);
}

/** `/msg name text`: the `message` route, answered once the recipient's queue took it. */
async function sendPrivately(current: ContractClient<ChatContract>, command: string): Promise<void> {
  const match = /^\/msg\s+(\S+)\s+([\s\S]+)$/.exec(command);
  if (match === null) return addLine('error', ['⚠ usage: /msg name text']);
  const [, user, content] = match as unknown as [string, string, string];
  try {
    const { user: to } = await current.request('message', { user, content }, { timeoutMs: 5000 });
    addLine('private', [span('from', `you → ${to} (private)`), content]);
  } catch (error) {
    addLine('error', [`⚠ /msg failed: ${(error as Error).message}`]);
  }
}

async function send(): Promise<void> {
  const current = client;
  const text = els.text.value.trim();
  if (current === undefined || text === '') return;
  els.text.value = '';
  lastTypingSent = 0; // the next keystroke starts a new "is typing" notice
  if (text.startsWith('/msg')) return sendPrivately(current, text);
  if (text === '/who') {
    try {
      const { room, members } = await current.request('room.who', {}, { timeoutMs: 5000 });
      addLine('notice', [`In #${room}: ${members.map((m) => m.name).join(', ') || 'nobody'}`]);
    } catch (error) {
      addLine('error', [`⚠ /who failed: ${(error as Error).message}`]);
    }
    return;
  }
  await current.sendJson({ type: 'chat', text });
}

/** Whether the text being typed is for the room: `/commands` and `@name` DMs are not, so no notice for them. */
function forTheRoom(text: string): boolean {
  return text !== '' && !text.startsWith('/') && !text.startsWith('@');
}

function typed(): void {
  const now = Date.now();
  if (client === undefined || now - lastTypingSent < TYPING_SEND_EVERY_MS || !forTheRoom(els.text.value.trim())) return;
  lastTypingSent = now;
  client.sendJson({ type: 'typing' }).catch(() => {});
}

function showTyping(user: User): void {
  clearTimeout(typingTimers.get(user.id));
  typingTimers.set(user.id, setTimeout(() => clearTyping(user.id), TYPING_SHOWN_MS));
  typingNames.set(user.id, user.name);
  renderTyping();
}

function clearTyping(userId: string): void {
  clearTimeout(typingTimers.get(userId));
  typingTimers.delete(userId);
  typingNames.delete(userId);
  renderTyping();
}

function renderTyping(): void {
  const names = [...typingNames.values()];
  els.typing.textContent = names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
}

function leave(): void {
  const current = client;
  client = undefined;
  stopListening();
  els.listen.checked = false;
  current?.close();
  you = undefined;
  for (const userId of [...typingNames.keys()]) clearTyping(userId);
  showStatus('idle');
  showJoin();
}

async function main(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as PageConfig;
  if (config.brokers !== undefined && config.brokers.length > 1) {
    const broker = chooseBroker(config.brokers, location.search);
    config.wsUrl = broker.wsUrl;
    showBroker(broker);
  }
  // `?name=`, `?token=` and `?room=` on the page's URL fill the form (the README's `?token=admin`);
  // the room in the hash, which joining sets, is the later choice.
  const params = new URLSearchParams(location.search);
  els.name.value = params.get('name') ?? sessionStorage.getItem(NAME_KEY) ?? '';
  els.token.value = params.get('token') ?? '';
  const room = location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : params.get('room');
  if (room) els.room.value = room;
  els.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void join(config);
  });
  els.sendForm.addEventListener('submit', (event) => {
    event.preventDefault();
    send().catch((error: Error) => addLine('error', [`⚠ not sent: ${error.message}`]));
  });
  els.text.addEventListener('input', typed);
  els.leave.addEventListener('click', leave);
  els.listen.addEventListener('change', listenToggled);
  document.body.dataset.ready = 'true';
}

void main();
