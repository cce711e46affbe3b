// The API's reply shapes, as the control plane declares them (TypeBox schemas in src/control/http/schemas/ and
// src/contract/). The panel imports them and never redefines one.
import type { Static } from 'typebox';
import type {
  BootOptionSchema,
  DedicatedServerSchema,
  HardwareSpecificationsSchema,
} from '../../../src/control/http/schemas/server-schemas.ts';
import type { InstallStatusReplySchema, TaskReplySchema } from '../../../src/control/http/schemas/task-schemas.ts';
import type { AdminServerViewSchema, AdminTaskSchema } from '../../../src/control/http/schemas/admin-schemas.ts';
import type { AuthDetailsSchema, SessionReplySchema } from '../../../src/control/http/schemas/auth-schemas.ts';
import type { TaskProgress, TaskStep } from '../../../src/control/tasks/task-model.ts';
import type { TaskStatus } from '../../../src/contract/task/task-status.ts';

export type DedicatedServer = Static<typeof DedicatedServerSchema>;
export type HardwareSpecifications = Static<typeof HardwareSpecificationsSchema>;
export type DiskGroupSpec = HardwareSpecifications['diskGroups'][number];
export type BootOption = Static<typeof BootOptionSchema>;
export type TaskReply = Static<typeof TaskReplySchema>;
export type InstallStatusReply = Static<typeof InstallStatusReplySchema>;
export type AdminServerView = Static<typeof AdminServerViewSchema>;
export type AdminTask = Static<typeof AdminTaskSchema>;
export type AuthDetails = Static<typeof AuthDetailsSchema>;
export type SessionReply = Static<typeof SessionReplySchema>;
export type { InspectResult, ImageProblem } from '../../../src/image/inspect-result.ts';
export type { TaskStatus };

/** `data` of the SSE events (docs/API.md §7), each with the `at` the stream adds. */
export type TaskStatusEventData = { status: TaskStatus; comment: string; errorCode?: string; message?: string; at: string };
export type TaskStepEventData = Pick<TaskStep, 'comment' | 'status' | 'error'> & { step: string; at: string };
export type TaskProgressEventData = TaskProgress & { at: string };
export type TaskNoticeEventData = { message: string; at: string };
