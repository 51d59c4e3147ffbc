// Which broker this tab talks to when the page lists several (a cluster): the one `?broker=<n>`
// names, else the one this tab took before (a reload stays put), else the next in turn across tabs.

const TAB_KEY = 'strands-chat-broker';
const TURN_KEY = 'strands-chat-broker-turn';

/** The broker a tab uses: its WebSocket URL, and its number (1-based) of how many. */
export interface BrokerChoice {
  wsUrl: string;
  number: number;
  of: number;
}

/**
 * Picks this tab's broker from `brokers` (WebSocket URLs). `?broker=2` takes the second; without
 * it, a new tab takes the next one after the last tab's pick (localStorage), so two tabs opened
 * one after the other land on two brokers; the pick is kept per tab (sessionStorage).
 */
export function chooseBroker(brokers: readonly string[], search: string): BrokerChoice {
  const of = brokers.length;
  const asked = Number(new URLSearchParams(search).get('broker'));
  const kept = Number(sessionStorage.getItem(TAB_KEY));
  let number: number;
  if (Number.isInteger(asked) && asked >= 1 && asked <= of) {
    number = asked;
  } else if (Number.isInteger(kept) && kept >= 1 && kept <= of) {
    number = kept;
  } else {
    const turn = Number(localStorage.getItem(TURN_KEY)) || 0;
    number = (turn % of) + 1;
    localStorage.setItem(TURN_KEY, String(turn + 1));
  }
  sessionStorage.setItem(TAB_KEY, String(number));
  return { wsUrl: brokers[number - 1]!, number, of };
}
