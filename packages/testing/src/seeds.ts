/** The request examples of the two Tencent doc pages the project started from: kept with the samples, in the private test-helpers package (bundled here by the build). */
export {
  jsonFromDocExample,
  seedAfterSendMsgZh,
  seedSendMsgExceptionEn,
  seedSendMsgExceptionZh,
} from '@im-callbacks/test-helpers/samples';
