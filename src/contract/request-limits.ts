/**
 * The limits byoi puts on an install request, in one place so docs/CONTRACT.md, the validators and the panel
 * agree. OVH documents none of these numbers; each is chosen to be far above real use and low enough that a
 * request cannot make the control plane, the agent or the config drive do unbounded work.
 */
export const requestLimits = {
  /** imageURL length in characters (curl and most servers cope with far more; 4 KiB covers presigned URLs). */
  imageUrlMaxLength: 4096,
  /** RFC 1035 2.3.4: 255 octets on the wire, which is 253 characters written with dots. */
  hostnameMaxLength: 253,
  /** RFC 1035 2.3.4: a label is 63 octets or less. */
  hostnameLabelMaxLength: 63,
  /** sshKey text length; a 16384-bit RSA key with a long comment is about 3 KiB. */
  sshKeyMaxLength: 8192,
  /** RSA modulus bounds in bits: 2048 is byoi's floor, 16384 is OpenSSH's ceiling (SSHBUF_MAX_BIGNUM). */
  rsaMinBits: 2048,
  rsaMaxBits: 16384,
  /** configDriveUserData as stored on the config drive (after base64, before gunzip), in bytes. */
  userDataMaxBytes: 256 * 1024,
  /** configDriveUserData after gunzip, in bytes: the limit on what a gzip member may expand to. */
  userDataMaxUncompressedBytes: 1024 * 1024,
  /** configDriveMetadata: entries, key length and value length in characters (nova allows 128 entries). */
  metadataMaxEntries: 128,
  metadataKeyMaxLength: 255,
  metadataValueMaxLength: 4096,
  /** httpHeaders: count, name and value length in characters, and name + value summed over all headers. */
  httpHeadersMaxCount: 32,
  httpHeaderNameMaxLength: 256,
  httpHeaderValueMaxLength: 8192,
  httpHeadersMaxTotalLength: 16384,
  /** efiBootloaderPath length and one component's length (a FAT long name is at most 255 characters). */
  efiPathMaxLength: 512,
  efiPathComponentMaxLength: 255,
} as const;
