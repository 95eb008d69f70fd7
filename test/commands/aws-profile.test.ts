import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {type FakeAws, startFakeAws} from '../helpers/fake-aws-server.js'
import {scaffoldProject} from '../helpers/project.js'
import {tempDir} from '../helpers/tmp.js'

/** `wsapi status` with the AWS settings a user may have: profiles in ~/.aws, AWS_PROFILE, access-key variables. */
describe('AWS profiles (spawned, fake AWS over HTTP)', function () {
  this.timeout(60_000)
  let fake: FakeAws
  let home: string
  let dir: string

  beforeEach(async () => {
    fake = await startFakeAws()
    home = tempDir()
    dir = scaffoldProject()
  })

  afterEach(() => fake.stop())

  /** The fake's environment, but with the shared files where the AWS CLI puts them, under HOME. */
  const status = (env: NodeJS.ProcessEnv, args: string[] = []) =>
    runCli(['status', ...args], {
      cwd: dir,
      env: {...fake.env, AWS_CONFIG_FILE: '', AWS_SHARED_CREDENTIALS_FILE: '', HOME: home, ...env},
    })

  function writeAwsFiles(config?: string, credentials?: string) {
    mkdirSync(join(home, '.aws'), {recursive: true})
    if (config !== undefined) writeFileSync(join(home, '.aws/config'), config)
    if (credentials !== undefined) writeFileSync(join(home, '.aws/credentials'), credentials)
  }

  it('--profile naming no profile says so, whatever else is set (config file or not, --region or not)', async () => {
    const noFiles = await status({AWS_ACCESS_KEY_ID: '', AWS_REGION: '', AWS_SECRET_ACCESS_KEY: ''}, [
      '--profile',
      'nosuch',
      '--region',
      'eu-west-1',
    ])
    assert.equal(noFiles.code, 2)
    assert.equal(
      noFiles.stderr,
      'Error: The AWS profile "nosuch" is not in ~/.aws/config or ~/.aws/credentials: fix --profile, create it with `aws configure --profile nosuch`.\n',
    )

    writeAwsFiles(
      '[default]\nregion = eu-west-1\n\n[profile dev]\nregion = eu-west-1\n\n[sso-session corp]\nsso_region = eu-west-1\n',
    )
    const withConfig = await status({AWS_ACCESS_KEY_ID: '', AWS_REGION: '', AWS_SECRET_ACCESS_KEY: ''}, [
      '--profile',
      'nosuch',
    ])
    assert.equal(withConfig.code, 2)
    assert.equal(
      withConfig.stderr,
      'Error: The AWS profile "nosuch" is not in ~/.aws/config or ~/.aws/credentials: fix --profile (profiles there: default, dev), create it with `aws configure --profile nosuch`.\n',
    )
  })

  it('AWS_PROFILE naming no profile, with access keys set: one line, no SDK warning', async () => {
    const result = await status({AWS_PROFILE: 'nosuch'})
    assert.equal(result.code, 2)
    assert.equal(
      result.stderr,
      'Error: The AWS profile "nosuch" is not in ~/.aws/config or ~/.aws/credentials: fix AWS_PROFILE, create it with `aws configure --profile nosuch`, or unset AWS_PROFILE to use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.\n',
    )
  })

  it('a profile and access keys both set: one line saying the profile wins, instead of the SDK’s nine', async () => {
    writeAwsFiles(undefined, '[dev]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n')
    const result = await status({AWS_PROFILE: 'dev'})
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /not deployed/i)
    assert.equal(
      result.stderr,
      '! Using the AWS profile "dev" (AWS_PROFILE); AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set too and are ignored: unset one or the other.\n',
    )
  })
})
