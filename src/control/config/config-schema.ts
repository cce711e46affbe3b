import { Type, type Static } from 'typebox';

/**
 * The control plane's configuration. Sources, lowest to highest precedence: these defaults, the file given
 * with --config (YAML or JSON), BYOI_* environment variables, then command-line flags. docs/OPERATIONS.md
 * lists every key with its variable.
 */
export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address to listen on' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port (0 picks a free one)' }),
    workers: Type.Union([Type.Integer({ minimum: 1, maximum: 64 }), Type.Literal('auto')], {
      default: 1,
      description: 'HTTP worker processes of `byoi serve` (node:cluster); auto: one per CPU; 1: a single process',
    }),
    dataDir: Type.String({ minLength: 1, default: './data', description: 'SQLite file, secret key, demo credentials, dev CA' }),
    database: Type.Optional(
      Type.String({
        pattern: '^(sqlite:|postgres://|postgresql://)',
        description: 'sqlite:PATH or postgres://user:password@host:port/database; default sqlite:DATA_DIR/byoi.db',
      }),
    ),
    publicUrl: Type.Optional(
      Type.String({ pattern: '^https?://[^/]+$', description: 'Origin clients use to reach this server, e.g. https://byoi.example.net' }),
    ),
    secretKey: Type.Optional(Type.String({ minLength: 44, maxLength: 44, description: 'Master key, base64 of 32 bytes' })),
    tls: Type.Object(
      {
        dev: Type.Boolean({ default: false, description: 'Make a local CA and a certificate for 127.0.0.1 and localhost' }),
        cert: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate chain file' })),
        key: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key file' })),
      },
      { default: {}, additionalProperties: false },
    ),
    auth: Type.Object(
      {
        clockSkewSeconds: Type.Integer({ minimum: 10, maximum: 3600, default: 180, description: 'Accepted |X-Ovh-Timestamp - server time|' }),
        sessionSeconds: Type.Integer({ minimum: 60, maximum: 86400, default: 3600, description: 'Lifetime of a browser session' }),
        trustProxy: Type.Boolean({ default: false, description: 'Trust X-Forwarded-Proto/Host from a reverse proxy' }),
      },
      { default: {}, additionalProperties: false },
    ),
    tasks: Type.Object(
      {
        leaseSeconds: Type.Integer({ minimum: 5, maximum: 3600, default: 120, description: 'A runner or agent silent this long loses its task' }),
        installerStartSeconds: Type.Integer({
          minimum: 10,
          maximum: 86400,
          default: 900,
          description: 'After rebooting a server into the installer, how long its agent may take to fetch the job',
        }),
        firstBootWaitSeconds: Type.Integer({
          minimum: 0,
          maximum: 86400,
          default: 0,
          description: "0: an install is done once written and rebooted (OVH); N: it waits up to N s for the OS's first-boot report",
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    // The boot service (src/control/boot/): what iPXE is told and who may fetch an installer script.
    boot: Type.Object(
      {
        url: Type.Optional(
          Type.String({ pattern: '^https?://[^/]+$', description: 'Origin iPXE uses to reach the boot service; default: the Host of each request' }),
        ),
        rescueDir: Type.Optional(Type.String({ minLength: 1, description: 'Directory holding the rescue vmlinuz and initrd.img; default DATA_DIR/rescue' })),
        rescueUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'Base URL of the rescue vmlinuz and initrd.img, instead of serving rescueDir' })),
        // quiet: the kernel would print its command line, the installer's one-time token included, on the console.
        kernelArgs: Type.String({ maxLength: 1024, default: 'quiet console=tty0 console=ttyS0,115200n8', description: 'Extra rescue kernel arguments' }),
        allowedNetworks: Type.Array(Type.String({ pattern: '^[0-9A-Fa-f.:]+/[0-9]{1,3}$' }), {
          default: [],
          description: 'CIDRs that may fetch boot scripts other than the unknown-MAC one; empty: any source',
        }),
        requireServerIp: Type.Boolean({ default: false, description: "Serve a server's scripts only to a request from its registered ip" }),
        retrySeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 30, description: 'Delay before an unknown or refused client asks again' }),
        grubLoader: Type.Boolean({ default: true, description: 'Offer the GRUB EFI chain loader to UEFI servers (needs grub-mkimage and grub-efi-amd64-bin)' }),
      },
      { default: {}, additionalProperties: false },
    ),
    demo: Type.Boolean({ default: true, description: 'Create the demo account (and fleet) on first start' }),
    logLevel: Type.Union(
      [Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')],
      { default: 'info' },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
