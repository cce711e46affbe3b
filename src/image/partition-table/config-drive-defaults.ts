// What byoi's config-drive partition looks like by default. The partition editor (deploy/partition/) makes it so,
// and `inspectImage()` checks that an image leaves room for it: both read these constants.

/** Size of the config-drive partition at the end of the disk: Ironic's MAX_CONFIG_DRIVE_SIZE_MB (64 MiB). */
export const DEFAULT_CONFIG_DRIVE_BYTES = 64 * 1024 * 1024;

/** GPT partition name of the config drive, the filesystem label cloud-init looks for. */
export const DEFAULT_CONFIG_DRIVE_NAME = 'config-2';
