import {ExitCode} from '../../lib/errors.js'
import {type Hook, loadHelpClass} from '../oclif.js'
import {colors} from '../output.js'

/** Edits (insert, delete, substitute) from a to b. */
function distance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }

  return previous[b.length]
}

/** The command a mistyped name most likely meant, if one is close enough (`dve` → `dev`, `deplyo` → `deploy`). */
export function closestCommand(typed: string, commands: string[]): string | undefined {
  const ranked = commands
    .map((command) => ({command, cost: command.startsWith(typed) ? 0 : distance(typed, command)}))
    .sort((a, b) => a.cost - b.cost)
  const best = ranked[0]
  return best && best.cost <= Math.max(2, Math.floor(best.command.length / 3)) ? best.command : undefined
}

/**
 * `wsapi help [COMMAND]` (oclif has no help command of its own without a plugin) and an unknown command:
 * the README's one-line `Error: … (fix)` with the closest command, exit 2, instead of oclif's own format.
 */
const hook: Hook<'command_not_found'> = async function ({argv, config, id}) {
  const [first, ...rest] = id.split(':')
  if (first === 'help') {
    const subject = [...rest, ...(argv ?? [])].filter((arg) => !arg.startsWith('-'))
    if (subject.length === 0 || config.findCommand(subject.join(':'))) {
      const WsapiHelp = await loadHelpClass(config)
      await new WsapiHelp(config, config.pjson.oclif.helpOptions).showHelp(subject)
      return
    }

    return unknown(subject.join(' '))
  }

  return unknown(id.replaceAll(':', ' '))

  function unknown(typed: string): void {
    const commands = config.commands
      .filter((command) => !command.hidden)
      .map((command) => command.id.replaceAll(':', ' '))
    const suggestion = closestCommand(typed, commands)
    const fix = suggestion
      ? `did you mean \`${config.bin} ${suggestion}\`? (\`${config.bin} --help\` lists the commands)`
      : `the commands are ${commands.sort().join(', ')} (\`${config.bin} --help\` describes them).`
    process.stderr.write(`${colors.red('Error:')} Unknown command ${JSON.stringify(typed)}: ${fix}\n`)
    process.exitCode = ExitCode.usage
  }
}

export default hook
