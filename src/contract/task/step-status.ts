import Type from 'typebox';

/**
 * Step statuses of `install/status` progress entries: OVH's enum. byoi itself moves steps through
 * todo → doing → done | error; expired, idle, pending and stopping exist so replies stay within OVH's type.
 */
export const stepStatuses = ['todo', 'doing', 'done', 'error', 'expired', 'idle', 'pending', 'stopping'] as const;

/** One of stepStatuses. */
export type StepStatus = (typeof stepStatuses)[number];

/** The statuses byoi sets on its own steps. */
export const byoiStepStatuses = ['todo', 'doing', 'done', 'error'] as const satisfies readonly StepStatus[];

/** Schema of a step status. */
export const StepStatusSchema = Type.Enum(stepStatuses);
