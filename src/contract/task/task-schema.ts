import Type, { type Static } from 'typebox';
import { TaskFunctionSchema } from './task-function.ts';
import { TaskStatusSchema } from './task-status.ts';

const dateTime = (description: string) => Type.String({ format: 'date-time', description });
const nullableDateTime = (description: string) => Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });

/**
 * A task as `GET /dedicated/server/{serviceName}/task/{taskId}` and the install routes return it (OVH
 * dedicated.server.Task; `/reinstall` answers the subset dedicated.server.task.Response, so the fields OVH
 * added later are optional). Dates are ISO 8601 with an offset.
 */
export const TaskSchema = Type.Object(
  {
    taskId: Type.Integer({ minimum: 1 }),
    function: TaskFunctionSchema,
    status: TaskStatusSchema,
    comment: Type.Union([Type.String(), Type.Null()]),
    startDate: dateTime('When the task was created'),
    doneDate: nullableDateTime('When the task reached a terminal status'),
    lastUpdate: nullableDateTime('When the task last changed'),
    needSchedule: Type.Optional(Type.Boolean()),
    note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    ticketReference: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    plannedInterventionId: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    tags: Type.Optional(
      Type.Union([Type.Array(Type.Object({ key: Type.String(), value: Type.String() }, { additionalProperties: false })), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

/** A task reply. */
export type Task = Static<typeof TaskSchema>;
