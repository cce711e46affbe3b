import { Type } from 'typebox';
import { TaskSchema } from '../../../contract/task/task-schema.ts';
import { InstallStatusSchema } from '../../../contract/task/install-status-schema.ts';

/**
 * A task reply: the contract's TaskSchema with the functions the control plane creates (installs are
 * reinstallServer; POST .../reboot makes hardReboot).
 */
export const TaskReplySchema = Type.Object(
  {
    ...TaskSchema.properties,
    function: Type.Union([Type.Literal('reinstallServer'), Type.Literal('hardReboot')]),
  },
  { additionalProperties: false },
);

export const TaskIdParamsSchema = Type.Object({
  serviceName: Type.String({ minLength: 1, maxLength: 255 }),
  taskId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

export const TaskListQuerySchema = Type.Object({
  function: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(Type.String({ maxLength: 64 })),
});

/** byoi's extra install/status field (OVH clients ignore unknown fields): live figures of the image write. */
export const ByoiInstallProgressSchema = Type.Object(
  {
    taskId: Type.Integer(),
    status: TaskSchema.properties.status,
    bytesDownloaded: Type.Union([Type.Integer(), Type.Null()]),
    bytesTotal: Type.Union([Type.Integer(), Type.Null()]),
    bytesWritten: Type.Union([Type.Integer(), Type.Null()]),
    rate: Type.Union([Type.Number(), Type.Null()], { description: 'bytes per second' }),
    etaSeconds: Type.Union([Type.Number(), Type.Null()]),
    events: Type.String({ description: 'Path of the SSE stream of this task' }),
  },
  { additionalProperties: false },
);

export const InstallStatusReplySchema = Type.Object(
  { ...InstallStatusSchema.properties, byoi: ByoiInstallProgressSchema },
  { additionalProperties: false },
);
