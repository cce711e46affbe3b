import { useEffect, useReducer } from 'react';
import { isTerminalTaskStatus } from '../../../src/contract/task/task-status.ts';
import { apiBase, segment } from '../api/client.ts';
import { initialSteps, type StepView } from '../api/install-progress.ts';
import type { TaskNoticeEventData, TaskProgressEventData, TaskStatus, TaskStatusEventData, TaskStepEventData } from '../api/types.ts';

/** A task as its event stream tells it (docs/API.md §7). */
export interface LiveTask {
  status: TaskStatus | null;
  comment: string;
  errorCode: string | null;
  errorMessage: string | null;
  steps: StepView[];
  progress: TaskProgressEventData | null;
  notices: TaskNoticeEventData[];
  connection: 'connecting' | 'open' | 'reconnecting' | 'ended';
  /** The id of the last event applied (what a reconnect asks to resume after). */
  lastEventId: number;
}

type Action =
  | { type: 'task.status'; id: number; data: TaskStatusEventData }
  | { type: 'task.step'; id: number; data: TaskStepEventData }
  | { type: 'task.progress'; id: number; data: TaskProgressEventData }
  | { type: 'task.notice'; id: number; data: TaskNoticeEventData }
  | { type: 'connection'; value: LiveTask['connection'] };

function reduce(state: LiveTask, action: Action): LiveTask {
  switch (action.type) {
    case 'connection':
      return state.connection === action.value ? state : { ...state, connection: action.value };
    case 'task.status':
      return {
        ...state,
        lastEventId: action.id,
        status: action.data.status,
        comment: action.data.comment,
        errorCode: action.data.errorCode ?? state.errorCode,
        errorMessage: action.data.message ?? state.errorMessage,
      };
    case 'task.step':
      return {
        ...state,
        lastEventId: action.id,
        steps: state.steps.map((step) => (step.id === action.data.step ? { ...step, status: action.data.status, error: action.data.error } : step)),
      };
    case 'task.progress':
      return { ...state, lastEventId: action.id, progress: action.data };
    case 'task.notice':
      return { ...state, lastEventId: action.id, notices: [...state.notices, action.data].slice(-50) };
  }
}

const eventTypes = ['task.status', 'task.step', 'task.progress', 'task.notice'] as const;

/** How long to wait before opening the stream again when it closed without a reason of its own (ms). */
const reopenMs = 3000;
/** After `done`, how often to ask for the first-boot confirmation, and for how long (ms). */
const firstBootPollMs = 5000;
const firstBootPollForMs = 30 * 60 * 1000;

/**
 * Follows a task's Server-Sent Events with the session cookie: the stored history first (replayed from the
 * start), then live events. EventSource reconnects by itself with Last-Event-ID; when the stream is closed for
 * good before the task ended (a restart, a network cut), it is opened again with ?lastEventId=. After `done`,
 * the stream is asked again every few seconds until the first boot is confirmed.
 */
export function useTaskEvents(serviceName: string, taskId: number): LiveTask {
  const [state, dispatch] = useReducer(reduce, undefined, (): LiveTask => ({
    status: null,
    comment: '',
    errorCode: null,
    errorMessage: null,
    steps: initialSteps(),
    progress: null,
    notices: [],
    connection: 'connecting',
    lastEventId: 0,
  }));

  useEffect(() => {
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let lastId = 0;
    let status: TaskStatus | null = null;
    let firstBoot: string = 'todo';
    let doneAt: number | null = null;

    const open = () => {
      if (stopped) return;
      const url = `${apiBase}/dedicated/server/${segment(serviceName)}/task/${taskId}/events${lastId > 0 ? `?lastEventId=${lastId}` : ''}`;
      const current = new EventSource(url, { withCredentials: true });
      source = current;
      current.onopen = () => dispatch({ type: 'connection', value: 'open' });
      for (const type of eventTypes) {
        current.addEventListener(type, (event: MessageEvent<string>) => {
          const id = Number(event.lastEventId);
          if (!Number.isSafeInteger(id) || id <= lastId) return;
          lastId = id;
          const data = JSON.parse(event.data) as Record<string, unknown>;
          if (type === 'task.status') {
            status = data.status as TaskStatus;
            if (status === 'done' && doneAt === null) doneAt = Date.now();
          }
          if (type === 'task.step' && data.step === 'first-boot') firstBoot = String(data.status);
          dispatch({ type, id, data } as Action);
        });
      }
      current.onerror = () => {
        if (current.readyState !== EventSource.CLOSED) {
          dispatch({ type: 'connection', value: 'reconnecting' });
          return;
        }
        current.close();
        const finished = status !== null && isTerminalTaskStatus(status);
        const waitingForFirstBoot = status === 'done' && firstBoot === 'todo' && doneAt !== null && Date.now() - doneAt < firstBootPollForMs;
        if (finished && !waitingForFirstBoot) {
          dispatch({ type: 'connection', value: 'ended' });
          return;
        }
        dispatch({ type: 'connection', value: finished ? 'ended' : 'reconnecting' });
        timer = setTimeout(open, finished ? firstBootPollMs : reopenMs);
      };
    };

    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [serviceName, taskId]);

  return state;
}
