// The one InvalidOptionError of every Overlap package, defined in @overlap/shared; re-exported here so
// the runner's own modules keep importing it from this path.
export { InvalidOptionError, isInvalidOptionError } from '@overlap/shared';
