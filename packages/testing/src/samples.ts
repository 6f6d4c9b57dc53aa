/**
 * A realistic sample body for every command and the documented alternates. The data lives in the
 * monorepo's private test-helpers package, shared with core's own tests (which must not depend on
 * this package); the build bundles it here, so the published package is self-contained.
 */
export {
  type SampleOf,
  type Samples,
  type SampleVariant,
  sample,
  samples,
  sampleVariants,
} from '@im-callbacks/test-helpers/samples';
