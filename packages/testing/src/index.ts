export { type Io as CliIo, main as cli, usage as cliUsage } from './cli.js';
export { type Invokable, type InvokeReply, type InvokeResult, invoke } from './invoke.js';
export {
  type BuildOptions,
  type BuiltRequest,
  buildRequest,
  type SendOptions,
  type SendResult,
  send,
  sign,
} from './request.js';
export { type SampleOf, type Samples, type SampleVariant, sample, samples, sampleVariants } from './samples.js';
export { jsonFromDocExample, seedAfterSendMsgZh, seedSendMsgExceptionEn, seedSendMsgExceptionZh } from './seeds.js';
