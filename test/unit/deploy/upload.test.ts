import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {DescribeStacksCommand} from '@aws-sdk/client-cloudformation'

import type {WsapiError} from '../../../src/lib/errors.js'
import {useMockedAws} from '../../helpers/aws-mocks.js'
import {changeSetInputs, deploy, deployed} from '../../helpers/deploy.js'
import {scaffoldProject} from '../../helpers/project.js'

describe('deploy: the build uploaded to the artifact bucket (CloudFormation mocked, S3 real on s3rver)', function () {
  this.timeout(60_000)
  const fake = useMockedAws({buckets: ['own-bucket']})

  it('after waiting for another deploy of the stack, puts back an artifact that deploy hid meanwhile', async () => {
    const dir = scaffoldProject()
    const first = deployed((await deploy(dir)).result)
    const reused = first.artifacts.uploaded[0].key
    fake.aws.sim.startForeignUpdate('chat-v1')
    let hidden = false
    let busyAnswers = 0
    fake.aws.cfn.on(DescribeStacksCommand).callsFake(async (input) => {
      const answer = (await fake.aws.sim.handle('DescribeStacks', input)) as {Stacks: Array<{StackStatus: string}>}
      // The first busy answer comes before the upload, the second once this deploy waits.
      if (answer.Stacks[0].StackStatus === 'UPDATE_IN_PROGRESS' && ++busyAnswers === 2) {
        // The other deploy finishes and removes what its template does not use.
        await fetch(`${fake.s3.url}/${first.artifacts.bucket}/${reused}`, {method: 'DELETE'})
        hidden = true
      }

      return answer
    })
    const {result} = await deploy(dir)
    assert.equal(deployed(result).noOp, true)
    assert.ok(hidden)
    assert.equal(await fake.s3.objectExists(first.artifacts.bucket, reused), true)
  })

  it('sends a template over 51,200 bytes by TemplateURL from the bucket', async () => {
    const dir = scaffoldProject()
    const file = join(dir, 'template.yaml')
    const padding = Array.from({length: 600}, (_, i) => `    note${i}: "${'x'.repeat(80)}"`).join('\n')
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('Metadata:\n  wsapi:\n', `Metadata:\n  notes:\n${padding}\n  wsapi:\n`),
    )
    const {output, result} = await deploy(dir)
    const done = deployed(result)
    const [input] = changeSetInputs(fake, 'chat-v1')
    assert.equal(input.TemplateBody, undefined)
    assert.match(
      input.TemplateURL!,
      new RegExp(`^${fake.s3.url}/${done.artifacts.bucket}/chat-v1/[0-9a-f]{64}\\.template\\.json$`),
    )
    const stored = await fake.s3.fetchTemplate(input.TemplateURL!)
    assert.ok(Buffer.byteLength(stored) > 51_200)
    assert.equal(JSON.parse(stored).Metadata.notes.note599, 'x'.repeat(80))
    assert.match(output.text(), /over CloudFormation's 51200-byte TemplateBody limit/)

    // The same template again: already there, not uploaded twice.
    const puts = fake.s3.puts.length
    assert.equal(deployed((await deploy(dir)).result).noOp, true)
    assert.equal(fake.s3.puts.length, puts)
  })

  it('--s3-bucket: uses that bucket and creates no bootstrap stack', async () => {
    const dir = scaffoldProject()
    const done = deployed((await deploy(dir, {s3Bucket: 'own-bucket'})).result)
    assert.equal(done.artifacts.bucket, 'own-bucket')
    assert.equal(done.artifacts.managed, false)
    assert.equal(fake.aws.sim.stack('wsapi-bootstrap'), undefined)
    for (const artifact of done.artifacts.uploaded)
      assert.equal(await fake.s3.objectExists('own-bucket', artifact.key), true)
    assert.equal(
      changeSetInputs(fake, 'chat-v1')[0].Parameters!.find((parameter) => parameter.ParameterKey === 'ArtifactBucket')!
        .ParameterValue,
      'own-bucket',
    )
  })

  it('a missing --s3-bucket is one line saying what to do', async () => {
    const dir = scaffoldProject()
    await assert.rejects(deploy(dir, {s3Bucket: 'no-such-bucket'}), (error: WsapiError) => {
      assert.equal(error.code, 'BUCKET_MISSING')
      assert.equal(
        error.message,
        "Bucket no-such-bucket does not exist in eu-west-1: create it, fix --s3-bucket, or leave --s3-bucket out to use wsapi's managed bucket.",
      )
      return true
    })
  })
})
