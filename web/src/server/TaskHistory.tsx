import type { TaskReply } from '../api/types.ts';
import { formatDate } from '../format.ts';
import { Link } from '../app/router.tsx';
import { TaskStatusBadge, taskFunctionLabel } from '../components/StatusBadge.tsx';

/** The server's tasks, newest first, each linking to its page. */
export function TaskHistory({ serviceName, tasks, compact = false }: { serviceName: string; tasks: readonly TaskReply[]; compact?: boolean }) {
  if (tasks.length === 0) return <p className="text-sm text-base-content/70">No task yet.</p>;
  return (
    <div className={compact ? '' : 'overflow-x-auto rounded-box border border-base-300 bg-base-100 shadow-sm'}>
      <table className={`table ${compact ? 'table-sm' : ''}`} data-testid="task-history">
        <thead>
          <tr>
            <th>Task</th>
            <th>Status</th>
            {!compact && <th className="hidden md:table-cell">Comment</th>}
            <th className="hidden sm:table-cell">Started</th>
            {!compact && <th className="hidden lg:table-cell">Finished</th>}
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr key={task.taskId} data-testid="task-row" data-task={task.taskId}>
              <td>
                <Link to={{ page: 'task', serviceName, taskId: task.taskId }} className="link link-primary whitespace-nowrap">
                  {taskFunctionLabel(task.function)} #{task.taskId}
                </Link>
              </td>
              <td>
                <TaskStatusBadge status={task.status} />
              </td>
              {!compact && <td className="hidden max-w-md break-words md:table-cell">{task.comment}</td>}
              <td className="hidden whitespace-nowrap sm:table-cell">{formatDate(task.startDate)}</td>
              {!compact && <td className="hidden whitespace-nowrap lg:table-cell">{formatDate(task.doneDate)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
