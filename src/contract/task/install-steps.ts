/**
 * The steps of a BYOI install, in the order they run. All are listed up front in `install/status` (as OVH
 * does) with the running one `doing`. `id` is stable (stored, matched by code); `comment` is what OVH-style
 * clients print. OVH never published its byoi_64 step list: these follow byoi's own pipeline. A step that
 * has nothing to do (verify-checksum without a checksum) is still listed and goes straight to done.
 */
export const installSteps = [
  { id: 'reboot-installer', comment: 'Rebooting into the installer' },
  { id: 'check-image', comment: 'Checking the image' },
  { id: 'download-write', comment: 'Downloading and writing the image' },
  { id: 'verify-checksum', comment: 'Verifying the checksum' },
  { id: 'move-gpt', comment: 'Moving the GPT backup to the end of the disk' },
  { id: 'config-drive', comment: 'Creating the config drive' },
  { id: 'switch-boot', comment: 'Switching boot' },
  { id: 'last-reboot', comment: 'Running last reboot' },
  { id: 'first-boot', comment: 'Waiting for first boot confirmation' },
] as const;

/** The id of one install step. */
export type InstallStepId = (typeof installSteps)[number]['id'];

/** True when `id` names an install step. */
export function isInstallStepId(id: string): id is InstallStepId {
  return installSteps.some((step) => step.id === id);
}

/** The comment shown for a step. */
export function installStepComment(id: InstallStepId): string {
  return installSteps.find((step) => step.id === id)?.comment ?? id;
}
