import Type, { type Static } from 'typebox';
import { StepStatusSchema } from './step-status.ts';

/** One step of `install/status`: the comment, its status, and the error text of a failed step (else empty or null). */
export const InstallProgressSchema = Type.Object(
  {
    comment: Type.String(),
    status: StepStatusSchema,
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

/** `GET /dedicated/server/{serviceName}/install/status` (OVH dedicated.server.InstallationProgressStatus). */
export const InstallStatusSchema = Type.Object(
  {
    elapsedTime: Type.Integer({ minimum: 0, description: 'Seconds since the install began' }),
    progress: Type.Array(InstallProgressSchema),
  },
  { additionalProperties: false },
);

/** An install/status reply. */
export type InstallStatus = Static<typeof InstallStatusSchema>;
/** One progress entry. */
export type InstallProgress = Static<typeof InstallProgressSchema>;
