/** A failure in plain words: the catalogue message, then what to do about it when the catalogue says. */
export function ProblemAlert({
  title,
  message,
  solution,
  severity = 'error',
  testId,
}: {
  title?: string;
  message: string;
  solution?: string | null | undefined;
  severity?: 'error' | 'warning' | 'info';
  testId?: string;
}) {
  const className = severity === 'error' ? 'alert-error' : severity === 'warning' ? 'alert-warning' : 'alert-info';
  return (
    <div role="alert" className={`alert alert-soft ${className} items-start`} data-testid={testId}>
      <div className="min-w-0">
        {title !== undefined && <p className="font-semibold">{title}</p>}
        <p className="break-words" data-testid={testId === undefined ? undefined : `${testId}-message`}>
          {message}
        </p>
        {solution !== undefined && solution !== null && solution !== '' && (
          <p className="mt-1 break-words" data-testid={testId === undefined ? undefined : `${testId}-solution`}>
            <span className="font-semibold">Solution: </span>
            {solution}
          </p>
        )}
      </div>
    </div>
  );
}
