// The only part of wsapi that talks to the AWS SDK. Importing it loads no SDK module: createAwsSession does.
export * from './clients.js'
export * from './cloudformation.js'
export * from './connections.js'
export * from './errors.js'
export * from './logs.js'
export * from './options.js'
export * from './s3.js'
