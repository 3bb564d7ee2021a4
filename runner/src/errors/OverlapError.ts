// One base class for every package's errors, defined in @overlap/shared; re-exported here so the
// runner's own modules keep importing it from this path.
export { OverlapError, codeGuard } from '@overlap/shared';
