import { installRequestSecretPaths } from '../../contract/request/install-request.ts';

/**
 * pino redaction paths for every logger of the control plane. Fastify's request serializer logs method,
 * url, host and address only, but any child logger or error object that carries these fields is masked:
 * signature headers and cookies, the install request's secrets, tokens and keys.
 */
export const redactPaths: readonly string[] = [
  'req.headers["x-ovh-consumer"]',
  'req.headers["x-ovh-signature"]',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-byoi-csrf"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'consumerKey',
  'applicationSecret',
  'agentToken',
  'token',
  'password',
  '*.consumerKey',
  '*.applicationSecret',
  '*.agentToken',
  '*.token',
  '*.password',
  '*.httpHeaders',
  '*.configDriveUserData',
  '*.customizations.httpHeaders',
  '*.customizations.configDriveUserData',
  'body.customizations.httpHeaders',
  'body.customizations.configDriveUserData',
  'body.userMetadata',
  'request.image.httpHeaders',
  'request.userData',
  ...installRequestSecretPaths.map((path) => `installRequest.${path}`),
  'powerConfig',
  '*.powerConfig',
];
