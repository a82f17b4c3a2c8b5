// The board's only door to CityCase: GraphQL over HTTP for reads, graphql-transport-ws for live pushes.
import { createClient, type Client } from 'graphql-ws';

const TOKEN_KEY = 'citycase.board.token';

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Development only: the server mints a token for the board's role (404 outside Development). */
export async function developmentSignIn(role: 'supervisor' | 'auditor'): Promise<void> {
  const response = await fetch(`/board/dev-token?role=${role}`, { method: 'POST' });
  if (!response.ok) throw new Error(`development sign-in is not available here (${response.status})`);
  setToken((await response.json()).token);
}

export class GraphQLError extends Error {
  constructor(message: string, readonly code: string | undefined) { super(message); }
}

export async function query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query: document, variables }) });
  const body = await response.json();
  if (body.errors?.length) {
    const first = body.errors[0];
    throw new GraphQLError(first.message, first.extensions?.code);
  }
  return body.data as T;
}

/** One socket for the page's subscriptions; it reconnects by itself (a server restart, a dropped network). */
export function liveClient(on: { connected: (again: boolean) => void; closed: () => void }): Client {
  let connectedBefore = false;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  return createClient({
    url,
    connectionParams: () => ({ token: token() }),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 3000))),
    keepAlive: 10_000,
    on: {
      connected: () => { on.connected(connectedBefore); connectedBefore = true; },
      closed: () => on.closed(),
    },
  });
}

/** The city's day of an instant, as YYYY-MM-DD. */
export function cityDate(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function param(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

export type Light = 'GREEN' | 'YELLOW' | 'RED';
export const LIGHT_COLOURS: Record<Light, string> = { GREEN: '#2ecc71', YELLOW: '#f1c40f', RED: '#ff4d4f' };

/** The city's zone (?zone=Area/City, default Asia/Shanghai): the pages' days and times are the city's. */
export const zone = param('zone') ?? 'Asia/Shanghai';

/** An instant as the city's local date and time, in the page's language. */
export function cityTime(instant: string | Date, language: 'zh' | 'en'): string {
  return new Date(instant).toLocaleString(language === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: zone });
}

/** Text made safe to put into HTML. */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
