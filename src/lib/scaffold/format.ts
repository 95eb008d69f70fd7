import {dirname, join} from 'node:path'

import {TEMPLATES_DIR} from '../paths.js'
import type {PlannedFile, ProjectPlan} from './plan.js'

/** The generated project's own Prettier settings: what it is formatted with now is what `npm run format` keeps. */
export const PRETTIER_CONFIG_PATH = join(TEMPLATES_DIR, 'project', '.prettierrc.json')

const PARSERS: Array<[RegExp, string]> = [
  [/\.(ts|mts|cts)$/, 'typescript'],
  [/\.(js|mjs|cjs)$/, 'babel'],
  [/\.json$/, 'json'],
  [/\.md$/, 'markdown'],
  [/\.ya?ml$/, 'yaml'],
]

/**
 * Runs every file of the plan that Prettier knows through it, with the project's .prettierrc.json, so that
 * what templating leaves behind (quotes from JSON literals, spacing around `{{…}}`) never reaches the user and
 * `npm run format:check` passes on a fresh project. Prettier is loaded only here.
 */
export async function formatPlan(plan: ProjectPlan): Promise<ProjectPlan> {
  return {...plan, files: await formatFiles(plan.files)}
}

/** Formats files of the generated project as formatPlan does (`wsapi route add` writes its handler with it). */
export async function formatFiles(files: PlannedFile[]): Promise<PlannedFile[]> {
  const prettier = await import('prettier')
  const format = async (file: PlannedFile): Promise<PlannedFile> => {
    const parser = PARSERS.find(([pattern]) => pattern.test(file.path))?.[1]
    if (!parser) return file
    // As if the file sat next to the config, so that its `overrides` apply as they will in the project.
    const options = await prettier.resolveConfig(join(dirname(PRETTIER_CONFIG_PATH), file.path), {
      config: PRETTIER_CONFIG_PATH,
      editorconfig: false,
    })
    try {
      // Prettier is not always idempotent on templated input (a call chain it breaks on the first pass can join
      // on the second): format until the text is stable, so that `prettier --check` agrees with what was written.
      let contents = file.contents
      for (let pass = 0; pass < 3; pass++) {
        // eslint-disable-next-line no-await-in-loop -- each pass formats the previous pass's output
        const formatted = await prettier.format(contents, {...options, filepath: file.path, parser})
        if (formatted === contents) break
        contents = formatted
      }

      return {...file, contents}
    } catch (error) {
      throw new Error(`Generated ${file.path} is not valid ${parser}: ${(error as Error).message}`, {cause: error})
    }
  }

  return Promise.all(files.map((file) => format(file)))
}
