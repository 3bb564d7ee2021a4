// The option checks every Overlap package uses, defined in @overlap/shared; re-exported here so the
// runner's own modules keep importing them from this path.
export { validateOption } from '@overlap/shared';
