import Handlebars from 'handlebars'

export type TemplateRenderer = (source: string, context: object, name: string) => string

/**
 * One Handlebars environment for every template: `noEscape` because we write code and YAML, not HTML
 * (escaping would corrupt them), and `strict` so that a misspelt variable fails instead of rendering "".
 */
export function createRenderer(): TemplateRenderer {
  const handlebars = Handlebars.create()
  // A JSON literal: a safe YAML scalar and a safe TypeScript expression for any string.
  handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value))
  // An object key as a person writes it: bare when it is an identifier (`connectionId`), quoted otherwise (`"conn-id"`).
  handlebars.registerHelper('propertyKey', (value: string) =>
    /^[A-Za-z_$][\w$]*$/.test(value) ? value : JSON.stringify(value),
  )
  const cache = new Map<string, ReturnType<typeof handlebars.compile>>()
  return (source, context, name) => {
    let template = cache.get(source)
    if (!template) {
      template = handlebars.compile(source, {noEscape: true, strict: true})
      cache.set(source, template)
    }

    try {
      return template(context)
    } catch (error) {
      throw new Error(`Template ${name} failed to render: ${(error as Error).message}`, {cause: error})
    }
  }
}
