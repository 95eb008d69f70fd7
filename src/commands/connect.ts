import {resolve} from 'node:path'

import {type ChatResult, runChat} from '../lib/connect/chat.js'
import {planChat} from '../lib/connect/chat-plan.js'
import type {LineHistory} from '../lib/connect/history.js'
import {resolveClientTarget} from '../lib/client/resolve.js'
import {presignTarget} from '../lib/client/sigv4.js'
import {UsageError} from '../lib/errors.js'
import {readSecretFromStdin, resolveTokenInput, TOKEN_ENV} from '../lib/secret-input.js'
import {clientAuthFlags} from '../ui/aws-flags.js'
import {WsapiCommand} from '../ui/base-command.js'
import {Args, Flags} from '../ui/oclif.js'
import {chatTerminal} from '../ui/connect-terminal.js'
import {durationFlag, SECONDS} from '../ui/duration-flag.js'
import {isInteractive} from '../ui/interactive.js'

export default class Connect extends WsapiCommand {
  static override args = {
    url: Args.string({
      // oclif would otherwise read a missing argument from piped stdin; here stdin carries the messages.
      ignoreStdin: true,
      description:
        'WebSocket URL (ws:// or wss://; host:port/stage works too). Default: the running `wsapi dev` of the project, else the WebSocketUrl of its last deploy.',
    }),
  }

  static override description = `Opens a WebSocket and chats with it. A plain line is sent as {"<routeField>":"<route>","data":"<line>"}, with the route field taken from the template's route selection expression and the route from its first custom route (-r and --route-field override them); with no template to read, as the seed's {"message":"sendmessage","data":"<line>"} (--send-raw: as typed). A line that is a JSON object is sent as typed. Incoming messages print as "< …", JSON pretty-printed and coloured; API Gateway's error frames (Forbidden, Internal server error, Endpoint request timed out) stand out.

Rooms and direct messages: /join <room>, /leave <room>, /room <room> (plain lines then carry "room"), /to <id> (plain lines carry "to"; /room or /to alone: everyone again), /whoami; the prompt shows the room or recipient, and a message from a room shows as "< [room] …".

In a terminal: slash commands (/help, /route, /send, /raw, /ping, /close, /quit, /history and the ones above) and a history per URL kept across runs in ~/.wsapi/history (WSAPI_STATE_DIR moves it). Ctrl-C and Ctrl-D quit.

In a script (stdin not a terminal, or -x): each stdin line is sent by the same rules, each received message is one line on stdout, and diagnostics go to stderr. --json writes NDJSON records {time, direction, data} as they pass.

Exit codes: 0 after a quit or a normal close (1000, 1001); 1 when the connection fails (refused, DNS, TLS, a handshake answered with an HTTP status such as 401/403), closes abnormally, or --timeout/--count is not met; 2 for bad usage.`

