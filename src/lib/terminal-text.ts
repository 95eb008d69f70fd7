/**
 * Text that wsapi did not write (messages, close reasons, HTTP bodies, handler output, AWS event
 * reasons) made safe to show to a person in a terminal.
 *
 * A terminal obeys control characters: ESC starts sequences that retitle the window (OSC 0), write
 * the clipboard (OSC 52), plant links (OSC 8) or clear the screen (CSI 2J); a C1 character such as
 * U+009B (CSI) does the same on terminals that honour 8-bit controls; a lone CR or backspaces let text
 * overwrite what is already on the line (so a message could pass itself off as one of wsapi's own
 * lines). Every such character is written as a visible escape instead; tab and line feed keep their
 * meaning. Everything else, astral characters and emoji included, is left as it is.
 */

// C0 controls but tab (\x09) and line feed (\x0a); DEL; C1 (U+0080–U+009F).
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/

function visible(char: string): string {
  // CRLF line ends are common in HTTP bodies and Windows output: \r reads better than \x0d.
  if (char === '\r') return String.raw`\r`
  const code = char.codePointAt(0)!
  // C0 and DEL as \xHH (\x1b, \x7f), C1 as \u00HH (\u009b): how JavaScript writes them.
  return code <= 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * The text with every control character a terminal would act on written as a visible escape
 * (`ESC` → `\x1b`, CR → `\r`, `U+009B` → `\u009b`); tab and line feed are kept. Not reversible
 * (a backslash in the text stays a backslash): it is for reading, not for data.
 */
export function terminalText(text: string): string {
  return HAS_CONTROL.test(text) ? text.replaceAll(CONTROLS, visible) : text
}

/** The same for text that must stay on one line (a log line, a table cell): line feeds become `\n`, tabs `\t`. */
export function terminalLine(text: string): string {
  return terminalText(text)
    .replaceAll('\n', String.raw`\n`)
    .replaceAll('\t', String.raw`\t`)
}
