/**
 * What a Whirl without a container engine can run: process containers start the runtime proxies with the host's
 * interpreters, so they serve the code kinds and blackbox actions on Whirl's own skeleton image (whose `exec` is the
 * action's script or zipped binary). Any other blackbox image is a container image, and needs Docker.
 */
const BLACKBOX_SKELETON = /^whirl\/runtime-blackbox(:[\w.-]+)?$/;

/** Named in errors: what process containers run. */
export const HOST_RUNTIMES = 'nodejs and python kinds, and blackbox actions on whirl/runtime-blackbox';

/** Whether a blackbox action's image runs as a host process (Whirl's skeleton, any tag). */
export function isBlackboxSkeleton(image: string): boolean {
  return BLACKBOX_SKELETON.test(image);
}
