/** Reads a required environment variable; a clear error beats a later `undefined` table name. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]
  if (!value) throw new Error(`Environment variable ${name} is not set; the template sets it on the function.`)
  return value
}
