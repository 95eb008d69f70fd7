const YES = /^y(es)?$/i
const NO = /^no?$/i

/**
 * A yes/no question that takes only y, yes, n, no (any case) or Enter for the default: inquirer's own
 * confirm takes any other answer ("maybe") as the default.
 */
export async function askYesNo(
  input: typeof import('@inquirer/prompts').input,
  message: string,
  defaultValue: boolean,
): Promise<boolean> {
  const answer = await input({
    message: `${message} ${defaultValue ? '(Y/n)' : '(y/N)'}`,
    transformer: (value, {isFinal}) =>
      isFinal ? ((value.trim() === '' ? defaultValue : YES.test(value.trim())) ? 'yes' : 'no') : value,
    validate: (value) =>
      value.trim() === '' ||
      YES.test(value.trim()) ||
      NO.test(value.trim()) ||
      'Answer y or n (or press Enter for the default).',
  })
  return answer.trim() === '' ? defaultValue : YES.test(answer.trim())
}
