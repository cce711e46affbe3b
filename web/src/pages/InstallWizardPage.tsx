import { useState } from 'react';
import { isTerminalTaskStatus } from '../../../src/contract/task/task-status.ts';
import { messageOf } from '../api/api-error.ts';
import { api, segment } from '../api/client.ts';
import { explainError } from '../api/explain-error.ts';
import { getHardware, getServer, findCurrentTask } from '../api/fleet.ts';
import type { TaskReply } from '../api/types.ts';
import { useAsync } from '../api/use-async.ts';
import { Link, navigate } from '../app/router.tsx';
import { PageFrame } from '../components/PageFrame.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { ChooseOsStep } from '../install/ChooseOsStep.tsx';
import { ConfigurationStep } from '../install/ConfigurationStep.tsx';
import { ConfirmationStep } from '../install/ConfirmationStep.tsx';
import { emptyInstallForm, type InstallForm } from '../install/install-form.ts';
import { useInstallValidation } from '../install/use-install-validation.ts';

const stepTitles = ['Operating system', 'Configuration', 'Confirmation'] as const;

/**
 * The install window of OVHcloud's guide: Custom → "Bring Your Own Image - byoi" → Next → configuration →
 * Confirm, which sends POST /dedicated/server/{serviceName}/reinstall and opens the live install page.
 */
export function InstallWizardPage({ serviceName }: { serviceName: string }) {
  const context = useAsync(
    async () => {
      const [server, hardware, running] = await Promise.all([getServer(serviceName), getHardware(serviceName), findCurrentTask(serviceName)]);
      return { server, hardware, running };
    },
    `install:${serviceName}`,
  );
  const [step, setStep] = useState(0);
  const [chosen, setChosen] = useState(false);
  const [form, setForm] = useState<InstallForm>(emptyInstallForm);
  const [showAll, setShowAll] = useState(false);
  const [acknowledged, setAcknowledged] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const validation = useInstallValidation(form);

  const next = () => {
    if (step === 1) {
      setShowAll(true);
      if (!validation.valid) {
        // Take the keyboard to the first field with a problem.
        requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"], [data-testid="field-problem"]')?.scrollIntoView({ block: 'center' }));
        return;
      }
    }
    setStep(step + 1);
    window.scrollTo(0, 0);
  };

  const confirm = async () => {
    setSubmitting(true);
    setRefusal(null);
    try {
      const task = await api<TaskReply>('POST', `/dedicated/server/${segment(serviceName)}/reinstall`, validation.body);
      navigate({ page: 'task', serviceName, taskId: task.taskId }, { replace: true });
    } catch (failure) {
      setRefusal(messageOf(failure));
      setSubmitting(false);
    }
  };

  const data = context.data;
  const running = data?.running !== null && data?.running !== undefined && !isTerminalTaskStatus(data.running.status) ? data.running : null;

  return (
    <PageFrame
      crumbs={[{ label: serviceName, to: { page: 'server', serviceName, tab: 'general' } }, { label: 'Install' }]}
      heading={<h1 className="text-2xl font-bold">Install an operating system on {serviceName}</h1>}
      load={{ loaded: data !== undefined, error: context.error }}
    >
      {running !== null && (
        <div role="alert" className="alert alert-warning alert-soft">
          A task is already running on this server (#{running.taskId}).{' '}
          <Link className="link" to={{ page: 'task', serviceName, taskId: running.taskId }}>
            Follow it
          </Link>
        </div>
      )}

      {data !== undefined && (
        <div className="card bg-base-100 shadow-sm">
          <div className="card-body gap-6 p-4 sm:p-6">
            <ol className="steps w-full" aria-label="Install steps">
              {stepTitles.map((title, index) => (
                <li key={title} className={`step ${index <= step ? 'step-primary' : ''}`} aria-current={index === step ? 'step' : undefined}>
                  {title}
                </li>
              ))}
            </ol>

            {step === 0 && <ChooseOsStep chosen={chosen} onChoose={setChosen} />}
            {step === 1 && <ConfigurationStep serviceName={serviceName} hardware={data.hardware} form={form} validation={validation} showAll={showAll} onChange={setForm} />}
            {step === 2 && (
              <ConfirmationStep serviceName={serviceName} hardware={data.hardware} form={form} validation={validation} acknowledged={acknowledged} onAcknowledge={setAcknowledged} />
            )}

            {refusal !== null && <ProblemAlert title="The API refused the installation" message={refusal} solution={explainError(refusal).solution} testId="install-refused" />}
            {step === 1 && showAll && !validation.valid && (
              <p role="alert" className="text-sm text-error">
                Some fields need attention before the next step.
              </p>
            )}

            <div className="flex flex-wrap justify-between gap-2">
              {step === 0 ? (
                <Link className="btn" to={{ page: 'server', serviceName, tab: 'general' }}>
                  Cancel
                </Link>
              ) : (
                <button type="button" className="btn" onClick={() => setStep(step - 1)}>
                  Previous
                </button>
              )}
              {step < 2 ? (
                <button type="button" className="btn btn-primary" disabled={step === 0 && !chosen} onClick={next}>
                  Next
                </button>
              ) : (
                <button type="button" className="btn btn-error" disabled={!acknowledged || submitting || running !== null} onClick={() => void confirm()}>
                  {submitting && <span className="loading loading-spinner loading-sm" aria-hidden="true" />}
                  Confirm
                </button>
              )}
            </div>
          </div>
        </div>
      )}
    </PageFrame>
  );
}
