/** Reads a required environment variable; a clear error beats a later `undefined` table name. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]
  if (!value) throw new Error(`Environment variable ${name} is not set; the template sets it on the function.`)
  return value
}

export const DEFAULT_BROADCAST_CONCURRENCY = 50

/** Reads BROADCAST_CONCURRENCY (posts in flight during a broadcast), falling back to the default for a missing or bad value. */
export function concurrencyFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.BROADCAST_CONCURRENCY)
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_BROADCAST_CONCURRENCY
}
