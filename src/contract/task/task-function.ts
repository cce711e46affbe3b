import Type from 'typebox';

/** OVH dedicated.TaskFunctionEnum values byoi produces: an install is `reinstallServer` on both routes. */
export const taskFunctions = ['reinstallServer'] as const;

/** One of taskFunctions. */
export type TaskFunction = (typeof taskFunctions)[number];

/** Schema of a task function. */
export const TaskFunctionSchema = Type.Enum(taskFunctions);

/** The comment of a new install task, per route, as OVH words them. */
export const installTaskComments = {
  reinstall: 'Start bare metal OS installation',
  installStart: 'Start dedicated server installation',
} as const;
