export { type CheckResult, type DoctorOptions, type DoctorReport, expandCommands, runDoctor } from './cli/doctor.js';
export { main as imCallbacksCli, SUBCOMMANDS, usage as imCallbacksUsage } from './cli/index.js';
export type { Io as CliIo, Subcommand } from './cli/io.js';
export { main as cli, usage as cliUsage } from './cli/send.js';
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
