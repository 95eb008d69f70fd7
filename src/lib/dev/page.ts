/** The chat page the dev server serves at `/`: connects to the local API and sends what you type. */
export interface ChatPageOptions {
  /** A message that selects the route, with `data` to be replaced by what is typed; undefined if none can. */
  message?: Record<string, unknown>
  project: string
  route?: string
  stage: string
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', String.raw`\u003c`).replaceAll('\u2028', String.raw`\u2028`).replaceAll('\u2029', String.raw`\u2029`)
}

const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

export function chatPage(options: ChatPageOptions): string {
  const config = scriptJson({message: options.message ?? null, route: options.route ?? null, stage: options.stage})
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
</style>
</head>
<body>
<header>
  <strong>${escapeHtml(options.project)}</strong>
  <span>stage <code>${escapeHtml(options.stage)}</code></span>
  <span id="route"></span>
  <span id="status">connecting…</span>
</header>
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

function add(kind, line) {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = line;
  log.append(item);
  log.scrollTop = log.scrollHeight;
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
    statusLine.textContent = 'connected';
    add('info', (attempt === 0 ? 'connected to ' : 'reconnected to ') + url);
    attempt = 0;
  };
  socket.onmessage = (event) => add(isErrorFrame(event.data) ? 'in error' : 'in', event.data);
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
  const frame = raw.checked || isJsonObject(text.value) ? text.value : JSON.stringify({...config.message, data: text.value});
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
