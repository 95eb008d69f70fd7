import {request as httpRequest} from 'node:http'

import {WsapiError} from '../errors.js'
import type {TableModel} from '../project/index.js'

/** A table of the template, under the name the handlers see. */
export interface LocalTable {
  /** GlobalSecondaryIndexes / LocalSecondaryIndexes as written in the template (literal values only). */
  indexes?: {global?: unknown[]; local?: unknown[]}
  model: TableModel
  name: string
}

/** dynalite insists on a signature's shape, never on its validity. */
const FAKE_SIGNATURE =
  'AWS4-HMAC-SHA256 Credential=AKIAWSAPIDEVLOCAL000/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0'

/** One DynamoDB call to the embedded endpoint; an error answer rejects with its message and `type` (e.g. ResourceNotFoundException). */
export async function dynamoCall<T>(endpoint: string, operation: string, body: unknown): Promise<T> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${endpoint}/`,
      {
        headers: {
          authorization: FAKE_SIGNATURE,
          'content-length': Buffer.byteLength(payload),
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-date': '20240101T000000Z',
          'x-amz-target': `DynamoDB_20120810.${operation}`,
        },
        method: 'POST',
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const parsed = (text ? JSON.parse(text) : {}) as T & {__type?: string; message?: string}
          if ((response.statusCode ?? 500) >= 400)
            reject(
              Object.assign(new Error(parsed.message ?? text), {
                type: String(parsed.__type ?? '')
                  .split('#')
                  .pop(),
              }),
            )
          else resolve(parsed)
        })
      },
    )
    request.on('error', reject)
    request.end(payload)
  })
}

export function keySchema(model: TableModel): Array<{AttributeName: string; KeyType: 'HASH' | 'RANGE'}> {
  return [
    {AttributeName: model.hashKey.name, KeyType: 'HASH'},
    ...(model.rangeKey ? [{AttributeName: model.rangeKey.name, KeyType: 'RANGE' as const}] : []),
  ]
}

/** On-demand tables take no ProvisionedThroughput on their indexes either. */
export function withoutThroughput(indexes: unknown[] | undefined): unknown[] | undefined {
  return indexes?.map((index) => {
    const {ProvisionedThroughput: _, ...rest} = index as Record<string, unknown>
    return rest
  })
}

/** Creates the table as the template declares it, unless a --persist folder already holds it with the same keys. */
export async function ensureTable(endpoint: string, table: LocalTable): Promise<void> {
  const schema = keySchema(table.model)
  try {
    const existing = await dynamoCall<{Table: {KeySchema: unknown}}>(endpoint, 'DescribeTable', {TableName: table.name})
    if (JSON.stringify(existing.Table.KeySchema) !== JSON.stringify(schema)) {
      throw new WsapiError(
        `Table ${table.model.logicalId} (${table.name}) in the --persist folder has other keys than template.yaml; delete the folder or use another one.`,
        {code: 'PERSISTED_TABLE_MISMATCH', exit: 2},
      )
    }

    return
  } catch (error) {
    if ((error as {type?: string}).type !== 'ResourceNotFoundException') throw error
  }

  await dynamoCall(endpoint, 'CreateTable', {
    AttributeDefinitions: table.model.attributeDefinitions.map((definition) => ({
      AttributeName: definition.name,
      AttributeType: definition.type,
    })),
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: withoutThroughput(table.indexes?.global),
    KeySchema: schema,
    LocalSecondaryIndexes: table.indexes?.local,
    TableName: table.name,
  })
}
