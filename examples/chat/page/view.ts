// Rendering: every piece of the page the chat changes, built with textContent only (no HTML from
// messages ever reaches the DOM).
import type { ChatLine, RoomMembers, ServerMessage, User } from '../src/messages.js';
import type { BrokerChoice } from './broker-choice.js';

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Every element the page script touches, by id. */
export const els = {
  status: byId<HTMLSpanElement>('status'),
  broker: byId<HTMLSpanElement>('broker'),
  joinForm: byId<HTMLFormElement>('join-form'),
  name: byId<HTMLInputElement>('name'),
  room: byId<HTMLInputElement>('room'),
  token: byId<HTMLInputElement>('token'),
  joinError: byId<HTMLParagraphElement>('join-error'),
  chat: byId<HTMLElement>('chat'),
  roomTitle: byId<HTMLHeadingElement>('room-title'),
  me: byId<HTMLParagraphElement>('me'),
  who: byId<HTMLUListElement>('who'),
  leave: byId<HTMLButtonElement>('leave'),
  messages: byId<HTMLOListElement>('messages'),
  typing: byId<HTMLParagraphElement>('typing'),
  sendForm: byId<HTMLFormElement>('send-form'),
  text: byId<HTMLInputElement>('text'),
  listen: byId<HTMLInputElement>('listen'),
};

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';
const STATUS_TEXT: Record<ConnectionStatus, string> = {
  idle: 'not connected',
  connecting: 'connecting…',
  open: 'connected',
  reconnecting: 'reconnecting…',
};

/** Shows where the connection stands in the header. */
export function showStatus(status: ConnectionStatus): void {
  els.status.dataset.state = status;
  els.status.textContent = STATUS_TEXT[status];
}

/** Shows in the header which broker of a cluster this tab is on. */
export function showBroker({ wsUrl, number, of }: BrokerChoice): void {
  els.broker.hidden = false;
  els.broker.dataset.broker = String(number);
  els.broker.textContent = `broker ${number} of ${of}`;
  els.broker.title = `${wsUrl} (?broker=<n> on the page's URL picks another)`;
}

/** Shows the join form, with `error` (a rejection's reason) when there is one. */
export function showJoin(error?: string): void {
  els.chat.hidden = true;
  els.joinForm.hidden = false;
  els.joinError.hidden = error === undefined;
  els.joinError.textContent = error ?? '';
}

/** Swaps the join form for an empty conversation in `room`. */
export function showChat(room: string): void {
  els.joinForm.hidden = true;
  els.chat.hidden = false;
  els.roomTitle.textContent = `# ${room}`;
  els.text.placeholder = `Message #${room} — @name text for a DM`;
  els.messages.replaceChildren();
  els.who.replaceChildren();
  els.typing.textContent = '';
  els.text.focus();
}

/** Says who you are (and whether admin), from the backend's `history`. */
export function showMe(you: User): void {
  els.me.textContent = `you are ${you.name}${you.role === 'admin' ? ' (admin)' : ''}`;
}

/** Renders the member list; clicking a name starts a DM to them. */
export function showMembers({ members }: RoomMembers, youId: string | undefined): void {
  els.who.replaceChildren(
    ...members.map((member) => {
      const li = document.createElement('li');
      li.dataset.id = member.id;
      li.textContent = member.name;
      if (member.id === youId) li.className = 'you';
      if (member.role === 'admin') li.append(span('badge', 'admin'));
      li.addEventListener('click', () => {
        els.text.value = `@${member.name} `;
        els.text.focus();
      });
      return li;
    }),
  );
}

/** Appends one line to the conversation, scrolled into view. */
export function addLine(kind: string, parts: (string | Node)[], at?: number, id?: string): void {
  const li = document.createElement('li');
  li.className = kind;
  if (id !== undefined) li.dataset.id = id;
  if (at !== undefined) {
    const time = document.createElement('time');
    time.dateTime = new Date(at).toISOString();
    time.textContent = new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    li.append(time);
  }
  li.append(...parts);
  els.messages.append(li);
  li.scrollIntoView({ block: 'end' });
}

/** Appends a room message, unless it is already shown (history resent after a reconnect). */
export function addChatLine(line: ChatLine): void {
  if (els.messages.querySelector(`li[data-id="${CSS.escape(line.id)}"]`)) return; // seen before a reconnect
  addLine('chat', [span('from', line.from.name), line.text], line.at, line.id);
}

/** Renders any server message but `history` and `typing`, which app.ts handles. */
export function addServerMessage(message: ServerMessage, you: User | undefined): void {
  switch (message.type) {
    case 'chat':
      return addChatLine(message);
    case 'dm': {
      const label = message.from.id === you?.id ? `you → ${message.to.name}` : `${message.from.name} → you`;
      return addLine('dm', [span('from', label), message.text], message.at, message.id);
    }
    case 'announce':
      return addLine('announce', [span('label', 'announcement'), span('from', message.from.name), message.text], message.at, message.id);
    case 'join':
    case 'leave':
      return addLine('notice', [`${message.user.name} ${message.type === 'join' ? 'joined' : 'left'} #${message.room}`], message.at);
    case 'error':
      return addLine('error', [`⚠ ${message.message}`]);
    default:
  }
}

/** A `<span>` with a class and text. */
export function span(className: string, text: string): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}