  // oclif's --json prints one object after the command returns; a chat streams, so --json is this command's own NDJSON flag.
  static override enableJsonFlag = false

  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %>',
      description: 'Chat with the running `wsapi dev` of the project in the current folder',
    },
    {
      command:
        'WSAPI_TOKEN="$TOKEN" <%= config.bin %> <%= command.id %> wss://abc123.execute-api.eu-west-1.amazonaws.com/v1',
      description: 'Chat with a deployed API behind the token authorizer',
    },
    {
      command: '<%= config.bin %> <%= command.id %> -x hello --count 1',
      description: 'Send one line, print the first message received, exit',
    },
    {
      command: `echo '{"message":"sendmessage","data":"hi"}' | <%= config.bin %> <%= command.id %> --json --wait 1`,
      description: 'Pipe messages in, get NDJSON records out',
    },
    {
      command: '<%= config.bin %> <%= command.id %> --reconnect --keepalive 300',
      description: "A session that survives restarts of wsapi dev and API Gateway's 10-minute idle timeout",
    },
  ]

  static override flags = {
    dir: Flags.string({
      char: 'd',
      default: '.',
      description: 'Project folder (holding template.yaml): where the default URL and the route come from.',
    }),
    stage: Flags.string({
      description: "Stage whose deploy outputs give the default URL (default: the template's StageName).",
    }),
    route: Flags.string({
      char: 'r',
      description: "Route plain lines are sent to (default: the template's first custom route).",
    }),
    'route-field': Flags.string({
      description:
        'Body field that selects the route, e.g. action or body.action (default: from the route selection expression).',
    }),
    'send-raw': Flags.boolean({
      description:
        'Send plain lines as typed, without wrapping them (outside a project they otherwise go as {"message":"sendmessage","data":"<line>"}).',
      exclusive: ['route', 'route-field'],
    }),
    header: Flags.string({
      char: 'H',
      description: 'HTTP header for the handshake, "Name: value" (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
    }),
    subprotocol: Flags.string({
      description: 'Subprotocol to ask for (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
    }),
    ...clientAuthFlags,
    'token-stdin': Flags.boolean({
      description: 'Read the token from standard input (then give the lines to send with -x).',
    }),
    origin: Flags.string({char: 'o', description: 'Origin header.'}),
    insecure: Flags.boolean({char: 'k', description: 'Do not verify the TLS certificate (test servers only).'}),
    reconnect: Flags.boolean({
      description: 'Reconnect with exponential backoff after the connection drops; each new connection is announced.',
    }),
    keepalive: durationFlag(SECONDS)({
      description:
        "Send a small frame after this long idle (e.g. 5m; a bare number is seconds), so that API Gateway's idle timeout spares a quiet session.",
    }),
    'keepalive-message': Flags.string({
      description:
        'The keepalive frame (default {"<routeField>":"$keepalive"}, which goes to $default; its reply is hidden).',
    }),
    execute: Flags.string({
      char: 'x',
      description: 'Line to send once connected (repeatable; same rules as typed lines); stdin is then not read.',
      multiple: true,
      multipleNonGreedy: true,
    }),
    wait: durationFlag({...SECONDS, forever: true, zero: true})({
      char: 'w',
      description:
        'How long to stay after the last line in a script, e.g. 10s (bare: seconds; -1: until closed). [default: 2s, or until --count]',
    }),
    count: Flags.integer({
      description: 'Exit after this many received messages (exit 1 if the connection ends first).',
      min: 1,
    }),
    timeout: durationFlag(SECONDS)({
      char: 't',
      description:
        'Fail (exit 1) if the session has not ended after this long, e.g. 30s (a bare number is seconds); also bounds the handshake.',
    }),
    raw: Flags.boolean({
      description:
        'Print messages as received (no pretty-printing, no reflowing onto one line); on a terminal, control characters still show as escapes.',
    }),
    color: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'Colour the output (--no-color or NO_COLOR turns it off).',
    }),
    json: Flags.boolean({
      description: 'Write NDJSON records {time, direction, data} to stdout as messages pass (direction in or out).',
    }),
  }

  static override summary = 'Chat with a WebSocket API from the terminal, or script it.'

  async run(): Promise<ChatResult> {
    const {args, flags} = await this.parse(Connect)
    if (flags['token-stdin'] && flags.execute === undefined) {
      throw new UsageError(
        `--token-stdin takes standard input for the token: give the lines to send with -x, or pass the token in ${TOKEN_ENV} instead.`,
      )
    }

    const token = await resolveTokenInput({
      env: process.env,
      flag: flags.token,
      readStdin: () => readSecretFromStdin('--token-stdin'),
      stdin: flags['token-stdin'],
    })
    // -x makes it a script even in a terminal.
    const interactive = flags.execute === undefined && isInteractive({json: flags.json})
    const resolved = await resolveClientTarget({dir: resolve(flags.dir), stage: flags.stage, url: args.url})
    const target = flags.sigv4
      ? {...resolved, url: await presignTarget(resolved, {profile: flags.profile, region: flags.region})}
      : resolved
    const plan = planChat({
      connection: {
        headers: flags.header,
        insecure: flags.insecure,
        origin: flags.origin,
        subprotocols: flags.subprotocol,
        token: token ?? target.token,
      },
      count: flags.count,
      execute: flags.execute,
      interactive,
      keepaliveMessage: flags['keepalive-message'],
      keepaliveSeconds: seconds(flags.keepalive),
      message: {route: flags.route, routeField: flags['route-field']},
      reconnect: flags.reconnect,
      sendRaw: flags['send-raw'],
      target,
      timeoutSeconds: seconds(flags.timeout),
      waitSeconds: flags.wait === Number.POSITIVE_INFINITY ? -1 : seconds(flags.wait),
    })
    let history: LineHistory | undefined
    if (interactive) {
      // Loaded here: scripts, whose start-up is benchmarked, keep no history.
      const {historyFile, LineHistory, userStateDir} = await import('../lib/connect/history.js')
      history = new LineHistory(historyFile(plan.session.url, userStateDir()), 500, (message) => this.out.warn(message))
    }

    const {input, view} = chatTerminal({
      color: flags.color,
      history: history?.load() ?? [],
      interactive,
      json: flags.json,
      raw: flags.raw,
      readStdin: flags.execute === undefined,
      verbose: flags.verbose,
    })
    return runChat(plan, view, input, history)
  }
}

/** The chat plan takes seconds. */
function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000
}
