import {
  Link,
  Toast,
  ToastBody,
  ToastTitle,
  ToastTrigger,
  Toaster,
  useId,
  useToastController,
} from '@fluentui/react-components';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { ApiError } from '../bindings/ApiError';

/** A follow-up offered on a toast (it closes the toast): "Open details". */
export interface NotifyAction {
  label: string;
  onClick: () => void;
  testId?: string;
}

export interface Notify {
  success(title: string, body?: string): void;
  warning(title: string, body?: string): void;
  error(title: string, error: ApiError, action?: NotifyAction): void;
  /** A fired alert rule: prominent and long-lived. */
  alert(title: string, body: string, severity: 'warning' | 'error'): void;
}

const NotifyContext = createContext<Notify | null>(null);

export function NotifyProvider({ children }: { children: ReactNode }) {
  const toasterId = useId('duet-toaster');
  const { dispatchToast } = useToastController(toasterId);
  const notify = useMemo<Notify>(
    () => ({
      success(title, body) {
        dispatchToast(
          <Toast data-testid="toast-success">
            <ToastTitle>{title}</ToastTitle>
            {body ? <ToastBody>{body}</ToastBody> : null}
          </Toast>,
          { intent: 'success', timeout: 4000 },
        );
      },
      warning(title, body) {
        dispatchToast(
          <Toast data-testid="toast-warning">
            <ToastTitle>{title}</ToastTitle>
            {body ? <ToastBody>{body}</ToastBody> : null}
          </Toast>,
          { intent: 'warning', timeout: 8000 },
        );
      },
      error(title, error, action) {
        dispatchToast(
          <Toast data-testid="toast-error">
            <ToastTitle
              action={
                action ? (
                  <ToastTrigger>
                    <Link as="button" onClick={action.onClick} data-testid={action.testId}>
                      {action.label}
                    </Link>
                  </ToastTrigger>
                ) : undefined
              }
            >
              {title}
            </ToastTitle>
            <ToastBody subtitle={`Code: ${error.code}`}>{error.message}</ToastBody>
          </Toast>,
          // A toast with a follow-up stays longer, so there is time to take it.
          { intent: 'error', timeout: action ? 20000 : 10000 },
        );
      },
      alert(title, body, severity) {
        dispatchToast(
          <Toast data-testid="toast-alert" data-severity={severity}>
            <ToastTitle>{title}</ToastTitle>
            <ToastBody>{body}</ToastBody>
          </Toast>,
          { intent: severity, timeout: 20000, politeness: 'assertive' },
        );
      },
    }),
    [dispatchToast],
  );
  return (
    <NotifyContext.Provider value={notify}>
      {children}
      <Toaster toasterId={toasterId} position="bottom-end" pauseOnHover />
    </NotifyContext.Provider>
  );
}

export function useNotify(): Notify {
  const notify = useContext(NotifyContext);
  if (!notify) throw new Error('useNotify outside NotifyProvider');
  return notify;
}
