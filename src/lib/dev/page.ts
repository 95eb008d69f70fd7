import {exampleMessage, type RouteSelectionExpression} from '../project/index.js'

/** The chat page the dev server serves at `/`: connects to the local API and sends what you type. */
export interface ChatPageOptions {
  /** A message that selects the route, with `data` to be replaced by what is typed; undefined if none can. */
  message?: Record<string, unknown>
  project: string
  /** Messages that select the join and leave routes of a `wsapi init --rooms` project, `room` to be filled in. */
  rooms?: RoomMessages
  route?: string
  stage: string
}

export interface RoomMessages {
  join: Record<string, unknown>
  leave: Record<string, unknown>
}

/** The join and leave messages of a project with both routes (`wsapi init --rooms`); undefined otherwise. */
export function roomMessages(routeSelection: RouteSelectionExpression, routeKeys: string[]): RoomMessages | undefined {
  if (!routeKeys.includes('join') || !routeKeys.includes('leave')) return undefined
  const join = exampleMessage(routeSelection, 'join', {room: ''})
  const leave = exampleMessage(routeSelection, 'leave', {room: ''})
  return join && leave ? {join, leave} : undefined
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', String.raw`\u003c`)
    .replaceAll('\u2028', String.raw`\u2028`)
    .replaceAll('\u2029', String.raw`\u2029`)
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

export function chatPage(options: ChatPageOptions): string {
  const config = scriptJson({
    message: options.message ?? null,
    rooms: options.rooms ?? null,
    route: options.route ?? null,
    stage: options.stage,
  })
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.project)} · wsapi dev</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; display: flex; flex-direction: column; height: 100vh; }
  header { padding: .6rem 1rem; background: #232f3e; color: #fff; display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
  header code { color: #ff9900; }
  #status { margin-left: auto; font-size: .9em; }
  #log { flex: 1; overflow-y: auto; margin: 0; padding: .5rem 1rem; list-style: none; font-family: ui-monospace, monospace; font-size: 14px; }
  #log li { padding: .15rem 0; white-space: pre-wrap; word-break: break-all; }
  #log .out { color: #555; }
  #log .out::before { content: "→ "; }
  #log .in::before { content: "← "; }
  #log .error { color: #b00020; }
  #log .info { color: #777; font-style: italic; }
  form { display: flex; gap: .5rem; padding: .6rem 1rem; border-top: 1px solid #ddd; }
  #text { flex: 1; font: inherit; padding: .4rem; }
  label { display: flex; align-items: center; gap: .3rem; font-size: .9em; }
  #rooms { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; padding: .4rem 1rem; border-bottom: 1px solid #ddd; font-size: .9em; }
  #rooms[hidden] { display: none; }
  #tabs { display: flex; gap: .3rem; flex-wrap: wrap; }
  #tabs button { font: inherit; border: 1px solid #ccc; background: #f6f6f6; border-radius: .3rem; padding: .1rem .5rem; cursor: pointer; }
  #tabs button[aria-pressed="true"] { background: #232f3e; color: #fff; border-color: #232f3e; }
  #room-name { font: inherit; padding: .2rem .4rem; width: 10rem; }
  #log .tag { color: #8a4b00; font-weight: 600; margin-right: .4rem; }
</style>
</head>
<body>
<header>
  <strong>${escapeHtml(options.project)}</strong>
  <span>stage <code>${escapeHtml(options.stage)}</code></span>
  <span id="route"></span>
  <span id="status">connecting…</span>
</header>
<div id="rooms" hidden>
  <span>Send to</span>
  <div id="tabs" role="group" aria-label="rooms"></div>
  <input id="room-name" placeholder="room" aria-label="room to join" maxlength="64">
  <button id="join" type="button">Join</button>
  <button id="leave" type="button" disabled>Leave</button>
</div>
<ul id="log" aria-live="polite"></ul>
<form id="form" autocomplete="off">
  <input id="text" placeholder="Type a message (a JSON object is sent as typed) and press Enter" autofocus>
  <label><input type="checkbox" id="raw"> send as raw frame</label>
  <button id="send" type="submit">Send</button>
  <button id="reconnect" type="button" hidden>Reconnect now</button>
</form>
<script>
const config = ${config};
const log = document.getElementById('log');
const statusLine = document.getElementById('status');
const text = document.getElementById('text');
const raw = document.getElementById('raw');
const reconnect = document.getElementById('reconnect');
document.getElementById('route').innerHTML = config.route ? 'route <code></code>' : 'no custom route: frames are sent as typed';
if (config.route) document.querySelector('#route code').textContent = config.route;
if (!config.message) { raw.checked = true; raw.disabled = true; }

function add(kind, line, tag) {
  const item = document.createElement('li');
  item.className = kind;
  if (tag) {
    const label = document.createElement('span');
    label.className = 'tag';
    label.textContent = tag;
    item.append(label);
    item.dataset.room = tag.slice(1);
  }
  item.append(line);
  log.append(item);
  log.scrollTop = log.scrollHeight;
}

// Rooms (wsapi init --rooms): the rooms joined, and the one in view, where typed lines go ('' for everyone).
const joined = new Set();
let view = '';
const tabs = document.getElementById('tabs');
const roomName = document.getElementById('room-name');
const leaveButton = document.getElementById('leave');
function renderTabs() {
  tabs.replaceChildren(...['', ...[...joined].sort()].map((room) => {
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.dataset.room = room;
    tab.textContent = room === '' ? 'everyone' : '#' + room;
    tab.setAttribute('aria-pressed', String(room === view));
    tab.addEventListener('click', () => { view = room; renderTabs(); });
    return tab;
  }));
  leaveButton.disabled = view === '';
}
function sendRoomRequest(kind, room) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return add('error', 'not connected: not sent');
  const frame = JSON.stringify({...config.rooms[kind], room});
  socket.send(frame);
  add('out', frame);
}
if (config.rooms) {
  document.getElementById('rooms').hidden = false;
  document.getElementById('join').addEventListener('click', () => { if (roomName.value.trim()) sendRoomRequest('join', roomName.value.trim()); });
  roomName.addEventListener('keydown', (event) => { if (event.key === 'Enter' && roomName.value.trim()) sendRoomRequest('join', roomName.value.trim()); });
  leaveButton.addEventListener('click', () => { if (view) sendRoomRequest('leave', view); });
  renderTabs();
}

// A frame from a room, {"room", "from", "data"}, is shown as its data tagged with the room; replies to join and
// leave update the rooms. Anything else is shown as it came.
function receive(data) {
  let parsed;
  try { parsed = JSON.parse(data); } catch {}
  const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  if (config.rooms && isObject && typeof parsed.room === 'string' && typeof parsed.from === 'string' && 'data' in parsed) {
    return add('in', parsed.from + ': ' + JSON.stringify(parsed.data), '#' + parsed.room);
  }
  if (config.rooms && isObject && typeof parsed.joined === 'string') { joined.add(parsed.joined); view = parsed.joined; roomName.value = ''; renderTabs(); }
  if (config.rooms && isObject && typeof parsed.left === 'string') { joined.delete(parsed.left); if (view === parsed.left) view = ''; renderTabs(); }
  add(isErrorFrame(data) ? 'in error' : 'in', data);
}

function isErrorFrame(data) {
  try {
    const parsed = JSON.parse(data);
    return parsed !== null && typeof parsed === 'object' && ('error' in parsed || ('message' in parsed && 'connectionId' in parsed && 'requestId' in parsed));
  } catch { return false; }
}

// Like wsapi connect: a line that is a JSON object goes as typed, any other line is wrapped with the route.
function isJsonObject(line) {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return false;
  try {
    const value = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch { return false; }
}

// After a close (wsapi dev restarted, an idle timeout…), come back by itself: 0.5 s, doubling up to 30 s.
const BACKOFF = {initialMs: 500, maxMs: 30000};
let socket;
let attempt = 0;
let retryTimer;
function connect() {
  clearTimeout(retryTimer);
  retryTimer = undefined;
  // The page's own query string (e.g. ?token=…) goes to $connect, where an authorizer can read it.
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/' + config.stage + location.search;
  socket = new WebSocket(url);
  statusLine.textContent = attempt === 0 ? 'connecting…' : 'reconnecting… (attempt ' + attempt + ')';
  reconnect.hidden = true;
  socket.onopen = () => {
    // A new connection is in no room: memberships belong to the connection that joined.
    joined.clear();
    view = '';
    if (config.rooms) renderTabs();
    statusLine.textContent = 'connected';
    add('info', (attempt === 0 ? 'connected to ' : 'reconnected to ') + url);
    attempt = 0;
  };
  socket.onmessage = (event) => receive(event.data);
  socket.onclose = (event) => {
    attempt++;
    const delayMs = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** (attempt - 1));
    statusLine.textContent = 'closed: reconnecting in ' + (delayMs / 1000).toFixed(1) + ' s';
    add('info', 'closed: ' + event.code + (event.reason ? ' ' + event.reason : '') + '; reconnecting in ' + (delayMs / 1000).toFixed(1) + ' s (attempt ' + attempt + ')');
    reconnect.hidden = false;
    retryTimer = setTimeout(connect, delayMs);
  };
}

document.getElementById('form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (text.value === '') return;
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    add('error', 'not connected: not sent; reconnecting now');
    if (socket?.readyState !== WebSocket.CONNECTING) connect();
    return;
  }
  const frame = raw.checked || isJsonObject(text.value) ? text.value : JSON.stringify({...config.message, ...(view ? {room: view} : {}), data: text.value});
  socket.send(frame);
  add('out', frame);
  text.value = '';
});
reconnect.addEventListener('click', connect);
connect();
</script>
</body>
</html>
`
}
