import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {RUNTIME_DIR, TEMPLATES_DIR} from '../paths.js'
import {deploymentLogicalId, parseTemplate} from '../project/index.js'
import {type TemplateContext, templateContext} from './context.js'
import {createRenderer, type TemplateRenderer} from './engine.js'
import type {InitOptions} from './options.js'

/**
 * Every file of a new project, in memory: which template files a project gets for its options, where each
 * lands, rendered with the context of context.ts; the shared runtime copied beside them.
 */

export interface PlannedFile {
  contents: string
  /** Relative to the project folder, with forward slashes. */
  path: string
}

export interface ProjectPlan {
  files: PlannedFile[]
  options: InitOptions
  /** Things the user should know about their choices (printed, never fatal). */
  warnings: string[]
}

const PROJECT_TEMPLATES = join(TEMPLATES_DIR, 'project')
const ROUTE_PLACEHOLDER = '[route]'

/** Template files that exist only for some choices. */
const CONDITIONAL_FILES: Record<string, (options: InitOptions) => boolean> = {
  'src/handlers/authorizer-jwt.ts.hbs': (options) => options.auth === 'jwt',
  'src/handlers/authorizer.ts.hbs': (options) => options.auth === 'token',
  'test/authorizer-jwt.test.ts.hbs': (options) => options.auth === 'jwt',
  'src/handlers/default.ts.hbs': (options) => options.defaultRoute,
  'src/token-protocol.ts': (options) => options.auth === 'jwt',
  'src/handlers/fanout.ts.hbs': (options) => options.fanoutShards > 1,
  'test/authorizer.test.ts.hbs': (options) => options.auth === 'token',
  'test/context.ts': (options) => options.fanoutShards > 1,
  'test/default.test.ts.hbs': (options) => options.defaultRoute,
  'test/fanout.test.ts.hbs': (options) => options.fanoutShards > 1,
  'src/handlers/join.ts.hbs': (options) => options.rooms,
  'src/handlers/leave.ts.hbs': (options) => options.rooms,
  'src/handlers/whoami.ts.hbs': (options) => options.rooms,
  'test/rooms.test.ts.hbs': (options) => options.rooms,
}

/** Runtime helpers that only some projects use (the others are copied into every project). */
const CONDITIONAL_RUNTIME_FILES: Record<string, (options: InitOptions) => boolean> = {
  'rooms.ts': (options) => options.rooms,
}

/** npm strips .gitignore from published packages, so the template ships it as _gitignore (as create-vite does). */
const RENAMED_FILES: Record<string, string> = {
  _gitignore: '.gitignore',
  // One authorizer per project, whichever kind: the template always names src/handlers/authorizer.ts.
  'authorizer-jwt.test.ts': 'authorizer.test.ts',
  'authorizer-jwt.ts': 'authorizer.ts',
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort()
}

function renderFile(render: TemplateRenderer, templatePath: string, context: object): string {
  const source = readFileSync(join(PROJECT_TEMPLATES, templatePath), 'utf8')
  return templatePath.endsWith('.hbs') ? render(source, context, templatePath) : source
}

function outputPath(templatePath: string, routeFile?: string): string {
  let path = templatePath.replace(/\.hbs$/, '')
  if (routeFile !== undefined) path = path.replace(ROUTE_PLACEHOLDER, routeFile)
  const parts = path.split('/')
  const last = parts.at(-1)!
  parts[parts.length - 1] = RENAMED_FILES[last] ?? last
  return parts.join('/')
}

/** Renders template.yaml, naming its deployment after a hash of the routes it deploys. */
function renderTemplateYaml(render: TemplateRenderer, context: TemplateContext): string {
  const draft = renderFile(render, 'template.yaml.hbs', context)
  const deploymentId = deploymentLogicalId(parseTemplate(draft, 'template.yaml'))
  return renderFile(render, 'template.yaml.hbs', {...context, deploymentId})
}

/** Every file of a new project, in memory: nothing is written here. */
export function planProject(options: InitOptions): ProjectPlan {
  const warnings: string[] = []
  const context = templateContext(options, warnings)
  const render = createRenderer()
  const files: PlannedFile[] = []
  for (const templatePath of listFiles(PROJECT_TEMPLATES)) {
    const condition = CONDITIONAL_FILES[templatePath]
    if (condition && !condition(options)) continue
    if (templatePath === 'template.yaml.hbs') {
      files.push({contents: renderTemplateYaml(render, context), path: 'template.yaml'})
    } else if (templatePath.includes(ROUTE_PLACEHOLDER)) {
      for (const route of context.routes.filter((candidate) => candidate.kind === 'custom')) {
        files.push({
          contents: renderFile(render, templatePath, {...context, route}),
          path: outputPath(templatePath, route.file),
        })
      }
    } else {
      files.push({contents: renderFile(render, templatePath, context), path: outputPath(templatePath)})
    }
  }

  // The shared runtime is copied, not installed: the project stays self-contained and esbuild bundles it into each function.
  for (const runtimeFile of listFiles(RUNTIME_DIR).filter(
    (file) => file.endsWith('.ts') && !file.includes('/') && (CONDITIONAL_RUNTIME_FILES[file]?.(options) ?? true),
  )) {
    files.push({contents: readFileSync(join(RUNTIME_DIR, runtimeFile), 'utf8'), path: `src/runtime/${runtimeFile}`})
  }

  files.sort((a, b) => (a.path < b.path ? -1 : 1))
  return {files, options, warnings}
}
