import type {Hook} from '../oclif.js'

/**
 * `wsapi --version` names the command people type, not the npm package (`wsapi-cli`, because the npm name wsapi
 * belongs to another project). oclif prints `config.userAgent` after this hook; nothing else of ours reads it.
 */
const hook: Hook<'init'> = async function () {
  const {arch, bin, platform, version} = this.config
  // Read-only in oclif's types, but a plain property that oclif fills in once, at load, before this hook runs.
  ;(this.config as {userAgent: string}).userAgent = `${bin}/${version} ${platform}-${arch} node-${process.version}`
}

export default hook
